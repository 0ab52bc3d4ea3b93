"""``bin/plan <stage> --inventory --check-age`` against the local Infisical-compatible server."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

import plan.program_run
from components.infisical import InfisicalClient
from plan.__main__ import main as plan_main
from plan.inventory import stage_inventory
from plan.secret_age import check_ages, infisical_lister
from plan.stack_files import stack_config
from tests.conftest import PROJECT, encode, raw_config, run_stage
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_server
from tests.infisical.engine import seed_project

__all__ = ["fake_infisical", "fake_infisical_server"]  # the fixtures this module uses


def staging_raw(project_id: str) -> dict[str, Any]:
    raw = raw_config("staging")
    raw["infisical"]["projectId"] = project_id
    raw["workers"]["api"]["secrets"]["GOOGLE_CLIENT_SECRET"]["rotateEvery"] = "1mo"
    return raw


def seed(fake: FakeInfisical, changed: dict[tuple[str, str], str]) -> str:
    """A project with a staging environment holding ``{(folder, key): updatedAt}``."""
    project_id = seed_project()
    env = fake.store.add_environment(project_id, "Staging", "staging", None)
    with InfisicalClient() as client:
        for (folder, key), _ in changed.items():
            fake.store.folder_at(env["id"], folder, create=True)
            client.post(
                "/api/v4/secrets/{secretName}",
                path={"secretName": key},
                json={"projectId": project_id, "environment": "staging", "secretPath": folder, "secretValue": "v"},
            )
    for secret in fake.store.secrets.values():
        folder = fake.store.path_of(fake.store.folders[secret["folderId"]])
        secret["updatedAt"] = changed[(folder, secret["key"])]
    return project_id


class RecordingClient:
    """The real client, keeping what each list call asked for and got back."""

    def __init__(self, client: InfisicalClient) -> None:
        self.client = client
        self.calls: list[tuple[dict[str, Any], Any]] = []

    def get(self, template: str, *, params: dict[str, Any]) -> Any:
        answer = self.client.get(template, params=params)
        self.calls.append((params, answer))
        return answer


def ages_on(day: str, project_id: str, calls: list[tuple[dict[str, Any], Any]] | None = None) -> dict[str, Any]:
    raw = staging_raw(project_id)
    inventory = stage_inventory("staging", run_stage("staging", raw, environment={}, allow_missing=True))
    with InfisicalClient() as client:
        recording = RecordingClient(client)
        found = check_ages(inventory, project_id, date.fromisoformat(day), infisical_lister(recording))
    if calls is not None:
        calls.extend(recording.calls)
    return {age.name: age for age in found}


def test_overdue_exactly_one_period_after_the_last_change(fake_infisical: FakeInfisical) -> None:
    project_id = seed(
        fake_infisical,
        {
            ("/cloudflare", "STRIPE_SECRET_KEY_SANDBOX"): "2026-01-01T10:00:00.000Z",  # 90d → due 2026-04-01
            ("/oauth", "GOOGLE_CLIENT_SECRET"): "2026-01-31T23:59:59.000Z",  # 1mo → due 2026-02-28
        },
    )
    calls: list[tuple[dict[str, Any], Any]] = []
    early = ages_on("2026-02-27", project_id, calls)
    assert {name: age.status for name, age in early.items()} == {
        "STRIPE_SECRET_KEY_SANDBOX": "ok",
        "GOOGLE_CLIENT_SECRET": "ok",
    }
    assert early["GOOGLE_CLIENT_SECRET"].due == "2026-02-28"
    assert early["STRIPE_SECRET_KEY_SANDBOX"].place == "staging:/cloudflare"
    on_time = ages_on("2026-02-28", project_id)
    assert on_time["GOOGLE_CLIENT_SECRET"].status == "overdue"
    assert on_time["STRIPE_SECRET_KEY_SANDBOX"].status == "ok"
    assert ages_on("2026-04-01", project_id)["STRIPE_SECRET_KEY_SANDBOX"].status == "overdue"
    # one call per folder, and only names and timestamps came back: the server hid every value
    assert sorted(params["secretPath"] for params, _ in calls) == ["/cloudflare", "/oauth"]
    assert all(params["viewSecretValue"] == "false" for params, _ in calls)
    assert {s["secretValue"] for _, answer in calls for s in answer["secrets"]} == {"<hidden-by-infisical>"}


def test_a_secret_missing_from_infisical_is_reported(fake_infisical: FakeInfisical) -> None:
    project_id = seed(fake_infisical, {("/oauth", "GOOGLE_CLIENT_SECRET"): "2026-01-01T00:00:00Z"})
    fake_infisical.store.folder_at(
        next(e["id"] for e in fake_infisical.store.environments.values() if e["slug"] == "staging"),
        "/cloudflare",
        create=True,
    )
    assert ages_on("2026-01-02", project_id)["STRIPE_SECRET_KEY_SANDBOX"].status == "missing"


def test_cli_exits_5_and_names_the_overdue_secret(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project_id = seed(
        fake_infisical,
        {
            ("/cloudflare", "STRIPE_SECRET_KEY_SANDBOX"): "2026-05-01T00:00:00Z",
            ("/oauth", "GOOGLE_CLIENT_SECRET"): "2026-03-01T00:00:00Z",
        },
    )
    config, secret_keys = stack_config("staging")
    config = {**config, **encode(staging_raw(project_id))}
    monkeypatch.setattr(plan.program_run, "stack_config", lambda _stage: (config, secret_keys))
    monkeypatch.setenv("ROTATION_DATE", "2026-04-15")
    assert plan_main(["staging", "--inventory", "--check-age", "--format", "json"]) == 5
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["overdue"] == ["GOOGLE_CLIENT_SECRET"] and data["today"] == "2026-04-15"
    assert "GOOGLE_CLIENT_SECRET (overdue)" in captured.err and "STRIPE" not in captured.err
    monkeypatch.setenv("ROTATION_DATE", "2026-03-31")
    assert plan_main(["staging", "--inventory", "--check-age"]) == 0
    assert "nothing is overdue" in capsys.readouterr().out


def test_cli_says_when_infisical_refuses(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INFISICAL_TOKEN", "not-a-token")
    assert plan_main(["staging", "--inventory", "--check-age"]) == 6
    err = capsys.readouterr().err
    assert err.startswith("error: reading secret ages from Infisical:") and "Traceback" not in err
    assert "not-a-token" not in err


def test_check_age_goes_with_one_stage() -> None:
    with pytest.raises(SystemExit):
        plan_main(["--inventory", "--all-stages", "--check-age"])
    assert PROJECT  # the namespace the config keys live in


def test_a_stage_reading_its_project_from_the_project_stack_needs_the_id(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project_id = seed(fake_infisical, {("/oauth", "GOOGLE_CLIENT_SECRET"): "2026-03-01T00:00:00Z"})
    raw = staging_raw(project_id)
    del raw["infisical"]["projectId"]
    config, secret_keys = stack_config("staging")
    config = {**config, **encode(raw)}
    monkeypatch.setattr(plan.program_run, "stack_config", lambda _stage: (config, secret_keys))
    monkeypatch.setenv("ROTATION_DATE", "2026-03-15")
    monkeypatch.delenv("INFISICAL_PROJECT_ID", raising=False)
    assert plan_main(["staging", "--inventory", "--check-age"]) == 2
    assert "set INFISICAL_PROJECT_ID" in capsys.readouterr().err
    monkeypatch.setenv("INFISICAL_PROJECT_ID", project_id)
    fake_infisical.store.folder_at(
        next(e["id"] for e in fake_infisical.store.environments.values() if e["slug"] == "staging"),
        "/cloudflare",
        create=True,
    )
    assert plan_main(["staging", "--inventory", "--check-age"]) == 5  # STRIPE_SECRET_KEY_SANDBOX is missing
    assert "GOOGLE_CLIENT_SECRET" not in capsys.readouterr().err.split("due for rotation:")[1]


def test_a_folder_the_identity_may_not_list_is_reported_unreadable(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staging deploy identity's role reads /cloudflare only; the sync folder's ages are then unknown."""
    from components.infisical import IdentityProvider, ProjectIdentityMembershipProvider, ProjectRoleProvider
    from components.infisical_side import ci_roles
    from tests.infisical.engine import Engine
    from tests.infisical.test_project_role import login

    project_id = seed(
        fake_infisical,
        {
            ("/cloudflare", "STRIPE_SECRET_KEY_SANDBOX"): "2026-01-01T00:00:00Z",
            ("/oauth", "GOOGLE_CLIENT_SECRET"): "2026-01-01T00:00:00Z",
        },
    )
    permissions = ci_roles.deploy_permissions("staging", ["/cloudflare"], "/generated/**")
    Engine(ProjectRoleProvider()).create(
        {"project_id": project_id, "slug": "staging-deploy", "name": "deploy", "permissions": permissions}
    )
    identity_id, _ = Engine(IdentityProvider()).create({"name": "ci", "organization_id": fake_infisical.org_id})
    Engine(ProjectIdentityMembershipProvider()).create(
        {"project_id": project_id, "identity_id": identity_id, "role": "staging-deploy"}
    )
    monkeypatch.setenv("INFISICAL_TOKEN", login(fake_infisical, identity_id))
    ages = ages_on("2026-02-01", project_id)
    assert ages["STRIPE_SECRET_KEY_SANDBOX"].status == "ok"
    assert ages["GOOGLE_CLIENT_SECRET"].status == "unreadable" and ages["GOOGLE_CLIENT_SECRET"].last_changed is None
