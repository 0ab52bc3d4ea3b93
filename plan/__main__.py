"""``python -m plan <stage>``: show what the program would build for a stage, with no credentials.

Exit codes: 0 the plan is valid, 2 the stage config is invalid (every problem listed, no traceback),
3 a mandatory policy rule fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.config import StageConfigError
from components.program import main as program
from components.secrets import DeployEnvironment
from components.stage import Stage
from plan.engine import run_program
from plan.model import build_plan
from plan.policy import check as policy_check
from plan.render import RENDERERS
from plan.stack_files import project_name, stack_config

EXIT_INVALID_CONFIG = 2
EXIT_POLICY = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="plan", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("stage", help="stack name: dev, staging, prod or pr-<number>")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="table")
    parser.add_argument("--output", type=Path, help="write the plan to this file instead of stdout")
    args = parser.parse_args(argv)

    stages: list[Stage] = []
    try:
        config, secret_keys = stack_config(args.stage)
        run = run_program(
            lambda: stages.append(program(DeployEnvironment({}, allow_missing=True))),
            project=project_name(),
            stack=args.stage,
            config=config,
            secret_keys=secret_keys,
        )
    except StageConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG

    plan = build_plan(run, policy=policy_check(run, stages[0].config))
    text = RENDERERS[args.format](plan)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    mandatory = [v for v in plan["policy"] if v["enforcement"] == "mandatory"]
    return EXIT_POLICY if mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
