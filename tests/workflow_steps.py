"""Running a workflow's or a composite action's `run:` script here, as the GitHub runner would.

The runner renders each ``${{ }}`` of a step's ``env:``, then runs the script with ``bash --noprofile --norc -eo
pipefail`` and the files ``GITHUB_OUTPUT``, ``GITHUB_ENV`` and ``GITHUB_STEP_SUMMARY``. :func:`run_step` does the
same with the expression values the test supplies, so a test can check what a step writes where (a token in
``GITHUB_ENV`` or only in ``GITHUB_OUTPUT``) and what it prints (``::add-mask::`` before any use).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.workflow_tools import Step, run, step_env

EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


@dataclass
class StepRun:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    github_env: str

    def masked(self) -> list[str]:
        return [
            line.removeprefix("::add-mask::") for line in self.stdout.splitlines() if line.startswith("::add-mask::")
        ]


def render(value: str, expressions: Mapping[str, str]) -> str:
    """``${{ name }}`` -> ``expressions[name]``; an expression the test did not supply is an error."""

    def one(match: re.Match[str]) -> str:
        assert match.group(1) in expressions, f"the test supplies no value for {match.group(0)}"
        return expressions[match.group(1)]

    return EXPRESSION.sub(one, value)


def run_step(
    step: Step,
    tmp_path: Path,
    expressions: Mapping[str, str] | None = None,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> StepRun:
    files = {name: tmp_path / name.lower() for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY")}
    for path in files.values():
        path.write_text("")
    rendered = {name: render(value, expressions or {}) for name, value in step_env(step).items()}
    environment = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "RUNNER_TEMP": str(tmp_path)}
    environment |= {name: str(path) for name, path in files.items()} | rendered | dict(env or {})
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run(step)],
        cwd=cwd or tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    outputs = dict(line.split("=", 1) for line in files["GITHUB_OUTPUT"].read_text().splitlines() if "=" in line)
    return StepRun(result.returncode, result.stdout, result.stderr, outputs, files["GITHUB_ENV"].read_text())


@contextmanager
def token_endpoint(issue: Callable[[str], str], request_token: str = "actions-request-token") -> Iterator[str]:
    """Plays GitHub's ``ACTIONS_ID_TOKEN_REQUEST_URL`` on loopback: ``issue(audience)`` makes the JWT; a request
    without the runner's bearer token gets 401. Yields the URL (with the query GitHub's URL carries)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization", "").lower() != f"bearer {request_token}":
                self.send_response(401)
                self.end_headers()
                return
            audience = parse_qs(urlparse(self.path).query).get("audience", [""])[0]
            body = json.dumps({"value": issue(audience)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/token?api-version=2.0"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def stub_command(directory: Path, name: str, script: str) -> None:
    """An executable ``name`` in ``directory`` (put first on PATH) running the bash ``script``."""
    path = directory / name
    path.write_text("#!/usr/bin/env bash\nset -euo pipefail\n" + script)
    path.chmod(0o755)


INFISICAL_RUN_STUB = 'while [ "$#" -gt 0 ] && [ "$1" != -- ]; do shift; done\nshift\nexec "$@"\n'
"""``infisical run ... -- cmd``: runs ``cmd`` (the test sees the state credentials' absence or presence itself)."""
