"""Machine identities (``/api/v1/identities``): the organisation-level identity and its org role."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import not_found
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, auth_methods, new_id, now

routes = RouteTable()

ORG_ROLES = ("no-access", "member", "admin")


@routes.post("/api/v1/identities")
def create_identity(store: Store, call: Call) -> Any:
    data = v.validate(
        call.body,
        {
            "name": v.req("string", v.length(1, 64)),
            "organizationId": v.req("string"),
            "role": v.opt("string", "no-access"),
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
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.identities[identity["id"]] = identity
    return {"identity": identity_view(store, identity)}


@routes.get("/api/v1/identities/{identityId}")
def get_identity(store: Store, call: Call) -> Any:
    identity = store.identity(call.path["identityId"])
    return {
        "identity": {
            "id": new_id(),
            "orgId": identity["orgId"],
            "role": identity["role"],
            "customRole": None,
            "identity": identity_view(store, identity),
            "createdAt": identity["createdAt"],
        }
    }


@routes.patch("/api/v1/identities/{identityId}")
def update_identity(store: Store, call: Call) -> Any:
    identity = store.identity(call.path["identityId"])
    data = v.validate(call.body, {"name": v.opt("string", check=v.length(1, 64)), "role": v.opt("string")})
    _check_role(data)
    identity.update(data, updatedAt=now())
    return {"identity": identity_view(store, identity)}


@routes.delete("/api/v1/identities/{identityId}")
def delete_identity(store: Store, call: Call) -> Any:
    identity = store.identity(call.path["identityId"])
    store.oidc_auths.pop(identity["id"], None)
    for key in [k for k in store.memberships if k[1] == identity["id"]]:
        store.memberships.pop(key)
    del store.identities[identity["id"]]
    return {"identity": identity_view(store, identity)}


def identity_view(store: Store, identity: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": identity["id"],
        "name": identity["name"],
        "orgId": identity["orgId"],
        "authMethods": auth_methods(store, identity["id"]),
    }


def _check_role(data: Mapping[str, Any]) -> None:
    if "role" in data and data["role"] not in ORG_ROLES:
        raise not_found(f"Role with slug '{data['role']}' not found")
