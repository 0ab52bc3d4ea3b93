"""A tiny OIDC issuer for tests, and the fake server's side of an OIDC login.

The real Infisical fetches ``<discovery url>/.well-known/openid-configuration`` and then the JWKS; the fake
skips the network and keeps the public key of each trusted issuer in memory (`FakeInfisical.trust_issuer`).
Checks follow Infisical's order (backend/src/services/identity-oidc-auth/identity-oidc-auth-service.ts,
``login``): signature and issuer, subject pattern (403), audiences, then bound claims (401).
"""

from __future__ import annotations

import fnmatch
import time
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from .errors import ApiError

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


class OidcIssuer:
    """Signs RS256 ID tokens like GitHub Actions does (``iss``, ``sub``, ``aud`` and repository claims)."""

    def __init__(self, issuer: str = GITHUB_ISSUER, kid: str = "fake-key-1") -> None:
        self.issuer = issuer
        self.kid = kid
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = self.private_key.public_key()

    @property
    def discovery_url(self) -> str:
        return self.issuer

    def token(
        self,
        *,
        subject: str = "repo:acme/app:ref:refs/heads/main",
        audience: str | list[str] = "https://github.com/acme",
        claims: Mapping[str, Any] | None = None,
        ttl: int = 300,
        issuer: str | None = None,
    ) -> str:
        issued = int(time.time())
        payload = {
            "iss": issuer or self.issuer,
            "sub": subject,
            "aud": audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl,
            **(claims or {}),
        }
        return jwt.encode(payload, self.private_key, algorithm="RS256", headers={"kid": self.kid})


def _claim(payload: Mapping[str, Any], dotted: str) -> Any:
    value: Any = payload
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _matches(value: Any, patterns: str) -> bool:
    allowed = [p.strip() for p in patterns.split(",") if p.strip()]
    return any(fnmatch.fnmatchcase(str(value), pattern) for pattern in allowed)


def verify_login(config: Mapping[str, Any], token: str, public_key: Any) -> None:
    """Raise the error Infisical would for a token that this OIDC auth configuration does not accept."""
    if public_key is None:
        raise ApiError(401, "OIDC discovery document could not be fetched", "UnauthorizedError")
    try:
        payload = jwt.decode(
            token,
            public_key,
            algorithms=["RS256"],
            issuer=config["boundIssuer"],
            options={"verify_aud": False},
        )
    except jwt.PyJWTError as error:
        raise ApiError(401, f"Failed to verify OIDC token: {type(error).__name__}", "UnauthorizedError") from None
    if config.get("boundSubject") and not _matches(payload.get("sub", ""), config["boundSubject"]):
        raise ApiError(403, "Access denied: OIDC subject not allowed.", "ForbiddenError")
    if config.get("boundAudiences"):
        audiences = payload.get("aud")
        audiences = audiences if isinstance(audiences, list) else [audiences]
        if not any(_matches(aud, config["boundAudiences"]) for aud in audiences):
            raise ApiError(401, "Access denied: OIDC audience not allowed.", "UnauthorizedError")
    for key, patterns in (config.get("boundClaims") or {}).items():
        value = _claim(payload, key)
        if value is None or not _matches(value, patterns):
            raise ApiError(401, f"Access denied: OIDC claim not allowed ({key}).", "UnauthorizedError")
