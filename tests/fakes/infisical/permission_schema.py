"""The server's check of a custom role's permissions: which subjects exist, which actions and conditions each
accepts, and the 422 it answers otherwise.

Transcribed from backend/src/ee/services/permission/project-permission.ts (the ``ProjectPermissionSub``
subjects, the ``ProjectPermission*Actions`` enums and ``ProjectPermissionV2Schema``, the body schema of
``POST /api/v1/projects/{projectId}/roles`` in backend/src/ee/routes/v1/project-role-router.ts) and
backend/src/ee/services/permission/permission-schemas.ts (``CASL_ACTION_SCHEMA_*``: an action or a
non-empty list of actions of the subject's enum). The server this fake stands for is newer than that
file in one place: its 422 lists ``rotate-credentials`` among the ``app-connections`` actions
(tests/infisical/recording/calls.jsonl, lines 16 and 160).

The schema is a zod discriminated union on ``subject``, so an unknown subject is one
``invalid_union_discriminator`` issue and a bad action an ``invalid_union`` issue whose ``unionErrors``
hold both branches (a single action, a list of actions), exactly as recorded. zod strips what a
subject's schema does not declare: ``conditions`` on a subject without conditions, condition fields and
operators it does not know, and ``inverted`` where it is not declared. This is the server's view; the
program declares what it writes in components/infisical/project_permissions.py, and tests hold the two
against each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CRUD = ("read", "create", "edit", "delete")
EQ_NE_IN = ("$eq", "$ne", "$in")
ALL_OPERATORS = ("$eq", "$ne", "$in", "$glob")

# -- the action enums ----

SECRET_ACTIONS = ("read", "describeSecret", "readValue", "create", "edit", "delete")
SECRET_SYNC_ACTIONS = (*CRUD, "sync-secrets", "import-secrets", "remove-secrets")
APP_CONNECTION_ACTIONS = (
    "read-app-connections",
    "create-app-connections",
    "edit-app-connections",
    "delete-app-connections",
    "connect-app-connections",
    "rotate-credentials",
)
IDENTITY_ACTIONS = (
    *CRUD,
    "grant-privileges",
    "assume-privileges",
    "revoke-auth",
    "create-token",
    "get-token",
    "delete-token",
)
PKI_ACTIONS = (*CRUD, "issue-cert", "list-certs")

# Subject -> (actions, condition fields -> operators kept; None: the subject takes no conditions,
# inverted declared).
SUBJECTS: dict[str, tuple[tuple[str, ...], Mapping[str, tuple[str, ...]] | None, bool]] = {
    "secrets": (
        SECRET_ACTIONS,
        {
            "environment": ALL_OPERATORS,
            "secretPath": ALL_OPERATORS,
            "secretName": ALL_OPERATORS,
            "secretTags": ("$in",),
            "eventType": EQ_NE_IN,
        },
        True,
    ),
    "secret-folders": (CRUD, {"environment": EQ_NE_IN, "secretPath": ALL_OPERATORS}, True),
    "secret-imports": (CRUD, {"environment": ALL_OPERATORS, "secretPath": ALL_OPERATORS}, True),
    "dynamic-secrets": (
        ("read-root-credential", "create-root-credential", "edit-root-credential", "delete-root-credential", "lease"),
        {"environment": ALL_OPERATORS, "secretPath": ALL_OPERATORS, "metadata": ("$elemMatch",)},
        True,
    ),
    "identity": (IDENTITY_ACTIONS, {"identityId": EQ_NE_IN}, True),
    "ssh-hosts": ((*CRUD, "issue-host-cert"), {"hostname": ("$eq", "$glob", "$in")}, True),
    "pki-subscribers": (PKI_ACTIONS, {"name": ("$eq", "$glob", "$in")}, True),
    "certificate-templates": (PKI_ACTIONS, {"name": ALL_OPERATORS}, True),
    "secret-rotation": (
        ("read", "read-generated-credentials", "create", "edit", "delete", "rotate-secrets"),
        {"environment": EQ_NE_IN, "secretPath": ALL_OPERATORS},
        True,
    ),
    "secret-syncs": (SECRET_SYNC_ACTIONS, {"environment": ALL_OPERATORS, "secretPath": ALL_OPERATORS}, True),
    "pki-syncs": (
        (*CRUD, "sync-certificates", "import-certificates", "remove-certificates"),
        {"name": ALL_OPERATORS, "subscriberName": ALL_OPERATORS},
        True,
    ),
    "secret-events": (
        ("subscribe-on-created", "subscribe-on-updated", "subscribe-on-deleted", "subscribe-on-import-mutations"),
        {"environment": ALL_OPERATORS, "secretPath": ALL_OPERATORS},
        True,
    ),
    "certificate-profiles": (
        (*CRUD, "issue-cert", "reveal-acme-eab-secret", "rotate-acme-eab-secret"),
        {"slug": ALL_OPERATORS},
        True,
    ),
    "certificate-authorities": ((*CRUD, "renew", "sign-intermediate"), {"name": ALL_OPERATORS}, True),
    "certificates": (
        (*CRUD, "read-private-key", "import"),
        dict.fromkeys(("commonName", "altNames", "serialNumber", "friendlyName", "status"), ALL_OPERATORS),
        True,
    ),
    # GeneralPermissionSchema: an action and nothing else, unless noted.
    "secret-approval": (CRUD, None, False),
    "secret-rollback": (("read", "create"), None, False),
    "member": ((*CRUD, "grant-privileges", "assume-privileges"), None, False),
    "groups": ((*CRUD, "grant-privileges"), None, False),
    **dict.fromkeys(("role", "integrations", "webhooks", "service-tokens"), (CRUD, None, False)),
    **dict.fromkeys(("settings", "environments", "tags"), (CRUD, None, False)),
    "audit-logs": (("read",), None, False),
    **dict.fromkeys(
        (
            "ip-allowlist",
            "ssh-certificate-authorities",
            "ssh-certificates",
            "ssh-certificate-templates",
            "ssh-host-groups",
            "pki-alerts",
            "pki-collections",
        ),
        (CRUD, None, False),
    ),
    "workspace": (("edit", "delete"), None, False),
    "kms": (("edit",), None, False),
    "cmek": ((*CRUD, "encrypt", "decrypt", "sign", "verify"), None, False),
    "kmip": (
        ("create-clients", "update-clients", "delete-clients", "read-clients", "generate-client-certificates"),
        None,
        False,
    ),
    "commits": (("read", "perform-rollback"), None, False),
    "secret-scanning-data-sources": (
        (
            "read-data-sources",
            "create-data-sources",
            "edit-data-sources",
            "delete-data-sources",
            "trigger-data-source-scans",
            "read-data-source-scans",
            "read-data-source-resources",
        ),
        None,
        False,
    ),
    "secret-scanning-findings": (("read-findings", "update-findings"), None, False),
    "secret-scanning-configs": (("read-configs", "update-configs"), None, False),
    "app-connections": (APP_CONNECTION_ACTIONS, {"connectionId": EQ_NE_IN}, True),
    "pam-folders": (CRUD, None, False),
    "pam-resources": (CRUD, None, False),
    "pam-accounts": (
        ("access", *CRUD),
        {"resourceName": ALL_OPERATORS, "accountName": ALL_OPERATORS, "accountPath": ALL_OPERATORS},
        True,
    ),
    "pam-sessions": (("read",), None, False),
    "approval-requests": (("read", "create"), None, False),
}


def _quoted(values: tuple[str, ...]) -> str:
    return " | ".join(f"'{value}'" for value in values)


def _issue(code: str, path: list[Any], message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "path": path, "message": message, **extra}


def _enum_issue(actions: tuple[str, ...], path: list[Any], received: Any) -> dict[str, Any]:
    message = f"Invalid enum value. Expected {_quoted(actions)}, received '{received}'"
    return _issue("invalid_enum_value", path, message, options=list(actions), received=received)


def _type_issue(expected: str, path: list[Any], received: str) -> dict[str, Any]:
    return _issue(
        "invalid_type", path, f"Expected {expected}, received {received}", expected=expected, received=received
    )


def _action_issues(action: Any, actions: tuple[str, ...], path: list[Any]) -> list[dict[str, Any]]:
    """zod's issues for ``union([enum, enum.array().min(1)])`` (empty when the action is valid)."""
    if isinstance(action, str) and action in actions:
        return []
    if isinstance(action, list) and action and all(isinstance(a, str) and a in actions for a in action):
        return []
    if isinstance(action, list):
        single = [_type_issue(_quoted(actions), path, "array")]
        listed = [_enum_issue(actions, [*path, i], item) for i, item in enumerate(action) if item not in actions]
        if not listed:
            empty = "Array must contain at least 1 element(s)"
            listed = [_issue("too_small", path, empty, minimum=1, type="array", inclusive=True, exact=False)]
    else:
        single = [_enum_issue(actions, path, action)]
        listed = [_type_issue("array", path, type(action).__name__)]
    union_errors = [{"issues": single, "name": "ZodError"}, {"issues": listed, "name": "ZodError"}]
    return [_issue("invalid_union", path, "Invalid input", unionErrors=union_errors)]


