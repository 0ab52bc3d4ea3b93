"""``bin/dev``'s arguments, checked with the standard library (and ``components.rules``) only, so that ``--help`` and
a usage error answer at once. The steps that follow (``devstage.run``) import the program, which takes seconds:
they are imported only once the arguments are good.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from components.rules.naming import PROJECT_STACK, is_valid_stage
from components.rules.terminal import HelpFormatter
from devstage.exits import exit_code_lines

SOURCES = ("auto", "cli", "identity")

DESCRIPTION = """\
Run a stage's workers on this machine in one local wrangler (workerd, no Cloudflare account), built by the same
program as `pulumi up` with local ids. Its D1, KV, R2 and queue data stay under .dev/<stage>/.

Secrets are read from Infisical when bin/dev starts: with the Infisical CLI when it is installed and logged in
(`infisical export`, one folder at a time, into a pipe), else with a machine identity (INFISICAL_TOKEN,
universal auth or OIDC; INFISICAL_HOST for self-hosted). Side-effecting secrets read their sandbox value, as in
every non-prod stage. The values reach wrangler over a pipe, in memory: none is written to a file or put in a
process environment. wrangler, workerd and esbuild run with PATH, HOME, locale, TMPDIR, proxies and wrangler's
own settings only, never your shell's other variables.

A secret that cannot be read (no Infisical CLI, no credentials, Infisical unreachable, or not set) is named with
the reason and the command that adds it; --allow-missing-secrets starts without it, and the example workers
list it as missing. A stage without secrets needs no Infisical and runs offline.

A .env or .dev.vars file with values at the project root, beside a worker or under .dev/<stage>/ is refused:
bin/dev never needs one."""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {port}")
    return port


def parser() -> argparse.ArgumentParser:
    epilog = "exit codes:\n" + "\n".join(f"  {line}" for line in exit_code_lines())
    parser = argparse.ArgumentParser(
        prog="bin/dev", description=DESCRIPTION, epilog=epilog, formatter_class=HelpFormatter
    )
    parser.add_argument("workers", nargs="*", metavar="WORKER", help="workers to run (default: all of the stage)")
    stages = "dev, staging, prod or pr-<number>"
    parser.add_argument("--stage", default="dev", help=f"the stage to copy: {stages} (default dev)")
    parser.add_argument(
        "--config-only", type=Path, metavar="DIR", help="write the local wrangler configs to DIR and exit"
    )
    parser.add_argument("--port", type=_port, default=8787, help="port of the first worker (default 8787)")
    parser.add_argument("--inspector-port", type=_port, help="devtools port (default: wrangler's)")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--secrets-from", choices=SOURCES, default="auto",
        help="auto: the Infisical CLI when installed and logged in, else a machine identity (INFISICAL_*)",
    )  # fmt: skip
    parser.add_argument(
        "--allow-missing-secrets", action="store_true", help="start even if secrets are missing (they stay unset)"
    )
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The arguments, or exit 2 with the problem: a bad option, or a stage name that is no stage."""
    arg_parser = parser()
    args = arg_parser.parse_args(argv)
    if args.stage == PROJECT_STACK:
        arg_parser.error(f"{PROJECT_STACK!r} is the project stack (Infisical project, team access): no workers to run")
    if not is_valid_stage(args.stage):
        arg_parser.error(f"{args.stage!r} is not a stage: dev, staging, prod or pr-<number>")
    return args


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    """Parse, then run (``root``: the project to run, this one by default)."""
    args = parse(argv)
    from devstage.run import run  # noqa: PLC0415 (imports the program: only once the arguments are good)

    return run(args, root)
