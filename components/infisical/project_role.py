"""A custom project role: permissions with CASL conditions, e.g. secrets of one environment and folder.

Infisical's built-in project roles (``admin``, ``member``, ``viewer``, ``no-access``) apply to every
environment of a project. Scoping an identity to one environment or folder needs a custom role whose
permissions carry conditions such as ``{"environment": {"$eq": "staging"}, "secretPath": {"$glob":
"/cloudflare/**"}}``. Routes: ``/api/v1/projects/{projectId}/roles`` (create, list; update and delete by
role id) and ``/api/v1/projects/roles/{roleId}`` (read by id), as in Infisical's project role router and
its Terraform provider's ``infisical_project_role``.

Traps this provider closes at ``check`` time:

* Every subject has its own action names (``app-connections`` takes ``read-app-connections``, not
  ``read``); Infisical answers any other with 422. `check` refuses them, with the subject's actions
  (`project_permissions`, declared from Infisical's project-permission.ts).
* An unknown condition operator (``$neq`` instead of ``$ne``), a condition the subject does not take, or
  ``inverted`` on a subject without deny rules is accepted by Infisical and silently dropped by its
  schema, leaving a *wider* permission than written. `check` refuses every operator except ``$eq``,
  ``$ne``, ``$in`` and ``$glob``, and what the subject's schema would drop.
* Custom roles need a plan with RBAC (Enterprise; under ``ee/`` when self-hosted). Infisical answers 400
  "Failed to create custom role due to plan RBAC restriction"; the provider turns that into
  `CustomRolesUnavailableError`, naming ``requested_by`` (the config path that asked for the role) and
  the way out. ``requested_by`` never reaches Infisical.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from . import _validators as valid
from . import project_permissions
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, prop
from .client import InfisicalClient
from .errors import InfisicalBadRequestError, InfisicalError

_ROLES = "/api/v1/projects/{projectId}/roles"
_ROLE = "/api/v1/projects/{projectId}/roles/{roleId}"
_ROLE_BY_ID = "/api/v1/projects/roles/{roleId}"
_ROLE_BY_SLUG = "/api/v1/projects/{projectId}/roles/slug/{slug}"

BUILT_IN_ROLES = ("admin", "member", "viewer", "no-access")
"""Project roles every plan has; they apply to every environment. Reserved as custom role slugs."""
RESERVED_SLUGS = (*BUILT_IN_ROLES, "custom")
CONDITION_OPERATORS = ("$eq", "$ne", "$in", "$glob")
"""The operators Infisical's permission schema keeps; any other key is dropped without an error."""
RBAC_REFUSAL = "plan RBAC restriction"


class CustomRolesUnavailableError(InfisicalError):
    """The Infisical organization's plan has no RBAC, so it cannot hold custom project roles."""

    def __init__(self, slug: str, requested_by: str | None, cause: InfisicalBadRequestError) -> None:
        asked = f" (asked for by {requested_by})" if requested_by else ""
        super().__init__(
            f"Infisical refused the custom project role {slug!r}{asked}: custom roles need a plan with RBAC "
            f"(Infisical Enterprise; self-hosted: the enterprise edition). Infisical said: {cause.message}. "
            "Either upgrade the plan, or keep prod out of reach another way: give prod its own Infisical "
            "project (set infisical.projectId in Pulumi.prod.yaml to a separate project) so that a built-in "
            "role in the non-prod project can never reach prod's secrets."
        )
        self.slug = slug
        self.requested_by = requested_by
        self.cause = cause


# -- permissions: validation and normal form ----


def _condition_reason(field: str, condition: Any) -> str | None:
    if isinstance(condition, str):
        return None
    if not isinstance(condition, Mapping) or not condition:
        return f"condition {field!r} must be a string or a map of operators ({', '.join(CONDITION_OPERATORS)})"
    for operator, operand in condition.items():
        if operator not in CONDITION_OPERATORS:
            return (
                f"condition {field!r} uses the unknown operator {operator!r}: Infisical would drop it silently "
                f"and grant the permission unconditionally; use one of {', '.join(CONDITION_OPERATORS)}"
            )
        if operator == "$in":
            if not isinstance(operand, list) or not operand or not all(isinstance(x, str) for x in operand):
                return f"condition {field!r}: $in takes a non-empty list of strings"
        elif not isinstance(operand, str) or not operand:
            return f"condition {field!r}: {operator} takes a non-empty string"
    return None


def _shape_reason(permission: Mapping[str, Any]) -> str | None:
    unknown = sorted(set(permission) - {"subject", "action", "conditions", "inverted"})
    if unknown:
        return f"has unknown keys {', '.join(unknown)} (allowed: subject, action, conditions, inverted)"
    subject, action = permission.get("subject"), permission.get("action")
    if not isinstance(subject, str) or not subject:
        return "subject must be a non-empty string such as 'secrets'"
    actions = [action] if isinstance(action, str) else action
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) and a for a in actions):
        return "action must be a non-empty list of action names such as ['describeSecret', 'readValue']"
    if not isinstance(permission.get("inverted", False), bool):
        return "inverted must be a boolean"
    return None


def _permission_reason(permission: Any) -> str | None:
    if not isinstance(permission, Mapping):
        return "must be a map with subject, action and optional conditions and inverted"
    if (reason := _shape_reason(permission)) is not None:
        return reason
    conditions = permission.get("conditions")
    if conditions is not None and not isinstance(conditions, Mapping):
        return "conditions must be a map of field to condition"
    for field, condition in (conditions or {}).items():
        if (reason := _condition_reason(field, condition)) is not None:
            return reason
    return project_permissions.problem(permission)


