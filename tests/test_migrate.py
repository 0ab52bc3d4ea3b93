"""``bin/migrate`` for real: the pinned wrangler against a stand-in of Cloudflare's D1 API (local SQLite).

wrangler's remote commands (``d1 time-travel info``, ``d1 execute --remote``, ``d1 migrations apply --remote``,
``d1 time-travel restore``) reach the stand-in through ``CLOUDFLARE_API_BASE_URL``; it records the order of
every call. The ids are the real program's stack outputs. staging is migrated once per module; each test
starts from a copy of that staging database and an empty prod database.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devstage import wrangler
from migrate import exits
from migrate.ledger import sha256
from tests.fakes.cloudflare_d1 import StandInCloudflare
from tests.migrate_tools import (
    MIGRATION,
    app_folder,
    databases,
    environment,
    first,
    migrate,
    stack_outputs,
    write_json,
)
from tests.wrangler_tools import needs_node

pytestmark = needs_node
STAGING, PROD = "acme-staging-main", "acme-prod-main"


@dataclass(frozen=True)
class Rehearsal:
    outputs: dict[str, dict[str, Any]]
    staging_database: bytes
    staging_ledger: str


@pytest.fixture(scope="module")
def rehearsal(tmp_path_factory: pytest.TempPathFactory) -> Rehearsal:
    """staging migrated once with the project's migrations: its database and the ledger file it wrote."""
    outputs = {stage: stack_outputs(stage) for stage in ("staging", "prod")}
    work = tmp_path_factory.mktemp("rehearsal")
    app, records = app_folder(work / "app"), work / "records"
    with StandInCloudflare(outputs["staging"]["accountId"]) as cloudflare:
        database = cloudflare.account.add_database(databases(outputs["staging"])[STAGING], STAGING)
        env = environment(cloudflare, work)
        done = migrate(
            "staging", app=app, records=records, env=env, outputs=write_json(work / "staging.json", outputs["staging"])
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"{STAGING}: applied {MIGRATION}" in done.stdout
        assert "job_runs" in database.tables()
        ledger = (records / "staging.ledger.json").read_text()
        assert json.loads(ledger)["databases"]["main"]["applied"] == {MIGRATION: sha256(app / "migrations" / MIGRATION)}
        return Rehearsal(outputs, database.connection.serialize(), ledger)


@dataclass
class Stage:
    cloudflare: StandInCloudflare
    app: Path
    records: Path
    outputs: Path
    env: dict[str, str]

    def migrate(self, *args: str, stage: str = "prod") -> subprocess.CompletedProcess[str]:
        outputs = self.outputs.with_name(f"{stage}.json")
        return migrate(stage, *args, app=self.app, records=self.records, env=self.env, outputs=outputs)

    def prod_calls(self, suffix: str) -> list[Any]:
        prod_id = databases(json.loads(self.outputs.read_text()))[PROD]
        return [call for call in self.cloudflare.calls() if call.path.endswith(f"{prod_id}{suffix}")]


@pytest.fixture
def stage(rehearsal: Rehearsal, tmp_path: Path) -> Any:
    """The stand-in with staging as the rehearsal left it and an empty prod database; an app and records."""
    with StandInCloudflare(rehearsal.outputs["prod"]["accountId"]) as cloudflare:
        staging = cloudflare.account.add_database(databases(rehearsal.outputs["staging"])[STAGING], STAGING)
        staging.connection.deserialize(rehearsal.staging_database)
        cloudflare.account.add_database(databases(rehearsal.outputs["prod"])[PROD], PROD)
        records = tmp_path / "records"
        records.mkdir()
        (records / "staging.ledger.json").write_text(rehearsal.staging_ledger)
        for name, outputs in rehearsal.outputs.items():
            write_json(tmp_path / f"{name}.json", outputs)
        yield Stage(
            cloudflare, app_folder(tmp_path / "app"), records, tmp_path / "prod.json", environment(cloudflare, tmp_path)
        )


def test_prod_migrates_after_a_bookmark_recorded_before_the_first_statement(stage: Stage, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    done = stage.migrate("--summary", str(summary))
    assert done.returncode == exits.EXIT_OK, done.stdout + done.stderr
    calls = stage.cloudflare.calls()
    bookmark_at, query_at = first(calls, "/time_travel/bookmark"), first(calls, "/query")
    assert bookmark_at < query_at < len(calls), stage.cloudflare.describe_calls()
    assert all(call.path.endswith(("/bookmark", "/query")) or call.method == "GET" for call in calls)
    (record_file,) = stage.records.glob("d1-recovery-prod-*.json")
    record = json.loads(record_file.read_text())
    (saved,) = record["databases"]
    command = f"wrangler d1 time-travel restore {PROD} --bookmark={saved['bookmark']}"
    assert saved["restore"] == command and record["outcome"] == "applied 1 migration(s)"
    out = done.stdout
    assert out.count(command) == 2, out
    assert out.index(command) < out.index(f"{PROD}: applied {MIGRATION}") < out.rindex(command)
    assert command in summary.read_text()
    shown = (out + done.stderr).replace(str(tmp_path), "/tmp/x")  # a user's own paths are theirs to keep short
    assert [line for line in shown.splitlines() if len(line) > 120] == []
    prod = stage.cloudflare.account.database(PROD)
    assert "job_runs" in prod.tables()
    assert prod.rows("SELECT name FROM d1_migration_hashes") == [{"name": MIGRATION}]

    # The printed command, run as it is, takes the database back to before the first statement.
    restore = subprocess.run(
        wrangler.command(*command.split()[1:]),
        cwd=tmp_path,
        env={**stage.env, "CLOUDFLARE_ACCOUNT_ID": saved["accountId"]},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert restore.returncode == 0, restore.stdout + restore.stderr
    assert prod.tables() == [], "the bookmark names the database before bin/migrate's first statement"


@pytest.mark.parametrize("failure", ["time travel unavailable", "token refused"])
def test_prod_without_a_recovery_point_runs_nothing(stage: Stage, failure: str) -> None:
    if failure == "time travel unavailable":
        stage.cloudflare.account.time_travel_available = False
    else:
        stage.env["CLOUDFLARE_API_TOKEN"] = "not-the-accounts-token"
    done = stage.migrate()
    assert done.returncode == exits.EXIT_NO_RECOVERY_POINT, done.stdout + done.stderr
    assert "no recovery point for acme-prod-main, so nothing was migrated" in done.stderr
    assert [line for line in done.stderr.splitlines() if len(line) > 120] == []
    assert stage.prod_calls("/query") == [], stage.cloudflare.describe_calls()
    assert stage.cloudflare.account.database(PROD).tables() == []
    assert list(stage.records.glob("d1-recovery-*")) == []


def test_prod_refuses_what_staging_has_not_applied(stage: Stage) -> None:
    (stage.app / "migrations" / "0002_job_kinds.sql").write_text("CREATE INDEX job_runs_kind ON job_runs (kind);\n")
    done = stage.migrate()
    assert done.returncode == exits.EXIT_NOT_REHEARSED, done.stdout + done.stderr
    assert f"{PROD}: 0002_job_kinds.sql (not applied on staging)" in done.stderr
    assert MIGRATION not in done.stderr, "staging has applied 0001 with this content"
    prod = stage.cloudflare.account.database(PROD)
    assert "job_runs" not in prod.tables() and prod.rows("SELECT name FROM d1_migrations") == []
    (record_file,) = stage.records.glob("d1-recovery-prod-*.json")
    assert json.loads(record_file.read_text())["outcome"] == "nothing ran: refused"

    (stage.records / "staging.ledger.json").unlink()
    stage.cloudflare.account.clear_log()
    done = stage.migrate()
    assert done.returncode == exits.EXIT_NOT_REHEARSED
    assert "staging's ledger is unreadable" in done.stderr and "Run `bin/migrate staging` first" in done.stderr
    assert stage.cloudflare.calls() == [], "refused before any call"


def test_an_edited_migration_is_refused(rehearsal: Rehearsal, tmp_path: Path) -> None:
    """On staging, in staging's own Cloudflare account (prod has an account of its own)."""
    with StandInCloudflare(rehearsal.outputs["staging"]["accountId"]) as cloudflare:
        staging = cloudflare.account.add_database(databases(rehearsal.outputs["staging"])[STAGING], STAGING)
        staging.connection.deserialize(rehearsal.staging_database)
        records = tmp_path / "records"
        records.mkdir()
        (records / "staging.ledger.json").write_text(rehearsal.staging_ledger)
        outputs = write_json(tmp_path / "staging.json", rehearsal.outputs["staging"])
        app = app_folder(tmp_path / "app")
        path = app / "migrations" / MIGRATION
        path.write_text(path.read_text() + "ALTER TABLE job_runs ADD COLUMN attempts INTEGER;\n")
        for args in ((), ("--dry-run",)):
            env = environment(cloudflare, tmp_path)
            done = migrate("staging", *args, app=app, records=records, env=env, outputs=outputs)
            assert done.returncode == exits.EXIT_EDITED, done.stdout + done.stderr
            assert f"{STAGING}: {MIGRATION}" in done.stderr and "edited after they were applied" in done.stderr
        assert [row["name"] for row in staging.rows("PRAGMA table_info(job_runs)")] == [
            "id",
            "kind",
            "enqueued_at",
            "processed_at",
        ]


def test_dry_run_lists_what_would_run_and_writes_nothing(stage: Stage, tmp_path: Path) -> None:
    """Also: without --outputs, the outputs come from `pulumi stack output --json --stack <stack>`."""
    stub = tmp_path / "bin"
    stub.mkdir()
    (stub / "pulumi").write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/pulumi-args\ncat {tmp_path}/prod.json\n')
    (stub / "pulumi").chmod(0o755)
    env = {**stage.env, "PATH": f"{stub}:{stage.env['PATH']}"}
    done = migrate("prod", "--dry-run", "--stack", "acme/prod", app=stage.app, records=stage.records, env=env)
    assert done.returncode == exits.EXIT_OK, done.stdout + done.stderr
    assert (tmp_path / "pulumi-args").read_text().split() == ["stack", "output", "--json", "--stack", "acme/prod"]
    assert f"would apply: {MIGRATION}" in done.stdout
    assert "a real run records a D1 Time Travel bookmark" in done.stdout
    assert stage.prod_calls("/time_travel/bookmark") == []
    assert all(call.wrote is False for call in stage.prod_calls("/query")), stage.cloudflare.describe_calls()
    assert stage.cloudflare.account.database(PROD).tables() == []
    assert list(stage.records.glob("d1-recovery-*")) == [] and not (stage.records / "prod.ledger.json").exists()


def test_wrangler_gets_the_cloudflare_token_and_nothing_else_of_the_deploy(stage: Stage, tmp_path: Path) -> None:
    """bin/migrate runs inside ``infisical run --path=/cloudflare``: the state passphrase and bucket token, the sync
    token, injected Worker secrets and shell credentials are in its environment, and none reaches wrangler."""
    canaries = {
        name: f"canary-{name.lower()}-5d1e"
        for name in (
            "PULUMI_CONFIG_PASSPHRASE", "AWS_SECRET_ACCESS_KEY", "PULUMI_ACCESS_TOKEN", "CLOUDFLARE_SYNC_API_TOKEN",
            "STRIPE_SECRET_KEY", "INFISICAL_TOKEN", "GITHUB_TOKEN",
        )
    }  # fmt: skip
    seen = tmp_path / "wrangler-environments"
    stub = tmp_path / "node-stub"
    stub.mkdir()
    (stub / "node").write_text(f'#!/bin/sh\nenv >> {seen}\nexec {shutil.which("node")} "$@"\n')
    (stub / "node").chmod(0o755)
    stage.env.update(canaries, PATH=f"{stub}:{stage.env['PATH']}")
    done = stage.migrate()
    assert done.returncode == exits.EXIT_OK, done.stdout + done.stderr
    environments = seen.read_text()
    assert environments.count("CLOUDFLARE_API_TOKEN=") >= 3, "the bookmark, the ledger reads and the apply ran here"
    assert [name for name, value in canaries.items() if value in environments] == []
