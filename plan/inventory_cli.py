"""The ``--inventory`` side of ``bin/plan``: run the program per stage, render its secrets inventory."""

from __future__ import annotations

import argparse
import sys

from components.config import StageConfigError
from plan.exits import EXIT_INVALID_CONFIG
from plan.inventory import RENDERERS, inventory
from plan.program_run import PlanRun, committed_stages, plan_run, preview_plan_run


def inventory_runs(stage: str | None, all_stages: bool) -> list[PlanRun]:
    """One run per stage asked for: the committed stages then the pull-request stage, or just ``stage``."""
    if all_stages:
        return [*(plan_run(s) for s in committed_stages()), preview_plan_run()]
    assert stage is not None  # the CLI insists on a stage without --all-stages
    return [plan_run(stage)]


def show_inventory(args: argparse.Namespace) -> int:
    try:
        runs = inventory_runs(args.stage, args.all_stages)
    except StageConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    text = RENDERERS[args.format](inventory([(r.label, r.run) for r in runs]))
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return 0
