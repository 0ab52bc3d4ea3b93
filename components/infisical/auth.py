"""Where Infisical is and who we are, read from the environment at the moment of each operation.

Dynamic providers are pickled into Pulumi state, so they must not hold credentials: they call
`host_from_env` and `credentials_from_env` inside every create/read/update/delete instead. The variable
names are those of the Infisical CLI and the Terraform provider, so one CI setup serves all three.

Access tokens obtained by a login (`access_token`) are cached per process (keyed by a hash of host and
credentials, never stored in a provider), because one `pulumi up` runs many operations in one provider
process and Infisical rate-limits logins.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from ._scrub import Scrubber
from .errors import InfisicalAuthenticationError, InfisicalConfigError, api_error, decode

DEFAULT_HOST = "https://app.infisical.com"
HOST_VARS = ("INFISICAL_HOST", "INFISICAL_SITE_URL")
TOKEN_VAR = "INFISICAL_TOKEN"  # noqa: S105 - the name of a variable, not a token
UNIVERSAL_AUTH_CLIENT_ID_VAR = "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID"
UNIVERSAL_AUTH_CLIENT_SECRET_VAR = "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"  # noqa: S105 - a variable name
IDENTITY_ID_VARS = ("INFISICAL_MACHINE_IDENTITY_ID", "INFISICAL_IDENTITY_ID")
AUTH_JWT_VAR = "INFISICAL_AUTH_JWT"

UNIVERSAL_AUTH_LOGIN = "/api/v1/auth/universal-auth/login"
OIDC_AUTH_LOGIN = "/api/v1/auth/oidc-auth/login"

CREDENTIAL_HELP = (
    f"set {TOKEN_VAR}; or {UNIVERSAL_AUTH_CLIENT_ID_VAR} and {UNIVERSAL_AUTH_CLIENT_SECRET_VAR} "
    f"(universal auth); or {IDENTITY_ID_VARS[0]} (or {IDENTITY_ID_VARS[1]}) and {AUTH_JWT_VAR} (OIDC auth)"
)


class AuthMethod(StrEnum):
    TOKEN = "token"  # noqa: S105 - a method name
    UNIVERSAL_AUTH = "universal-auth"
    OIDC_AUTH = "oidc-auth"


@dataclass(frozen=True, repr=False, eq=False)
class Credentials:
    """One way of authenticating. Never printable, never picklable."""

    method: AuthMethod
    token: str = ""
    client_id: str = ""
    client_secret: str = ""
    identity_id: str = ""
    jwt: str = ""

    @classmethod
    def static_token(cls, token: str) -> Credentials:
        return cls(AuthMethod.TOKEN, token=token)

    @classmethod
    def universal_auth(cls, client_id: str, client_secret: str) -> Credentials:
        return cls(AuthMethod.UNIVERSAL_AUTH, client_id=client_id, client_secret=client_secret)

    @classmethod
    def oidc_auth(cls, identity_id: str, jwt: str) -> Credentials:
        return cls(AuthMethod.OIDC_AUTH, identity_id=identity_id, jwt=jwt)

    @property
    def can_login(self) -> bool:
        """Whether a fresh token can be obtained when the current one is rejected."""
        return self.method is not AuthMethod.TOKEN

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.token, self.client_secret, self.jwt) if s)

    def login_request(self) -> tuple[str, dict[str, str]]:
        """The login endpoint and body for this method (static tokens have none)."""
        if self.method is AuthMethod.UNIVERSAL_AUTH:
            return UNIVERSAL_AUTH_LOGIN, {"clientId": self.client_id, "clientSecret": self.client_secret}
        if self.method is AuthMethod.OIDC_AUTH:
            return OIDC_AUTH_LOGIN, {"identityId": self.identity_id, "jwt": self.jwt}
        raise InfisicalConfigError("a static INFISICAL_TOKEN cannot log in")

    def cache_key(self, host: str) -> str:
        material = "\0".join((host, self.method.value, self.client_id, self.client_secret, self.identity_id))
        material += "\0" + self.jwt
        return hashlib.sha256(material.encode()).hexdigest()

    def __repr__(self) -> str:
        who = self.client_id or self.identity_id
        return f"Credentials(method={self.method.value!r}{f', id={who!r}' if who else ''})"

    def __reduce__(self) -> Any:
        raise TypeError("Infisical credentials must never be pickled (they would end up in Pulumi state)")


def _first(environ: Mapping[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    return ""


def host_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The Infisical base URL: ``INFISICAL_HOST`` or ``INFISICAL_SITE_URL``, else Infisical Cloud."""
    env = os.environ if environ is None else environ
    return normalise_host(_first(env, HOST_VARS) or DEFAULT_HOST)


