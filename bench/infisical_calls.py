"""HTTP calls and time per operation of every Infisical dynamic provider, against the local fake server.

Run from the repository root:  .venv/bin/python bench/infisical_calls.py [--iterations N] [--auth universal]

Each resource goes through create → read → no-op diff → update → delete the way the Pulumi engine drives
it. The table shows how many HTTP requests each operation made and the median wall time per operation.
With ``--auth universal`` the token cache starts empty for every resource, so the login shows up in the
first operation (create), as in a fresh provider process; later operations reuse the token. Diff must
always show 0 calls.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from components.infisical import clear_token_cache
from tests.fakes.infisical import FakeInfisical
from tests.infisical import scenarios

OPERATIONS = ("create", "read", "diff", "update", "delete")
UA_CLIENT_ID = "bench-client"
UA_CLIENT_SECRET = "bench-client-secret"  # noqa: S105 - a throwaway credential of the local fake


def measure(fake: FakeInfisical, call: Callable[[], Any]) -> tuple[Any, int, float]:
    """Result, HTTP requests made and milliseconds taken by ``call``."""
    fake.clear_requests()
    started = time.perf_counter()
    result = call()
    return result, fake.count(), (time.perf_counter() - started) * 1000


def run_once(fake: FakeInfisical, scenario: scenarios.Scenario) -> dict[str, tuple[int, float]]:
    """One create → read → no-op diff → update → delete, as the engine would drive it."""
    engine = scenario.engine
    stats: dict[str, tuple[int, float]] = {}
    (id_, outs), stats["create"] = _split(measure(fake, lambda: engine.create(scenario.inputs)))
    _, stats["read"] = _split(measure(fake, lambda: engine.read(id_, outs)))
    diff, stats["diff"] = _split(measure(fake, lambda: engine.diff(id_, outs, scenario.inputs)))
    if diff.changes:
        raise SystemExit(f"{type(engine.provider).__name__}: a no-op diff reported changes")
    updated, stats["update"] = _split(measure(fake, lambda: engine.update(id_, outs, scenario.update)))
    _, stats["delete"] = _split(measure(fake, lambda: engine.delete(id_, updated)))
    return stats


def _split(measured: tuple[Any, int, float]) -> tuple[Any, tuple[int, float]]:
    result, count, millis = measured
    return result, (count, millis)


def bench_resource(fake: FakeInfisical, name: str, iterations: int, universal: bool) -> dict[str, tuple[int, float]]:
    runs = []
    for _ in range(iterations):
        fake.reset()
        if universal:
            fake.add_universal_auth(client_id=UA_CLIENT_ID, client_secret=UA_CLIENT_SECRET)
        scenario = scenarios.ALL[name](fake)  # creates the dependencies with the admin token (not measured)
        clear_token_cache()
        with _logging_in(universal):
            runs.append(run_once(fake, scenario))
    return {op: (max(run[op][0] for run in runs), statistics.median(run[op][1] for run in runs)) for op in OPERATIONS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="HTTP calls and time per Infisical provider operation")
    parser.add_argument("--iterations", type=int, default=5, help="runs per resource (median time is shown)")
    parser.add_argument("--auth", choices=("token", "universal"), default="token", help="how the provider logs in")
    args = parser.parse_args(argv)
    universal = args.auth == "universal"

    with FakeInfisical() as fake:
        for name in [n for n in os.environ if n.startswith("INFISICAL_")]:
            del os.environ[name]
        os.environ.update(fake.environment(INFISICAL_MAX_RETRIES="2", INFISICAL_RETRY_MAX_WAIT="0.05"))
        rows = [(name, bench_resource(fake, name, args.iterations, universal)) for name in scenarios.ALL]

    header = f"{'resource':<16}" + "".join(f"{op + ' calls':>14}" for op in OPERATIONS)
    header += "".join(f"{op + ' ms':>11}" for op in OPERATIONS)
    print(f"Infisical provider: HTTP calls and median time per operation ({args.auth} auth, {args.iterations} runs)")
    print(header)
    print("-" * len(header))
    for name, result in rows:
        line = f"{name:<16}" + "".join(f"{result[op][0]:>14}" for op in OPERATIONS)
        line += "".join(f"{result[op][1]:>11.1f}" for op in OPERATIONS)
        print(line)
    return 0


@contextmanager
def _logging_in(universal: bool) -> Iterator[None]:
    """Switch the measured operations from the admin token to universal auth, and back."""
    if not universal:
        yield
        return
    token = os.environ.pop("INFISICAL_TOKEN")
    os.environ["INFISICAL_UNIVERSAL_AUTH_CLIENT_ID"] = UA_CLIENT_ID
    os.environ["INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"] = UA_CLIENT_SECRET
    try:
        yield
    finally:
        del os.environ["INFISICAL_UNIVERSAL_AUTH_CLIENT_ID"], os.environ["INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"]
        os.environ["INFISICAL_TOKEN"] = token


if __name__ == "__main__":
    raise SystemExit(main())
