"""The isolation promise against the local Infisical-compatible server: who can read prod.

dev, staging and prod are applied into ONE Infisical project (the committed layout), with their real
providers, exactly as in tests/test_infisical_e2e.py. Then each CI identity logs in with a GitHub OIDC
token carrying its own subject, and reads secrets. The server evaluates the roles the stages created as
Infisical's permission service does (tests/fakes/infisical/permissions.py).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from components.infisical import CustomRolesUnavailableError
from components.secrets.deploy_inputs import SYNC_TOKEN_ENV
from tests.acceptance.stage_side import StageRun, project_up
from tests.conftest import raw_config, run_stage
from tests.fakes.infisical import FakeInfisical, OidcIssuer
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_server
from tests.infisical.engine import seed_project

__all__ = ["fake_infisical", "fake_infisical_server"]

REPO = "repo:acme/app"
TOKEN_KEY = "CLOUDFLARE_API_TOKEN"
ISSUER = OidcIssuer()
"""Plays GitHub Actions: signs the ID tokens the identities' OIDC auth verifies."""


@pytest.fixture
def applied(fake_infisical: FakeInfisical) -> dict[str, dict[str, Any]]:
    """Every committed stage applied into one project; each stage's Infisical outputs."""
    project_id = seed_project("acme")
    outputs = {}
    for stage in ("dev", "staging", "prod"):
        raw = raw_config(stage)
        raw["infisical"]["projectId"] = project_id
        raw["infisical"]["organizationId"] = fake_infisical.store.org_id
        run = run_stage(stage, raw, resource_mocks=StageRun(stage))
        outputs[stage] = dict(run.outputs["infisical"].value)
    # The project stack (prod's gate) mints every stage's sync token into that stage's /cloudflare folder.
    project_up(project_id, ["dev", "staging", "prod"])
    admin = {"Authorization": f"Bearer {fake_infisical.admin_token}"}
    for env, path in (("prod", "/cloudflare"), ("staging", "/cloudflare"), ("staging", "/preview")):
        body = {"projectId": project_id, "environment": env, "secretPath": path, "secretValue": f"{env}{path}"}
        created = httpx.post(f"{fake_infisical.url}/api/v4/secrets/{TOKEN_KEY}", json=body, headers=admin)
        assert created.status_code == 200, created.text
    fake_infisical.trust_issuer(ISSUER)
    return outputs


def login(fake: FakeInfisical, identity_id: str, subject: str) -> httpx.Response:
    jwt = ISSUER.token(subject=subject, claims={"repository": "acme/app"})
    return httpx.post(f"{fake.url}/api/v1/auth/oidc-auth/login", json={"identityId": identity_id, "jwt": jwt})


def token(fake: FakeInfisical, identity_id: str, subject: str) -> str:
    response = login(fake, identity_id, subject)
    assert response.status_code == 200, response.text
    return str(response.json()["accessToken"])


def read(fake: FakeInfisical, access_token: str, env: str, path: str, key: str = TOKEN_KEY) -> int:
    project_id = fake.table("projects")[0]["id"]
    response = httpx.get(
        f"{fake.url}/api/v4/secrets/{key}",
        params={"projectId": project_id, "environment": env, "secretPath": path},
        headers={"Authorization": f"Bearer {access_token}"},
    )
    return response.status_code


def test_staging_deploy_identity_cannot_read_prod(
    fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]]
) -> None:
    staging = token(fake_infisical, applied["staging"]["ciIdentityId"], f"{REPO}:environment:staging")
    assert read(fake_infisical, staging, "prod", "/cloudflare") == 403
    assert read(fake_infisical, staging, "prod", "/generated/api", "BETTER_AUTH_SECRET") == 403
    assert read(fake_infisical, staging, "staging", "/cloudflare") == 200  # what its deploy reads


def test_dev_deploy_identity_cannot_read_prod(
    fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]]
) -> None:
    dev = token(fake_infisical, applied["dev"]["ciIdentityId"], f"{REPO}:environment:dev")
    assert read(fake_infisical, dev, "prod", "/cloudflare") == 403
    assert read(fake_infisical, dev, "staging", "/cloudflare") == 403


def test_pr_preview_identity_reads_only_its_folder(
    fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]]
) -> None:
    preview = token(fake_infisical, applied["staging"]["prPreviewIdentityId"], f"{REPO}:pull_request")
    assert read(fake_infisical, preview, "prod", "/cloudflare") == 403
    assert read(fake_infisical, preview, "prod", "/generated/api", "BETTER_AUTH_SECRET") == 403
    assert read(fake_infisical, preview, "staging", "/cloudflare") == 403  # not the staging deploy token
    assert read(fake_infisical, preview, "staging", "/generated/api", "BETTER_AUTH_SECRET") == 403
    assert read(fake_infisical, preview, "staging", "/preview") == 200


def test_prod_identity_reads_prod(fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]]) -> None:
    prod = token(fake_infisical, applied["prod"]["ciIdentityId"], f"{REPO}:environment:production")
    assert read(fake_infisical, prod, "prod", "/cloudflare") == 200
    assert read(fake_infisical, prod, "staging", "/cloudflare") == 403


