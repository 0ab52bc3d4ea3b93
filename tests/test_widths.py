"""Every output of ``bin/plan`` fits 120 columns: the plan, the diff, the inventory, the bootstrap commands, the
secret ages (``tests/test_secret_age.py``), help and usage errors."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from components.rules.terminal import MAX_WIDTH
from plan.__main__ import main as plan_main
from plan.tables import text_cards, text_table
from tests.conftest import STAGES


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize(
    "argv",
    [
        *([stage] for stage in (*STAGES, "project", "pr-42")),
        *([stage, "--bootstrap"] for stage in (*STAGES, "pr-42")),
        ["staging", "--inventory"],
        ["--inventory", "--all-stages"],
    ],
    ids=" ".join,
)
def test_every_view_fits(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(argv) == 0
    out, err = capsys.readouterr()
    assert widest(out) <= MAX_WIDTH and err == ""


def test_the_diff_fits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "base.json"
    assert plan_main(["prod", "--format", "json", "--output", str(base)]) == 0
    plan = json.loads(base.read_text())
    plan["resources"] = [r for r in plan["resources"] if not r["type"].endswith("D1Database")]
    for resource in plan["resources"]:  # every input changed, long values included
        resource["inputs"] = {key: f"{value}-{'x' * 150}" for key, value in resource["inputs"].items()}
    base.write_text(json.dumps(plan))
    plan_main(["prod", "--against", str(base)])
    out = capsys.readouterr().out
    assert "D1Database" in out and widest(out) <= MAX_WIDTH


@pytest.mark.parametrize("argv", [["--help"], ["qa"], ["dev", "--against=--no-checkout"], ["--all-stages"]])
def test_help_and_usage_errors_fit(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # argparse would fill a terminal this wide
    with pytest.raises(SystemExit):
        plan_main(argv)
    out, err = capsys.readouterr()
    assert widest(out + err) <= MAX_WIDTH


@pytest.mark.parametrize("module", ["migrate.__main__", "plan.drift", "plan.rotation_due"])
def test_every_other_command_line_help_fits(
    module: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    with pytest.raises(SystemExit):
        importlib.import_module(module).main(["--help"])
    assert widest(capsys.readouterr().out) <= MAX_WIDTH


def test_a_table_too_wide_wraps_its_widest_columns() -> None:
    rows = [["short", "x " * 100, "y" * 30], ["s", "word", "z"]]
    lines = text_table(rows, ["A", "LONG", "IDENTIFIER"])
    assert widest("\n".join(lines)) <= MAX_WIDTH
    assert "".join(lines).count("x") == 100 and "y" * 30 in "\n".join(lines)  # nothing lost, identifiers whole
    assert "" in lines  # wrapped rows are set apart
    cards = text_cards([["NAME", "v " * 200]], ["Secret", "Where it is kept"])
    assert cards[0] == "NAME" and widest("\n".join(cards)) <= MAX_WIDTH
