"""``bin/plan <stage> --against BASE``: the head plan compared with its base, and the exit code.

Exit codes, most important first: 2 the base cannot be planned or the change edits a create-only
property (a refusal, naming the config path), 3 a mandatory policy rule fails at the head (no label
can acknowledge that), 4 a change destroys data, breaks traffic or fails the up part-way in prod (a
workflow requires a label or an approval for it), 0 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from plan.baseline import BaseError, load_base
from plan.diff import diff_plans
from plan.diff.render import RENDERERS
from plan.exits import EXIT_DESTRUCTIVE_PROD, EXIT_POLICY
from plan.exits import EXIT_INVALID_CONFIG as EXIT_REFUSED


def review(head: dict[str, Any], against: str, output_format: str, output: Path | None) -> int:
    try:
        base, base_name = load_base(against, head["stack"], head["project"])
    except BaseError as error:
        print(f"error: the base of the diff: {error}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        diff = diff_plans(base, head, base_name)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        # Only a hand-made or damaged plan file gets here: a git ref's base is a plan this code wrote.
        print(f"error: the base of the diff: {against}: not a plan written by `bin/plan --format json` "
              f"({type(error).__name__}: {error})", file=sys.stderr)  # fmt: skip
        return EXIT_REFUSED
    text = RENDERERS[output_format](diff)
    if output:
        output.write_text(text)
    else:
        sys.stdout.write(text)
    if diff.refusals:
        for refusal in diff.refusals:
            print(f"error: {refusal.path}: {refusal.message}", file=sys.stderr)
        return EXIT_REFUSED
    if any(v["enforcement"] == "mandatory" for v in head.get("policy") or []):
        return EXIT_POLICY
    return EXIT_DESTRUCTIVE_PROD if diff.is_prod and diff.destructive else 0
