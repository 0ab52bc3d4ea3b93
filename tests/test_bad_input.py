"""Input that used to crash gets a located error and exit 2: in ``bin/plan``, and as a ``pulumi.RunError`` in
the program (which reads the other stages' files for its isolation check)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pulumi
import pytest

from components.config import StageConfigError, parse_stage_config
from components.rules.stack_file import MAX_ALIAS_NODES
from plan import stack_files
from plan.__main__ import main as plan_main
from plan.baseline import BaseError, plan_at_ref
from plan.stack_files import stack_config
from tests.conftest import PROJECT, raw_config
from tests.test_rotation import run_on

ROOT = Path(__file__).resolve().parents[1]

ALIAS_BOMB = "config:\n  a:lol: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  a:lol{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]\n" for n in range(1, 10)
)
"""Ten lines that expand to 10**10 strings: json.dumps of it ran out of memory after half a minute."""

BAD_FILES: dict[str, tuple[bytes, str, str]] = {
    "a list": (b"- config\n- x\n", "Pulumi.dev.yaml:1", "a mapping with a config: key, not a list"),
    "config as a list": (b"config:\n  - a\n", "Pulumi.dev.yaml:2", "config: must map <namespace>:<key> to values"),
    "not UTF-8": (b"config:\n  a:b: caf\xe9\n", "Pulumi.dev.yaml:2", "not UTF-8 text (byte 0xe9)"),
    "an alias bomb": (ALIAS_BOMB.encode(), "Pulumi.dev.yaml:", f"aliases expand to more than {MAX_ALIAS_NODES}"),
    "a recursive alias": (b"config:\n  a:b: &x [1, *x]\n", "Pulumi.dev.yaml:2", "a value cannot contain itself"),
    "a key without namespace": (b"config:\n  7: x\n", "Pulumi.dev.yaml:2", "is not of the form <namespace>:<key>"),
    "a binary value": (b"config:\n  a:b: !!binary aGk=\n", "Pulumi.dev.yaml:2", "a value JSON cannot carry"),
    "a duplicate key": (b"config:\n  a:x: 1\n  a:x: 2\n", "Pulumi.dev.yaml:3", "duplicate key 'a:x'"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_stack_file_is_a_located_error(case: str, tmp_path: Path) -> None:
    content, where, message = BAD_FILES[case]
    (tmp_path / "Pulumi.dev.yaml").write_bytes(content)
    with pytest.raises(StageConfigError) as caught:
        stack_config("dev", tmp_path)
    ((path, problem),) = caught.value.problems
    assert path.startswith(where) and message in problem, (path, problem)


def test_a_date_stays_the_text_it_was_written_as(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  a:day: 2025-06-01\n  a:list: [2025-06-01]\n")
    assert stack_config("dev", tmp_path) == ({"a:day": "2025-06-01", "a:list": '["2025-06-01"]'}, [])


def test_bin_plan_exits_2_on_each_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").symlink_to(ROOT / "Pulumi.yaml")
    monkeypatch.setattr(stack_files, "PROJECT_ROOT", tmp_path)
    for case, (content, where, message) in BAD_FILES.items():
        (tmp_path / "Pulumi.dev.yaml").write_bytes(content)
        assert plan_main(["dev"]) == 2, case  # returned: no exception, so no traceback
        out, err = capsys.readouterr()
        assert err.startswith("error: the stage config has 1 problem:\n  - Pulumi.dev.yaml:"), (case, err)
        assert where in err and message in err and out == "", (case, err)


def test_a_bad_rotation_date_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for value in ("garbage", "2026-02-30", "2026-11-02T10:00:00-05:00"):
        monkeypatch.setenv("ROTATION_DATE", value)
        for argv in (["dev"], ["dev", "--inventory"], ["dev", "--bootstrap"]):
            assert plan_main(argv) == 2, argv
            err = capsys.readouterr().err
            assert err.startswith(f"error: ROTATION_DATE: '{value}'"), err
    with pytest.raises(pulumi.RunError, match="ROTATION_DATE: '2026-02-30' is not a date"):
        run_on("2026-02-30")  # the program under `pulumi up`: a RunError, which Pulumi prints without a traceback


@pytest.mark.parametrize("case", ["a list", "not UTF-8", "an alias bomb"])
def test_the_program_names_a_bad_sibling_stack_file(case: str, tmp_path: Path) -> None:
    """The isolation check reads every committed stage's file: a bad one is a config problem naming it."""
    content, where, message = BAD_FILES[case]
    (tmp_path / "workers").symlink_to(ROOT / "workers", target_is_directory=True)
    (tmp_path / "Pulumi.prod.yaml").write_bytes(content)
    with pytest.raises(StageConfigError) as caught:  # a pulumi.RunError
        parse_stage_config(raw_config("dev"), stage="dev", namespace=PROJECT, project_root=tmp_path)
    problem = dict(caught.value.problems)[f"{PROJECT}:infisical"]
    assert where.replace("dev", "prod") in problem and message in problem


@pytest.mark.parametrize("ref", ["--no-checkout", "-b", "--orphan=x", ""])
def test_a_ref_that_looks_like_an_option_is_refused(ref: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        plan_main(["prod", f"--against={ref}"])
    assert exited.value.code == 2
    assert "neither starts with '-'" in capsys.readouterr().err
    if ref:
        with pytest.raises(BaseError, match="neither a plan file nor a git ref"):
            plan_at_ref(ref, "prod", PROJECT)


@pytest.mark.parametrize(
    "base", [{"resources": [1]}, {"resources": [{"x": 1}]}, {"resources": [], "outputs": 5}, {"resources": "x"}]
)
def test_a_damaged_base_plan_is_refused(
    base: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "base.json"
    path.write_text(json.dumps({"project": PROJECT, "stack": "dev", "policy": [], **base}))
    assert plan_main(["dev", "--against", str(path)]) == 2
    assert "not a plan written by `bin/plan --format json`" in capsys.readouterr().err


def test_a_ref_is_resolved_before_git_checks_it_out() -> None:
    with pytest.raises(BaseError, match="no commit by that name"):
        plan_at_ref("no-such-branch-anywhere", "prod", PROJECT)


def test_the_project_stack_has_no_day_one_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(["project", "--bootstrap"]) == 2
    assert "is the project stack" in capsys.readouterr().err


def test_an_output_that_cannot_be_written_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(["dev", "--output", str(tmp_path)]) == 2  # a folder, not a file
    assert capsys.readouterr().err.startswith(f"error: {tmp_path}: Is a directory")


@pytest.mark.parametrize(
    "argv", [["qa"], ["--format", "yaml", "dev"], ["dev", "--all-stages"], [], ["dev", "--output", "/no/such/x.md"]]
)
def test_argument_errors_exit_2_before_the_program_loads(argv: list[str]) -> None:
    """Usage and argument errors answer from plan/cli.py: the program's modules are never imported."""
    code = (
        "import sys, plan.__main__ as m\n"
        "try:\n    m.main(sys.argv[1:])\nexcept SystemExit as e:\n"
        "    heavy = [n for n in sys.modules if n.split('.')[0] in ('pulumi', 'pulumi_cloudflare', 'pydantic')]\n"
        "    print(e.code, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stdout.strip() == "2 []", done.stdout + done.stderr
    assert "usage: bin/plan" in done.stderr and "Traceback" not in done.stderr
