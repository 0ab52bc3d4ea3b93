"""How the fake reaches an OIDC issuer: at attach (the discovery document) and at login (the signing key).

The real server checks the discovery URL with ``blockLocalAndPrivateIpAddresses``
(backend/src/lib/validator/validate-url.ts) when OIDC auth is attached and at every login, then fetches
``<url>/.well-known/openid-configuration`` and its ``jwks_uri`` (``login`` in
backend/src/services/identity-oidc-auth/identity-oidc-auth-service.ts). The URL check refuses user
credentials in the URL and the host ``localhost`` (400 "Local IPs not allowed as URL"), and a private or
loopback address unless the server runs with ``ALLOW_INTERNAL_IP_CONNECTIONS=true``
(`Store.allow_internal_ip_connections`). A host name that does not resolve is an error the error handler
has no branch for: 500 "Something went wrong". The recording shows attach answering that 500 for an
issuer the server could not reach, so the fake fetches the discovery document at attach too.

The fake runs as a server without internet access. It reaches:

* issuers a test registered with `FakeInfisical.trust_issuer`, standing in for public ones such as
  GitHub's (no network, no address check; the public key is held in memory);
* hosts written as an IP address, over real HTTP (a loopback issuer a test serves);

and no other host name resolves.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import httpx
from jwt.algorithms import RSAAlgorithm

from .errors import ApiError, bad_request, server_error
from .store import Store

FETCH_TIMEOUT = 5.0
LOCAL_REFUSED = "Local IPs not allowed as URL"


class Unreachable(Exception):
    """The server could not reach the URL (no such host, connection refused, not JSON …)."""


def check_address(store: Store, url: str) -> None:
    """``blockLocalAndPrivateIpAddresses``: 400 for what it refuses, `Unreachable` for a host with no address."""
    parsed = urlsplit(url)
    if parsed.username or parsed.password:
        raise bad_request("URLs with user credentials (e.g., user:pass@) are not allowed")
    host = parsed.hostname or ""
    if host in ("localhost", "host.docker.internal"):
        raise bad_request(LOCAL_REFUSED)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise Unreachable(f"getaddrinfo ENOTFOUND {host}") from None
    if (address.is_private or address.is_loopback) and not store.allow_internal_ip_connections:
        raise bad_request(LOCAL_REFUSED)


def fetch_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=FETCH_TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise Unreachable(str(error) or type(error).__name__) from None
    if not isinstance(data, dict):
        raise Unreachable("not a JSON object")
    return data


def discovery_document(store: Store, url: str) -> dict[str, Any]:
    check_address(store, url)
    return fetch_json(f"{url.rstrip('/')}/.well-known/openid-configuration")


def reach_at_attach(store: Store, url: str) -> None:
    """What attaching OIDC auth with this discovery URL needs: 400 or 500 when the server cannot use it."""
    if url in store.oidc_keys:
        return
    try:
        discovery_document(store, url)
    except Unreachable:
        raise server_error() from None


def signing_key(store: Store, url: str, kid: str | None) -> Any:
    """The public key a login token must be signed with, fetched as the real server fetches it."""
    if url in store.oidc_keys:
        return store.oidc_keys[url]
    try:
        document = discovery_document(store, url)
    except Unreachable as error:
        raise ApiError(
            401, f"Access denied: Failed to fetch OIDC discovery document from {url}. {error}", "UnauthorizedError"
        ) from None
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri:
        message = (
            "Access denied: OIDC discovery document does not contain a jwks_uri. The identity provider may be "
            "misconfigured."
        )
        raise ApiError(401, message, "UnauthorizedError")
    try:
        check_address(store, jwks_uri)
        keys = fetch_json(jwks_uri).get("keys") or []
    except Unreachable as error:
        message = f"Access denied: Failed to retrieve signing key from OIDC provider: {error}"
        raise ApiError(401, message, "UnauthorizedError") from None
    for jwk in keys:
        if isinstance(jwk, dict) and (kid is None or jwk.get("kid") == kid):
            return RSAAlgorithm.from_jwk(jwk)
    message = (
        f"Access denied: Unable to verify JWT signature. The signing key '{kid}' was not found in the OIDC "
        "provider's JWKS endpoint. This may indicate an invalid token or misconfigured OIDC provider."
    )
    raise ApiError(401, message, "UnauthorizedError")
