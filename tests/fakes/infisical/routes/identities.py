"""Machine identities (``/api/v1/identities``): the organisation-level identity, its org role and metadata.

Follows backend/src/server/routes/v1/identity-router.ts: ``name`` trimmed on create and update;
``metadata`` is ``[{key, value}]`` (both trimmed, non-empty), replaced as a whole when an update sends it,
and read back by GET as ``[{id, key, value}]`` (the create and update answers carry the bare identity row,
the update's with only the metadata it sent);
``POST /search`` filters by ``name`` and ``role`` (a plain string or ``$eq``/``$contains``/``$in``;
there is no metadata filter) and pages with ``limit`` (at most 100, default 50) and ``offset``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import not_found
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, auth_methods, new_id, now

routes = RouteTable()

ORG_ROLES = ("no-access", "member", "admin")
KEY_VALUE = ("key", "value")


def _metadata_issue(items: list[Any]) -> str | None:
    for item in items:
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k].strip() for k in KEY_VALUE):
            return "Metadata entries need a non-empty key and value"
    return None


METADATA = v.opt("array", check=_metadata_issue)


@routes.post("/api/v1/identities")
def create_identity(store: Store, call: Call) -> Any:
    data = v.validate(
        call.body,
        {
            "name": v.req("string", v.length(1, 64), v.trim),
            "organizationId": v.req("string", transform=v.trim),
            "role": v.opt("string", "no-access", transform=v.trim),
            "metadata": METADATA,
        },
    )
    if data["organizationId"] != store.org_id:
        raise not_found(f"Organization with ID '{data['organizationId']}' not found")
    _check_role(data)
    identity = {
        "id": new_id(),
        "name": data["name"],
        "orgId": store.org_id,
        "role": data["role"],
        "metadata": _stored_metadata(data.get("metadata") or []),
        "createdAt": now(),
        "updatedAt": now(),
        "_membershipId": new_id(),
    }
    store.identities[identity["id"]] = identity
    return {"identity": {**identity_row(identity), "authMethods": auth_methods(store, identity["id"])}}


@routes.get("/api/v1/identities/{identityId}")
def get_identity(store: Store, call: Call) -> Any:
    return {"identity": _membership_view(store, store.identity(call.path["identityId"]))}


@routes.post("/api/v1/identities/search")
def search_identities(store: Store, call: Call) -> Any:
    data = v.validate(
        call.body,
        {
            "limit": v.opt("number", 50, v.int_range(1, 100)),
            "offset": v.opt("number", 0, v.int_range(0, 1_000_000)),
            "search": v.opt("object", {}),
        },
    )
    search = data["search"]
    found = sorted(
        (
            i
            for i in store.identities.values()
            if _filter_holds(i["name"], search.get("name")) and _filter_holds(i["role"], search.get("role"))
        ),
        key=lambda i: i["name"],
    )
    page = found[data["offset"] : data["offset"] + data["limit"]]
    return {"identities": [_membership_view(store, i, metadata=False) for i in page], "totalCount": len(found)}


@routes.patch("/api/v1/identities/{identityId}")
def update_identity(store: Store, call: Call) -> Any:
    identity = store.identity(call.path["identityId"])
    data = v.validate(
        call.body,
        {
            "name": v.opt("string", check=v.length(1, 64), transform=v.trim),
            "role": v.opt("string", transform=v.trim),
            "metadata": METADATA,
        },
    )
    _check_role(data)
    if "metadata" in data:
        data["metadata"] = _stored_metadata(data["metadata"])
    identity.update(data, updatedAt=now())
    return {"identity": {**identity_row(identity), "metadata": data.get("metadata", [])}}


@routes.delete("/api/v1/identities/{identityId}")
def delete_identity(store: Store, call: Call) -> Any:
    identity = store.identity(call.path["identityId"])
    store.oidc_auths.pop(identity["id"], None)
    for key in [k for k in store.memberships if k[1] == identity["id"]]:
        store.memberships.pop(key)
    store.universal_auth_configs.pop(identity["id"], None)
    del store.identities[identity["id"]]
    return {"identity": {k: val for k, val in identity_row(identity).items() if k != "metadata"}}


def identity_row(identity: Mapping[str, Any]) -> dict[str, Any]:
    """The ``identities`` row as the create, update and delete answers carry it."""
    return {
        "id": identity["id"],
        "name": identity["name"],
        "orgId": identity["orgId"],
        "authMethod": None,
        "hasDeleteProtection": False,
        "projectId": None,
        "metadata": [dict(entry) for entry in identity["metadata"]],
        "createdAt": identity["createdAt"],
        "updatedAt": identity["updatedAt"],
    }


def _membership_view(store: Store, identity: Mapping[str, Any], *, metadata: bool = True) -> dict[str, Any]:
    """The org membership row GET (with metadata) and search (without) answer with, the identity inside."""
    view = {
        "id": identity["_membershipId"],
        "identityId": identity["id"],
        "orgId": identity["orgId"],
        "role": identity["role"],
        "roleId": None,
        "lastLoginAuthMethod": None,
        "lastLoginTime": None,
        "identity": {
            "id": identity["id"],
            "name": identity["name"],
            "orgId": identity["orgId"],
            "authMethods": auth_methods(store, identity["id"]),
            "activeLockoutAuthMethods": [],
            "hasDeleteProtection": False,
        },
        "createdAt": identity["createdAt"],
        "updatedAt": identity["updatedAt"],
    }
    if metadata:
        view["metadata"] = [dict(entry) for entry in identity["metadata"]]
    return view


def _stored_metadata(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": new_id(), "key": item["key"].strip(), "value": item["value"].strip()} for item in items]


def _filter_holds(actual: str, condition: Any) -> bool:
    if condition is None:
        return True
    if isinstance(condition, str):
        return actual == condition
    if not isinstance(condition, dict):
        return False
    checks = {
        "$eq": lambda operand: actual == operand,
        "$contains": lambda operand: str(operand).lower() in actual.lower(),
        "$in": lambda operand: actual in operand,
    }
    return all(checks[op](operand) for op, operand in condition.items() if op in checks)


def _check_role(data: Mapping[str, Any]) -> None:
    if "role" in data and data["role"] not in ORG_ROLES:
        raise not_found(f"Role with slug '{data['role']}' not found")
