"""Machine identities and their OIDC auth method (how GitHub Actions logs in without a stored secret).

Identity names are not unique in Infisical, so every identity is created with a metadata tag derived from
its organization and name (``metadata`` on ``POST /api/v1/identities``, backend/src/server/routes/v1/
identity-router.ts). Before creating, and after a create whose outcome is unknown, the provider searches
the organization's identities by name and takes the one carrying that tag: a lost create answer or a
rerun after one never makes a second identity. Where the search route is missing (older servers), an
uncertain create is reported (`InfisicalCreateUncertainError`) rather than retried. OIDC auth is keyed by
its identity: Infisical answers 400 (not 404) when an identity has no OIDC auth attached, which reads as
"gone" here. Importing an `IdentityOidcAuth` takes the identity id.

Infisical checks the discovery URL when OIDC auth is attached (``blockLocalAndPrivateIpAddresses`` in
backend/src/lib/validator/validate-url.ts, called by ``attachOidcAuth`` in
backend/src/services/identity-oidc-auth/identity-oidc-auth-service.ts): the host ``localhost`` and, unless
the server runs with ``ALLOW_INTERNAL_IP_CONNECTIONS=true``, any private or loopback address is 400
"Local IPs not allowed as URL", and a host the server cannot reach is 500 "Something went wrong". The
provider reads the auth back after a 500 (`InfisicalCreateFailedError` when it is not there) and says
which of these happened and what to do (`OidcDiscoveryError`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure

from . import _validators as valid
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, prop
from .client import InfisicalClient
from .errors import (
    InfisicalApiError,
    InfisicalBadRequestError,
    InfisicalError,
    InfisicalNotFoundError,
    InfisicalRequestError,
    InfisicalServerError,
)

_IDENTITY = "/api/v1/identities/{identityId}"
TAG_KEY = "pulumi-identity-key"
"""Metadata key of the tag that lets a lost identity create be found again."""
_OIDC = "/api/v1/auth/oidc-auth/identities/{identityId}"
DEFAULT_TTL = 2_592_000
ANYWHERE = ["0.0.0.0/0", "::/0"]


def identity_tag(organization_id: str, name: str) -> str:
    """The tag value: the same for the same organization and (trimmed) name, whatever run makes it."""
    return hashlib.sha256(f"{organization_id}\0{valid.trimmed(name)}".encode()).hexdigest()[:32]


def _org_role(membership: Mapping[str, Any]) -> Any:
    custom = membership.get("customRole")
    if membership.get("role") == "custom" and isinstance(custom, dict):
        return custom.get("slug")
    return membership.get("role")


@dataclass(frozen=True, kw_only=True)
class IdentityArgs:
    name: pulumi.Input[str] = prop(required=True, validate=valid.length(1, 64), compare=valid.trimmed)
    organization_id: pulumi.Input[str] = prop(required=True, replace=True)
    role: pulumi.Input[str] | None = prop(default="no-access", validate=valid.length(1, 64))
    """Organization role: ``no-access`` (default), ``member``, ``admin`` or a custom role slug."""


class IdentityProvider(InfisicalProvider):
    kind = "machine identity"
    schema = Schema.of(IdentityArgs)
    stable_outputs = ("organization_id",)

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        tag = {"key": TAG_KEY, "value": identity_tag(inputs["organization_id"], inputs["name"])}
        body = {
            "name": inputs["name"],
            "organizationId": inputs["organization_id"],
            "role": inputs["role"],
            "metadata": [tag],
        }

        def create() -> dict[str, Any]:
            return dict(client.post("/api/v1/identities", json=body)["identity"])

        searchable, found = self._tagged(client, inputs["name"], tag)
        if found is not None:
            return found["id"], {**inputs, "name": found.get("name", inputs["name"])}

        def find() -> dict[str, Any] | None:
            return self._tagged(client, inputs["name"], tag)[1]

        identity = self._create_or_recover(client, repr(inputs["name"]), create, find if searchable else None)
        return identity["id"], {**inputs, "name": identity.get("name", inputs["name"])}

    @staticmethod
    def _tagged(client: InfisicalClient, name: str, tag: Mapping[str, str]) -> tuple[bool, dict[str, Any] | None]:
        """Whether identities can be searched here, and the one named ``name`` that carries ``tag``."""
        search = {"search": {"name": {"$eq": valid.trimmed(name)}}, "limit": 100, "offset": 0}
        try:
            data = client.post("/api/v1/identities/search", json=search, idempotent=True)
        except InfisicalApiError as error:
            if error.status in (404, 405):  # a server without the search route
                return False, None
            raise
        for row in data.get("identities") or []:
            candidate = (row.get("identity") or {}).get("id") or row.get("identityId")
            details = found_or_none(lambda c=candidate: client.get(_IDENTITY, path={"identityId": c}))  # type: ignore[misc]
            membership = (details or {}).get("identity") or {}
            metadata = membership.get("metadata") or []
            if any(item.get("key") == tag["key"] and item.get("value") == tag["value"] for item in metadata):
                return True, {"id": candidate, "name": (membership.get("identity") or {}).get("name", name)}
        return True, None

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        data = found_or_none(lambda: client.get(_IDENTITY, path={"identityId": id_}))
        if data is None:
            return None
        membership = data["identity"]
        inner = membership.get("identity") or {}
        return id_, {
            "name": inner.get("name") or membership.get("name"),
            "organization_id": membership.get("orgId") or props.get("organization_id"),
            "role": _org_role(membership),
        }

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        client.patch(_IDENTITY, path={"identityId": id_}, json={"name": new["name"], "role": new["role"]})
        return dict(new)

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        client.delete(_IDENTITY, path={"identityId": id_})


class Identity(InfisicalResource[IdentityArgs], provider=IdentityProvider):
    """A machine identity of the organization."""


def _oidc_body(inputs: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "oidcDiscoveryUrl": inputs["oidc_discovery_url"],
        "boundIssuer": inputs["bound_issuer"],
        "boundAudiences": valid.comma_list(inputs.get("bound_audiences")),
        "boundSubject": inputs.get("bound_subject", ""),
        "boundClaims": valid.claims(inputs.get("bound_claims") or {}),
        "caCert": inputs.get("ca_cert", ""),
        "accessTokenTTL": inputs["access_token_ttl"],
        "accessTokenMaxTTL": inputs["access_token_max_ttl"],
        "accessTokenNumUsesLimit": inputs["access_token_num_uses_limit"],
        "accessTokenTrustedIps": [{"ipAddress": ip} for ip in inputs["access_token_trusted_ips"]],
    }
    if inputs.get("claim_metadata_mapping"):
        body["claimMetadataMapping"] = inputs["claim_metadata_mapping"]
    return body


def _oidc_outputs(auth: Mapping[str, Any], known: Mapping[str, Any]) -> Outputs:
    return {
        "identity_id": auth.get("identityId") or known.get("identity_id"),
        "oidc_discovery_url": auth.get("oidcDiscoveryUrl"),
        "bound_issuer": auth.get("boundIssuer"),
        "bound_audiences": auth.get("boundAudiences") or "",
        "bound_subject": auth.get("boundSubject") or "",
        "bound_claims": auth.get("boundClaims") or {},
        "claim_metadata_mapping": auth.get("claimMetadataMapping") or {},
        "ca_cert": auth.get("caCert") or "",
        "access_token_ttl": auth.get("accessTokenTTL"),
        "access_token_max_ttl": auth.get("accessTokenMaxTTL"),
        "access_token_num_uses_limit": auth.get("accessTokenNumUsesLimit"),
        "access_token_trusted_ips": valid.ip_list(auth.get("accessTokenTrustedIps") or []),
    }


LOCAL_REFUSED = "Local IPs not allowed as URL"
INTERNAL_IPS_HELP = (
    "A self-hosted Infisical reaches a private or loopback address only when it runs with "
    "ALLOW_INTERNAL_IP_CONNECTIONS=true, and never the host name localhost (write 127.0.0.1)."
)


class OidcDiscoveryError(InfisicalError):
    """Infisical refused the OIDC discovery URL of an identity's auth, or could not fetch it."""


