"""What ``bin/plan`` does with a checked command line (``plan/cli.py``): the plan, the inventory, the
bootstrap commands, the state backend or the diff, each from one run of the real program under the mock engine
(the backend from the stack file alone).

Every way the input can be wrong ends here as ``error: ...`` on stderr and exit 2, never a traceback: a
config the checks refuse, a stack file that cannot be read (``components/rules/stack_file.py``), a bad
``ROTATION_DATE``, or any other ``pulumi.RunError`` the program raises for what it was given.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pulumi

from components.rules.naming import PROJECT_STACK
from components.rules.rotation import ROTATION_DATE_ENV, RotationDateError, rotation_date
from components.rules.terminal import fit
from plan.backend import show_backend, state_summary
from plan.bootstrap import show_bootstrap
from plan.event_loop import close_event_loop
from plan.exits import EXIT_INVALID_CONFIG, EXIT_POLICY
from plan.inventory_cli import show_inventory
from plan.model import build_plan
from plan.policy import check as policy_check
from plan.program_run import run_stack
from plan.render import RENDERERS
from plan.review import review
from plan.stack_files import stack_config


def run(args: argparse.Namespace) -> int:
    try:
        rotation_date(os.environ)  # the plan rotates on the day a deploy would: refuse a bad one up front
    except RotationDateError as error:
        print(f"error: {ROTATION_DATE_ENV}: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    try:
        return _run(args)
    except pulumi.RunError as error:  # StageConfigError included: every problem, located, no traceback
        print(fit(f"error: {error}"), file=sys.stderr)
        return EXIT_INVALID_CONFIG
    except OSError as error:  # --output that cannot be written (a folder, no permission, a full disk)
        print(f"error: {error.filename or 'output'}: {error.strerror or error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    finally:
        close_event_loop()


def _run(args: argparse.Namespace) -> int:
    if args.inventory:
        return show_inventory(args)
    if args.bootstrap and args.stage == PROJECT_STACK:
        setup = "its one-time setup is in docs/infisical.md"
        print(f"error: stack {PROJECT_STACK!r} is the project stack: {setup}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    if args.bootstrap:
        return _write(args.output, lambda: show_bootstrap(args.stage))
    if args.backend:
        return _write(args.output, lambda: show_backend(args.stage, args.format))
    config, secret_keys = stack_config(args.stage)
    result = run_stack(args.stage, config, secret_keys)
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
    rendered = text()
    if output:
        output.write_text(rendered)
    else:
        sys.stdout.write(rendered)
    return 0
