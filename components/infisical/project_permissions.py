# ruff: noqa: S105 - the enum values are Infisical's action and subject names, not passwords
"""Infisical's project permissions: the subjects a custom role speaks about, and what each one accepts.

Declared once, from backend/src/ee/services/permission/project-permission.ts of Infisical (the
``ProjectPermissionSub`` subjects, the ``ProjectPermission*Actions`` enums, and ``ProjectPermissionV2Schema``,
which validates the permissions of ``POST /api/v1/projects/{projectId}/roles``). Each subject has its own
action names: ``secrets`` takes ``describeSecret``/``readValue``, ``app-connections`` takes
``read-app-connections`` … (not ``read``); an action the subject does not have is refused with 422. The
schema also *silently drops* what it does not declare: conditions on a subject that takes none (the
rule then applies everywhere), a condition field or operator the subject does not know. `problem`
refuses all of these before anything is sent, so a role means what it says.

Only the subjects this library's users are expected to write are declared; an undeclared subject is
refused as unknown (add it here, with its actions from the file above, to use it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "Action",
    "AppConnectionAction",
    "SecretAction",
    "SecretSyncAction",
    "Subject",
    "problem",
]


class Action(StrEnum):
    """``ProjectPermissionActions``: what most subjects take."""

    READ = "read"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"


class SecretAction(StrEnum):
    """``ProjectPermissionSecretActions``; ``read`` is the legacy "describe and read value"."""

    DESCRIBE_AND_READ_VALUE = "read"
    DESCRIBE_SECRET = "describeSecret"
    READ_VALUE = "readValue"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"


class SecretSyncAction(StrEnum):
    """``ProjectPermissionSecretSyncActions``."""

    READ = "read"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    SYNC_SECRETS = "sync-secrets"
    IMPORT_SECRETS = "import-secrets"
    REMOVE_SECRETS = "remove-secrets"


class AppConnectionAction(StrEnum):
    """``ProjectPermissionAppConnectionActions``: the subject's own names, never plain ``read``/``edit``."""

    READ = "read-app-connections"
    CREATE = "create-app-connections"
    EDIT = "edit-app-connections"
    DELETE = "delete-app-connections"
    CONNECT = "connect-app-connections"


class MemberAction(StrEnum):
    """``ProjectPermissionMemberActions``."""

    READ = "read"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    GRANT_PRIVILEGES = "grant-privileges"
    ASSUME_PRIVILEGES = "assume-privileges"


class GroupAction(StrEnum):
    """``ProjectPermissionGroupActions``."""

    READ = "read"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    GRANT_PRIVILEGES = "grant-privileges"


class IdentityAction(StrEnum):
    """``ProjectPermissionIdentityActions``."""

    READ = "read"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    GRANT_PRIVILEGES = "grant-privileges"
    ASSUME_PRIVILEGES = "assume-privileges"
    REVOKE_AUTH = "revoke-auth"
    CREATE_TOKEN = "create-token"
    GET_TOKEN = "get-token"
    DELETE_TOKEN = "delete-token"


class Subject(StrEnum):
    """``ProjectPermissionSub``, the subjects declared here."""

    SECRETS = "secrets"
    SECRET_FOLDERS = "secret-folders"
    SECRET_IMPORTS = "secret-imports"
    SECRET_SYNCS = "secret-syncs"
    APP_CONNECTIONS = "app-connections"
    INTEGRATIONS = "integrations"
    ENVIRONMENTS = "environments"
    SETTINGS = "settings"
    MEMBER = "member"
    GROUPS = "groups"
    ROLE = "role"
    IDENTITY = "identity"


ALL_OPERATORS = ("$eq", "$ne", "$in", "$glob")
NO_GLOB = ("$eq", "$ne", "$in")


@dataclass(frozen=True)
class SubjectRules:
    actions: tuple[str, ...]
    conditions: Mapping[str, tuple[str, ...]] | None = None
    """Condition field -> the operators the schema keeps; None: the subject takes no conditions."""
    inverted: bool = True
    """Whether the subject's schema keeps ``inverted`` (a deny rule); the general subjects' does not."""


SUBJECTS: Mapping[Subject, SubjectRules] = {
    Subject.SECRETS: SubjectRules(
        tuple(SecretAction),
        {
            "environment": ALL_OPERATORS,
            "secretPath": ALL_OPERATORS,
            "secretName": ALL_OPERATORS,
            "secretTags": ("$in",),
        },
    ),
    # secret-folders keep the V1 condition schema: no $glob on the environment.
    Subject.SECRET_FOLDERS: SubjectRules(tuple(Action), {"environment": NO_GLOB, "secretPath": ALL_OPERATORS}),
    Subject.SECRET_IMPORTS: SubjectRules(tuple(Action), {"environment": ALL_OPERATORS, "secretPath": ALL_OPERATORS}),
    Subject.SECRET_SYNCS: SubjectRules(
        tuple(SecretSyncAction), {"environment": ALL_OPERATORS, "secretPath": ALL_OPERATORS}
    ),
    Subject.APP_CONNECTIONS: SubjectRules(tuple(AppConnectionAction), {"connectionId": NO_GLOB}),
    Subject.INTEGRATIONS: SubjectRules(tuple(Action), inverted=False),
    Subject.ENVIRONMENTS: SubjectRules(tuple(Action), inverted=False),
    Subject.SETTINGS: SubjectRules(tuple(Action), inverted=False),
    Subject.MEMBER: SubjectRules(tuple(MemberAction), inverted=False),
    Subject.GROUPS: SubjectRules(tuple(GroupAction), inverted=False),
    Subject.ROLE: SubjectRules(tuple(Action), inverted=False),
    Subject.IDENTITY: SubjectRules(tuple(IdentityAction), {"identityId": NO_GLOB}),
}


def problem(permission: Mapping[str, Any]) -> str | None:
    """Why Infisical would refuse ``permission``, or change its meaning by dropping part of it; None if neither."""
    subject = permission.get("subject")
    if not isinstance(subject, str) or subject not in SUBJECTS:
        return f"subject {subject!r} is not one of {', '.join(SUBJECTS)}"
    rules = SUBJECTS[Subject(subject)]
    action = permission.get("action")
    for name in [action] if isinstance(action, str) else list(action or []):
        if name not in rules.actions:
            return f"{name!r} is not an action of {subject!r} (its actions: {', '.join(rules.actions)})"
    if permission.get("inverted") and not rules.inverted:
        return f"{subject!r} takes no inverted (deny) rules: Infisical would drop 'inverted' and allow instead"
    return _conditions_problem(subject, rules, permission.get("conditions") or {})


def _conditions_problem(subject: str, rules: SubjectRules, conditions: Mapping[str, Any]) -> str | None:
    if conditions and rules.conditions is None:
        return f"{subject!r} takes no conditions: Infisical would drop them and grant the actions everywhere"
    for field, condition in conditions.items():
        allowed = (rules.conditions or {}).get(field)
        if allowed is None:
            known = ", ".join(rules.conditions or {})
            return f"condition {field!r} is not one of {subject!r} ({known}): Infisical would drop it"
        for operator in condition.keys() if isinstance(condition, Mapping) else ("$eq",):
            if operator not in allowed:
                return (
                    f"condition {field!r} of {subject!r} takes {', '.join(allowed)}, not {operator!r}: "
                    "Infisical would drop it"
                )
    return None