def unreachable_discovery(url: str) -> str:
    return (
        f"Infisical could not fetch the OIDC discovery document from {url}: the server fetches "
        f"{url.rstrip('/')}/.well-known/openid-configuration when the auth is attached. Make sure the Infisical "
        f"server (not this machine) can reach it. {INTERNAL_IPS_HELP}"
    )


def _local_refused(url: str, identity_id: str, error: InfisicalBadRequestError) -> OidcDiscoveryError:
    return OidcDiscoveryError(
        f"Infisical refused the OIDC discovery URL {url} of identity {identity_id}: it is a local or private "
        f"address (Infisical said: {error.message}). {INTERNAL_IPS_HELP}"
    )


def _not_attached(error: InfisicalBadRequestError) -> bool:
    return "does not have" in error.message.lower() or "not attached" in error.message.lower()


@dataclass(frozen=True, kw_only=True)
class IdentityOidcAuthArgs:
    """OIDC login for a machine identity; for GitHub Actions the issuer and discovery URL are both
    ``https://token.actions.githubusercontent.com`` and the subject looks like
    ``repo:owner/repo:environment:prod``."""

    identity_id: pulumi.Input[str] = prop(required=True, replace=True)
    oidc_discovery_url: pulumi.Input[str] = prop(required=True, validate=valid.http_url)
    bound_issuer: pulumi.Input[str] = prop(required=True, validate=valid.length(1, 1024))
    bound_audiences: pulumi.Input[str] | None = prop(default="", compare=valid.comma_list)
    """Comma-separated audiences; GitHub's default is ``https://github.com/<owner>``."""
    bound_subject: pulumi.Input[str] | None = prop(default="")
    bound_claims: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = prop(
        default={}, validate=valid.string_map, compare=valid.claims
    )
    claim_metadata_mapping: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = prop(
        computed=True, validate=valid.string_map
    )
    ca_cert: pulumi.Input[str] | None = prop(default="", compare=valid.trimmed)
    """PEM; Infisical trims it (``z.string().trim()``), so a trailing newline is not a change."""
    access_token_ttl: pulumi.Input[int] | None = prop(default=DEFAULT_TTL, validate=valid.int_range(0, valid.TTL_MAX))
    access_token_max_ttl: pulumi.Input[int] | None = prop(
        default=DEFAULT_TTL, validate=valid.int_range(0, valid.TTL_MAX)
    )
    access_token_num_uses_limit: pulumi.Input[int] | None = prop(default=0, validate=valid.int_range(0, 1_000_000_000))
    access_token_trusted_ips: pulumi.Input[list[pulumi.Input[str]]] | None = prop(
        default=ANYWHERE, validate=valid.string_list, compare=valid.ip_list
    )


