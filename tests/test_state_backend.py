"""Each stack's Pulumi state is its own: its own bucket (or Pulumi Cloud team), its own secrets provider, its
credentials in its own Infisical environment. Declared once (components/rules/state_backend.py), printed by
``bin/plan <stage> --backend``, and a stage whose backend would be another's is refused with exit 2.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from components.config import StageConfigError, parse_stage_config
from components.config.project_config import parse_project_config
from components.rules.stage_layout import committed_layouts, project_backend
from components.rules.state_backend import PULUMI_CLOUD, TEAM_TOKEN_TYPE, backend_of
from plan.__main__ import main as plan_main
from tests.conftest import PROJECT, config_problems, raw_config

PROD_ACCOUNT = "fedcba9876543210fedcba9876543210"
NON_PROD_ACCOUNT = "0123456789abcdef0123456789abcdef"


def backend_json(stack: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert plan_main([stack, "--backend", "--format", "json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_every_stack_has_its_own_bucket_and_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    backends = {stack: backend_json(stack, capsys) for stack in ("dev", "staging", "prod", "pr-42", "project")}
    assert {stack: b["bucket"] for stack, b in backends.items()} == {
        "dev": "acme-dev-pulumi-state",
        "staging": "acme-staging-pulumi-state",
        "prod": "acme-prod-pulumi-state",
        "pr-42": "acme-preview-pulumi-state",
        "project": "acme-project-pulumi-state",
    }
    assert backends["prod"]["url"] == (
        f"s3://acme-prod-pulumi-state?endpoint=https://{PROD_ACCOUNT}.r2.cloudflarestorage.com&region=auto"
    )
    assert f"https://{PROD_ACCOUNT}." in backends["project"]["endpoint"]  # beside prod's, in prod's account
    assert f"https://{NON_PROD_ACCOUNT}." in backends["staging"]["endpoint"]
    assert len({b["url"] for b in backends.values()}) == 5
    assert {stack: (b["credentials"]["environment"], b["credentials"]["folder"]) for stack, b in backends.items()} == {
        "dev": ("dev", "/cloudflare"),
        "staging": ("staging", "/cloudflare"),
        "prod": ("prod", "/cloudflare"),
        "pr-42": ("preview", "/cloudflare"),
        "project": ("prod", "/project"),
    }
    for b in backends.values():
        assert b["secretsProvider"] == "passphrase"
        assert b["credentials"]["variables"] == [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "PULUMI_CONFIG_PASSPHRASE",
        ]
    assert backends["pr-42"]["stackName"] == "pr-42"


def test_the_shell_form_evaluates_to_the_same_url(capsys: pytest.CaptureFixture[str]) -> None:
    url = backend_json("staging", capsys)["url"]
    assert plan_main(["staging", "--backend"]) == 0
    lines = capsys.readouterr().out
    assert all(len(line) <= 120 for line in lines.splitlines())
    evaluated = subprocess.run(
        ["bash", "-c", 'eval "$1"; printf %s "$PULUMI_BACKEND_URL|$PULUMI_STACK|$PULUMI_SECRETS_PROVIDER"', "_", lines],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert evaluated == f"{url}|staging|passphrase"


def test_the_committed_layout_knows_every_backend() -> None:
    backends = {stage: layout.backend for stage, layout in committed_layouts().items()}
    project = project_backend()
    assert project is not None and all(backends.values())
    assert set(backends) == {"dev", "staging", "prod", "pr-<number>"}  # the pr stages' template among them
    reaches = [b.reach for b in backends.values() if b] + [project.reach]
    assert len(set(reaches)) == len(reaches) == 5


@pytest.mark.parametrize(
    ("state", "collides"),
    [
        ({"bucket": "acme-prod-pulumi-state", "accountId": PROD_ACCOUNT}, "'prod'"),
        ({"bucket": "acme-project-pulumi-state", "accountId": PROD_ACCOUNT}, "'project'"),
        ({"bucket": "acme-dev-pulumi-state"}, "'dev'"),
    ],
)
def test_a_stage_keeping_its_state_where_another_does_is_refused(state: dict[str, Any], collides: str) -> None:
    raw = raw_config("staging")
    raw["state"] = state
    message = config_problems(raw)[f"{PROJECT}:state"]
    assert collides in message and "read and change the other's state" in message


def test_a_shared_kms_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from components.rules import stage_layout

    key = "awskms://alias/pulumi-prod?region=eu-west-1"
    real = stage_layout.committed_values.__wrapped__

    def with_prods_key(root: Any = stage_layout.PROJECT_ROOT) -> Any:
        values = dict(real(root))
        values["prod"] = {**values["prod"], "state": {"secretsProvider": key}}
        return values

    monkeypatch.setattr(stage_layout, "committed_values", with_prods_key)
    raw = raw_config("staging")
    raw["state"] = {"secretsProvider": key}
    assert "'prod'" in config_problems(raw)[f"{PROJECT}:state.secretsProvider"]


def test_pulumi_cloud_is_reached_with_a_team_token_per_stage() -> None:
    staging = backend_of("acme", "staging", None, {"backend": PULUMI_CLOUD, "organization": "acme"})
    prod = backend_of("acme", "prod", None, {"backend": PULUMI_CLOUD, "organization": "acme"})
    assert (staging.url, staging.stack_name, staging.team) == (
        "https://api.pulumi.com",
        "acme/staging",
        "acme-staging-deploy",
    )
    assert staging.token_type == TEAM_TOKEN_TYPE and "organization" not in staging.token_type
    assert staging.reach != prod.reach and staging.secrets_provider == "default" and staging.variables == ()
    raw = raw_config("staging")
    raw["state"] = {"backend": PULUMI_CLOUD, "organization": "acme", "team": "acme-prod-deploy"}
    parse_stage_config(raw, stage="staging", namespace=PROJECT)  # prod is on R2 here: no collision


def test_a_pr_stack_keeps_the_preview_bucket_whatever_staging_names() -> None:
    state = {"bucket": "acme-staging-state", "secretsProvider": "awskms://alias/staging", "accountId": NON_PROD_ACCOUNT}
    pr = backend_of("acme", "pr-9", NON_PROD_ACCOUNT, state)
    assert pr.bucket == "acme-preview-pulumi-state" and pr.secrets_provider == "passphrase"
    assert pr.credentials_environment == "preview"


@pytest.mark.parametrize(
    ("state", "said"),
    [
        ({"backend": "pulumi-cloud"}, "needs 'organization'"),
        ({"backend": "pulumi-cloud", "organization": "acme", "bucket": "b-b-b"}, "are for backend r2"),
        ({"team": "acme-staging"}, "are for backend pulumi-cloud"),
        ({"secretsProvider": "default"}, "Pulumi Cloud's key"),
        ({"secretsProvider": "rot13"}, "expected"),
        ({"bucket": "Not_A_Bucket"}, "expected"),
    ],
)
def test_the_state_section_is_checked(state: dict[str, Any], said: str) -> None:
    raw = raw_config("staging")
    raw["state"] = state
    assert any(said in message for path, message in config_problems(raw).items() if path.startswith(f"{PROJECT}:state"))


def test_the_project_stack_needs_an_account_for_its_bucket() -> None:
    raw = raw_config("project")
    raw["state"] = {}
    with pytest.raises(StageConfigError, match=r"state\.accountId is required"):
        parse_project_config(raw, namespace=PROJECT)


def test_the_docs_show_what_backend_prints(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/state.md shows `bin/plan staging --backend` verbatim."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "state.md").read_text()
    shown = text.split("$ bin/plan staging --backend\n", 1)[1].split("```", 1)[0]
    assert plan_main(["staging", "--backend"]) == 0
    assert capsys.readouterr().out == shown