def test_a_pull_request_cannot_log_in_as_a_deploy_identity(
    fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]]
) -> None:
    for stage in ("dev", "staging", "prod"):
        refused = login(fake_infisical, applied[stage]["ciIdentityId"], f"{REPO}:pull_request")
        assert refused.status_code in (401, 403), stage
    # ...and the preview identity only for pull requests of this repository.
    assert login(
        fake_infisical, applied["staging"]["prPreviewIdentityId"], f"{REPO}:environment:staging"
    ).status_code in (
        401,
        403,
    )


def apply(fake: FakeInfisical, stage: str, project_id: str, *, role: str | None = None) -> dict[str, Any]:
    raw = raw_config(stage)
    raw["infisical"]["projectId"] = project_id
    raw["infisical"]["organizationId"] = fake.store.org_id
    if role is not None:
        raw["infisical"]["ciIdentity"]["role"] = role
        raw["infisical"]["ciIdentity"].pop("previewFolder", None)  # a folder-only identity needs a custom role
    run = run_stage(stage, raw, resource_mocks=StageRun(stage))
    return dict(run.outputs["infisical"].value)


def read_in(fake: FakeInfisical, access_token: str, project_id: str, env: str, path: str) -> int:
    response = httpx.get(
        f"{fake.url}/api/v4/secrets/{TOKEN_KEY}",
        params={"projectId": project_id, "environment": env, "secretPath": path},
        headers={"Authorization": f"Bearer {access_token}"},
    )
    return response.status_code


def test_without_custom_roles_the_refusal_names_the_config_path(fake_infisical: FakeInfisical) -> None:
    fake_infisical.store.plan_rbac = False  # Infisical's free plan or self-hosted community edition
    with pytest.raises(CustomRolesUnavailableError, match="plan RBAC restriction") as caught:
        apply(fake_infisical, "staging", seed_project("acme"))
    message = str(caught.value)
    # Whichever of the stage's two roles the engine created first, the message names the key that asked for it.
    assert re.search(r"asked for by infisical\.ciIdentity(\.previewFolder)? in Pulumi\.staging\.yaml", message)
    assert "separate project" in message and "infisical.projectId" in message
    assert fake_infisical.table("roles") == []


def test_the_separate_prod_project_keeps_prod_out_of_reach_without_custom_roles(fake_infisical: FakeInfisical) -> None:
    """The documented alternative: prod in its own project, built-in roles everywhere."""
    fake_infisical.store.plan_rbac = False
    shared, prod_project = seed_project("acme"), seed_project("acme-prod")
    staging = apply(fake_infisical, "staging", shared, role="viewer")
    prod = apply(fake_infisical, "prod", prod_project, role="viewer")
    admin = {"Authorization": f"Bearer {fake_infisical.admin_token}"}
    for project_id, env in ((shared, "staging"), (prod_project, "prod")):
        body = {"projectId": project_id, "environment": env, "secretPath": "/cloudflare", "secretValue": env}
        assert (
            httpx.post(f"{fake_infisical.url}/api/v4/secrets/{TOKEN_KEY}", json=body, headers=admin).status_code == 200
        )
    fake_infisical.trust_issuer(ISSUER)
    staging_token = token(fake_infisical, staging["ciIdentityId"], f"{REPO}:environment:staging")
    prod_token = token(fake_infisical, prod["ciIdentityId"], f"{REPO}:environment:production")
    assert read_in(fake_infisical, staging_token, prod_project, "prod", "/cloudflare") == 403  # not a member there
    assert read_in(fake_infisical, staging_token, shared, "staging", "/cloudflare") == 200
    assert read_in(fake_infisical, prod_token, prod_project, "prod", "/cloudflare") == 200


def test_only_each_stages_deploy_identity_reads_the_sync_token_minted_for_it(
    fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]]
) -> None:
    """The tokens the project stack wrote: prod's is out of reach of every non-prod identity."""
    identities = {
        "dev": token(fake_infisical, applied["dev"]["ciIdentityId"], f"{REPO}:environment:dev"),
        "staging": token(fake_infisical, applied["staging"]["ciIdentityId"], f"{REPO}:environment:staging"),
        "pr-preview": token(fake_infisical, applied["staging"]["prPreviewIdentityId"], f"{REPO}:pull_request"),
        "prod": token(fake_infisical, applied["prod"]["ciIdentityId"], f"{REPO}:environment:production"),
    }
    readable = {
        (who, env): read(fake_infisical, access, env, "/cloudflare", SYNC_TOKEN_ENV)
        for who, access in identities.items()
        for env in ("dev", "staging", "prod", "preview")
    }
    assert {key for key, status in readable.items() if status == 200} == {
        ("dev", "dev"),
        ("staging", "staging"),
        ("prod", "prod"),
    }
    assert all(status == 403 for key, status in readable.items() if key[0] != key[1]), readable