def _kept_conditions(conditions: Any, fields: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """What zod leaves of ``conditions``: known fields, and of an operator map only the known operators."""
    kept: dict[str, Any] = {}
    for name, condition in (conditions or {}).items():
        if name not in fields:
            continue
        kept[name] = (
            {op: operand for op, operand in condition.items() if op in fields[name]}
            if isinstance(condition, Mapping)
            else condition
        )
    return kept


def validate_permissions(permissions: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The permissions as the server stores them, and the zod issues it would answer 422 with."""
    issues: list[dict[str, Any]] = []
    stored: list[dict[str, Any]] = []
    for index, permission in enumerate(permissions if isinstance(permissions, list) else []):
        path: list[Any] = ["permissions", index]
        subject = permission.get("subject") if isinstance(permission, Mapping) else None
        if subject not in SUBJECTS:
            options = list(SUBJECTS)
            issues.append(
                {
                    "code": "invalid_union_discriminator",
                    "options": options,
                    "path": [*path, "subject"],
                    "message": f"Invalid discriminator value. Expected {_quoted(tuple(options))}",
                }
            )
            continue
        assert isinstance(permission, Mapping)
        actions, fields, inverted = SUBJECTS[subject]
        found = _action_issues(permission.get("action"), actions, [*path, "action"])
        issues += found
        if found:
            continue
        action = permission["action"]
        item: dict[str, Any] = {"subject": subject, "action": [action] if isinstance(action, str) else list(action)}
        if fields is not None and permission.get("conditions"):
            item["conditions"] = _kept_conditions(permission["conditions"], fields)
        item["inverted"] = bool(permission.get("inverted")) if inverted else False
        stored.append(item)
    return stored, issues
