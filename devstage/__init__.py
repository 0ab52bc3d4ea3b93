"""``bin/dev``: run a stage's workers locally in one wrangler, with the stage's secrets in memory only.

The local wrangler configs come from the same program as ``pulumi up`` (run under the mock engine, with local
ids); Infisical is read when bin/dev starts (its CLI, or a machine identity through ``components.infisical``);
the values reach wrangler's programmatic API over a pipe (``launcher.cjs``). No value is ever written to a file
or put in a process environment.

Modules, in the order bin/dev runs them: ``cli`` (arguments, standard library only), ``run`` (the steps),
``configs`` (the local wrangler configs), ``guard`` (plaintext files refused), ``secrets`` (which Infisical
folder and key each secret is read from), ``sources`` (the reads: CLI or machine identity), ``wrangler`` (the
allowlisted environment, migrations), ``launch`` (the pipe and the exec of ``launcher.cjs``).
"""
