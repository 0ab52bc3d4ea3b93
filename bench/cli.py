"""Benchmark: how fast ``bin/plan`` answers help and argument errors, next to importing the Cloudflare SDK.

    .venv/bin/python bench/cli.py            # 9 rounds
    .venv/bin/python bench/cli.py --quick    # 3 rounds, for CI

``bin/plan`` checks its command line (``plan/cli.py``) before it imports Pulumi, the Cloudflare SDK or the
components, so ``--help`` and a usage error cost a Python start and argparse. The SDK import is measured in the same
run, interleaved round by round, so a loaded machine slows both alike. Target: help and errors within a fifth of
the SDK import, and under half a second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(Path(sys.executable))

COMMANDS: dict[str, list[str]] = {
    "python -c 'import pulumi_cloudflare'": [PYTHON, "-c", "import pulumi_cloudflare"],
    "bin/plan --help": [str(ROOT / "bin" / "plan"), "--help"],
    "bin/plan qa (not a stage: exit 2)": [str(ROOT / "bin" / "plan"), "qa"],
    "bin/plan prod --against=--no-checkout (exit 2)": [str(ROOT / "bin" / "plan"), "prod", "--against=--no-checkout"],
}
BASELINE = "python -c 'import pulumi_cloudflare'"
TARGET_RATIO = 0.2
TARGET_SECONDS = 0.5


def measure(rounds: int) -> dict[str, list[float]]:
    """Wall seconds of each command, round by round (each round runs every command once)."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            started = time.perf_counter()
            done = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
            times[name].append(time.perf_counter() - started)
            if done.returncode not in (0, 2):
                raise SystemExit(f"{name} exited {done.returncode}:\n{done.stderr.decode()}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 rounds instead of 9")
    args = parser.parse_args()
    subprocess.run([str(ROOT / "bin" / "plan"), "--help"], cwd=ROOT, capture_output=True, check=True)  # warm .venv
    times = measure(3 if args.quick else 9)
    medians = {name: statistics.median(values) for name, values in times.items()}
    baseline = medians[BASELINE]
    print("| command (wall time, median) | seconds | ratio to the SDK import |")
    print("|---|---:|---:|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.3f} | {seconds / baseline:.2f} |")
    slowest = max(seconds for name, seconds in medians.items() if name != BASELINE)
    verdict = "met" if slowest <= TARGET_RATIO * baseline and slowest <= TARGET_SECONDS else "MISSED"
    print()
    print(
        f"target: help and argument errors <= {TARGET_RATIO} x the SDK import and <= {TARGET_SECONDS} s "
        f"(slowest {slowest:.3f} s, {slowest / baseline:.2f} x): {verdict}"
    )


if __name__ == "__main__":
    main()
