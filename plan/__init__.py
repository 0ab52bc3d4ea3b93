"""The credential-free plan: the real program under Pulumi's mock engine, rendered for people."""
