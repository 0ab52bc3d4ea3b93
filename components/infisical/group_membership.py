"""A group's membership of a project, with one project role: every user of the group gets that role.

Routes, from Infisical's group project router (backend/src/server/routes/v2/group-project-router.ts):
``/api/v2/workspace/{projectId}/groups/{groupId}`` adds (``role`` or ``roles``), reads, updates
(``roles``) and removes it; the group is named by its id or its slug. Groups are a licensed feature: a
server without one refuses to create any ("Failed to create group due to plan restriction. Upgrade plan
to create group.", backend/src/ee/services/group/group-service.ts), so the group the config names does
not exist there and adding it answers 404; a plan restriction answers 400. Either becomes
`GroupsUnavailableError`, naming ``requested_by`` (the config path that asked for the group, never sent to
Infisical) and the ways out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from . import _validators as valid
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, prop
from .client import InfisicalClient
from .errors import InfisicalApiError, InfisicalBadRequestError, InfisicalError, InfisicalNotFoundError
from .user_membership import permanent_role, roles_body

_MEMBERSHIP = "/api/v2/workspace/{projectId}/groups/{groupId}"
PLAN_REFUSAL = "plan restriction"


class GroupsUnavailableError(InfisicalError):
    """The group cannot be given a project role: the organization has no such group, or no groups at all."""

    def __init__(self, group: str, requested_by: str | None, cause: InfisicalApiError) -> None:
        asked = f" (asked for by {requested_by})" if requested_by else ""
        why = (
            "the organization has no such group"
            if isinstance(cause, InfisicalNotFoundError)
            else "the organization's plan has no groups"
        )
        super().__init__(
            f"Infisical cannot give the group {group!r} a role in the project{asked}: {why}. Infisical said: "
            f"{cause.message.rstrip('.')}. Groups need an Infisical licence with groups (a server without one "
            "refuses to create any). Either create the group in Infisical under a plan that has groups, or list "
            "the group's people under access.users instead."
        )
        self.group = group
        self.requested_by = requested_by
        self.cause = cause


@dataclass(frozen=True, kw_only=True)
class ProjectGroupMembershipArgs:
    project_id: pulumi.Input[str] = prop(required=True, replace=True)
    group: pulumi.Input[str] = prop(required=True, replace=True, validate=valid.length(1, 64))
    """The group's id or slug."""
    role: pulumi.Input[str] = prop(required=True, validate=valid.length(1, 64))
    """``admin``, ``member``, ``viewer``, ``no-access`` or a custom role slug."""
    requested_by: str | None = prop(validate=valid.length(1, 256))
    """Where the group was asked for (a config path), named in errors; never sent to Infisical."""


class ProjectGroupMembershipProvider(InfisicalProvider):
    kind = "project group membership"
    schema = Schema.of(ProjectGroupMembershipArgs)
    natural_key = ("project_id", "group")
    stable_outputs = ("project_id", "group")
    local_only = frozenset({"requested_by"})

    @staticmethod
    def _path(props: dict[str, Any]) -> dict[str, str]:
        return {"projectId": props["project_id"], "groupId": props["group"]}

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        def create() -> dict[str, Any]:
            return dict(
                client.post(_MEMBERSHIP, path=self._path(inputs), json=roles_body(inputs["role"]))["groupMembership"]
            )

        def find() -> dict[str, Any] | None:
            data = found_or_none(lambda: client.get(_MEMBERSHIP, path=self._path(inputs)))
            found = dict(data["groupMembership"]) if data else None
            return found if found is not None and permanent_role(found.get("roles")) == inputs["role"] else None

        try:
            membership = self._create_or_recover(
                client, f"of group {inputs['group']!r} in project {inputs['project_id']}", create, find
            )
        except InfisicalBadRequestError as error:
            if PLAN_REFUSAL in error.message:
                raise GroupsUnavailableError(inputs["group"], inputs.get("requested_by"), error) from None
            raise
        except InfisicalNotFoundError as error:
            if "group" in error.message.lower():
                raise GroupsUnavailableError(inputs["group"], inputs.get("requested_by"), error) from None
            raise
        return membership["id"], dict(inputs)

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        data = found_or_none(lambda: client.get(_MEMBERSHIP, path=self._path(props)))
        if data is None:
            return None
        membership = data["groupMembership"]
        outputs = {
            "project_id": props["project_id"],
            "group": props["group"],
            "role": permanent_role(membership.get("roles")) or props.get("role"),
        }
        if props.get("requested_by"):
            outputs["requested_by"] = props["requested_by"]
        return membership.get("id") or id_, outputs

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        data = client.patch(_MEMBERSHIP, path=self._path(new), json=roles_body(new["role"]))
        return {**new, "role": permanent_role(data.get("roles")) or new["role"]}

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        client.delete(_MEMBERSHIP, path=self._path(props))


class ProjectGroupMembership(InfisicalResource[ProjectGroupMembershipArgs], provider=ProjectGroupMembershipProvider):
    """A group's membership of a project, with one role."""
