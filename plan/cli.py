"""``bin/plan``'s command line: the arguments, their checks and ``--help``, without the program.

Everything here answers before Pulumi, the Cloudflare SDK or the components are imported (about three
seconds): ``--help``, a usage error, a stage that is not a stage, a ``--against`` that looks like an option.
``plan/__main__.py`` parses with :func:`parse` first and imports the program only for a valid command line.
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from components.rules.naming import PROJECT_STACK, is_valid_stage
from components.rules.terminal import HelpFormatter
from plan.exits import MEANINGS
from plan.render import RENDERERS

DESCRIPTION = """\
Show what the program would build for a stage, with no credentials: the real program under Pulumi's mock
engine, every resource it registers, each Worker's bindings, the policy results and the stack outputs.
--inventory shows the stage's secrets inventory instead, --bootstrap the Infisical CLI commands that
prepare its first deploy, --backend where the stack keeps its Pulumi state (shell assignments, or
--format json), --against BASE what the change from BASE (a saved --format json plan or a git ref) does.
A pr-<number> stage is planned from Pulumi.pr.template.yaml, as CI deploys it."""


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bin/plan", description=DESCRIPTION, epilog=_exit_codes(), formatter_class=HelpFormatter
    )
    parser.add_argument("stage", nargs="?", help=f"stack name: dev, staging, prod, pr-<number> or {PROJECT_STACK}")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="table")
    parser.add_argument("--output", type=Path, help="write the plan to this file instead of stdout")
    parser.add_argument("--inventory", action="store_true", help="the stage's secrets inventory instead of the plan")
    parser.add_argument("--all-stages", action="store_true", help="with --inventory: every committed stage and pr-<n>")
    parser.add_argument("--bootstrap", action="store_true", help="the infisical commands for the stage's day one")
    parser.add_argument(
        "--backend", action="store_true", help="the stack's own state backend: pulumi login URL, secrets provider"
    )
    parser.add_argument("--against", metavar="BASE", help="show the change from BASE: a JSON plan file or a git ref")
    parser.add_argument(
        "--check-age",
        action="store_true",
        help="with --inventory: read from Infisical when each injected or synced secret last changed; exit 5 if "
        "one is overdue",
    )
    return parser


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The checked command line; a usage or argument error exits 2 here, with argparse's usage line."""
    cli = parser()
    args = cli.parse_args(argv)
    if (args.all_stages or args.check_age) and not args.inventory:
        cli.error("--all-stages and --check-age go with --inventory")
    if args.check_age and args.all_stages:
        cli.error("--check-age checks one stage: name it")
    if args.stage is None and not args.all_stages:
        cli.error("name the stage (dev, staging, prod or pr-<number>)")
    if args.stage is not None and not (is_valid_stage(args.stage) or args.stage == PROJECT_STACK):
        cli.error(f"{args.stage!r} is not a stack name: dev, staging, prod, pr-<number> or {PROJECT_STACK}")
    if args.output is not None and not args.output.parent.is_dir():
        cli.error(f"--output {str(args.output)!r}: no folder {str(args.output.parent)!r} to write it in")
    if args.against is not None and (not args.against or args.against.startswith("-")):
        cli.error(f"--against {args.against!r}: a plan file or a git ref, and neither starts with '-'")
    return args


def _exit_codes() -> str:
    """One entry per exit code, wrapped well inside the width limit."""
    entries = (
        textwrap.fill(meaning, width=100, initial_indent=f"  {code}  ", subsequent_indent="     ")
        for code, meaning in MEANINGS.items()
    )
    return "exit codes:\n" + "\n".join(entries)