def normalise_host(host: str) -> str:
    """Accept ``https://host``, ``https://host/`` and the CLI's ``https://host/api`` alike."""
    host = host.strip().rstrip("/")
    host = host.removesuffix("/api")
    if not host.startswith(("https://", "http://")):
        raise InfisicalConfigError(
            f"the Infisical host must start with https:// or http:// (from {' or '.join(HOST_VARS)})"
        )
    return host


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials:
    """The first complete credential in the environment: token, then universal auth, then OIDC."""
    env = os.environ if environ is None else environ
    token = _first(env, (TOKEN_VAR,))
    if token:
        return Credentials.static_token(token)
    client_id = _first(env, (UNIVERSAL_AUTH_CLIENT_ID_VAR,))
    client_secret = _first(env, (UNIVERSAL_AUTH_CLIENT_SECRET_VAR,))
    if client_id or client_secret:
        if not (client_id and client_secret):
            missing = UNIVERSAL_AUTH_CLIENT_SECRET_VAR if client_id else UNIVERSAL_AUTH_CLIENT_ID_VAR
            raise InfisicalConfigError(f"universal auth is half configured: {missing} is not set")
        return Credentials.universal_auth(client_id, client_secret)
    identity_id = _first(env, IDENTITY_ID_VARS)
    jwt = _first(env, (AUTH_JWT_VAR,))
    if identity_id or jwt:
        if not (identity_id and jwt):
            missing = AUTH_JWT_VAR if identity_id else " or ".join(IDENTITY_ID_VARS)
            raise InfisicalConfigError(f"OIDC auth is half configured: {missing} is not set")
        return Credentials.oidc_auth(identity_id, jwt)
    raise InfisicalConfigError(f"no Infisical credentials found in the environment: {CREDENTIAL_HELP}")


class TokenCache:
    """Process-wide store of access tokens from logins; entries expire a little before the token does."""

    _SAFETY_MARGIN = 0.9

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}

    def get(self, key: str) -> str | None:
        with self._lock:
            entry = self._tokens.get(key)
            if entry is None:
                return None
            token, expires_at = entry
            if time.monotonic() >= expires_at:
                del self._tokens[key]
                return None
            return token

    def put(self, key: str, token: str, expires_in: float | None) -> None:
        lifetime = (expires_in or 0) * self._SAFETY_MARGIN
        expires_at = time.monotonic() + lifetime if lifetime > 0 else float("inf")
        with self._lock:
            self._tokens[key] = (token, expires_at)

    def discard(self, key: str) -> None:
        with self._lock:
            self._tokens.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()

    def __reduce__(self) -> Any:
        raise TypeError("the token cache holds access tokens and must never be pickled")


TOKEN_CACHE = TokenCache()


def clear_token_cache() -> None:
    """Forget every cached access token (tests, or after rotating credentials in-process)."""
    TOKEN_CACHE.clear()


LoginSender = Callable[[str, dict[str, str]], httpx.Response]
"""Sends one login request (endpoint, body) without a token and returns the response."""


def access_token(
    credentials: Credentials, host: str, send: LoginSender, scrub: Scrubber, *, refresh: bool = False
) -> str:
    """A token for ``credentials``: the static one, the cached one, or a fresh login (``refresh`` forces it).

    Every token obtained is added to ``scrub`` so it can never appear in a later message.
    """
    if not credentials.can_login:
        return credentials.token
    key = credentials.cache_key(host)
    if refresh:
        TOKEN_CACHE.discard(key)
    else:
        cached = TOKEN_CACHE.get(key)
        if cached:
            scrub.add(cached)
            return cached
    token, expires_in = _login(credentials, send, scrub)
    TOKEN_CACHE.put(key, token, expires_in)
    return token


def _login(credentials: Credentials, send: LoginSender, scrub: Scrubber) -> tuple[str, float | None]:
    endpoint, body = credentials.login_request()
    response = send(endpoint, body)
    if response.is_error:
        error = api_error("POST", endpoint, response, scrub, may_have_succeeded=False)
        if response.status_code in (400, 401, 403, 404):
            raise InfisicalAuthenticationError(
                f"{credentials.method.value} login failed: {error.message}",
                status=error.status,
                method="POST",
                endpoint=endpoint,
                error=error.error,
            ) from None
        raise error
    data = decode(response, "POST", endpoint)
    token = data.get("accessToken") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise InfisicalAuthenticationError(
            "login response had no accessToken", status=response.status_code, method="POST", endpoint=endpoint
        )
    scrub.add(token)
    expires_in = data.get("expiresIn")
    return token, float(expires_in) if isinstance(expires_in, (int, float)) else None
