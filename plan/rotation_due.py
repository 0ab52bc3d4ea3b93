"""``python -m plan.rotation_due``: which stages have a generated secret whose new period began lately.

The weekly rotate workflow runs this, then deploys the stages it names through deploy.yml. A stage is
due when a generated secret's ``period`` keeper, as the program registers it today, is a period start
within the last ``--window`` days (the schedule's interval): the first ``pulumi up`` since then makes
the new value. Any deploy in between rotates too, so a missed week only delays the rotation to the
next deploy. Prints ``<stage>=true|false`` lines and ``date=<today>`` for ``$GITHUB_OUTPUT``.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, timedelta

from components.rules.rotation import ROTATION_DATE_ENV, RotationDateError, rotation_date
from components.rules.terminal import HelpFormatter
from plan.engine import ProgramRun
from plan.program_run import committed_stages, plan_run


def due(run: ProgramRun, today: date, window_days: int) -> list[str]:
    """The generated secrets (RandomPassword names) of ``run`` whose current period began in the window."""
    since = today - timedelta(days=window_days)
    found = []
    for password in run.by_type("RandomPassword"):
        start = (password.inputs.get("keepers") or {}).get("period")
        if start and since < date.fromisoformat(start) <= today:
            found.append(password.name)
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="plan.rotation_due",
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--window", type=int, default=7, help="days since the last scheduled run (default 7)")
    parser.add_argument("stages", nargs="*", help="stages to look at (default: every committed stage)")
    args = parser.parse_args(argv)
    try:
        today = rotation_date(os.environ)
    except RotationDateError as error:
        parser.error(f"{ROTATION_DATE_ENV}: {error}")
    variables = {ROTATION_DATE_ENV: today.isoformat()}
    print(f"date={today.isoformat()}")
    for stage in args.stages or committed_stages():
        names = due(plan_run(stage, variables).run, today, args.window)
        print(f"{stage}={'true' if names else 'false'}")
        if names:
            print(f"{stage}: due for rotation: {', '.join(names)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
