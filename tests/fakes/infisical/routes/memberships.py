"""Project memberships of machine identities (``/api/v2/workspace/{projectId}/identity-memberships``).

Errors follow backend/src/services/membership-identity/membership-identity-service.ts: a second membership
is 400 ``Identity is already a member``; update and delete of a missing one are 400 ``Identity doesn't have
membership``; a read of a missing one is 404 "Project membership for identity with ID '<id> in project
with ID '<project>' not found" (recorded verbatim, one quote short); every role temporary is 400; an
identity cannot delete its own membership. The create and delete answer with the bare row, reads with the
identity, the project and the role rows, the update with the bare role rows (`membership_roles`), as
backend/src/server/routes/v2/deprecated-identity-project-router.ts returns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import bad_request, not_found
from tests.fakes.infisical.routes.membership_roles import READ, WRITTEN, membership_roles, shown
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, auth_methods, new_id, now

routes = RouteTable()
PATH = "/api/v2/workspace/{projectId}/identity-memberships/{identityId}"


def _roles(value: Any) -> str | None:
    if not value:
        return "Array must contain at least 1 element(s)"
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("role"), str) or not item["role"]:
            return "Invalid role"
    return None


@routes.post(PATH)
def add_membership(store: Store, call: Call) -> Any:
    data = v.validate(call.body, {"roles": v.opt("array", check=_roles), "role": v.opt("string", "no-access")})
    project = store.project(call.path["projectId"])
    identity = store.identity(call.path["identityId"])
    key = (project["id"], identity["id"])
    _check_permanent(data)
    if key in store.memberships:
        raise bad_request("Identity is already a member")
    membership_id = new_id()
    membership = {
        "id": membership_id,
        "identityId": identity["id"],
        "projectId": project["id"],
        "roles": _membership_roles(store, project["id"], data, membership_id),
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.memberships[key] = membership
    return {"identityMembership": _row(membership)}


@routes.get(PATH)
def get_membership(store: Store, call: Call) -> Any:
    membership = store.memberships.get((call.path["projectId"], call.path["identityId"]))
    if membership is None:
        raise not_found(
            f"Project membership for identity with ID '{call.path['identityId']} in project with ID "
            f"'{call.path['projectId']}' not found"
        )
    return {"identityMembership": membership_view(store, membership)}


@routes.get("/api/v2/workspace/identity-memberships/{membershipId}")
def get_membership_by_id(store: Store, call: Call) -> Any:
    for membership in store.memberships.values():
        if membership["id"] == call.path["membershipId"]:
            return {"identityMembership": membership_view(store, membership)}
    raise not_found(f"Identity membership with ID '{call.path['membershipId']}' not found")


@routes.patch(PATH)
def update_membership(store: Store, call: Call) -> Any:
    data = v.validate(call.body, {"roles": v.req("array", _roles)})
    membership = _membership(store, call.path)
    _check_permanent(data)
    membership["roles"] = _membership_roles(store, membership["projectId"], data, membership["id"])
    membership["updatedAt"] = now()
    return {"roles": shown(membership["roles"], WRITTEN)}


@routes.delete(PATH)
def remove_membership(store: Store, call: Call) -> Any:
    membership = _membership(store, call.path)
    if membership["identityId"] == call.actor:
        raise bad_request("You can't delete your own membership")
    del store.memberships[(membership["projectId"], membership["identityId"])]
    return {"identityMembership": _row(membership)}


def _row(membership: Mapping[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in membership.items() if k != "roles"}


def _membership_roles(
    store: Store, project_id: str, data: Mapping[str, Any], membership_id: str
) -> list[dict[str, Any]]:
    """Built-in roles by name, custom roles by slug (see `membership_roles`)."""
    requested = data.get("roles") or [{"role": data.get("role", "no-access"), "isTemporary": False}]
    return membership_roles(store, project_id, requested, membership_id)


def _check_permanent(data: Mapping[str, Any]) -> None:
    if data.get("roles") and all(item.get("isTemporary") for item in data["roles"]):
        raise bad_request("Identity must have at least one permanent role")


def _membership(store: Store, path: Mapping[str, str]) -> dict[str, Any]:
    store.project(path["projectId"])
    store.identity(path["identityId"])
    membership = store.memberships.get((path["projectId"], path["identityId"]))
    if membership is None:
        raise bad_request("Identity doesn't have membership")
    return membership


def membership_view(store: Store, membership: dict[str, Any]) -> dict[str, Any]:
    identity = store.identities.get(membership["identityId"], {})
    project = store.projects.get(membership["projectId"], {})
    return {
        "id": membership["id"],
        "identityId": membership["identityId"],
        "identity": {
            "id": identity.get("id"),
            "name": identity.get("name"),
            "authMethods": auth_methods(store, identity.get("id")),
        },
        "project": {"id": project.get("id"), "name": project.get("name")},
        "roles": shown(membership["roles"], READ),
        "createdAt": membership["createdAt"],
        "updatedAt": membership["updatedAt"],
    }