def _not_reserved(value: Any) -> str | None:
    return f"is reserved for a built-in role ({', '.join(RESERVED_SLUGS)})" if value in RESERVED_SLUGS else None


def permissions_rule(value: Any) -> str | None:
    if not value:
        return "must list at least one permission"
    for index, permission in enumerate(value):
        if (reason := _permission_reason(permission)) is not None:
            return f"item {index} {reason}"
    return None


def _normal_condition(condition: Any) -> Any:
    if isinstance(condition, str):
        return {"$eq": condition}
    if isinstance(condition, Mapping):
        return {op: sorted(v) if op == "$in" and isinstance(v, list) else v for op, v in sorted(condition.items())}
    return condition


def normal_permissions(value: Any) -> Any:
    """What Infisical keeps: actions as a set, ``"x"`` the same as ``{"$eq": "x"}``, inverted false by default."""
    if not isinstance(value, list):
        return value
    normal = []
    for permission in value:
        if not isinstance(permission, Mapping):
            normal.append(permission)
            continue
        action = permission.get("action")
        item: dict[str, Any] = {
            "subject": permission.get("subject"),
            "action": sorted([action] if isinstance(action, str) else list(action or [])),
            "inverted": bool(permission.get("inverted", False)),
        }
        conditions = permission.get("conditions")
        if conditions:
            item["conditions"] = {field: _normal_condition(c) for field, c in sorted(conditions.items())}
        normal.append(item)
    return normal


def _wire_permissions(value: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The request body form: ``action`` always a list, ``inverted`` only when true."""
    wire = []
    for permission in value:
        action = permission["action"]
        actions = [action] if isinstance(action, str) else list(action)
        item: dict[str, Any] = {"subject": permission["subject"], "action": actions}
        if permission.get("conditions"):
            item["conditions"] = dict(permission["conditions"])
        if permission.get("inverted"):
            item["inverted"] = True
        wire.append(item)
    return wire


# -- the provider ----


def _role_outputs(role: Mapping[str, Any], known: Mapping[str, Any]) -> Outputs:
    outputs: Outputs = {
        "project_id": role.get("projectId") or known.get("project_id"),
        "slug": role.get("slug"),
        "name": role.get("name"),
        "description": role.get("description") or None,
        "permissions": role.get("permissions") if role.get("permissions") is not None else known.get("permissions"),
    }
    if known.get("requested_by"):
        outputs["requested_by"] = known["requested_by"]
    return outputs


@dataclass(frozen=True, kw_only=True)
class ProjectRoleArgs:
    project_id: pulumi.Input[str] = prop(required=True, replace=True, validate=valid.length(1, 64))
    slug: pulumi.Input[str] = prop(required=True, validate=valid.all_of(valid.slug(1, 64), _not_reserved))
    """What memberships name the role by (``role=<slug>``); not one of the built-in slugs."""
    name: pulumi.Input[str] = prop(required=True, validate=valid.length(1, 256))
    permissions: pulumi.Input[Sequence[Mapping[str, Any]]] = prop(
        required=True, validate=permissions_rule, compare=normal_permissions
    )
    """``[{"subject": "secrets", "action": ["describeSecret", "readValue"], "conditions": {...}}]``."""
    description: pulumi.Input[str] | None = prop(compare=valid.empty_if_none)
    requested_by: str | None = prop(validate=valid.length(1, 256))
    """Where the role was asked for (a config path), named in errors; never sent to Infisical."""


class ProjectRoleProvider(InfisicalProvider):
    kind = "project role"
    schema = Schema.of(ProjectRoleArgs)
    natural_key = ("project_id", "slug")
    stable_outputs = ("project_id",)
    local_only = frozenset({"requested_by"})

    def _body(self, inputs: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "slug": inputs["slug"],
            "name": inputs["name"],
            "permissions": _wire_permissions(inputs["permissions"]),
        }
        if inputs.get("description") is not None:
            body["description"] = inputs["description"]
        return body

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        project_id, slug = inputs["project_id"], inputs["slug"]

        def create() -> dict[str, Any]:
            return dict(client.post(_ROLES, path={"projectId": project_id}, json=self._body(inputs))["role"])

        def find() -> dict[str, Any] | None:
            data = found_or_none(lambda: client.get(_ROLE_BY_SLUG, path={"projectId": project_id, "slug": slug}))
            role = dict(data["role"]) if data else None
            same = role is not None and normal_permissions(role.get("permissions")) == normal_permissions(
                inputs["permissions"]
            )
            return role if same else None

        try:
            role = self._create_or_recover(client, f"{slug!r} in project {project_id}", create, find)
        except InfisicalBadRequestError as error:
            if RBAC_REFUSAL in error.message:
                raise CustomRolesUnavailableError(slug, inputs.get("requested_by"), error) from None
            raise
        return role["id"], _role_outputs(role, inputs)

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        data = found_or_none(lambda: client.get(_ROLE_BY_ID, path={"roleId": id_}))
        if data is None:
            return None
        return id_, _role_outputs(data["role"], props)

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        body = self._body(new)
        if new.get("description") is None and old.get("description"):
            body["description"] = None
        data = client.patch(_ROLE, path={"projectId": new["project_id"], "roleId": id_}, json=body)
        return _role_outputs(data["role"], new)

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        client.delete(_ROLE, path={"projectId": props["project_id"], "roleId": id_})


class ProjectRole(InfisicalResource[ProjectRoleArgs], provider=ProjectRoleProvider):
    """A custom project role; assign it with ``ProjectIdentityMembership(role=<slug>)``."""