class IdentityOidcAuthProvider(InfisicalProvider):
    kind = "OIDC auth"
    schema = Schema.of(IdentityOidcAuthArgs)
    natural_key = ("identity_id",)
    stable_outputs = ("identity_id",)

    def _validate(self, inputs: Mapping[str, Any]) -> list[CheckFailure]:
        ttl, max_ttl = inputs.get("access_token_ttl"), inputs.get("access_token_max_ttl")
        if isinstance(ttl, int) and isinstance(max_ttl, int) and max_ttl and ttl > max_ttl:
            return [CheckFailure("access_token_ttl", "must not exceed access_token_max_ttl")]
        return []

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        identity_id = inputs["identity_id"]
        body = _oidc_body(inputs)

        def create() -> dict[str, Any]:
            return dict(client.post(_OIDC, path={"identityId": identity_id}, json=body)["identityOidcAuth"])

        def find() -> dict[str, Any] | None:
            found = self._get(client, identity_id)
            same = found is not None and (found.get("oidcDiscoveryUrl"), found.get("boundIssuer")) == (
                body["oidcDiscoveryUrl"],
                body["boundIssuer"],
            )
            return found if same else None

        url = body["oidcDiscoveryUrl"]

        def explain(error: InfisicalRequestError) -> str | None:
            return unreachable_discovery(url) if isinstance(error, InfisicalServerError) else None

        try:
            auth = self._create_or_recover(client, f"for identity {identity_id}", create, find, explain)
        except InfisicalBadRequestError as error:
            if LOCAL_REFUSED in error.message:
                raise _local_refused(url, identity_id, error) from None
            raise
        return auth["id"], _oidc_outputs(auth, inputs)

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        # Imported resources have no props yet: their import id is the identity id.
        identity_id = props.get("identity_id") or id_
        auth = self._get(client, identity_id)
        if auth is None:
            return None
        return id_, _oidc_outputs(auth, {"identity_id": identity_id})

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        body = _oidc_body(new)
        try:
            data = client.patch(_OIDC, path={"identityId": new["identity_id"]}, json=body)
        except InfisicalServerError as error:
            if body["oidcDiscoveryUrl"] == old.get("oidc_discovery_url"):
                raise
            raise OidcDiscoveryError(f"{error}. {unreachable_discovery(body['oidcDiscoveryUrl'])}") from None
        except InfisicalBadRequestError as error:
            if LOCAL_REFUSED not in error.message:
                raise
            raise _local_refused(body["oidcDiscoveryUrl"], new["identity_id"], error) from None
        return _oidc_outputs(data["identityOidcAuth"], new)

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        try:
            client.delete(_OIDC, path={"identityId": props["identity_id"]})
        except InfisicalBadRequestError as error:
            if not _not_attached(error):
                raise

    @staticmethod
    def _get(client: InfisicalClient, identity_id: str) -> dict[str, Any] | None:
        try:
            return dict(client.get(_OIDC, path={"identityId": identity_id})["identityOidcAuth"])
        except InfisicalNotFoundError:
            return None
        except InfisicalBadRequestError as error:
            if _not_attached(error):
                return None
            raise


class IdentityOidcAuth(InfisicalResource[IdentityOidcAuthArgs], provider=IdentityOidcAuthProvider):
    """The OIDC auth method of a machine identity (how GitHub Actions logs in without a stored secret)."""
