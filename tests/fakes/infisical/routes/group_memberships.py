"""Project memberships of groups (``/api/v2/workspace/{projectId}/groups/{groupId}``).

Follows backend/src/server/routes/v2/group-project-router.ts: the body takes ``role`` (default
``no-access``) or ``roles``; the update takes ``roles`` (at least one) and answers with the role rows; the
group is named by id or slug. A group the organization does not have is 404, a second membership 400.
Groups are a paid feature: with ``store.plan_groups`` off (a plan without groups) adding a group is 400
with a plan-restriction message, as the group project service refuses it when the license has no
``groups`` feature.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import bad_request, not_found
from tests.fakes.infisical.routes import roles
from tests.fakes.infisical.routes.user_memberships import permanent_roles
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now

routes = RouteTable()
PATH = "/api/v2/workspace/{projectId}/groups/{groupId}"
PLAN_REFUSAL = "Failed to add group to project due to plan restriction. Upgrade plan to add group to project."


def add_group(store: Store, slug: str, name: str | None = None) -> dict[str, Any]:
    """Test control: a group of the organization."""
    group = {"id": new_id(), "slug": slug, "name": name or slug, "orgId": store.org_id}
    store.groups[group["id"]] = group
    return group


def _group(store: Store, id_or_slug: str) -> dict[str, Any]:
    for group in store.groups.values():
        if id_or_slug in (group["id"], group["slug"]):
            return group
    raise not_found(f"Group with ID {id_or_slug} not found")


def _membership(store: Store, call: Call) -> dict[str, Any]:
    group = _group(store, call.path["groupId"])
    for membership in store.group_memberships.values():
        if membership["groupId"] == group["id"] and membership["projectId"] == call.path["projectId"]:
            return membership
    raise not_found(f"Group with ID {group['id']} is not a member of the project")


def _view(store: Store, membership: dict[str, Any]) -> dict[str, Any]:
    group = store.groups[membership["groupId"]]
    return {**membership, "group": {"id": group["id"], "name": group["name"], "slug": group["slug"]}}


@routes.post(PATH)
def add_group_to_project(store: Store, call: Call) -> Any:
    project = store.project(call.path["projectId"])
    if not store.plan_groups:
        raise bad_request(PLAN_REFUSAL)
    group = _group(store, call.path["groupId"])
    data = v.validate(call.body, {"role": v.opt("string", "no-access"), "roles": v.opt("array", check=permanent_roles)})
    if any(m["groupId"] == group["id"] and m["projectId"] == project["id"] for m in store.group_memberships.values()):
        raise bad_request(f"Group with slug {group['slug']} already exists in project with id {project['id']}")
    requested = data.get("roles") or [{"role": data["role"], "isTemporary": False}]
    membership = {
        "id": new_id(),
        "groupId": group["id"],
        "projectId": project["id"],
        "roles": roles.membership_roles(store, project["id"], requested),
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.group_memberships[membership["id"]] = membership
    return {"groupMembership": {k: val for k, val in membership.items() if k != "roles"}}


@routes.get(PATH)
def get_group_in_project(store: Store, call: Call) -> Any:
    return {"groupMembership": _view(store, _membership(store, call))}


@routes.patch(PATH)
def update_group_in_project(store: Store, call: Call) -> Any:
    membership = _membership(store, call)
    data = v.validate(call.body, {"roles": v.req("array", permanent_roles)})
    membership["roles"] = roles.membership_roles(store, membership["projectId"], data["roles"])
    membership["updatedAt"] = now()
    return {"roles": membership["roles"]}


@routes.delete(PATH)
def remove_group_from_project(store: Store, call: Call) -> Any:
    membership = _membership(store, call)
    del store.group_memberships[membership["id"]]
    return {"groupMembership": {k: val for k, val in membership.items() if k != "roles"}}
