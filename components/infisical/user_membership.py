"""A user's membership of a project, with one project role, addressed by username (or email).

Routes, from Infisical's project membership routers: a user is added with ``POST
/api/v2/workspace/{projectId}/memberships`` (``usernames`` and ``roleSlugs``; names must be lowercase, and
a user who is not yet in the organization is invited to it with no organization access), found by
username with ``POST /api/v1/workspace/{projectId}/memberships/details``, read, updated (``roles``) and
removed by membership id under ``/api/v1/workspace/{projectId}/memberships/{membershipId}``
(backend/src/server/routes/v2/deprecated-project-membership-router.ts and
backend/src/server/routes/v1/project-membership-router.ts). A custom role is read back as ``custom`` plus
its slug.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from . import _validators as valid
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, prop
from .client import InfisicalClient

_ADD = "/api/v2/workspace/{projectId}/memberships"
_FIND = "/api/v1/workspace/{projectId}/memberships/details"
_MEMBERSHIP = "/api/v1/workspace/{projectId}/memberships/{membershipId}"

lowercase_username = valid.all_of(
    valid.length(1, 256), valid.matches(re.compile(r"^[^A-Z\s]+$"), "a lowercase username or email")
)


def permanent_role(roles: Any) -> Any:
    """The slug of a membership's permanent role (a custom role by its slug), from Infisical's role rows."""
    if not isinstance(roles, list) or not roles:
        return None
    permanent = [r for r in roles if isinstance(r, dict) and not r.get("isTemporary")] or roles
    first = permanent[0]
    return first.get("customRoleSlug") or (None if first.get("role") == "custom" else first.get("role"))


def roles_body(role: str) -> dict[str, Any]:
    return {"roles": [{"role": role, "isTemporary": False}]}


@dataclass(frozen=True, kw_only=True)
class ProjectUserMembershipArgs:
    project_id: pulumi.Input[str] = prop(required=True, replace=True)
    username: pulumi.Input[str] = prop(required=True, replace=True, validate=lowercase_username)
    """The user's Infisical username, usually the email address, in lowercase."""
    role: pulumi.Input[str] = prop(required=True, validate=valid.length(1, 64))
    """``admin``, ``member``, ``viewer``, ``no-access`` or a custom role slug."""


class ProjectUserMembershipProvider(InfisicalProvider):
    kind = "project user membership"
    schema = Schema.of(ProjectUserMembershipArgs)
    natural_key = ("project_id", "username")
    stable_outputs = ("project_id", "username")

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        project = {"projectId": inputs["project_id"]}

        def create() -> dict[str, Any]:
            body = {"usernames": [inputs["username"]], "roleSlugs": [inputs["role"]]}
            return dict(client.post(_ADD, path=project, json=body)["memberships"][0])

        def find() -> dict[str, Any] | None:
            data = found_or_none(lambda: client.post(_FIND, path=project, json={"username": inputs["username"]}))
            found = dict(data["membership"]) if data else None
            return found if found is not None and permanent_role(found.get("roles")) == inputs["role"] else None

        key = f"of user {inputs['username']!r} in project {inputs['project_id']}"
        membership = self._create_or_recover(client, key, create, find)
        return membership["id"], dict(inputs)

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        path = {"projectId": props["project_id"], "membershipId": id_}
        data = found_or_none(lambda: client.get(_MEMBERSHIP, path=path))
        if data is None:
            return None
        membership: Mapping[str, Any] = data["membership"]
        user = membership.get("user") or {}
        return id_, {
            "project_id": membership.get("projectId") or props["project_id"],
            "username": user.get("username") or props.get("username"),
            "role": permanent_role(membership.get("roles")) or props.get("role"),
        }

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        path = {"projectId": new["project_id"], "membershipId": id_}
        data = client.patch(_MEMBERSHIP, path=path, json=roles_body(new["role"]))
        return {**new, "role": permanent_role(data.get("roles")) or new["role"]}

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        client.delete(_MEMBERSHIP, path={"projectId": props["project_id"], "membershipId": id_})


class ProjectUserMembership(InfisicalResource[ProjectUserMembershipArgs], provider=ProjectUserMembershipProvider):
    """A user's membership of a project, with one role."""
