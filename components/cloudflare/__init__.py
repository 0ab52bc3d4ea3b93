"""The Cloudflare side of a stage: storage, Workers and their bindings, domains, routes, crons and tokens."""
