"""The ``--inventory`` side of ``bin/plan``: run the program per stage, render its secrets inventory,
and with ``--check-age`` ask Infisical how old each secret it holds is."""

from __future__ import annotations

import argparse
import json
import os
import sys

from components.config import StageConfigError
from components.infisical import InfisicalClient, InfisicalError
from components.rules.rotation import RotationDateError, rotation_date
from components.stage import Stage
from plan.exits import EXIT_INFISICAL, EXIT_INVALID_CONFIG, EXIT_OVERDUE
from plan.inventory import RENDERERS, inventory
from plan.program_run import PlanRun, committed_stages, plan_run, preview_plan_run
from plan.secret_age import SecretAge, as_json, check_ages, infisical_lister
from plan.tables import markdown_table, text_table

PROJECT_ID_ENV = "INFISICAL_PROJECT_ID"
"""The Infisical project to read ages from, when the stage config does not name it (the workflows set it)."""
AGE_COLUMNS = ("Secret", "Workers", "Infisical", "Rotate every", "Last changed", "Due", "Status")


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
    if not isinstance(runs[0].stage, Stage):
        print(f"error: stack {runs[0].label!r} is the project stack: it has no Worker secrets to list", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    data = inventory([(r.label, r.run) for r in runs])
    if not args.check_age:
        _write(args, RENDERERS[args.format](data))
        return 0
    return _check_age(args, runs[0], data["stages"][0])


def _check_age(args: argparse.Namespace, run: PlanRun, stage_inventory: dict[str, object]) -> int:
    try:
        today = rotation_date(os.environ)
    except RotationDateError as error:
        print(f"error: ROTATION_DATE: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    infisical = run.run.outputs.get("infisical")
    if infisical is None:
        print(f"error: stage {run.label!r} has no 'infisical' section: nothing to check", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    # A stage that reads its project id from the project stack has only a placeholder for it here.
    configured = run.stage.config.infisical if isinstance(run.stage, Stage) else None
    project_id = os.environ.get(PROJECT_ID_ENV) or (configured.project_id if configured else None)
    if project_id is None:
        print(
            f"error: stage {run.label!r} reads its Infisical project id from the project stack; set "
            f"{PROJECT_ID_ENV} for --check-age",
            file=sys.stderr,
        )
        return EXIT_INVALID_CONFIG
    try:
        with InfisicalClient() as client:
            ages = check_ages(stage_inventory, project_id, today, infisical_lister(client))
    except InfisicalError as error:
        print(f"error: reading secret ages from Infisical: {error}", file=sys.stderr)
        return EXIT_INFISICAL
    late = [age for age in ages if age.status in ("overdue", "missing")]
    unreadable = [age for age in ages if age.status == "unreadable"]
    _write(args, _render_ages(args.format, run.label, today.isoformat(), ages, late))
    if unreadable:
        places = ", ".join(sorted({age.place for age in unreadable}))
        print(f"warning: Infisical refused to list {places}; their secrets' ages are unknown", file=sys.stderr)
    if late:
        names = ", ".join(f"{age.name} ({age.status})" for age in late)
        print(f"{len(late)} secret(s) of stage {run.label!r} are due for rotation: {names}", file=sys.stderr)
        return EXIT_OVERDUE
    return EXIT_INFISICAL if unreadable else 0


def _render_ages(fmt: str, stage: str, today: str, ages: list[SecretAge], late: list[SecretAge]) -> str:
    if fmt == "json":
        data = {"stage": stage, "today": today, "secrets": as_json(ages), "overdue": [a.name for a in late]}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"
    rows = [
        [a.name, ", ".join(a.workers), a.place, a.rotate_every, a.last_changed or "-", a.due or "-", a.status]
        for a in ages
    ]
    verdict = f"overdue: {', '.join(a.name for a in late)}" if late else "nothing is overdue"
    if fmt == "markdown":
        lines = [f"### Secret ages for `{stage}` on {today} (UTC)", "", *markdown_table(AGE_COLUMNS, rows), ""]
        return "\n".join([*lines, f"**{verdict}**"]) + "\n"
    title = f"Secret ages for stage {stage!r} on {today} (UTC)"
    return "\n".join([title, "", *text_table(rows, [c.upper() for c in AGE_COLUMNS]), "", verdict]) + "\n"


def _write(args: argparse.Namespace, text: str) -> None:
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
