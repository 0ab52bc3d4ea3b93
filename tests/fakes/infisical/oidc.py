"""A tiny OIDC issuer for tests, and the fake server's side of an OIDC login.

`OidcIssuer` signs RS256 ID tokens like GitHub Actions does and can publish its key as a JWKS. The
server side (`verify_login`) follows ``login`` in
backend/src/services/identity-oidc-auth/identity-oidc-auth-service.ts: the signing key from the issuer
(`discovery.signing_key`), the signature and issuer (401 "Access denied: <reason>"), then the subject
(403 "Access denied: OIDC subject not allowed."), the audiences and every bound claim (401). Bindings are
patterns (`globs.oidc_policy_matches`); audience and claim bindings are lists split on ``", "``, the
subject binding is one pattern.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from .discovery import signing_key
from .errors import ApiError
from .globs import oidc_policy_matches
from .store import Store

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

    def jwks(self) -> dict[str, Any]:
        """The public key as a JSON Web Key Set, what ``jwks_uri`` serves."""
        key = json.loads(RSAAlgorithm.to_jwk(self.public_key))
        return {"keys": [{**key, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

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


def _any_matches(value: Any, policies: str) -> bool:
    return any(oidc_policy_matches(value, policy) for policy in policies.split(", "))


def verify_login(store: Store, config: Mapping[str, Any], token: str) -> None:
    """Raise the error Infisical would for a token that this OIDC auth configuration does not accept."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise ApiError(401, "Invalid JWT", "UnauthorizedError") from None
    key = signing_key(store, config["oidcDiscoveryUrl"], header.get("kid"))
    try:
        payload = jwt.decode(
            token, key, algorithms=["RS256"], issuer=config["boundIssuer"], options={"verify_aud": False}
        )
    except jwt.PyJWTError as error:
        raise ApiError(401, f"Access denied: {error}", "UnauthorizedError") from None
    if config.get("boundSubject") and not oidc_policy_matches(payload.get("sub", ""), config["boundSubject"]):
        raise ApiError(403, "Access denied: OIDC subject not allowed.", "ForbiddenError")
    if config.get("boundAudiences") and not _any_matches(payload.get("aud"), config["boundAudiences"]):
        raise ApiError(401, "Access denied: OIDC audience not allowed.", "UnauthorizedError")
    for key_name, policies in (config.get("boundClaims") or {}).items():
        value = _claim(payload, key_name)
        if not value:
            raise ApiError(401, f"Access denied: token has no {key_name} field", "UnauthorizedError")
        if not _any_matches(value, policies):
            raise ApiError(401, "Access denied: OIDC claim not allowed.", "UnauthorizedError")
