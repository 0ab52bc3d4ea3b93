"""Benchmark: program time under the mock engine, graph depth, the hand-written floor, imports, the plan.

    .venv/bin/python bench/run.py            # full table (1, 10, 50, 100 workers; 3 repetitions)
    .venv/bin/python bench/run.py --quick    # smoke run for CI

Depth is the longest chain of dependencies (explicit, implicit and provider edges) between
resources: ``pulumi up`` runs independent resources in parallel, so depth, not count, bounds its
wall time. The floor (``bench/floor.py``) is the same 50-worker graph written by hand with the typed SDK
classes and literal inputs, run under the same mocks: the program's ratio to it is what its structure
(config checks, components, bindings, policy inputs) costs. Targets: depth ≤ 5 whatever the worker count,
flat time per resource, the program within 1.5 times the floor, and the plan at most 1.3 times a bare
``import pulumi_cloudflare``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.floor import hand_written  # noqa: E402
from components.program import main as program  # noqa: E402
from components.secrets.deploy_inputs import DeployEnvironment  # noqa: E402
from plan.engine import ProgramRun, run_program  # noqa: E402
from tests.conftest import PROJECT, encode, raw_config  # noqa: E402


def generated_config(workers: int) -> dict[str, Any]:
    """A dev stage with ``workers`` workers: each its own KV namespace, domain and generated secret."""
    raw = raw_config("dev")
    raw["kv"] = {f"kv{i}": {} for i in range(workers)}
    raw["workers"] = {
        f"w{i}": {
            "main": "workers/api/index.mjs",
            "bindings": {
                "DB": {"type": "d1", "database": "main"},
                "ASSETS": {"type": "r2", "bucket": "assets"},
                "CACHE": {"type": "kv", "namespace": f"kv{i}"},
                "JOBS": {"type": "queue", "queue": "jobs"},
            },
            "vars": {"LOG_LEVEL": "debug"},
            "secrets": {"SESSION_SECRET": {"owner": "generated"}, "OAUTH_CLIENT_SECRET": {"owner": "sync"}},
            "domains": [f"w{i}.dev.example.net"],
            "crons": ["*/30 * * * *"] if i % 10 == 0 else [],
            **({"consumes": {"queue": "jobs"}} if i == 0 else {}),
        }
        for i in range(workers)
    }
    return raw


def run(raw: dict[str, Any]) -> tuple[ProgramRun, float]:
    started = time.perf_counter()
    result = run_program(
        lambda: program(DeployEnvironment({}, allow_missing=True)),
        project=PROJECT,
        stack="dev",
        config=encode(raw),
    )
    return result, time.perf_counter() - started


def cpu_seconds(program_: Any) -> float:
    """CPU time of one run under the mocks (every thread of this process), so a loaded machine skews no ratio."""
    started = time.process_time()
    program_()
    return time.process_time() - started


OWN_PACKAGES = ("components", "plan", "policy")


def own_import_times() -> tuple[float, float]:
    """Seconds spent importing the program's own modules (their self time), and ``components.infisical``."""
    command = [
        sys.executable,
        "-X",
        "importtime",
        "-c",
        "import components.program, components.infisical_side.infisical_stage",
    ]
    stderr = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stderr
    own = infisical = 0.0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self" in line:
            continue
        self_us, cumulative_us, module = (part.strip() for part in line.removeprefix("import time:").split("|"))
        if module.split(".")[0] in OWN_PACKAGES:
            own += int(self_us) / 1e6
        if module == "components.infisical":
            infisical = int(cumulative_us) / 1e6
    return own, infisical


def critical_path_depth(result: ProgramRun) -> int:
    """Resources in the longest dependency chain (components excluded: they create nothing)."""
    by_urn = {r.urn: r for r in result.registrations if r.custom}

    @cache
    def depth(urn: str) -> int:
        registration = by_urn[urn]
        edges = [u for u in registration.dependencies if u in by_urn]
        if registration.provider_urn in by_urn:
            edges.append(registration.provider_urn)
        return 1 + max((depth(u) for u in edges), default=0)

    return max(depth(urn) for urn in by_urn)


def wall_times(commands: list[list[str]], repetitions: int) -> list[float]:
    """Median wall time of each command, runs interleaved so drift in machine load hits all alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(repetitions):
        for command, measured in zip(commands, times, strict=True):
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            measured.append(time.perf_counter() - started)
    return [statistics.median(measured) for measured in times]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, one repetition (CI smoke run)")
    args = parser.parse_args()
    sizes, repetitions = ([1, 10], 1) if args.quick else ([1, 10, 50, 100], 3)

    run(generated_config(1))  # warm-up: first-use costs are not the program's (nor the floor's)
    run_program(lambda: hand_written(1), project=PROJECT, stack="dev", config={})
    print("| workers | registrations | resources | program time (median) | time per resource | depth |")
    print("|---:|---:|---:|---:|---:|---:|")
    depths = []
    for workers in sizes:
        raw = generated_config(workers)
        timings = []
        for _ in range(repetitions):
            result, seconds = run(raw)
            timings.append(seconds)
        resources = sum(1 for r in result.registrations if r.custom)
        median = statistics.median(timings)
        depths.append(critical_path_depth(result))
        print(
            f"| {workers} | {len(result.registrations)} | {resources} | {median * 1000:.0f} ms "
            f"| {median / resources * 1000:.2f} ms | {depths[-1]} |"
        )

    workers = 50 if not args.quick else 10
    raw = generated_config(workers)
    program_times, floor_times = [], []
    for _ in range(max(repetitions, 3)):  # interleaved, as below
        program_times.append(cpu_seconds(lambda: run(raw)))
        floor_times.append(
            cpu_seconds(lambda: run_program(lambda: hand_written(workers), project=PROJECT, stack="dev", config={}))
        )
    ours, floor = statistics.median(program_times), statistics.median(floor_times)
    print()
    print(f"| {workers} workers under mocks (CPU time, median) | ms | ratio |")
    print("|---|---:|---:|")
    print(f"| hand-written floor (bench/floor.py) | {floor * 1000:.0f} | 1.00 |")
    print(f"| the program | {ours * 1000:.0f} | {ours / floor:.2f} |")
    own, infisical = own_import_times()
    print()
    print(
        f"import of the program's own modules (self time): {own * 1000:.0f} ms; "
        f"components.infisical (cumulative): {infisical * 1000:.0f} ms"
    )

    python = str(Path(sys.executable))
    bare, plan = wall_times(
        [[python, "-c", "import pulumi_cloudflare"], [python, "-m", "plan", "dev", "--format", "json"]],
        max(repetitions, 3),  # one run each is too noisy to compare, even in a smoke run
    )
    print()
    print("| command (wall time, median) | seconds | ratio |")
    print("|---|---:|---:|")
    print(f"| python -c 'import pulumi_cloudflare' | {bare:.2f} | 1.00 |")
    print(f"| python -m plan dev | {plan:.2f} | {plan / bare:.2f} |")
    print()
    print(
        f"targets: depth <= 5 (max {max(depths)}), program <= 1.5 x floor ({ours / floor:.2f}), "
        f"plan <= 1.3 x import ({plan / bare:.2f})"
    )


if __name__ == "__main__":
    main()
