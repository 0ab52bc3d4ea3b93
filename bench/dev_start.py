"""Start-up time of ``bin/dev``: from the command to the first answer of the served stage, by phase.

Run from the repository root:  .venv/bin/python bench/dev_start.py [--runs N] [--against DIR]

Three ways to start, as a developer would:

* ``identity``: the dev stage, secrets read with a machine identity from the local Infisical-compatible server;
* ``cli``: the staging stage, secrets read with a stub ``infisical`` CLI on PATH (logged in);
* ``none``: the dev stage with no Infisical at all, ``--allow-missing-secrets``.

The phases are read from bin/dev's own log as it runs: *program* (build the configs under the mock engine and
read the secrets), *migrations* (``wrangler d1 migrations apply --local``), *runtime* (until the first request
is answered). The local data under ``.dev/<stage>/`` is kept between runs, as in a developer's restarts.

``--against DIR`` times another checkout's ``bin/dev`` too (``git worktree add DIR <revision>``; it shares
this checkout's ``.venv`` and ``node_modules`` when linked), interleaved run by run so the machine's load
weighs on both alike. Only the ``identity`` start exists in revisions before the in-memory hand-over.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import checked_config  # noqa: E402
from tests.dev_serving import free_port, shell  # noqa: E402
from tests.dev_tools import (  # noqa: E402
    STUB_LOG_VAR,
    STUB_STORE_VAR,
    logged_in_home,
    seed_stage,
    stage_canaries,
    stub_store,
    write_stub_cli,
)
from tests.fakes.infisical import FakeInfisical  # noqa: E402

PHASES = (
    ("program", ("applying D1 migrations",)),
    ("migrations", ("bin/dev: starting stage", "bin/dev: starting wrangler dev")),  # this checkout's, and before
)
TIMEOUT = 180.0


def timed_start(command: list[str], env: Mapping[str, str], port: int, log: Path) -> dict[str, float]:
    """Seconds from the command to each phase's end, and to the first answered request (``total``)."""
    marks: dict[str, float] = {}
    started = time.monotonic()
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=dict(env), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    try:
        while "total" not in marks:
            if process.poll() is not None or time.monotonic() - started > TIMEOUT:
                raise SystemExit(f"bin/dev did not serve:\n{log.read_text(errors='replace')}")
            text = log.read_text(errors="replace")
            for phase, markers in PHASES:
                if phase not in marks and any(marker in text for marker in markers):
                    marks[phase] = time.monotonic() - started
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_platform/bindings", timeout=2) as answer:
                    answer.read()
                marks["total"] = time.monotonic() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the group is gone when bin/dev failed on its own
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return marks


def scenario(kind: str, bin_dev: Path, work: Path) -> Callable[[], dict[str, float]]:
    """One start of ``bin_dev`` the ``kind`` way (a fresh home and Infisical for each)."""

    def run() -> dict[str, float]:
        with tempfile.TemporaryDirectory(dir=work) as scratch, FakeInfisical() as fake:
            home = Path(scratch)
            port = free_port()
            env = shell(home, home / "tmp")
            command = [str(bin_dev), "--port", str(port)]
            if kind == "identity":
                config = checked_config("dev")
                client_id, client_secret = seed_stage(fake, config, stage_canaries(config))
                env |= {"INFISICAL_HOST": fake.url, "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID": client_id}
                env |= {"INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET": client_secret}
                command += ["--stage", "dev", "--secrets-from", "identity"]
            elif kind == "cli":
                config = checked_config("staging")
                logged_in_home(home)
                env["PATH"] = f"{write_stub_cli(home / 'bin').parent}{os.pathsep}{env['PATH']}"
                env[STUB_STORE_VAR] = str(stub_store(home / "store.json", config, stage_canaries(config)))
                env[STUB_LOG_VAR] = str(home / "calls.jsonl")
                command += ["--stage", "staging"]
            else:
                command += ["--stage", "dev", "--allow-missing-secrets"]
            return timed_start(command, env, port, home / "bin-dev.log")

    return run


def row(kind: str, label: str, runs: list[dict[str, float]]) -> str:
    def median(key: str) -> float:
        return statistics.median(run.get(key, float("nan")) for run in runs)

    program, migrations, total = median("program"), median("migrations"), median("total")
    cells = [kind, label, f"{program:.2f}", f"{migrations - program:.2f}", f"{total - migrations:.2f}", f"{total:.2f}"]
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bin/dev start-up time, command to first answered request")
    parser.add_argument("--runs", type=int, default=5, help="starts per way and checkout (the median is shown)")
    parser.add_argument("--against", type=Path, help="another checkout whose bin/dev to time as well")
    parser.add_argument("--json", action="store_true", help="print every run's marks as JSON as well")
    args = parser.parse_args(argv)
    checkouts = {"this checkout": ROOT / "bin" / "dev"}
    if args.against:
        checkouts[f"{args.against}"] = args.against.resolve() / "bin" / "dev"
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as work:
        for _ in range(args.runs):
            for kind in ("identity", "cli", "none"):
                for label, bin_dev in checkouts.items():
                    if kind != "identity" and label != "this checkout":
                        continue
                    results.setdefault((kind, label), []).append(scenario(kind, bin_dev, Path(work))())
    print(f"bin/dev start-up, seconds (median of {args.runs}; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    print("| start | checkout | program + secrets | migrations | runtime | total |")
    print("|---|---|---:|---:|---:|---:|")
    for (kind, label), runs in results.items():
        print(row(kind, label, runs))
    if args.json:
        print(json.dumps({f"{kind} {label}": runs for (kind, label), runs in results.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
