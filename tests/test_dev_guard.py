"""bin/dev refuses plaintext secret files wherever wrangler or bin/dev reads files, in every form a dotenv parser
loads, and lets templates, comments and empty assignments be."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from devstage import cli, guard
from devstage.exits import Exit
from tests.dev_tools import app_copy
from tests.wrangler_tools import needs_node

REFUSED = {
    ".env": b"STRIPE_SECRET_KEY=sk_live_1\n",
    ".ENV": b"STRIPE_SECRET_KEY=sk_live_1\n",
    ".Dev.Vars": b"STRIPE_SECRET_KEY=sk_live_1\n",
    ".env.local": b"# local\nexport STRIPE_SECRET_KEY='sk_live_1'\n",
    ".dev.vars.staging": b"STRIPE_SECRET_KEY = sk_live_1\n",
    ".env.yaml-ish": b"STRIPE_SECRET_KEY: sk_live_1\n",
    ".env.bom": codecs.BOM_UTF8 + b"STRIPE_SECRET_KEY=sk_live_1\n",
    ".env.utf16": "STRIPE_SECRET_KEY=sk_live_1\n".encode("utf-16"),
    ".env.crlf": b"# a\r\nSTRIPE_SECRET_KEY=sk_live_1\r\n",
}
ALLOWED = {
    ".env.example": b"STRIPE_SECRET_KEY=sk_test_placeholder\n",
    ".ENV.EXAMPLE": b"STRIPE_SECRET_KEY=sk_test_placeholder\n",
    ".env.empty": b"",
    ".env.comments": b"# STRIPE_SECRET_KEY=sk_live_1 lives in Infisical\n",
    ".env.blank-values": b"STRIPE_SECRET_KEY=\nRESEND_API_KEY=''\nA= # later\nexport B=\"\"\n",
    "secrets.txt": b"STRIPE_SECRET_KEY=sk_live_1\n",  # not a name wrangler or a dotenv loader reads
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_file_with_values_is_refused_in_every_form(name: str, tmp_path: Path) -> None:
    (tmp_path / name).write_bytes(REFUSED[name])
    assert guard.plaintext_secret_files([tmp_path]) == [tmp_path / name]


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_templates_comments_and_empty_assignments_are_fine(name: str, tmp_path: Path) -> None:
    (tmp_path / name).write_bytes(ALLOWED[name])
    assert guard.plaintext_secret_files([tmp_path]) == []


def test_every_folder_a_local_run_reads_is_watched(tmp_path: Path) -> None:
    stage = tmp_path / ".dev" / "dev"
    folders = guard.watched_folders(tmp_path, [tmp_path / "workers" / "api" / "index.mjs"], stage)
    expected = [tmp_path, tmp_path / "workers", tmp_path / "workers" / "api", stage]
    expected += [stage / "config", stage / "logs", stage / "state"]
    assert folders == sorted(expected)


@needs_node
def test_a_dotenv_in_wranglers_working_folder_stops_the_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = app_copy(tmp_path / "app")
    state = root / ".dev" / "dev" / "state"
    state.mkdir(parents=True)
    value = "sk_live_canary_in_the_state_folder"
    (state / ".env").write_text(f"STRIPE_SECRET_KEY={value}\n")
    (root / "workers" / "api" / ".ENV").write_text(f"\ufeffSTRIPE_SECRET_KEY: {value}\n")
    (root / "workers" / "jobs" / ".env.example").write_text("RESEND_API_KEY=\n")
    assert cli.main(["--stage", "dev"], root=root) == Exit.PLAINTEXT_FILE
    err = capsys.readouterr().err
    assert ".dev/dev/state/.env" in err and "workers/api/.ENV" in err and ".env.example" not in err
    assert "Infisical" in err and "delete the files" in err and value not in err
