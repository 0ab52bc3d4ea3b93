"""Universal auth of a machine identity: attach, read, and client secrets to log in with.

Follows backend/src/server/routes/v1/identity-universal-auth-router.ts (every attach field optional, with
the defaults below; trusted IPs stored split as OIDC auth stores them) and
backend/src/services/identity-ua/identity-ua-service.ts (a second attach is 400; a client secret is shown
once, in the answer that makes it, with a four-character prefix kept). The login lives in `logins`.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import bad_request, not_found
from tests.fakes.infisical.routes.oidc_auth import ANYWHERE, TTL_MAX, trusted_ips
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now

routes = RouteTable()
PATH = "/api/v1/auth/universal-auth/identities/{identityId}"


def _anywhere() -> list[dict[str, str]]:
    return [{"ipAddress": ip} for ip in ANYWHERE]


ATTACH = {
    "accessTokenTTL": v.opt("number", 2_592_000, v.int_range(0, TTL_MAX)),
    "accessTokenMaxTTL": v.opt("number", 2_592_000, v.int_range(0, TTL_MAX)),
    "accessTokenNumUsesLimit": v.opt("number", 0, v.int_range(0, 1_000_000_000)),
    "accessTokenPeriod": v.opt("number", 0, v.int_range(0, TTL_MAX)),
    "accessTokenTrustedIps": v.opt("array", _anywhere),
    "clientSecretTrustedIps": v.opt("array", _anywhere),
    "lockoutEnabled": v.opt("boolean", True),
    "lockoutThreshold": v.opt("number", 3, v.int_range(1, 30)),
    "lockoutDurationSeconds": v.opt("number", 300, v.int_range(30, 86_400)),
    "lockoutCounterResetSeconds": v.opt("number", 30, v.int_range(5, 3_600)),
}


def _identity(store: Store, identity_id: str) -> None:
    if identity_id not in store.identities:
        raise not_found(f"Failed to find identity with ID {identity_id}")


def _config(store: Store, identity_id: str) -> dict[str, Any]:
    _identity(store, identity_id)
    config = store.universal_auth_configs.get(identity_id)
    if config is None:
        raise bad_request("The identity does not have universal auth")
    return config


@routes.post(PATH)
def attach(store: Store, call: Call) -> Any:
    data = v.validate(call.body, ATTACH)
    identity_id = call.path["identityId"]
    _identity(store, identity_id)
    if identity_id in store.universal_auth_configs:
        raise bad_request("Failed to add universal auth to already configured identity")
    config = {
        "id": new_id(),
        "clientId": new_id(),
        "identityId": identity_id,
        **data,
        "accessTokenTrustedIps": trusted_ips(store, data["accessTokenTrustedIps"]),
        "clientSecretTrustedIps": trusted_ips(store, data["clientSecretTrustedIps"]),
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.universal_auth_configs[identity_id] = config
    return {"identityUniversalAuth": dict(config)}


@routes.get(PATH)
def read(store: Store, call: Call) -> Any:
    return {"identityUniversalAuth": dict(_config(store, call.path["identityId"]))}


@routes.post(PATH + "/client-secrets")
def create_client_secret(store: Store, call: Call) -> Any:
    data = v.validate(
        call.body,
        {
            "description": v.opt("string", ""),
            "numUsesLimit": v.opt("number", 0, v.int_range(0, 1_000_000_000)),
            "ttl": v.opt("number", 0, v.int_range(0, TTL_MAX)),
        },
    )
    config = _config(store, call.path["identityId"])
    client_secret = secrets.token_hex(32)
    store.client_secrets[client_secret] = config["clientId"]
    data_row = {
        "id": new_id(),
        "identityUAId": config["id"],
        "description": data["description"],
        "clientSecretPrefix": client_secret[:4],
        "clientSecretNumUses": 0,
        "clientSecretNumUsesLimit": data["numUsesLimit"],
        "clientSecretTTL": data["ttl"],
        "isClientSecretRevoked": False,
        "createdAt": now(),
        "updatedAt": now(),
    }
    return {"clientSecret": client_secret, "clientSecretData": data_row}
