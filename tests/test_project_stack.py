"""The project stack: the Infisical project, the preview environment, the access levels and memberships."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from components.config import StageConfigError
from components.config.project_config import parse_project_config
from components.infisical import (
    IdentityProvider,
    ProjectIdentityMembershipProvider,
    ProjectRoleProvider,
    SecretFolderProvider,
    SecretProvider,
)
from components.infisical_side import access_levels
from plan.__main__ import main as plan_main
from plan.engine import ProgramRun
from plan.program_run import plan_run
from plan.stack_files import stack_config
from tests.conftest import PROJECT, encode, raw_config, run_stage
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_server
from tests.infisical.engine import Engine, seed_environment, seed_project
from tests.infisical.test_project_role import login, read_secret

__all__ = ["fake_infisical", "fake_infisical_server"]  # the fixtures this module uses

NON_PROD = ["dev", "preview", "staging"]


def project_raw() -> dict[str, Any]:
    return raw_config("project")


def run_project(raw: dict[str, Any] | None = None) -> ProgramRun:
    return run_stage("project", raw if raw is not None else project_raw(), environment={})


def by_name(run: ProgramRun, suffix: str) -> dict[str, Any]:
    return {r.name: r for r in run.by_type(suffix)}


def test_the_plan_shows_project_preview_roles_and_memberships(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(["project"]) == 0
    table = capsys.readouterr().out
    for shown in (
        "infisical:Project/project",
        "infisical:ProjectEnvironment/environment-preview",
        "infisical:ProjectRole/role-developer",
        "infisical:ProjectUserMembership/user-carol@example.com",
        "infisical:ProjectGroupMembership/group-platform-team",
    ):
        assert shown in table
    assert "all policy rules pass" in table


def test_the_project_is_adopted_and_protected_with_the_preview_environment() -> None:
    run = plan_run("project").run
    (project,) = run.by_type(":Project")
    assert project.inputs["adopt"] is True and project.inputs["project_id"] == "3f8e6c2a-1b4d-4e7f-9a0b-5c6d7e8f9a01"
    (preview,) = run.by_type(":ProjectEnvironment")
    assert preview.inputs["slug"] == "preview" and preview.inputs["project_id"] == project.outputs["project_id"]
    assert project.protect and project.retain_on_delete and preview.protect and preview.retain_on_delete
    assert run.outputs["projectId"].value == "3f8e6c2a-1b4d-4e7f-9a0b-5c6d7e8f9a01"
    assert run.outputs["previewEnvironment"].value == "preview"


def test_members_get_their_roles() -> None:
    run = run_project()
    users = {r.inputs["username"]: r.inputs["role"] for r in run.by_type(":ProjectUserMembership")}
    assert users == {
        "alice@example.com": "team-owner",
        "bob@example.com": "team-admin",
        "carol@example.com": "team-developer",
        "dave@example.com": "team-viewer",
        "auditor@example.com": "viewer",  # a built-in role, on any plan
    }
    groups = {r.inputs["group"]: r for r in run.by_type(":ProjectGroupMembership")}
    assert groups["platform-team"].inputs["role"] == "team-admin"
    assert groups["app-developers"].inputs["requested_by"] == f"{PROJECT}:access.groups.app-developers"
    roles = by_name(run, ":ProjectRole")
    assert set(roles) == {"role-viewer", "role-developer", "role-admin", "role-owner"}
    assert roles["role-owner"].inputs["requested_by"] == f'{PROJECT}:access.users["alice@example.com"]'
    assert roles["role-developer"].urn in groups["app-developers"].dependencies
    assert run.outputs["access"].value["groups"] == {"app-developers": "team-developer", "platform-team": "team-admin"}


def test_only_the_levels_in_use_become_roles() -> None:
    raw = project_raw()
    raw["access"] = {"users": {"erin@example.com": {"role": "admin"}}}
    run = run_project(raw)
    assert run.by_type(":ProjectRole") == [] and run.outputs["roles"].value == {}


def test_a_project_can_be_created_by_name() -> None:
    raw = project_raw()
    raw["project"] = {"name": "acme", "description": "every stage of acme"}
    (project,) = run_project(raw).by_type(":Project")
    assert project.inputs["name"] == "acme" and "adopt" not in project.inputs and project.protect


def test_levels_keep_prod_from_viewers_and_developers() -> None:
    for level in ("viewer", "developer"):
        for permission in access_levels.permissions(level, NON_PROD):
            environments = permission.get("conditions", {}).get("environment", {}).get("$in")
            assert permission["subject"] == "environments" or environments == NON_PROD, (level, permission)
    developer = access_levels.permissions("developer", NON_PROD)[0]
    assert developer["action"] == ["describeSecret", "readValue", "create", "edit", "delete"]
    assert access_levels.permissions("viewer", NON_PROD)[0]["action"] == ["describeSecret", "readValue"]
    admin = access_levels.permissions("admin", NON_PROD)
    assert {"subject": "secrets", "action": ["describeSecret", "readValue", "create", "edit", "delete"]} in admin
    assert not any(p["subject"] == "member" for p in admin)
    assert any(p["subject"] == "member" for p in access_levels.permissions("owner", NON_PROD))


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [
        ({"project": {"name": "x", "projectId": "3f8e6c2a-1b4d-4e7f-9a0b-5c6d7e8f9a01"}}, "project", "exactly one"),
        ({"access": {"users": {"a@example.com": {"level": "dev"}}}}, "access.users.a@example.com.level", "'viewer'"),
        ({"access": {"users": {"a@example.com": {"level": "viewer", "role": "admin"}}}}, "access.users.a@example.com",
         "exactly one"),
        ({"access": {"users": {"Alice@Example.com": {"role": "admin"}}}}, "access.users",
         "'Alice@Example.com': Infisical usernames and emails are lowercase"),
        ({"access": {"teams": {}}}, "access.teams", "allowed keys here: groups, users"),
    ],
)  # fmt: skip
def test_bad_project_config_names_its_path(change: dict[str, Any], path: str, expected: str) -> None:
    raw = {**project_raw(), **change}
    with pytest.raises(StageConfigError) as caught:
        parse_project_config(raw, namespace=PROJECT)
    found = dict(caught.value.problems)
    assert expected in found[f"{PROJECT}:{path}"], found


def test_a_stage_without_a_project_id_reads_it_from_the_project_stack() -> None:
    raw = raw_config("staging")
    del raw["infisical"]["projectId"]
    run = run_stage("staging", raw)
    (reference,) = run.by_type("pulumi:StackReference")
    assert reference.read and reference.name == f"organization/{PROJECT}/project"
    (project,) = run.by_type(":Project")
    assert project.inputs["project_id"] == reference.outputs["outputs"]["projectId"]
    assert run.outputs["infisical"].value["projectId"] == project.inputs["project_id"]
    raw["infisical"]["projectStack"] = "acme/platform/project"
    (named,) = run_stage("staging", raw).by_type("pulumi:StackReference")
    assert named.name == "acme/platform/project"


def test_the_committed_stages_keep_their_project_id() -> None:
    for stage in ("dev", "staging", "prod"):
        assert not run_stage(stage).by_type("pulumi:StackReference")


def test_the_project_stack_config_is_committed() -> None:
    config, _ = stack_config("project")
    assert f"{PROJECT}:access" in config and encode(project_raw()).keys() == config.keys()


def test_developer_level_against_the_local_server(fake_infisical: FakeInfisical) -> None:
    """A member with the developer level reads and edits staging, and is refused prod (403)."""
    project_id = seed_project()
    for env in ("staging", "prod"):
        seed_environment(project_id, env)
        Engine(SecretFolderProvider()).create({"project_id": project_id, "environment": env, "name": "cloudflare"})
        Engine(SecretProvider()).create(
            {"project_id": project_id, "environment": env, "secret_path": "/cloudflare", "key": "K", "value": env}
        )
    Engine(ProjectRoleProvider()).create(
        {
            "project_id": project_id,
            "slug": access_levels.role_slug("developer"),
            "name": "acme developer",
            "permissions": access_levels.permissions("developer", NON_PROD),
        }
    )
    identity_id, _ = Engine(IdentityProvider()).create({"name": "dev", "organization_id": fake_infisical.org_id})
    Engine(ProjectIdentityMembershipProvider()).create(
        {"project_id": project_id, "identity_id": identity_id, "role": "team-developer"}
    )
    token = login(fake_infisical, identity_id)
    assert read_secret(fake_infisical, token, project_id, "staging", "/cloudflare", key="K").status_code == 200
    assert read_secret(fake_infisical, token, project_id, "prod", "/cloudflare", key="K").status_code == 403
    edit = httpx.patch(
        f"{fake_infisical.url}/api/v4/secrets/K",
        json={"projectId": project_id, "environment": "staging", "secretPath": "/cloudflare", "secretValue": "v2"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert edit.status_code == 200


def test_the_project_stack_applies_against_the_local_server(fake_infisical: FakeInfisical) -> None:
    """Every resource of the project stack, created by its real provider: project, preview, roles, members."""
    from tests.acceptance.stage_side import StageRun
    from tests.fakes.infisical.routes.group_memberships import add_group

    raw = project_raw()
    raw["project"] = {"projectId": seed_project("acme")}
    with fake_infisical.store.lock:
        for slug in raw["access"]["groups"]:
            add_group(fake_infisical.store, slug)
    live = StageRun("project")
    run = run_stage("project", raw, environment={}, resource_mocks=live)
    assert [e["slug"] for e in fake_infisical.table("environments")] == ["preview"]
    roles = {r["slug"]: r for r in fake_infisical.table("roles")}
    assert set(roles) == {"team-viewer", "team-developer", "team-admin", "team-owner"}
    users = {
        fake_infisical.store.users[m["userId"]]["username"]: m["roles"][0]["customRoleSlug"] or m["roles"][0]["role"]
        for m in fake_infisical.table("user_memberships")
    }
    assert users == run.outputs["access"].value["users"]
    groups = {
        fake_infisical.store.groups[m["groupId"]]["slug"]: m["roles"][0]["customRoleSlug"]
        for m in fake_infisical.table("group_memberships")
    }
    assert groups == run.outputs["access"].value["groups"]


def test_a_plan_without_groups_is_named_with_the_config_path(fake_infisical: FakeInfisical) -> None:
    from tests.acceptance.stage_side import StageRun

    raw = project_raw()
    raw["project"] = {"projectId": seed_project("acme")}
    raw["access"] = {"groups": {"platform-team": {"role": "admin"}}}
    with fake_infisical.store.lock:
        fake_infisical.store.plan_groups = False
    with pytest.raises(Exception, match=r"workers-stage-platform:access\.groups\.platform-team.*Infisical licence"):
        run_stage("project", raw, environment={}, resource_mocks=StageRun("project"))


def test_a_plan_without_custom_roles_is_named_with_the_config_path(fake_infisical: FakeInfisical) -> None:
    from tests.acceptance.stage_side import StageRun

    raw = project_raw()
    raw["project"] = {"projectId": seed_project("acme")}
    raw["access"] = {"users": {"carol@example.com": {"level": "developer"}}}
    with fake_infisical.store.lock:
        fake_infisical.store.plan_rbac = False
    with pytest.raises(Exception, match=r'access\.users\["carol@example\.com"\].*custom roles need a plan with RBAC'):
        run_stage("project", raw, environment={}, resource_mocks=StageRun("project"))
    assert fake_infisical.table("user_memberships") == []


def test_the_project_stack_has_no_inventory(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(["project", "--inventory"]) == 2
    assert "project stack" in capsys.readouterr().err
