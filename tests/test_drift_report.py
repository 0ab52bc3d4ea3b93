"""``python -m plan.drift``: the drifted resources of a refreshed preview, by name, never with a value.

The input is shaped as ``pulumi preview --refresh --json`` writes it (``PreviewDigest``: steps with op, urn,
diffReasons, replaceReasons and the old and new states, which hold values). A canary value sits in every
state and diagnostic message; it must never reach the log or the job summary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from plan import drift

CANARY = "CANARY-drift-value-4f1c"
DOC = Path(__file__).resolve().parents[1] / "docs" / "drift.md"
STACK = "urn:pulumi:prod::workers-stage-platform::"
SYNC = STACK + "acme:platform:Stage$acme:platform:InfisicalStage$pulumi-python:dynamic:Resource::api-sync"
D1 = STACK + "acme:platform:Stage$acme:platform:Storage$cloudflare:index/d1Database:D1Database::main"
ROUTE = STACK + "acme:platform:Stage$acme:platform:Worker$cloudflare:index/workersRoute:WorkersRoute::api-route"
KV = STACK + "acme:platform:Stage$acme:platform:Storage$cloudflare:index/workersKvNamespace:WorkersKvNamespace::cache"


def _state(urn: str) -> dict[str, Any]:
    return {"urn": urn, "inputs": {"text": CANARY}, "outputs": {"text": CANARY, "value": CANARY}}


def _step(op: str, urn: str, **extra: Any) -> dict[str, Any]:
    return {"op": op, "urn": urn, "oldState": _state(urn), "newState": _state(urn), **extra}


DRIFTED = {
    "steps": [
        _step("same", STACK + "pulumi:pulumi:Stack::workers-stage-platform-prod"),
        _step("refresh", KV),
        _step("same", KV),
        _step("update", SYNC, diffReasons=["last_run_failed"], detailedDiff={"last_run_failed": {"kind": "update"}}),
        _step("create-replacement", D1, replaceReasons=["name"]),
        _step("replace", D1, replaceReasons=["name"], diffReasons=["name", "readReplication"]),
        _step("delete-replaced", D1),
        _step("create", ROUTE),
    ],
    "changeSummary": {"same": 2, "update": 1, "replace": 1, "create": 1},
    "config": {"workers-stage-platform:app": "acme"},
}


def _run(tmp_path: Path, digest: Any, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    preview = tmp_path / "preview.json"
    preview.write_text(digest if isinstance(digest, str) else json.dumps(digest))
    summary = tmp_path / "summary.md"
    code = drift.main([str(preview), "--stage", "prod", "--summary", str(summary), "--annotate", *args])
    return code, capsys.readouterr().out, summary.read_text()


def test_each_drifted_resource_is_named_once_with_the_properties_that_differ() -> None:
    assert drift.drifted(DRIFTED) == [
        drift.Drifted("cloudflare:index/d1Database:D1Database", "main", "replace", ("name", "readReplication")),
        drift.Drifted("cloudflare:index/workersRoute:WorkersRoute", "api-route", "create", ()),
        drift.Drifted("pulumi-python:dynamic:Resource", "api-sync", "update", ("last_run_failed",)),
    ]


def test_drift_fails_naming_resources_and_never_a_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, summary = _run(tmp_path, DRIFTED, "--preview-exit-code", "255", capsys=capsys)
    assert code == drift.EXIT_DRIFT
    assert "drift in prod: pulumi-python:dynamic:Resource api-sync: update (last_run_failed)" in out
    assert "::error title=Drift in prod::3 resource(s) drifted: main (replace), api-route (create), api-sync" in out
    assert "| `main` | `cloudflare:index/d1Database:D1Database` | replace | `name`, `readReplication` |" in summary
    assert "docs/drift.md" in summary
    assert CANARY not in out + summary


def test_no_drift_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = {"steps": [_step("refresh", KV), _step("same", KV)], "changeSummary": {"same": 1}}
    code, out, summary = _run(tmp_path, clean, capsys=capsys)
    assert (code, out.strip()) == (0, "no drift in prod")
    assert "No drift: the live stage matches the program." in summary


def test_a_failed_preview_fails_without_repeating_its_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failed = {"diagnostics": [{"urn": D1, "severity": "error", "message": f"403 reading {CANARY}"}]}
    code, out, summary = _run(tmp_path, failed, "--preview-exit-code", "255", capsys=capsys)
    assert code == drift.EXIT_FAILED
    assert "The preview failed (on: main); the job log has the errors." in summary
    assert "::error title=Drift check failed (prod)::" in out
    assert CANARY not in out + summary


def test_no_readable_preview_is_a_failure_not_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, summary = _run(tmp_path, "", "--preview-exit-code", "0", capsys=capsys)
    assert code == drift.EXIT_FAILED and "could not finish" in out
    assert "no readable preview output" in summary


def test_help_and_docs_list_the_same_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        drift.main(["--help"])
    assert done.value.code == 0
    listed = capsys.readouterr().out.split("exit codes:\n", 1)[1].splitlines()
    assert [line.strip() for line in listed if line.strip()] == [f"{c}  {m}" for c, m in drift.MEANINGS.items()]
    documented = re.findall(r"^\| `(\d)` \| (.+) \|$", DOC.read_text(), re.MULTILINE)
    assert [(int(code), meaning) for code, meaning in documented] == list(drift.MEANINGS.items())
