"""``bin/migrate`` without wrangler: its help, what it reads from the stack outputs, and what it decides to do."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from components.rules.stage_layout import PROJECT_ROOT
from migrate import exits, ledger, outputs
from migrate.__main__ import main as migrate_main
from migrate.ledger import LedgerError, State
from migrate.outputs import Database, OutputsError

ACCOUNT = "0123456789abcdef0123456789abcdef"
DB = Database("main", "acme-prod-main", "uuid-1", ACCOUNT, Path("/app/migrations"))


def test_help_names_the_recovery_point_and_every_exit_code() -> None:
    done = subprocess.run(
        [str(PROJECT_ROOT / "bin" / "migrate"), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "Recovery point (prod)" in text and "D1 Time Travel" in text
    assert "wrangler d1 time-travel restore <database> --bookmark=<bookmark>" in text
    for code, description in exits.DESCRIPTIONS.items():
        assert f"  {code}  {description}" in text
    assert max(len(line) for line in text.splitlines()) <= 120
    documented = re.findall(r"^\| `(\d)` \| (.+) \|$", (PROJECT_ROOT / "docs" / "migrations.md").read_text(), re.M)
    assert [(int(code), meaning.replace("`", "")) for code, meaning in documented] == list(exits.DESCRIPTIONS.items())


@pytest.mark.parametrize("argv", [["--help"], ["staging-2"]])
def test_arguments_are_answered_before_anything_heavy_is_imported(argv: list[str]) -> None:
    probe = (
        "import sys\nfrom migrate.__main__ import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit as exit:\n    code = exit.code\n"
        "heavy = sorted(m for m in ('pulumi', 'pydantic', 'yaml', 'httpx', 'migrate.run') if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    code = "0" if argv == ["--help"] else "2"
    assert done.stdout.splitlines()[-1] == f"{code} []", done.stdout + done.stderr
    if argv != ["--help"]:
        assert "'staging-2' is not a stage" in done.stderr


def _outputs(**changes: Any) -> dict[str, Any]:
    entry = {"binding": "DB", "database_name": "acme-prod-main", "database_id": "uuid-1", "migrations_dir": "db"}
    data: dict[str, Any] = {
        "stage": "prod",
        "d1Databases": {"main": {"id": "uuid-1", "name": "acme-prod-main"}},
        "wranglerConfigs": {
            "api": {"account_id": ACCOUNT, "d1_databases": [entry]},
            "jobs": {"account_id": ACCOUNT, "d1_databases": [dict(entry, binding="JOBS_DB")]},
        },
    }
    data.update(changes)
    return data


def test_the_databases_come_from_the_wrangler_configs_keyed_by_the_stage_config() -> None:
    (found,) = outputs.databases(_outputs(), "prod", Path("/app"))
    assert found == Database("main", "acme-prod-main", "uuid-1", ACCOUNT, Path("/app/db"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stage": "staging"}, "the stack outputs are of stage 'staging', not 'prod'"),
        ({"stage": None}, "the stack outputs are of no stage"),
        ({"wranglerConfigs": "[secret]"}, "the stack outputs have no wranglerConfigs"),
        (
            {"wranglerConfigs": {"api": {"account_id": ACCOUNT, "d1_databases": [{"database_name": "x"}]}}},
            "wranglerConfigs.api.d1_databases[0]: database_id is missing",
        ),
        (
            {
                "wranglerConfigs": {
                    "api": {"account_id": "../x", "d1_databases": [{"database_name": "x", "database_id": "y"}]}
                }
            },
            "wranglerConfigs.api.d1_databases[0]: account_id is not a valid Cloudflare name or id",
        ),
        (
            {
                "wranglerConfigs": {
                    "api": {"account_id": ACCOUNT, "d1_databases": [{"database_name": "x", "database_id": "a"}]},
                    "jobs": {"account_id": ACCOUNT, "d1_databases": [{"database_name": "x", "database_id": "b"}]},
                }
            },
            "wranglerConfigs.jobs.d1_databases[0]: database 'x' differs from another worker's entry",
        ),
    ],
)
def test_outputs_that_do_not_describe_the_stage_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(OutputsError) as caught:
        outputs.databases(_outputs(**changes), "prod", Path("/app"))
    assert message in str(caught.value)


def test_outputs_are_read_from_a_file_or_refused_with_the_reason(tmp_path: Path) -> None:
    good = tmp_path / "outputs.json"
    good.write_text(json.dumps(_outputs()))
    assert outputs.load(str(good), "prod")["stage"] == "prod"
    (tmp_path / "bad.json").write_text("not json")
    with pytest.raises(OutputsError, match="is not JSON"):
        outputs.load(str(tmp_path / "bad.json"), "prod")
    with pytest.raises(OutputsError, match="cannot read the stack outputs"):
        outputs.load(str(tmp_path / "missing.json"), "prod")


def test_migration_files_are_in_the_order_wrangler_applies_them(tmp_path: Path) -> None:
    for name in ("10_later.sql", "2_second.sql", "0001_first.sql", "notes.md", "0003_a.sql.bak"):
        (tmp_path / name).write_text(f"-- {name}\n")
    (tmp_path / "9_folder.sql").mkdir()
    files = ledger.migration_files(tmp_path)
    assert list(files) == ["0001_first.sql", "2_second.sql", "10_later.sql"]
    assert files["2_second.sql"] == ledger.sha256(tmp_path / "2_second.sql")
    assert ledger.migration_files(tmp_path / "absent") == {}


FILES = {"0001_a.sql": "h1", "0002_b.sql": "h2", "0003_c.sql": "h3"}


def test_the_plan_applies_what_is_new_and_finds_edited_unrecorded_and_missing_files() -> None:
    state = State(["0001_a.sql", "0002_b.sql", "0000_gone.sql"], {"0001_a.sql": "h1", "0002_b.sql": "old"})
    plan = ledger.plan(DB, FILES, state, None)
    assert plan.pending == ["0003_c.sql"]
    assert plan.edited == ["0002_b.sql"]
    assert plan.missing == ["0000_gone.sql"]
    assert ledger.plan(DB, FILES, State(["0001_a.sql"], {}), None).unrecorded == ["0001_a.sql"]


def test_prod_applies_only_what_staging_applied_with_the_same_content() -> None:
    staging: dict[str, str | None] = {"0001_a.sql": "h1", "0002_b.sql": None}
    plan = ledger.plan(DB, FILES, State(), staging)
    assert plan.pending == list(FILES)
    assert plan.not_rehearsed == [
        "0002_b.sql (staging has no content hash for it: run bin/migrate staging)",
        "0003_c.sql (not applied on staging)",
    ]
    assert ledger.plan(DB, FILES, State(), {**FILES, "0003_c.sql": "other"}).not_rehearsed == [
        "0003_c.sql (staging applied other content)"
    ]
    # Applied on prod before hashes were kept, and staging ran other content: the file was edited since.
    assert ledger.plan(DB, FILES, State(["0001_a.sql"]), {"0001_a.sql": "x"}).edited == ["0001_a.sql"]


def test_recorded_hashes_survive_quotes_and_replace_a_never_applied_record() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(ledger.HASH_TABLE_DDL)
    conn.executescript(ledger.record_hashes({"0001_it's.sql": "a"}))
    conn.executescript(ledger.record_hashes({"0001_it's.sql": "b", "0002_x.sql": "c"}))
    assert conn.execute("SELECT name, sha256 FROM d1_migration_hashes ORDER BY name").fetchall() == [
        ("0001_it's.sql", "b"),
        ("0002_x.sql", "c"),
    ]


def test_a_ledger_file_round_trips_and_a_wrong_one_is_refused(tmp_path: Path) -> None:
    path = ledger.ledger_path(tmp_path, "staging")
    ledger.write_ledger(path, "staging", {DB: State(["0001_a.sql", "0002_b.sql"], {"0001_a.sql": "h1"})})
    assert ledger.read_ledger(path, "staging") == {"main": {"0001_a.sql": "h1", "0002_b.sql": None}}
    with pytest.raises(LedgerError, match="is not a ledger file of stage 'prod'"):
        ledger.read_ledger(path, "prod")
    with pytest.raises(LedgerError, match="does not exist"):
        ledger.read_ledger(tmp_path / "none.json", "staging")
    path.write_text("{")
    with pytest.raises(LedgerError, match="not a readable ledger file"):
        ledger.read_ledger(path, "staging")


def test_a_stage_without_d1_has_nothing_to_migrate_and_says_so_in_its_ledger(tmp_path: Path) -> None:
    (tmp_path / "outputs.json").write_text(json.dumps({"stage": "dev", "wranglerConfigs": {"api": {}}}))
    argv = ["dev", "--outputs", str(tmp_path / "outputs.json"), "--records", str(tmp_path / "records")]
    assert migrate_main(argv) == exits.EXIT_OK
    assert ledger.read_ledger(tmp_path / "records" / "dev.ledger.json", "dev") == {}
