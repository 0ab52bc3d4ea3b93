"""A whole stage's Infisical side, applied for real against the local Infisical-compatible server.

The program runs under the mock engine; every Infisical resource it registers is handed to its own
(unpickled) dynamic provider, which checks and creates it on the server. Registrations arrive in
dependency order, exactly as the engine would apply them. Then every object is read back and
everything is deleted in reverse order. So the inputs the program produces are proven acceptable to
the providers and the server, not only to the mocks.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import dill  # type: ignore[import-untyped]
import pytest
from pulumi.dynamic import ResourceProvider

from plan.engine import DYNAMIC_PREFIX, PROVIDER_KEY, PlanMocks, mocks
from tests.conftest import STAGES, raw_config, run_stage
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_server
from tests.infisical.engine import seed_project

__all__ = ["fake_infisical", "fake_infisical_server"]  # the fixtures this module uses


@dataclass
class Applied:
    type: str
    name: str
    provider: ResourceProvider
    id: str
    state: dict[str, Any]
    """Outputs plus ``__provider``: what the engine would store and hand back to read/delete."""


class LiveInfisicalMocks(PlanMocks):
    """Cloudflare resources stay mocked; Infisical resources are created by their real providers."""

    def __init__(self, stack: str) -> None:
        super().__init__(stack)
        self.applied: list[Applied] = []

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.typ.startswith(DYNAMIC_PREFIX):
            return super().new_resource(args)
        serialized = args.inputs[PROVIDER_KEY]
        # Unpickled as Pulumi's dynamic provider host does (its own helper resets the runtime, so not reused).
        provider: ResourceProvider = dill.loads(base64.b64decode(serialized))  # noqa: S301 (our own pickle)
        checked = provider.check({}, dict(args.inputs))
        assert not checked.failures, [(f.property, f.reason) for f in checked.failures]
        created = provider.create({**checked.inputs, PROVIDER_KEY: serialized})
        outs = dict(created.outs or {})
        self.applied.append(Applied(args.typ, args.name, provider, created.id, {**outs, PROVIDER_KEY: serialized}))
        return created.id, outs


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_infisical_side_applies_reads_back_and_deletes(stage: str, fake_infisical: FakeInfisical) -> None:
    raw = raw_config(stage)
    raw["infisical"]["projectId"] = seed_project("acme")
    raw["infisical"]["organizationId"] = fake_infisical.store.org_id
    live = LiveInfisicalMocks(stage)
    run = run_stage(stage, raw, resource_mocks=live)

    kinds = sorted(a.type.rsplit(":", 1)[-1] for a in live.applied)
    identity = ["Identity", "IdentityOidcAuth", "ProjectRole", "ProjectIdentityMembership"]
    pr_preview = [*identity, "SecretFolder"] if stage == "staging" else []  # the preview identity and its folder
    assert kinds == sorted(
        ["Project", "ProjectEnvironment", "SecretFolder", "SecretFolder", "SecretFolder", "SecretFolder",
         "CloudflareAppConnection", "CloudflareWorkersSecretSync", "Secret", *identity, *pr_preview]
    )  # fmt: skip

    # What the server now holds is the stage's Infisical side.
    assert [e["slug"] for e in fake_infisical.table("environments")] == [stage]
    store = fake_infisical.store
    paths = {store.path_of(folder) for folder in store.folders.values()}
    assert {"/cloudflare", "/email", "/oauth", "/generated/api"} <= paths
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

    for applied in live.applied:  # read back: every object exists as created
        read = applied.provider.read(applied.id, applied.state)
        assert read.id == applied.id, applied.name

    for applied in reversed(live.applied):  # destroy in reverse dependency order
        applied.provider.delete(applied.id, applied.state)
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
