"""Every custom role the program registers is one a real Infisical server accepts, meaning what it says.

The roles of every committed stage (each CI identity's) and of the project stack (each access level's) are
held against the server's own check of role permissions, transcribed from Infisical's
project-permission.ts into the fake (tests/fakes/infisical/permission_schema.py): no 422, and nothing the
server would silently drop (a condition, ``inverted``). The program's declaration of subjects and actions
(components/infisical/project_permissions.py) is held against the same check, so it cannot drift from it.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.infisical.project_permissions import SUBJECTS, problem
from components.infisical.project_role import normal_permissions
from plan.engine import ProgramRun
from tests.conftest import STAGES, raw_config, run_stage
from tests.fakes.infisical.permission_schema import validate_permissions

STACKS = (*STAGES, "project")
ROLE_TYPE = "pulumi-python:dynamic/infisical:ProjectRole"


@pytest.fixture(scope="module")
def roles() -> dict[str, list[tuple[str, list[dict[str, Any]]]]]:
    """Each stack's registered roles: (resource name, permissions)."""
    registered = {}
    for stack in STACKS:
        run: ProgramRun = run_stage(stack, raw_config(stack), environment={} if stack == "project" else None)
        registered[stack] = [(r.name, list(r.inputs["permissions"])) for r in run.registrations if r.type == ROLE_TYPE]
    return registered


UNKNOWN_STAND_IN = "3f8e6c2a-0000-4000-8000-000000000000"


def _known(value: Any) -> Any:
    return value if isinstance(value, (str, list)) else UNKNOWN_STAND_IN


def _resolved(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unknown outputs (the app connection's id under the mock engine) as a plausible id."""
    resolved = []
    for permission in permissions:
        conditions = {
            field: {op: _known(value) for op, value in c.items()} if isinstance(c, dict) else c
            for field, c in (permission.get("conditions") or {}).items()
        }
        resolved.append({**permission, **({"conditions": conditions} if conditions else {})})
    return resolved


@pytest.mark.parametrize("stack", STACKS)
def test_every_registered_role_is_accepted_by_the_server_as_written(
    stack: str, roles: dict[str, list[tuple[str, list[dict[str, Any]]]]]
) -> None:
    assert roles[stack], f"{stack} registers custom roles"
    for name, permissions in roles[stack]:
        sent = _resolved(permissions)
        stored, issues = validate_permissions(sent)
        assert issues == [], f"{stack} {name}: the server answers 422: {issues}"
        assert normal_permissions(stored) == normal_permissions(sent), f"{stack} {name}: the server drops part of it"
        assert [problem(p) for p in sent] == [None] * len(sent)


def test_the_declared_subjects_and_actions_are_the_servers() -> None:
    for subject, rules in SUBJECTS.items():
        permission: dict[str, Any] = {"subject": str(subject), "action": [str(a) for a in rules.actions]}
        if rules.conditions:
            permission["conditions"] = {field: {ops[0]: "/x"} for field, ops in rules.conditions.items()}
        if rules.inverted:
            permission["inverted"] = True
        stored, issues = validate_permissions([permission])
        assert issues == [], (subject, issues)
        assert normal_permissions(stored) == normal_permissions([permission]), f"the server drops part of {subject}"


def test_an_action_of_another_subject_is_refused_on_both_sides() -> None:
    recorded = {"subject": "app-connections", "action": ["read", "edit", "connect"]}
    assert "'read' is not an action of 'app-connections'" in str(problem(recorded))
    _, issues = validate_permissions([recorded])
    assert [(i["code"], i["path"]) for i in issues] == [("invalid_union", ["permissions", 0, "action"])]


@pytest.mark.parametrize(
    ("permission", "reason"),
    [
        ({"subject": "environments", "action": ["read"], "conditions": {"environment": "dev"}}, "takes no conditions"),
        ({"subject": "secret-folders", "action": ["read"], "conditions": {"environment": {"$glob": "d*"}}}, "$glob"),
        ({"subject": "role", "action": ["read"], "inverted": True}, "no inverted"),
        ({"subject": "secrets", "action": ["read"], "conditions": {"connectionId": "x"}}, "would drop it"),
        ({"subject": "kms", "action": ["edit"]}, "is not one of"),
    ],
)
def test_what_the_server_would_drop_or_does_not_know_is_refused(permission: dict[str, Any], reason: str) -> None:
    assert reason in str(problem(permission))
