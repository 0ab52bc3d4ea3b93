"""``python -m plan <stage>``: show what the program would build for a stage, with no credentials.

Exit codes: 0 the plan is valid, 2 the stage config is invalid (every problem listed, no traceback),
3 a mandatory policy rule fails, 4 a diff destroys data or breaks traffic in prod, 5 ``--inventory
--check-age`` found a secret overdue for rotation, 6 it could not read Infisical (see ``plan.exits``).
``--inventory`` shows the secrets inventory instead; ``--bootstrap`` the Infisical CLI commands that
prepare the stage's first deploy (``plan/bootstrap.py``); ``--backend`` where the stack keeps its Pulumi
state and where that backend's credentials are (``plan/backend.py``); ``--against BASE`` (a saved
``--format json`` plan or a git ref) shows what the change from BASE does (``plan/diff/``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from components.config import StageConfigError
from plan.backend import show_backend, state_summary
from plan.bootstrap import show_bootstrap
from plan.exits import EXIT_INVALID_CONFIG, EXIT_POLICY
from plan.inventory_cli import show_inventory
from plan.model import build_plan
from plan.policy import check as policy_check
from plan.program_run import run_stack
from plan.render import RENDERERS
from plan.review import review
from plan.stack_files import stack_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plan", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("stage", nargs="?", help="stack name: dev, staging, prod or pr-<number>")
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
    args = parser.parse_args(argv)
    if (args.all_stages or args.check_age) and not args.inventory:
        parser.error("--all-stages and --check-age go with --inventory")
    if args.check_age and args.all_stages:
        parser.error("--check-age checks one stage: name it")
    if args.stage is None and not args.all_stages:
        parser.error("name the stage (dev, staging, prod or pr-<number>)")
    if args.inventory:
        return show_inventory(args)
    if args.bootstrap:
        return _write(args.output, lambda: show_bootstrap(args.stage))
    if args.backend:
        return _write(args.output, lambda: show_backend(args.stage, args.format))

    try:
        config, secret_keys = stack_config(args.stage)
        result = run_stack(args.stage, config, secret_keys)
    except StageConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG

    plan = build_plan(result.run, policy=policy_check(result.run))
    plan["state"] = state_summary(args.stage)
    if args.against:
        return review(plan, args.against, args.format, args.output)
    text = RENDERERS[args.format](plan)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    mandatory = [v for v in plan["policy"] if v["enforcement"] == "mandatory"]
    return EXIT_POLICY if mandatory else 0


def _write(output: Path | None, text: Callable[[], str]) -> int:
    try:
        rendered = text()
    except StageConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    if output:
        output.write_text(rendered)
    else:
        sys.stdout.write(rendered)
    return 0


if __name__ == "__main__":
    sys.exit(main())
