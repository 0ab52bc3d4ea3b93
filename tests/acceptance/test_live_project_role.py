"""The custom project role against a real Infisical: a round trip where the plan has RBAC, the named
refusal where it does not (both are real outcomes; which one depends on the organization's plan)."""

from __future__ import annotations

import pytest

from components.infisical import (
    CustomRolesUnavailableError,
    IdentityProvider,
    ProjectIdentityMembershipProvider,
    ProjectRoleProvider,
)
from tests.infisical.engine import Engine, plain

from .test_live_roundtrips import Cleanup, delete_and_confirm, lifecycle, new_project

pytestmark = pytest.mark.acceptance


def _permissions(path: str) -> list[dict[str, object]]:
    return [
        {
            "subject": "secrets",
            "action": ["describeSecret", "readValue"],
            "conditions": {"environment": {"$eq": "staging"}, "secretPath": {"$glob": path}},
        }
    ]


def test_project_role_and_membership(live_infisical: None, organization_id: str, run_id: str, cleanup: Cleanup) -> None:
    project_id = new_project(run_id, cleanup)
    roles = Engine(ProjectRoleProvider())
    create = {
        "project_id": project_id,
        "slug": f"acc-{run_id}",
        "name": "Acceptance",
        "permissions": _permissions("/cloudflare/**"),
        "requested_by": "tests/acceptance",
    }
    refusal = ""
    try:
        role_id, role = lifecycle(roles, cleanup, create, {**create, "permissions": _permissions("/**")})
    except CustomRolesUnavailableError as refused:
        refusal = str(refused)
    if refusal:
        assert "tests/acceptance" in refusal and "infisical.projectId" in refusal
        pytest.skip(f"this organization's plan has no RBAC; the refusal was named as expected: {refusal}")
    identities = Engine(IdentityProvider())
    identity_id, identity = identities.create({"name": f"pulumi-acc-role-{run_id}", "organization_id": organization_id})
    cleanup(lambda: identities.delete(identity_id, identity))
    memberships = Engine(ProjectIdentityMembershipProvider())
    inputs = {"project_id": project_id, "identity_id": identity_id, "role": plain(role)["slug"]}
    membership_id, membership = memberships.create(inputs)
    read = memberships.read(membership_id, membership)
    assert plain(read.outs or {})["role"] == plain(role)["slug"]
    assert not memberships.diff(membership_id, read.outs or {}, inputs).changes
    delete_and_confirm(memberships, membership_id, membership)
    delete_and_confirm(roles, role_id, role)
