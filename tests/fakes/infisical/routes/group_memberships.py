"""Groups (``/api/v1/groups``) and their project memberships (``/api/v2/workspace/{projectId}/groups/{groupId}``).

Creating a group follows backend/src/ee/services/group/group-service.ts: without the ``groups`` feature
in the plan (``store.plan_groups`` off, a server without a licence) it is 400 "Failed to create group due
to plan restriction. Upgrade plan to create group." (recorded). The create and delete answer with the bare
group row. A project membership follows backend/src/server/routes/v2/group-project-router.ts: the body
takes ``role`` (default ``no-access``) or ``roles``; the update takes ``roles`` (at least one) and answers
with the role rows; the group is named by its id or its slug. A group the organization does not have is
404, a second membership 400.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import bad_request, not_found
from tests.fakes.infisical.routes.membership_roles import GROUP_READ, WRITTEN, membership_roles, shown
from tests.fakes.infisical.routes.user_memberships import permanent_roles
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now

routes = RouteTable()
PATH = "/api/v2/workspace/{projectId}/groups/{groupId}"
PLAN_REFUSAL = "Failed to create group due to plan restriction. Upgrade plan to create group."


def add_group(store: Store, slug: str, name: str | None = None) -> dict[str, Any]:
    """Test control: a group of the organization."""
    group = {"id": new_id(), "slug": slug, "name": name or slug, "orgId": store.org_id, "createdAt": now()}
    group["updatedAt"] = group["createdAt"]
    store.groups[group["id"]] = group
    return group


GROUP_BODY = {
    "name": v.req("string", v.length(1, 50), v.trim),
    "slug": v.slug_schema(36, required=False),
    "role": v.opt("string", "no-access"),
}


@routes.post("/api/v1/groups")
def create_group(store: Store, call: Call) -> Any:
    data = v.validate(call.body, GROUP_BODY)
    if not store.plan_groups:
        raise bad_request(PLAN_REFUSAL)
    slug = data.get("slug") or data["name"].lower().replace(" ", "-")
    if any(g["slug"] == slug for g in store.groups.values()):
        raise bad_request(f"Failed to create group with slug {slug}")
    return add_group(store, slug, data["name"])


@routes.delete("/api/v1/groups/{groupId}")
def delete_group(store: Store, call: Call) -> Any:
    group = _group(store, call.path["groupId"])
    for membership_id in [m["id"] for m in store.group_memberships.values() if m["groupId"] == group["id"]]:
        del store.group_memberships[membership_id]
    del store.groups[group["id"]]
    return dict(group)


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


def _row(membership: dict[str, Any]) -> dict[str, Any]:
    return {k: val for k, val in membership.items() if k != "roles"}


@routes.post(PATH)
def add_group_to_project(store: Store, call: Call) -> Any:
    data = v.validate(call.body, {"role": v.opt("string", "no-access"), "roles": v.opt("array", check=permanent_roles)})
    project = store.project(call.path["projectId"])
    group = _group(store, call.path["groupId"])
    if any(m["groupId"] == group["id"] and m["projectId"] == project["id"] for m in store.group_memberships.values()):
        raise bad_request(f"Group with slug {group['slug']} already exists in project with id {project['id']}")
    requested = data.get("roles") or [{"role": data["role"], "isTemporary": False}]
    membership_id = new_id()
    membership = {
        "id": membership_id,
        "groupId": group["id"],
        "projectId": project["id"],
        "roles": membership_roles(store, project["id"], requested, membership_id),
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.group_memberships[membership["id"]] = membership
    return {"groupMembership": _row(membership)}


@routes.get(PATH)
def get_group_in_project(store: Store, call: Call) -> Any:
    membership = _membership(store, call)
    group = store.groups[membership["groupId"]]
    view = {k: val for k, val in _row(membership).items() if k != "projectId"}
    group_view = {"id": group["id"], "name": group["name"], "slug": group["slug"]}
    return {"groupMembership": {**view, "group": group_view, "roles": shown(membership["roles"], GROUP_READ)}}


@routes.patch(PATH)
def update_group_in_project(store: Store, call: Call) -> Any:
    data = v.validate(call.body, {"roles": v.req("array", permanent_roles)})
    membership = _membership(store, call)
    membership["roles"] = membership_roles(store, membership["projectId"], data["roles"], membership["id"])
    membership["updatedAt"] = now()
    return {"roles": shown(membership["roles"], WRITTEN)}


@routes.delete(PATH)
def remove_group_from_project(store: Store, call: Call) -> Any:
    membership = _membership(store, call)
    del store.group_memberships[membership["id"]]
    return {"groupMembership": _row(membership)}
