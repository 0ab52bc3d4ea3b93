"""The isolation promise against a real Infisical: each stage's CI identity logs in and is refused prod.

dev, staging and prod are applied into one throwaway project through their real providers (Cloudflare
mocked), their identities bound to the OIDC issuer the suite serves on loopback. Each identity logs in
with a token carrying its own GitHub subject and reads: its own stage's folder, and prod's. Then every
stage is destroyed and the project deleted. Needs what the whole-stage run needs:
``INFISICAL_ORGANIZATION_ID``, ``CLOUDFLARE_ACCOUNT_ID`` and ``CLOUDFLARE_API_TOKEN``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from components.infisical import (
    Credentials,
    InfisicalAuthenticationError,
    InfisicalClient,
    InfisicalPermissionError,
    host_from_env,
)
from components.secrets.deploy_inputs import CLOUDFLARE_TOKEN_ENV
from tests.conftest import full_environment, raw_config

from .oidc_issuer import LoopbackIssuer
from .stage_side import StageSide

pytestmark = pytest.mark.acceptance

REPO = "repo:acme/app"
AUDIENCE = "https://github.com/acme"
CANARY = "ISOLATION_CANARY"
SUBJECTS = {"dev": "environment:dev", "staging": "environment:staging", "prod": "environment:production"}


@pytest.fixture(scope="module")
def applied(live_infisical: None, oidc_issuer: LoopbackIssuer) -> Iterator[tuple[str, dict[str, Any]]]:
    """The project, and each stage's Infisical outputs once dev, staging and prod are applied into it."""
    missing = [
        n
        for n in ("INFISICAL_ORGANIZATION_ID", "CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN")
        if not os.environ.get(n)
    ]
    if missing:
        pytest.skip(f"the isolation run against a real Infisical also needs: {', '.join(missing)}")
    with InfisicalClient() as admin:
        body = {"projectName": f"acme-isolation-{uuid.uuid4().hex[:8]}", "shouldCreateDefaultEnvs": False}
        project_id = str(admin.post("/api/v1/projects", json=body)["project"]["id"])
    sides: list[StageSide] = []
    outputs: dict[str, Any] = {}
    try:
        for stage in SUBJECTS:
            raw = raw_config(stage)
            raw["infisical"].update(projectId=project_id, organizationId=os.environ["INFISICAL_ORGANIZATION_ID"])
            raw["infisical"]["ciIdentity"]["issuer"] = oidc_issuer.issuer
            raw["accountId"] = os.environ["CLOUDFLARE_ACCOUNT_ID"]
            environment = full_environment(stage, raw, lambda name: f"dummy-{name.lower()}")
            environment[CLOUDFLARE_TOKEN_ENV] = os.environ["CLOUDFLARE_API_TOKEN"]
            side = StageSide(stage, raw, environment)
            sides.append(side)
            _, run = side.up()
            outputs[stage] = dict(run.outputs["infisical"].value)
        with InfisicalClient() as admin:
            for env, path in (
                ("dev", "/cloudflare"),
                ("staging", "/cloudflare"),
                ("staging", "/preview"),
                ("prod", "/cloudflare"),
            ):
                secret = {
                    "projectId": project_id,
                    "environment": env,
                    "secretPath": path,
                    "secretValue": f"{env}{path}",
                }
                admin.post("/api/v4/secrets/{secretName}", path={"secretName": CANARY}, json=secret)
        yield project_id, outputs
    finally:
        for side in reversed(sides):
            side.destroy()
        with InfisicalClient() as admin:
            admin.delete("/api/v1/projects/{projectId}", path={"projectId": project_id})


def _reads(issuer: LoopbackIssuer, identity_id: str, subject: str, where: tuple[str, str, str]) -> bool:
    """Whether the identity, logged in with a token for ``subject``, may read the canary at ``where``
    (project id, environment, folder)."""
    project_id, env, path = where
    jwt = issuer.token(subject=f"{REPO}:{subject}", audience=AUDIENCE, claims={"repository": "acme/app"})
    params = {"projectId": project_id, "environment": env, "secretPath": path}
    with InfisicalClient(host_from_env(), Credentials.oidc_auth(identity_id, jwt), max_retries=1) as client:
        try:
            secret = client.get("/api/v4/secrets/{secretName}", path={"secretName": CANARY}, params=params)
        except InfisicalPermissionError:
            return False
    assert secret["secret"]["secretValue"] == f"{env}{path}"
    return True


@pytest.mark.parametrize("stage", ["dev", "staging"])
def test_a_non_prod_deploy_identity_reads_its_stage_and_is_refused_prod(
    oidc_issuer: LoopbackIssuer, applied: tuple[str, dict[str, Any]], stage: str
) -> None:
    project_id, outputs = applied
    identity = outputs[stage]["ciIdentityId"]
    assert _reads(oidc_issuer, identity, SUBJECTS[stage], (project_id, stage, "/cloudflare"))
    assert not _reads(oidc_issuer, identity, SUBJECTS[stage], (project_id, "prod", "/cloudflare"))


def test_the_preview_identity_reads_only_its_folder(
    oidc_issuer: LoopbackIssuer, applied: tuple[str, dict[str, Any]]
) -> None:
    project_id, outputs = applied
    identity = outputs["staging"]["prPreviewIdentityId"]
    assert _reads(oidc_issuer, identity, "pull_request", (project_id, "staging", "/preview"))
    assert not _reads(oidc_issuer, identity, "pull_request", (project_id, "staging", "/cloudflare"))
    assert not _reads(oidc_issuer, identity, "pull_request", (project_id, "prod", "/cloudflare"))


def test_prod_reads_prod_and_a_pull_request_logs_in_as_no_deploy_identity(
    oidc_issuer: LoopbackIssuer, applied: tuple[str, dict[str, Any]]
) -> None:
    project_id, outputs = applied
    prod = outputs["prod"]["ciIdentityId"]
    assert _reads(oidc_issuer, prod, SUBJECTS["prod"], (project_id, "prod", "/cloudflare"))
    assert not _reads(oidc_issuer, prod, SUBJECTS["prod"], (project_id, "staging", "/cloudflare"))
    for stage in SUBJECTS:
        with pytest.raises(InfisicalAuthenticationError):
            _reads(oidc_issuer, outputs[stage]["ciIdentityId"], "pull_request", (project_id, stage, "/cloudflare"))
