"""Entry point for `pulumi up` / `pulumi preview`: one stack per stage (see README)."""

from components.program import run

run()
