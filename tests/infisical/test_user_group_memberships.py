"""Users and groups as project members: round trips, recovery, and the refusals Infisical gives."""

from __future__ import annotations

import httpx
import pytest

from components.infisical import (
    GroupsUnavailableError,
    InfisicalBadRequestError,
    InfisicalNotFoundError,
    ProjectGroupMembershipProvider,
    ProjectRoleProvider,
    ProjectUserMembershipProvider,
)
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.routes.group_memberships import add_group

from .engine import CheckFailed, Engine, plain
from .fake_http import http
from .test_roundtrips import roundtrip

__all__ = ["http"]


def test_user_membership_roundtrip(fake_infisical: FakeInfisical, project_id: str) -> None:
    base = {"project_id": project_id, "username": "alice@example.com"}
    roundtrip(
        Engine(ProjectUserMembershipProvider()),
        {**base, "role": "viewer"},
        {**base, "role": "admin"},
        expect_created={"role": "viewer", "username": "alice@example.com"},
        expect_updated={"role": "admin"},
    )
    assert fake_infisical.table("user_memberships") == []
    # an unknown user was invited to the organization (beside its first user), as Infisical does
    assert [u["username"] for u in fake_infisical.table("users")] == ["admin@example.com", "alice@example.com"]


def test_group_membership_roundtrip(fake_infisical: FakeInfisical, project_id: str) -> None:
    with fake_infisical.store.lock:
        add_group(fake_infisical.store, "platform")
    base = {"project_id": project_id, "group": "platform"}
    roundtrip(
        Engine(ProjectGroupMembershipProvider()),
        {**base, "role": "member"},
        {**base, "role": "viewer"},
        expect_created={"role": "member"},
        expect_updated={"role": "viewer"},
    )


def test_changing_the_user_or_group_replaces_the_membership() -> None:
    users = Engine(ProjectUserMembershipProvider())
    old = {"project_id": "p", "username": "a@example.com", "role": "viewer", "__provider": users.serialized}
    assert users.provider.diff("id", old, users.bag({**old, "username": "b@example.com"})).replaces == ["username"]
    groups = Engine(ProjectGroupMembershipProvider())
    old = {"project_id": "p", "group": "a", "role": "viewer", "__provider": groups.serialized}
    assert groups.provider.diff("id", old, groups.bag({**old, "group": "b"})).replaces == ["group"]


def test_usernames_must_be_lowercase_at_check() -> None:
    failures = Engine(ProjectUserMembershipProvider()).failures(
        {"project_id": "p", "username": "Alice@Example.com", "role": "viewer"}
    )
    assert "lowercase" in failures["username"]


def test_a_custom_role_is_read_back_by_its_slug(fake_infisical: FakeInfisical, project_id: str) -> None:
    permission = {"subject": "secrets", "action": ["readValue"], "conditions": {"environment": {"$eq": "dev"}}}
    Engine(ProjectRoleProvider()).create(
        {"project_id": project_id, "slug": "team-viewer", "name": "Viewer", "permissions": [permission]}
    )
    engine = Engine(ProjectUserMembershipProvider())
    id_, outs = engine.create({"project_id": project_id, "username": "bob", "role": "team-viewer"})
    assert plain(engine.read(id_, outs).outs or {})["role"] == "team-viewer"


def test_groups_refused_by_the_plan_name_the_config_path(
    fake_infisical: FakeInfisical, project_id: str, http: httpx.Client
) -> None:
    with fake_infisical.store.lock:
        fake_infisical.store.plan_groups = False
    refused_group = http.post("/api/v1/groups", json={"name": "platform", "slug": "platform"})
    assert (refused_group.status_code, refused_group.json()["message"]) == (
        400,
        "Failed to create group due to plan restriction. Upgrade plan to create group.",
    ), "without a licence no group can exist"
    engine = Engine(ProjectGroupMembershipProvider())
    inputs = {"project_id": project_id, "group": "platform", "role": "viewer"}
    with pytest.raises(GroupsUnavailableError) as refused:
        engine.create({**inputs, "requested_by": "workers-stage-platform:access.groups.platform"})
    message = str(refused.value)
    assert "workers-stage-platform:access.groups.platform" in message and "licence" in message
    assert "access.users" in message  # the way out
    assert fake_infisical.table("group_memberships") == []


def test_custom_role_for_a_user_without_rbac_is_refused(fake_infisical: FakeInfisical, project_id: str) -> None:
    with fake_infisical.store.lock:
        fake_infisical.store.plan_rbac = False
    with pytest.raises(InfisicalBadRequestError, match="plan RBAC restriction"):
        Engine(ProjectUserMembershipProvider()).create(
            {"project_id": project_id, "username": "carol", "role": "team-admin"}
        )


def test_unknown_group_is_named_with_the_ways_out(fake_infisical: FakeInfisical, project_id: str) -> None:
    with pytest.raises(GroupsUnavailableError, match="no such group") as refused:
        Engine(ProjectGroupMembershipProvider()).create({"project_id": project_id, "group": "ghosts", "role": "viewer"})
    assert isinstance(refused.value.cause, InfisicalNotFoundError)


def test_a_second_membership_of_the_same_user_is_refused(fake_infisical: FakeInfisical, project_id: str) -> None:
    engine = Engine(ProjectUserMembershipProvider())
    id_, _ = engine.create({"project_id": project_id, "username": "dave", "role": "viewer"})
    # a create whose answer was lost finds the first one instead of failing (see test_faults); a different
    # role is a different intent, so Infisical's refusal is shown
    with pytest.raises(InfisicalBadRequestError, match="already a member"):
        engine.create({"project_id": project_id, "username": "dave", "role": "admin"})
    assert len(fake_infisical.table("user_memberships")) == 1 and id_


def test_required_inputs(fake_infisical: FakeInfisical) -> None:
    with pytest.raises(CheckFailed):
        Engine(ProjectGroupMembershipProvider()).create({"project_id": "p", "role": "viewer"})
