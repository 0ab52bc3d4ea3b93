"""Helpers of the bin/dev tests that run it for real: start it and wait until it serves, ask it, and look for
values where they must never be: in any process's environment or argument list, and in files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devstage import wrangler

START_TIMEOUT = 120.0
SHELL_CREDENTIALS = ("PULUMI_ACCESS_TOKEN", "AWS_SECRET_ACCESS_KEY", "CLOUDFLARE_API_TOKEN", "GITHUB_TOKEN")
"""What a developer's shell typically holds and the local runtime must never see."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shell(home: Path, tmp: Path, credentials: Mapping[str, str] | None = None) -> dict[str, str]:
    """A developer's shell: PATH, a fresh home and TMPDIR, a locale, and the given credentials."""
    tmp.mkdir(parents=True, exist_ok=True)
    return {"PATH": os.environ["PATH"], "HOME": str(home), "TMPDIR": str(tmp), "LANG": "C.UTF-8", **(credentials or {})}


def get(url: str, method: str = "GET", timeout: float = 60) -> dict[str, Any]:
    """One JSON request; a 503 (wrangler still starting a worker, as under load) is retried until ``timeout``."""
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    while True:
        try:
            with urllib.request.urlopen(request, timeout=max(1.0, deadline - time.monotonic())) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as error:
            if error.code != 503 or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serving(command: Sequence[str], env: Mapping[str, str], port: int, log: Path) -> Iterator[Running]:
    """Run ``command`` (a bin/dev) in its own session until it serves ``/_platform/bindings`` on ``port``; stop it
    (and everything it started) afterwards."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command), env=dict(env), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    running = Running(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"bin/dev exited with {process.returncode}:\n{running.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"bin/dev did not serve within {START_TIMEOUT}s:\n{running.output()}")
            try:
                get(f"{running.url}/_platform/bindings", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        yield running
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass(frozen=True)
class Process:
    pid: int
    name: str
    environ: bytes
    cmdline: bytes

    def variables(self) -> set[str]:
        return {entry.split(b"=", 1)[0].decode() for entry in self.environ.split(b"\0") if entry}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:  # gone, or not ours to read
        return None


def processes(session: int | None = None) -> list[Process]:
    """Every process this user can inspect (of one session when given), with its environment and arguments."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat, environ, cmdline = _read(entry / "stat"), _read(entry / "environ"), _read(entry / "cmdline")
        if stat is None or environ is None or cmdline is None:
            continue
        name, _, rest = stat.decode(errors="replace").partition("(")[2].rpartition(")")
        if session is not None and int(rest.split()[3]) != session:
            continue
        found.append(Process(int(entry.name), name, environ, cmdline))
    return found


def holding(values: Iterable[str], among: Iterable[Process]) -> list[str]:
    """``<pid> <name>: environ|cmdline`` for every process whose environment or arguments hold one of ``values``."""
    needles = [value.encode() for value in values]
    return [
        f"{proc.pid} {proc.name}: {where}"
        for proc in among
        for where, data in (("environ", proc.environ), ("cmdline", proc.cmdline))
        if any(needle in data for needle in needles)
    ]


def outside_allowlist(proc: Process) -> set[str]:
    """The variables of a process of the local runtime that are neither passed through nor wrangler's settings."""
    own = {*wrangler.SETTINGS, wrangler.LOG_PATH}
    return {name for name in proc.variables() - own - wrangler.PASSED if not name.startswith(wrangler.PASSED_PREFIXES)}


SKIPPED_TREES = (".git", ".venv", "node_modules")


def files_holding(values: Iterable[str], roots: Iterable[Path]) -> list[str]:
    """Every file under ``roots`` that contains one of ``values`` (skipping VCS, venv and npm packages,
    but not wrangler's cache under ``node_modules/.cache``)."""
    needles = [value.encode() for value in values]
    found = []
    for root in roots:
        for path in root.rglob("*"):
            parts = path.relative_to(root).parts
            if parts and parts[0] in SKIPPED_TREES and not (len(parts) > 1 and parts[:2] == ("node_modules", ".cache")):
                continue
            if path.is_file() and not path.is_symlink():
                data = _read(path) or b""
                found += [f"{path}" for needle in needles if needle in data]
    return found
