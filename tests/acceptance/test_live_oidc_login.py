"""OIDC logins against a real Infisical, with tokens from the issuer these tests serve on loopback.

An identity bound to the issuer logs in with a minted token and reads what its role allows; a token whose
subject its binding does not admit is refused with 403. Bindings are patterns on the server
(``doesFieldValueMatchOidcPolicy``, picomatch): ``repo:acme/*`` admits ``repo:acme/app:pull_request``,
which is why the program refuses such a binding on a deploy identity (components/rules/access.py).
"""

from __future__ import annotations

import pytest

from components.infisical import (
    Credentials,
    IdentityOidcAuthProvider,
    IdentityProvider,
    InfisicalAuthenticationError,
    InfisicalClient,
    ProjectIdentityMembershipProvider,
    host_from_env,
)
from tests.infisical.engine import Engine

from .oidc_issuer import LoopbackIssuer
from .test_live_roundtrips import Cleanup, new_project

pytestmark = pytest.mark.acceptance

AUDIENCE = "https://github.com/acme"
CLAIMS = {"repository": "acme/app"}
SECRET = "ACCEPTANCE_OIDC"


def _bound_identity(
    organization_id: str, issuer: LoopbackIssuer, run_id: str, cleanup: Cleanup, bound_subject: str
) -> str:
    identities = Engine(IdentityProvider())
    identity_id, identity = identities.create({"name": f"pulumi-acc-oidc-{run_id}", "organization_id": organization_id})
    cleanup(lambda: identities.delete(identity_id, identity))
    oidc = Engine(IdentityOidcAuthProvider())
    inputs = {
        "identity_id": identity_id,
        "oidc_discovery_url": issuer.discovery_url,
        "bound_issuer": issuer.issuer,
        "bound_audiences": AUDIENCE,
        "bound_subject": bound_subject,
        "bound_claims": CLAIMS,
    }
    auth_id, auth = oidc.create(inputs)
    cleanup(lambda: oidc.delete(auth_id, auth))
    return identity_id


def _client(identity_id: str, jwt: str) -> InfisicalClient:
    return InfisicalClient(host_from_env(), Credentials.oidc_auth(identity_id, jwt), max_retries=1)


@pytest.mark.parametrize("bound_subject", ["repo:acme/app:environment:staging", "repo:acme/*"])
def test_an_oidc_identity_logs_in_and_reads_what_its_role_allows(
    organization_id: str,
    oidc_issuer: LoopbackIssuer,
    run_id: str,
    cleanup: Cleanup,
    bound_subject: str,
) -> None:
    project_id = new_project(run_id, cleanup)
    identity_id = _bound_identity(organization_id, oidc_issuer, run_id, cleanup, bound_subject)
    members = Engine(ProjectIdentityMembershipProvider())
    member_id, member = members.create({"project_id": project_id, "identity_id": identity_id, "role": "viewer"})
    cleanup(lambda: members.delete(member_id, member))
    with InfisicalClient() as admin:
        environment = {"name": "Staging", "slug": "staging"}
        admin.post("/api/v1/workspace/{projectId}/environments", path={"projectId": project_id}, json=environment)
        folder = {"projectId": project_id, "environment": "staging", "name": "cloudflare", "path": "/"}
        admin.post("/api/v2/folders", json=folder)
        body = {"projectId": project_id, "environment": "staging", "secretPath": "/cloudflare", "secretValue": "v"}
        admin.post("/api/v4/secrets/{secretName}", path={"secretName": SECRET}, json=body)

    subject = "repo:acme/app:pull_request" if bound_subject.endswith("*") else bound_subject
    jwt = oidc_issuer.token(subject=subject, audience=AUDIENCE, claims=CLAIMS)
    params = {"projectId": project_id, "environment": "staging", "secretPath": "/cloudflare"}
    with _client(identity_id, jwt) as logged_in:
        read = logged_in.get("/api/v4/secrets/{secretName}", path={"secretName": SECRET}, params=params)
    assert read["secret"]["secretValue"] == "v"

    outsider = oidc_issuer.token(subject="repo:someone-else/app:pull_request", audience=AUDIENCE, claims=CLAIMS)
    with _client(identity_id, outsider) as refused, pytest.raises(InfisicalAuthenticationError, match="subject"):
        refused.get("/api/v4/secrets/{secretName}", path={"secretName": SECRET}, params=params)
