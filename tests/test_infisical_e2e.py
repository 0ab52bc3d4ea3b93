"""A whole stage's Infisical side, applied for real against the local Infisical-compatible server.

The program runs under the mock engine; every Infisical resource it registers is handed to its own
(unpickled) dynamic provider, which checks and creates it on the server. Registrations arrive in
dependency order, exactly as the engine would apply them. Then every object is read back and
everything is deleted in reverse order. So the inputs the program produces are proven acceptable to
the providers and the server, not only to the mocks.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.acceptance.stage_side import StageSide
from tests.conftest import STAGES, full_environment, raw_config, run_stage
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical
from tests.infisical.conftest import fake_infisical_server
from tests.infisical.engine import seed_project

__all__ = ["fake_infisical", "fake_infisical_server"]  # the fixtures this module uses


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_infisical_side_applies_reads_back_and_deletes(stage: str, fake_infisical: FakeInfisical) -> None:
    raw = raw_config(stage)
    raw["infisical"]["projectId"] = seed_project("acme")
    raw["infisical"]["organizationId"] = fake_infisical.store.org_id
    live = StageSide(stage, raw, full_environment(stage, raw, lambda name: f"dummy-{name.lower()}"))
    _, run = live.up()

    kinds = sorted(a.kind for a in live.applied)
    identity = ["Identity", "IdentityOidcAuth", "ProjectRole", "ProjectIdentityMembership"]
    pr_preview = [*identity, "SecretFolder"] if stage == "staging" else []  # the preview identity and its folder
    assert kinds == sorted(
        [
            "Project",
            "ProjectEnvironment",
            "SecretFolder",
            "SecretFolder",
            "SecretFolder",
            "SecretFolder",
            "SecretFolder",
            "CloudflareAppConnection",
            "CloudflareWorkersSecretSync",
            "Secret",
            *identity,
            *pr_preview,
        ]
    )  # fmt: skip (five folders: /generated is declared as the parent of /generated/api)

    # What the server now holds is the stage's Infisical side.
    assert [e["slug"] for e in fake_infisical.table("environments")] == [stage]
    store = fake_infisical.store
    paths = {store.path_of(folder) for folder in store.folders.values()}
    assert {"/cloudflare", "/email", "/oauth", "/generated", "/generated/api"} <= paths
    (sync,) = fake_infisical.table("syncs")
    assert sync["destinationConfig"] == {"scriptId": f"acme-{stage}-api"}
    assert sync["isAutoSyncEnabled"] is True
    assert sync["syncOptions"]["disableSecretDeletion"] is True
    (secret,) = fake_infisical.table("secrets")
    assert secret["key"] == "BETTER_AUTH_SECRET"
    assert secret["value"] == f"plan-generated-{live_password_id(run)}"
    (connection,) = fake_infisical.table("connections")
    assert connection["name"] == f"acme-{stage}-cloudflare"
    assert run.outputs["infisical"].value["syncs"]["api"] == sync["id"]
    identities = {i["name"]: i["id"] for i in fake_infisical.table("identities")}
    assert run.outputs["infisical"].value["ciIdentityId"] == identities[f"acme-{stage}-ci"]

    assert live.refresh() == []  # read back: every object exists as created
    live.destroy()  # in reverse dependency order
    for table in ("environments", "folders", "secrets", "connections", "syncs", "identities", "oidc_auths", "roles"):
        assert fake_infisical.table(table) == [], table
    assert len(fake_infisical.table("projects")) == 1  # adopted, so never deleted
    for applied in live.applied:
        if not applied.type.endswith(":Project"):
            assert not applied.provider.read(applied.id, applied.state).id, applied.name


def live_password_id(run: Any) -> str:
    """The mock engine's deterministic id of the generated password (its fake value embeds it)."""
    password = run.by_type("RandomPassword")[0]
    return str(password.id)


def test_the_plan_never_talks_to_infisical(fake_infisical: FakeInfisical) -> None:
    """The credential-free plan registers Infisical resources without a single HTTP call."""
    fake_infisical.clear_requests()
    run_stage("staging", environment={}, allow_missing=True)
    assert fake_infisical.requests() == []
