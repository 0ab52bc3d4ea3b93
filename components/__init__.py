"""The stage platform: Pulumi components for one isolated Cloudflare Workers stage."""
