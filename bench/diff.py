"""Benchmark: the diff of a 50-worker stage against a saved plan, compared with one plan.

    .venv/bin/python bench/diff.py            # 50 workers, 7 interleaved repetitions
    .venv/bin/python bench/diff.py --quick    # CI smoke run (fewer repetitions, same target)

Both sides are timed in one process, after the imports, because the imports (about 3 s of
``pulumi_cloudflare``) are the same for both and would hide the diff's own cost: "one plan" is what
``bin/plan <stage> --format json`` does (run the program, check policy, build and render the plan);
"the diff" is what ``bin/plan <stage> --against saved.json`` does (the same run, then read the saved
base, compare, render). Target: the diff takes at most 1.3 times one plan.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import generated_config  # noqa: E402
from plan.diff import diff_plans  # noqa: E402
from plan.diff.render import render_terminal  # noqa: E402
from plan.model import build_plan  # noqa: E402
from plan.policy import check as policy_check  # noqa: E402
from plan.program_run import run_stack  # noqa: E402
from plan.render import render_json  # noqa: E402
from tests.conftest import encode  # noqa: E402

TARGET = 1.3
WORKERS = 50


def one_plan(raw: dict[str, Any]) -> dict[str, Any]:
    result = run_stack("dev", encode(raw), [])
    plan = build_plan(result.run, policy=policy_check(result.run))
    render_json(plan)
    return plan


def one_diff(raw: dict[str, Any], saved: str) -> int:
    head = one_plan(raw)
    diff = diff_plans(json.loads(saved), head, "saved.json")
    render_terminal(diff)
    return len(diff.changes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (CI smoke run)")
    args = parser.parse_args()
    repetitions = 2 if args.quick else 7

    base_raw = generated_config(WORKERS)
    saved = render_json(one_plan(base_raw))  # the saved base: what `--format json --output` wrote
    head_raw = generated_config(WORKERS)
    head_raw["workers"]["w1"]["domains"] = []  # a change to report: one domain removed
    head_raw["workers"]["w2"]["compatibilityDate"] = "2025-09-01"

    plans: list[float] = []
    diffs: list[float] = []
    changes = 0
    for _ in range(repetitions):  # interleaved, so drift in machine load hits both alike
        started = time.perf_counter()
        one_plan(head_raw)
        plans.append(time.perf_counter() - started)
        started = time.perf_counter()
        changes = one_diff(head_raw, saved)
        diffs.append(time.perf_counter() - started)

    plan, diff = statistics.median(plans), statistics.median(diffs)
    print(f"| {WORKERS} workers (median of {repetitions}) | seconds | ratio |")
    print("|---|---:|---:|")
    print(f"| one plan (`bin/plan dev --format json`) | {plan:.2f} | 1.00 |")
    print(f"| diff against a saved plan ({changes} changes) | {diff:.2f} | {diff / plan:.2f} |")
    print()
    verdict = "ok" if diff / plan <= TARGET else "MISSED"
    print(f"target: diff <= {TARGET} x one plan ({diff / plan:.2f}: {verdict})")


if __name__ == "__main__":
    main()
