"""A machine identity's membership of a project, with one project role (e.g. ``viewer``).

The membership is addressed by project and identity; its own id is what Pulumi tracks and what
`pulumi import` takes. Infisical answers a membership that is gone with 400 ``Identity doesn't have
membership`` (not 404), which reads as gone and makes a delete done, and a duplicate with 400 ``Identity is
already a member``, which a create after a lost answer recovers from
(backend/src/services/membership-identity/membership-identity-service.ts). An update answers with the
stored role rows, where a custom role is ``custom`` plus its id without the slug, so the role is then read
back from the membership.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from . import _validators as valid
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, prop
from .client import InfisicalClient
from .errors import InfisicalBadRequestError

_MEMBERSHIP = "/api/v2/workspace/{projectId}/identity-memberships/{identityId}"
_CUSTOM = "custom"


def _roles_body(role: str) -> dict[str, Any]:
    return {"roles": [{"role": role, "isTemporary": False}]}


def _role_of(roles: Any) -> Any:
    """The permanent role's slug, or None when the rows do not say it (a custom role without its slug)."""
    if not isinstance(roles, list) or not roles:
        return None
    permanent = [r for r in roles if isinstance(r, dict) and not r.get("isTemporary")] or roles
    first = permanent[0]
    role = first.get("customRoleSlug") or first.get("role")
    return None if role == _CUSTOM else role


def _gone(error: InfisicalBadRequestError) -> bool:
    return "doesn't have membership" in error.message.lower()


def _membership_outputs(membership: Mapping[str, Any], known: Mapping[str, Any]) -> Outputs:
    project = membership.get("project") or {}
    identity = membership.get("identity") or {}
    return {
        "project_id": membership.get("projectId") or project.get("id") or known.get("project_id"),
        "identity_id": membership.get("identityId") or identity.get("id") or known.get("identity_id"),
        "role": _role_of(membership.get("roles")) or known.get("role"),
    }


@dataclass(frozen=True, kw_only=True)
class ProjectIdentityMembershipArgs:
    project_id: pulumi.Input[str] = prop(required=True, replace=True)
    identity_id: pulumi.Input[str] = prop(required=True, replace=True)
    role: pulumi.Input[str] = prop(required=True, validate=valid.length(1, 64))
    """Project role: ``admin``, ``member``, ``viewer``, ``no-access`` or a custom role slug."""


class ProjectIdentityMembershipProvider(InfisicalProvider):
    kind = "project identity membership"
    schema = Schema.of(ProjectIdentityMembershipArgs)
    natural_key = ("project_id", "identity_id")
    stable_outputs = ("project_id", "identity_id")

    @staticmethod
    def _path(props: Mapping[str, Any]) -> dict[str, str]:
        return {"projectId": props["project_id"], "identityId": props["identity_id"]}

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        def create() -> dict[str, Any]:
            data = client.post(_MEMBERSHIP, path=self._path(inputs), json=_roles_body(inputs["role"]))
            return dict(data["identityMembership"])

        def find() -> dict[str, Any] | None:
            data = self._get(client, inputs)
            found = dict(data["identityMembership"]) if data else None
            return found if found is not None and _role_of(found.get("roles")) == inputs["role"] else None

        key = f"of identity {inputs['identity_id']} in project {inputs['project_id']}"
        membership = self._create_or_recover(client, key, create, find)
        return membership["id"], {**inputs, **_membership_outputs(membership, inputs), "role": inputs["role"]}

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        if props.get("project_id") and props.get("identity_id"):
            data = self._get(client, props)
        else:
            data = found_or_none(
                lambda: client.get("/api/v2/workspace/identity-memberships/{membershipId}", path={"membershipId": id_})
            )
        if data is None:
            return None
        membership = data["identityMembership"]
        return membership.get("id") or id_, _membership_outputs(membership, props)

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        data = client.patch(_MEMBERSHIP, path=self._path(new), json=_roles_body(new["role"]))
        role = _role_of(data.get("roles"))
        if role is None:
            current = self._get(client, new)
            role = _role_of(current["identityMembership"].get("roles")) if current else None
        return {**new, "role": role or new["role"]}

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        try:
            client.delete(_MEMBERSHIP, path=self._path(props))
        except InfisicalBadRequestError as error:
            if not _gone(error):
                raise

    def _get(self, client: InfisicalClient, props: Mapping[str, Any]) -> dict[str, Any] | None:
        try:
            return found_or_none(lambda: client.get(_MEMBERSHIP, path=self._path(props)))
        except InfisicalBadRequestError as error:
            if _gone(error):
                return None
            raise


class ProjectIdentityMembership(
    InfisicalResource[ProjectIdentityMembershipArgs], provider=ProjectIdentityMembershipProvider
):
    """A machine identity's membership of a project, with one role."""
