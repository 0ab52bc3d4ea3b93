"""Every committed stage's whole Infisical side, through the real providers, against any Infisical.

For each stage, in dependency order: apply; refresh (every object reads back); a diff against the same
inputs (no changes); a second apply (nothing to do); destroy (nothing left but what was adopted). Twice:
on an empty project, and on a project as a team has it on day one, with Infisical's default environments
and a ``/cloudflare`` folder already holding the deploy secrets.

The same test runs against three targets. ``fake-current`` and ``fake-legacy`` are the local
Infisical-compatible server with each folder behaviour, in the default suite. ``live`` is a real Infisical,
only with ``INFISICAL_ACCEPTANCE=1``, ``INFISICAL_SITE_URL`` (or ``INFISICAL_HOST``) and credentials, plus
``INFISICAL_ORGANIZATION_ID``, ``CLOUDFLARE_ACCOUNT_ID`` and ``CLOUDFLARE_API_TOKEN`` (Infisical checks the
connection's token with Cloudflare, and the syncs run against the stage's Workers, which must exist in that
account). The live run creates a throwaway project for each starting state and deletes it at the end (a
project's original environments cannot be deleted on their own: a real server answers 500). Its CI
identities are bound to the OIDC issuer the suite serves on loopback (`oidc_issuer`), so a server without
internet can attach their OIDC auth. Cloudflare resources stay mocked: only Infisical is real.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from components.infisical import InfisicalClient, InfisicalNotFoundError
from components.secrets.deploy_inputs import CLOUDFLARE_TOKEN_ENV
from tests.conftest import STAGES, checked_config, full_environment, injected_variables, raw_config
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical
from tests.infisical.conftest import fake_infisical_server

from .stage_side import StageSide

__all__ = ["fake_infisical", "fake_infisical_server"]

DEFAULT_ENVIRONMENTS = (("Development", "dev"), ("Staging", "staging"), ("Production", "prod"))
DEPLOY_FOLDER = "cloudflare"
FAKE_TABLES = (
    "projects",
    "environments",
    "folders",
    "secrets",
    "connections",
    "syncs",
    "identities",
    "oidc_auths",
    "memberships",
)


@dataclass
class Target:
    name: str
    organization_id: str
    fake: FakeInfisical | None = None
    account_id: str | None = None
    cloudflare_token: str | None = None
    issuer: str | None = None
    """The OIDC issuer the CI identities are bound to (live only; the fake reaches GitHub's)."""
    made: list[str] = field(default_factory=list)

    def snapshot(self) -> dict[str, set[Any]]:
        """Every object the fake holds, by table (the live target has no such view)."""
        assert self.fake is not None
        return {table: {row.get("id") for row in self.fake.table(table)} for table in FAKE_TABLES}


@pytest.fixture(params=["fake-current", "fake-legacy", pytest.param("live", marks=pytest.mark.acceptance)])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    if request.param == "live":
        request.getfixturevalue("live_infisical")
        missing = [
            name
            for name in ("INFISICAL_ORGANIZATION_ID", "CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN")
            if not os.environ.get(name)
        ]
        if missing:
            pytest.skip(f"the whole-stage run against a real Infisical also needs: {', '.join(missing)}")
        live = Target(
            "live",
            os.environ["INFISICAL_ORGANIZATION_ID"],
            account_id=os.environ["CLOUDFLARE_ACCOUNT_ID"],
            cloudflare_token=os.environ["CLOUDFLARE_API_TOKEN"],
            issuer=request.getfixturevalue("oidc_issuer").issuer,
        )
        yield live
        with InfisicalClient() as client:
            for project_id in live.made:
                client.delete("/api/v1/projects/{projectId}", path={"projectId": project_id})
        return
    fake: FakeInfisical = request.getfixturevalue("fake_infisical")
    fake.folder_behaviour = "current" if request.param == "fake-current" else "legacy"
    yield Target(request.param, fake.org_id, fake=fake)


def starting_project(target: Target, start: str, stage: str, secret_names: list[str]) -> str:
    """A project in the given starting state, made with plain API calls (no provider code)."""
    with InfisicalClient() as client:
        body = {"projectName": f"acme-{uuid.uuid4().hex[:8]}", "shouldCreateDefaultEnvs": start == "day-one"}
        project_id = str(client.post("/api/v1/projects", json=body)["project"]["id"])
        target.made.append(project_id)
        if start == "day-one":  # the deploy secrets are in /cloudflare before the first `pulumi up`
            folder = {"projectId": project_id, "environment": stage, "name": DEPLOY_FOLDER, "path": "/"}
            client.post("/api/v2/folders", json=folder)
            for name in secret_names:
                secret = {
                    "projectId": project_id,
                    "environment": stage,
                    "secretPath": f"/{DEPLOY_FOLDER}",
                    "secretValue": f"day-one-{name.lower()}",
                }
                client.post("/api/v4/secrets/{secretName}", path={"secretName": name}, json=secret)
    return project_id


@pytest.mark.parametrize("start", ["empty", "day-one"])
@pytest.mark.parametrize("stage", STAGES)
def test_whole_stage_applies_refreshes_converges_and_destroys(target: Target, start: str, stage: str) -> None:
    config = checked_config(stage)
    environment_slug = config.infisical_environment_slug
    secret_names = [CLOUDFLARE_TOKEN_ENV, *injected_variables(config)]
    project_id = starting_project(target, start, environment_slug, secret_names)
    raw = raw_config(stage)
    raw["infisical"]["projectId"] = project_id
    raw["infisical"]["organizationId"] = target.organization_id
    if target.issuer:
        raw["infisical"]["ciIdentity"]["issuer"] = target.issuer
    if target.account_id:
        raw["accountId"] = target.account_id
    environment = full_environment(stage, raw, lambda name: f"dummy-{name.lower()}")
    if target.cloudflare_token:
        environment[CLOUDFLARE_TOKEN_ENV] = target.cloudflare_token
    before = target.snapshot() if target.fake else None
    side = StageSide(stage, raw, environment)

    first, run = side.up()
    assert first.changed == [f"create {a.name}" for a in side.applied]
    adopted = sorted(a.name for a in side.adopted())
    if start == "day-one":
        assert adopted == ["environment", f"folder-{DEPLOY_FOLDER}"], "the environment and the deploy folder"
    else:
        assert adopted == []
    assert run.outputs["infisical"].value["projectId"] == project_id

    assert side.refresh() == [], "every object reads back"
    assert all(a.state.get("adopted") is (a.name in adopted) for a in side.applied if "adopted" in a.state)
    assert side.diff() == [], "a preview with the same inputs shows no changes"

    writes = target.fake.count() if target.fake else 0
    second, _ = side.up()
    assert second.changed == [], "a second apply has nothing to do"
    if target.fake:
        assert [r.method for r in target.fake.requests()[writes:] if r.method != "GET"] == [], "not one write"

    side.destroy()
    for applied in side.applied:
        survives = applied.name in adopted or applied.kind == "Project"
        assert bool(applied.provider.read(applied.id, applied.state).id) is survives, applied.name
    if target.fake and before is not None:
        after = target.snapshot()
        assert after == before, "nothing left but what was there before (the adopted objects among it)"
        if start == "day-one":
            secrets = [s for s in target.fake.table("secrets") if s["key"] in secret_names]
            assert len(secrets) == len(secret_names), "the day-one secrets survive in the adopted folder"
    else:
        _live_leftovers_are_only_adopted(project_id, environment_slug, adopted)


def _live_leftovers_are_only_adopted(project_id: str, environment_slug: str, adopted: list[str]) -> None:
    with InfisicalClient() as client:
        project = client.get("/api/v1/projects/{projectId}", path={"projectId": project_id})["project"]
        slugs = {env["slug"] for env in project.get("environments") or []}
        assert (environment_slug in slugs) is ("environment" in adopted)
        if environment_slug not in slugs:
            return
        params = {"projectId": project_id, "environment": environment_slug, "path": "/"}
        try:
            folders = client.get("/api/v2/folders", params=params).get("folders") or []
        except InfisicalNotFoundError:
            folders = []
        assert {f["name"] for f in folders} == {
            name.removeprefix("folder-") for name in adopted if name != "environment"
        }
