"""Custom project roles: the routes of Infisical's project role router and custom roles in memberships.

Modelled on ``backend/src/ee/routes/v1/project-role-router.ts`` (routes and body schema) and
``backend/src/services/role/role-service.ts`` (plan check, duplicate slug), with the membership side
from the identity project membership service:

* Without RBAC in the plan (``store.plan_rbac = False``, Infisical's free and self-hosted community
  editions), creating a custom role is 400 "Failed to create custom role due to plan RBAC restriction.
  Upgrade to Infisical Enterprise plan to create custom roles.", and assigning one to an identity is 400
  "Failed to assign custom role to identity due to plan RBAC restriction…".
* Slugs of built-in roles are reserved (422); a second role with the same slug is 400 "already exists".
* Condition operators other than ``$eq``, ``$ne``, ``$in``, ``$glob`` are dropped without an error,
  as zod drops unknown keys of the permission schema (``ProjectPermissionV2Schema``); the condition
  that is left, ``{}``, then matches everything (see `permissions`).
* A role still assigned to a membership cannot be deleted (400).
* In a membership a custom role reads back as ``role: "custom"`` with ``customRoleId`` and
  ``customRoleSlug``; an unknown slug is 404 "One or more custom roles not found".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import ApiError, bad_request, not_found
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now

routes = RouteTable()
BASE = "/api/v1/projects/{projectId}/roles"

BUILT_IN = ("admin", "member", "viewer", "no-access")
RESERVED = (*BUILT_IN, "custom")
OPERATORS = ("$eq", "$ne", "$in", "$glob")
ROLE_REFUSAL = (
    "Failed to create custom role due to plan RBAC restriction. Upgrade to Infisical Enterprise plan to create "
    "custom roles."
)
ASSIGN_REFUSAL = (
    "Failed to assign custom role to identity due to plan RBAC restriction. Upgrade to Infisical Enterprise to "
    "assign custom roles."
)


def _not_reserved(value: Any) -> str | None:
    return "Please choose a different slug, the slug you have entered is reserved" if value in RESERVED else None


def _permissions(value: Any) -> str | None:
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("subject"), str):
            return "Invalid permission"
        action = item.get("action")
        if not isinstance(action, list) or not action or not all(isinstance(a, str) for a in action):
            return "Invalid permission action"
        if "conditions" in item and not isinstance(item["conditions"], dict):
            return "Invalid permission conditions"
    return None


def _stored(permission: Mapping[str, Any]) -> dict[str, Any]:
    """A permission as the schema leaves it: unknown operator keys gone, inverted only when true."""
    stored: dict[str, Any] = {"subject": permission["subject"], "action": list(permission["action"])}
    conditions = permission.get("conditions")
    if conditions:
        stored["conditions"] = {
            field: {op: operand for op, operand in cond.items() if op in OPERATORS} if isinstance(cond, dict) else cond
            for field, cond in conditions.items()
        }
    if permission.get("inverted"):
        stored["inverted"] = True
    return stored


def _role(store: Store, role_id: str, project_id: str | None = None) -> dict[str, Any]:
    role = store.roles.get(role_id)
    if role is None or (project_id is not None and role["projectId"] != project_id):
        raise not_found(f"Project role with ID '{role_id}' not found")
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
            "permissions": v.req("array", _permissions),
        },
    )
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
        "permissions": [_stored(p) for p in data["permissions"]],
        "version": 1,
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.roles[role["id"]] = role
    return {"role": dict(role)}


@routes.get(BASE)
def list_roles(store: Store, call: Call) -> Any:
    store.project(call.path["projectId"])
    roles = [r for r in store.roles.values() if r["projectId"] == call.path["projectId"]]
    return {"roles": [{k: val for k, val in r.items() if k not in ("permissions", "version")} for r in roles]}


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
            "permissions": v.opt("array", check=_permissions),
        },
    )
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
        role["permissions"] = [_stored(p) for p in data["permissions"]]
    role["version"] += 1
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


def membership_roles(store: Store, project_id: str, requested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Membership role rows for the requested slugs, built-in or custom (custom needs RBAC and must exist)."""
    custom_slugs = [item["role"] for item in requested if item["role"] not in BUILT_IN]
    if custom_slugs and not store.plan_rbac:
        raise bad_request(ASSIGN_REFUSAL)
    by_slug = {r["slug"]: r for r in store.roles.values() if r["projectId"] == project_id}
    if any(slug not in by_slug for slug in custom_slugs):
        raise ApiError(404, "One or more custom roles not found", "NotFound")
    rows = []
    for item in requested:
        custom = by_slug.get(item["role"]) if item["role"] not in BUILT_IN else None
        rows.append(
            {
                "id": new_id(),
                "role": "custom" if custom else item["role"],
                "customRoleId": custom["id"] if custom else None,
                "customRoleSlug": custom["slug"] if custom else None,
                "customRoleName": custom["name"] if custom else None,
                "isTemporary": bool(item.get("isTemporary")),
                "createdAt": now(),
            }
        )
    return rows
