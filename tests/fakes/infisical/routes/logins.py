"""Machine-identity logins: universal auth and OIDC auth, each answering with an access token.

Bodies and answers follow backend/src/server/routes/v1/identity-universal-auth-router.ts and
identity-oidc-auth-router.ts (``{accessToken, expiresIn, accessTokenMaxTTL, tokenType: "Bearer"}``); bad client
credentials are 401 (backend/src/services/identity-ua/identity-ua-service.ts). A universal-auth login takes
the client id of an identity's universal auth (`routes.universal_auth`) with one of its client secrets, or
credentials a test made with `FakeInfisical.add_universal_auth`.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import ApiError, not_found
from tests.fakes.infisical.oidc import verify_login
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store

routes = RouteTable()


@routes.post("/api/v1/auth/universal-auth/login", auth=False)
def universal_login(store: Store, call: Call) -> Any:
    data = v.validate(call.body, {"clientId": v.req("string"), "clientSecret": v.req("string")})
    client_id, secret = data["clientId"], data["clientSecret"]
    entry = store.universal_auth.get(client_id)
    if entry is not None and secrets.compare_digest(entry[0], secret):
        return _token_response(store, entry[1])
    config = next((c for c in store.universal_auth_configs.values() if c["clientId"] == client_id), None)
    if config is None or store.client_secrets.get(secret) != client_id:
        raise ApiError(401, "Invalid credentials", "UnauthorizedError")
    return _token_response(store, config["identityId"], config["accessTokenTTL"])


@routes.post("/api/v1/auth/oidc-auth/login", auth=False)
def oidc_login(store: Store, call: Call) -> Any:
    data = v.validate(call.body, {"identityId": v.req("string"), "jwt": v.req("string")})
    config = store.oidc_auths.get(data["identityId"])
    if config is None:
        raise not_found("OIDC auth method not found for identity, did you configure OIDC auth?")
    verify_login(store, config, data["jwt"])
    return _token_response(store, data["identityId"], config["accessTokenTTL"])


def _token_response(store: Store, identity_id: str, ttl: int | None = None) -> dict[str, Any]:
    token, lifetime = store.issue_token(identity_id, ttl)
    return {"accessToken": token, "expiresIn": lifetime, "accessTokenMaxTTL": lifetime, "tokenType": "Bearer"}
