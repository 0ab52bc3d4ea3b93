"""Custom project roles: the routes of Infisical's project role router and custom roles in memberships.

Modelled on ``backend/src/ee/routes/v1/project-role-router.ts`` (routes and body schema) and
``backend/src/services/role/role-service.ts`` (plan check, duplicate slug), with the membership side
from the identity project membership service:

* Without RBAC in the plan (``store.plan_rbac = False``, Infisical's free and self-hosted community
  editions), creating a custom role is 400 "Failed to create custom role due to plan RBAC restriction.
  Upgrade to Infisical Enterprise plan to create custom roles.", and assigning one to an identity is 400
  "Failed to assign custom role to identity due to plan RBAC restriction…".
* Slugs of built-in roles are reserved (422); a second role with the same slug is 400 "already exists".
* Permissions are checked by the server's own schema (`permission_schema`): an unknown subject or an
  action the subject does not have is 422, as recorded; what the schema does not declare is dropped
  without an error (an unknown condition operator leaves ``{}``, which then matches everything, see
  `permissions`). ``read`` together with ``readValue`` or ``describeSecret`` on secrets is 400
  (``checkForInvalidPermissionCombination``, backend/src/ee/services/permission/permission-fns.ts).
* A role still assigned to a membership cannot be deleted (400).
* In a membership a custom role reads back as ``role: "custom"`` with ``customRoleId`` and
  ``customRoleSlug``; an unknown slug is 404 "Specified roles '<slug>' was not found in the project with
  ID '<project>'" (recorded).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import ApiError, bad_request, not_found
from tests.fakes.infisical.permission_schema import validate_permissions
from tests.fakes.infisical.routes.membership_roles import BUILT_IN
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now

routes = RouteTable()
BASE = "/api/v1/projects/{projectId}/roles"

RESERVED = (*BUILT_IN, "custom")
ROLE_REFUSAL = (
    "Failed to create custom role due to plan RBAC restriction. Upgrade to Infisical Enterprise plan to create "
    "custom roles."
)


def _not_reserved(value: Any) -> str | None:
    return "Please choose a different slug, the slug you have entered is reserved" if value in RESERVED else None


def _checked_permissions(value: Any) -> list[dict[str, Any]]:
    """The permissions as the server stores them, or its 422 / 400."""
    stored, issues = validate_permissions(value)
    if issues:
        raise ApiError(422, issues, "ValidationFailure")
    for permission in stored:
        actions = permission["action"]
        if permission["subject"] == "secrets" and "read" in actions and {"readValue", "describeSecret"} & set(actions):
            both = {"readValue", "describeSecret"} <= set(actions)
            chosen = (
                "both Read Value and Describe Secret"
                if both
                else ("Read Value" if "readValue" in actions else "Describe Secret")
            )
            raise bad_request(f"You have selected Read, and {chosen}.")
    return stored


def _role(store: Store, role_id: str, project_id: str | None = None) -> dict[str, Any]:
    role = store.roles.get(role_id)
    if role is None or (project_id is not None and role["projectId"] != project_id):
        raise not_found(f"Role with id {role_id} not found")
    return role


@routes.post(BASE)
def create_role(store: Store, call: Call) -> Any:
    project = store.project(call.path["projectId"])
    data = v.validate(
        call.body,
        {
            "slug": v.slug_schema(64, also=_not_reserved),
            "name": v.req("string", v.length(1, 256)),
            "description": v.opt("string", nullable=True),
            "permissions": v.req("array"),
        },
    )
    permissions = _checked_permissions(data["permissions"])
    if not store.plan_rbac:
        raise bad_request(ROLE_REFUSAL)
    if any(r["projectId"] == project["id"] and r["slug"] == data["slug"] for r in store.roles.values()):
        raise bad_request("Project role with same slug already exists")
    role = {
        "id": new_id(),
        "projectId": project["id"],
        "slug": data["slug"],
        "name": data["name"].strip(),
        "description": (data.get("description") or "").strip() or None,
        "permissions": permissions,
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.roles[role["id"]] = role
    return {"role": dict(role)}


@routes.get(BASE)
def list_roles(store: Store, call: Call) -> Any:
    store.project(call.path["projectId"])
    roles = [r for r in store.roles.values() if r["projectId"] == call.path["projectId"]]
    return {"roles": [{k: val for k, val in r.items() if k != "permissions"} for r in roles]}


@routes.get(BASE + "/slug/{slug}")
def get_role_by_slug(store: Store, call: Call) -> Any:
    store.project(call.path["projectId"])
    for role in store.roles.values():
        if role["projectId"] == call.path["projectId"] and role["slug"] == call.path["slug"]:
            return {"role": dict(role)}
    raise not_found(f"Role with slug '{call.path['slug']}' not found")


@routes.get("/api/v1/projects/roles/{roleId}")
def get_role(store: Store, call: Call) -> Any:
    return {"role": dict(_role(store, call.path["roleId"]))}


@routes.patch(BASE + "/{roleId}")
def update_role(store: Store, call: Call) -> Any:
    role = _role(store, call.path["roleId"], call.path["projectId"])
    data = v.validate(
        call.body,
        {
            "slug": v.slug_schema(64, required=False, also=_not_reserved),
            "name": v.opt("string", check=v.length(1, 256)),
            "description": v.opt("string", nullable=True),
            "permissions": v.opt("array"),
        },
    )
    if "permissions" in data:
        data["permissions"] = _checked_permissions(data["permissions"])
    if "slug" in data and any(
        r["projectId"] == role["projectId"] and r["slug"] == data["slug"] and r["id"] != role["id"]
        for r in store.roles.values()
    ):
        raise bad_request("Project role with same slug already exists")
    for key in ("slug", "name"):
        if key in data:
            role[key] = data[key].strip()
    if "description" in data:
        role["description"] = (data["description"] or "").strip() or None
    if "permissions" in data:
        role["permissions"] = data["permissions"]
    role["updatedAt"] = now()
    return {"role": dict(role)}


@routes.delete(BASE + "/{roleId}")
def delete_role(store: Store, call: Call) -> Any:
    role = _role(store, call.path["roleId"], call.path["projectId"])
    if any(r.get("customRoleId") == role["id"] for m in store.memberships.values() for r in m["roles"]):
        raise bad_request(
            "The role is assigned to one or more identities. Make sure to unassign them before deleting the role."
        )
    del store.roles[role["id"]]
    return {"role": role}
