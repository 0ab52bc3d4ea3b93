"""``bin/migrate``: a stage's D1 migrations with the pinned wrangler; prod only after a Time Travel bookmark."""
