"""Project memberships of users: added by username, found by username, read/updated/removed by id.

Follows backend/src/server/routes/v2/deprecated-project-membership-router.ts (``POST
/api/v2/workspace/{projectId}/memberships`` with ``emails``/``usernames``, which must be lowercase, and
``roleSlugs``, default ``member``; a username the organization does not know is invited, with no
organization access) and backend/src/server/routes/v1/project-membership-router.ts (``POST
.../memberships/details`` by username, 404 when the user is no member; ``GET``/``PATCH``/``DELETE
.../memberships/{membershipId}``; the update answers with the role rows). Adding a user who is already a
member is 400, as the membership service refuses a second membership.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import bad_request, not_found
from tests.fakes.infisical.routes.membership_roles import READ, WRITTEN, membership_roles, shown
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now

routes = RouteTable()
MEMBERSHIP = "/api/v1/workspace/{projectId}/memberships/{membershipId}"


def _lowercase(what: str) -> v.Check:
    def check(value: Any) -> str | None:
        ok = isinstance(value, list) and all(isinstance(x, str) and x == x.lower() for x in value)
        return None if ok else f"{what} must be lowercase"

    return check


def permanent_roles(value: Any) -> str | None:
    """The role list of an update: at least one item, one of them long-lived."""
    if not value or not all(isinstance(item, dict) and isinstance(item.get("role"), str) for item in value):
        return "Array must contain at least 1 element(s)"
    if all(item.get("isTemporary") for item in value):
        return "At least one long lived role is required"
    return None


def user(store: Store, username: str) -> dict[str, Any]:
    """The organization's user with ``username`` (or that email), invited if unknown."""
    for known in store.users.values():
        if username in (known["username"], known["email"]):
            return known
    invited: dict[str, Any] = {
        "id": new_id(),
        "username": username,
        "email": username if "@" in username else None,
        "firstName": None,
        "lastName": None,
        "invited": True,
    }
    store.users[invited["id"]] = invited
    return invited


def _view(store: Store, membership: dict[str, Any], *, details: bool = False) -> dict[str, Any]:
    """A read's view; the lookup by username (``details``) shows the user's public key and no times."""
    person = store.users[membership["userId"]]
    user = {key: person.get(key) for key in ("id", "username", "email", "firstName", "lastName")}
    view = {
        "id": membership["id"],
        "projectId": membership["projectId"],
        "userId": membership["userId"],
        "user": {**user, "publicKey": ""} if details else user,
        "roles": shown(membership["roles"], READ),
    }
    return view if details else {**view, "createdAt": membership["createdAt"]}


def _membership(store: Store, call: Call) -> dict[str, Any]:
    membership = store.user_memberships.get(call.path["membershipId"])
    if membership is None or membership["projectId"] != call.path["projectId"]:
        raise not_found("Project membership not found")
    return membership


@routes.post("/api/v2/workspace/{projectId}/memberships")
def add_users(store: Store, call: Call) -> Any:
    project = store.project(call.path["projectId"])
    data = v.validate(
        call.body,
        {
            "emails": v.opt("array", [], _lowercase("Email")),
            "usernames": v.opt("array", [], _lowercase("Username")),
            "roleSlugs": v.opt("array"),
        },
    )
    requested = [{"role": slug, "isTemporary": False} for slug in data.get("roleSlugs") or ["member"]]
    added = []
    for name in [*data["emails"], *data["usernames"]]:
        person = user(store, name)
        if any(
            m["userId"] == person["id"] and m["projectId"] == project["id"] for m in store.user_memberships.values()
        ):
            raise bad_request(f"User {name} is already a member of the project")
        membership_id = new_id()
        membership = {
            "id": membership_id,
            "userId": person["id"],
            "projectId": project["id"],
            "roles": membership_roles(store, project["id"], requested, membership_id),
            "createdAt": now(),
            "updatedAt": now(),
        }
        store.user_memberships[membership["id"]] = membership
        added.append({k: val for k, val in membership.items() if k != "roles"})
    return {"memberships": added}


@routes.post("/api/v1/workspace/{projectId}/memberships/details")
def find_by_username(store: Store, call: Call) -> Any:
    data = v.validate(call.body, {"username": v.req("string", v.length(1, 256))})
    for membership in store.user_memberships.values():
        person = store.users[membership["userId"]]
        if membership["projectId"] == call.path["projectId"] and data["username"] in (
            person["username"],
            person["email"],
        ):
            return {"membership": _view(store, membership, details=True)}
    raise not_found(f"Project membership for user with username {data['username']} not found")


@routes.get(MEMBERSHIP)
def get_membership(store: Store, call: Call) -> Any:
    return {"membership": _view(store, _membership(store, call))}


@routes.patch(MEMBERSHIP)
def update_membership(store: Store, call: Call) -> Any:
    membership = _membership(store, call)
    data = v.validate(call.body, {"roles": v.req("array", permanent_roles)})
    membership["roles"] = membership_roles(store, membership["projectId"], data["roles"], membership["id"])
    membership["updatedAt"] = now()
    return {"roles": shown(membership["roles"], WRITTEN)}


@routes.delete(MEMBERSHIP)
def remove_membership(store: Store, call: Call) -> Any:
    membership = _membership(store, call)
    del store.user_memberships[membership["id"]]
    return {"membership": {k: val for k, val in membership.items() if k != "roles"}}
