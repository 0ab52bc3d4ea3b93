"""``bin/dev``: run a stage's workers locally with wrangler, secrets only in the wrangler process environment.

The local wrangler configs come from the same program as ``pulumi up`` (run under the mock engine, with local
ids), Infisical is read at run time (its CLI, or a machine identity through ``components.infisical``), and
nothing that holds a secret value is ever written to a file.
"""
