"""OIDC auth configuration of a machine identity (``/api/v1/auth/oidc-auth/identities/{identityId}``).

Normalisation follows backend/src/server/routes/v1/identity-oidc-auth-router.ts (``caCert`` trimmed,
defaults, a TTL above the max TTL refused by the body schema with 422 (on attach always, on update when
both are sent), the revoke answer without ``caCert``) and
backend/src/services/identity-oidc-auth/identity-oidc-auth-service.ts (comma lists rewritten with ``", "``,
trusted IPs checked against the plan and stored split). Attaching, or changing the discovery URL, needs
an issuer the server can reach (`discovery.reach_at_attach`: 400 for a refused address, 500 for one it
cannot reach). The body is validated before anything else (422), then the identity is looked up (404
"Failed to find identity with ID <id>").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.discovery import reach_at_attach
from tests.fakes.infisical.errors import ApiError, bad_request, not_found
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now

routes = RouteTable()
PATH = "/api/v1/auth/oidc-auth/identities/{identityId}"

TTL_MAX = 315_360_000
ANYWHERE = ("0.0.0.0/0", "::/0")


def _string_map(value: Any) -> str | None:
    return None if all(isinstance(item, str) for item in value.values()) else "Expected string values"


def _at_least_one(value: Any) -> str | None:
    return None if value else "Array must contain at least 1 element(s)"


def _rules(required: bool) -> dict[str, v.Rule]:
    """The attach body; the update body is the same with every field optional and no defaults."""

    def rule(kind: str, default: Any = None, check: v.Check | None = None) -> v.Rule:
        if required and default is None:
            return v.req(kind, check)
        return v.opt(kind, default if required else v.MISSING, check)

    return {
        "oidcDiscoveryUrl": rule("string", check=v.pattern(r"^https?://.+", "Invalid url")),
        "boundIssuer": rule("string"),
        "boundClaims": rule("object", check=_string_map),
        "boundAudiences": rule("string", ""),
        "boundSubject": rule("string", ""),
        "claimMetadataMapping": v.opt("object", check=_string_map, nullable=True),
        "caCert": rule("string", ""),
        "accessTokenTTL": rule("number", 2_592_000, v.int_range(0, TTL_MAX)),
        "accessTokenMaxTTL": rule("number", 2_592_000, v.int_range(0, TTL_MAX)),
        "accessTokenNumUsesLimit": rule("number", 0, v.int_range(0, 1_000_000_000)),
        "accessTokenTrustedIps": rule("array", lambda: [{"ipAddress": ip} for ip in ANYWHERE], _at_least_one),
    }


@routes.post(PATH)
def attach_oidc(store: Store, call: Call) -> Any:
    data = v.validate(call.body, _rules(required=True))
    _refine_ttls(data["accessTokenTTL"], data["accessTokenMaxTTL"])
    identity = _identity(store, call.path["identityId"])
    if identity["id"] in store.oidc_auths:
        raise bad_request("Failed to add OIDC Auth to already configured identity")
    _check_ttls(data)
    normal = _normal(store, data)
    reach_at_attach(store, data["oidcDiscoveryUrl"])
    auth = {
        "id": new_id(),
        "identityId": identity["id"],
        "claimMetadataMapping": None,
        **normal,
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.oidc_auths[identity["id"]] = auth
    return {"identityOidcAuth": auth}


@routes.get(PATH)
def get_oidc(store: Store, call: Call) -> Any:
    return {"identityOidcAuth": _oidc(store, call.path["identityId"])}


@routes.patch(PATH)
def update_oidc(store: Store, call: Call) -> Any:
    data = v.validate(call.body, _rules(required=False))
    if data.get("accessTokenTTL") and data.get("accessTokenMaxTTL"):
        _refine_ttls(data["accessTokenTTL"], data["accessTokenMaxTTL"])
    auth = _oidc(store, call.path["identityId"])
    merged = {**auth, **_normal(store, data)}
    _check_ttls(merged)
    if data.get("oidcDiscoveryUrl") not in (None, auth["oidcDiscoveryUrl"]):
        reach_at_attach(store, data["oidcDiscoveryUrl"])
    auth.update(merged, updatedAt=now())
    return {"identityOidcAuth": auth}


@routes.delete(PATH)
def revoke_oidc(store: Store, call: Call) -> Any:
    auth = _oidc(store, call.path["identityId"])
    del store.oidc_auths[call.path["identityId"]]
    return {"identityOidcAuth": {k: val for k, val in auth.items() if k != "caCert"}}


def _normal(store: Store, data: Mapping[str, Any]) -> dict[str, Any]:
    normal = dict(data)
    if "caCert" in normal:
        normal["caCert"] = normal["caCert"].strip()
    if "accessTokenTrustedIps" in normal:
        normal["accessTokenTrustedIps"] = trusted_ips(store, normal["accessTokenTrustedIps"])
    if "boundClaims" in normal:
        normal["boundClaims"] = {
            key: ", ".join(part.strip() for part in value.split(",") if part.strip())
            for key, value in normal["boundClaims"].items()
        }
    return normal


def trusted_ips(store: Store, entries: list[Any]) -> list[dict[str, Any]]:
    """Ranges other than "anywhere" need the ``ipAllowlisting`` plan, every entry must be an address or a
    CIDR block, and each is stored split by ``extractIPDetails`` (backend/src/lib/ip/index.ts)."""
    stored = []
    for entry in entries:
        address = str(entry.get("ipAddress", "") if isinstance(entry, dict) else "").strip()
        if not store.ip_allowlisting and address not in ANYWHERE:
            raise bad_request(
                "Failed to add IP access range to access token due to plan restriction. "
                "Upgrade plan to add IP access range."
            )
        try:
            details = ip_details(address)
        except ValueError:
            raise bad_request("The IP is not a valid IPv4, IPv6, or CIDR block") from None
        stored.append(details)
    return stored


def _refine_ttls(ttl: int, max_ttl: int) -> None:
    if ttl > max_ttl:
        message = "Access Token TTL cannot be greater than Access Token Max TTL."
        raise ApiError(422, [{"code": "custom", "path": [], "message": message}], "ValidationFailure")


def _check_ttls(data: Mapping[str, Any]) -> None:
    if data["accessTokenMaxTTL"] and data["accessTokenTTL"] > data["accessTokenMaxTTL"]:
        raise bad_request("Access token TTL cannot be greater than max TTL")


def _identity(store: Store, identity_id: str) -> dict[str, Any]:
    identity = store.identities.get(identity_id)
    if identity is None:
        raise not_found(f"Failed to find identity with ID {identity_id}")
    return identity


def _oidc(store: Store, identity_id: str) -> dict[str, Any]:
    _identity(store, identity_id)
    auth = store.oidc_auths.get(identity_id)
    if auth is None:
        raise bad_request("The identity does not have OIDC Auth attached")
    return auth


def ip_details(value: str) -> dict[str, Any]:
    """``{ipAddress, type[, prefix]}`` as ``extractIPDetails`` stores it (backend/src/lib/ip/index.ts).

    A bare address keeps no prefix; a range keeps the address part as written (not the network address).
    Raises ValueError for anything that is neither an address nor a valid CIDR block (``isValidIpOrCidr``).
    """
    address, slash, prefix = value.partition("/")
    parsed = ipaddress.ip_address(address)
    kind = "ipv4" if parsed.version == 4 else "ipv6"
    if not slash:
        return {"ipAddress": address, "type": kind}
    if not prefix.isdigit() or int(prefix) > parsed.max_prefixlen:
        raise ValueError(value)
    return {"ipAddress": address, "type": kind, "prefix": int(prefix)}
