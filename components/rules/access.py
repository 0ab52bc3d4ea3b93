"""What each CI identity may do in Infisical, declared once: the permissions of its custom project role.

Infisical's built-in project roles reach every environment of a project, so each identity gets a custom
role whose permissions all carry ``environment: {$eq: <its environment>}``:

* the **deploy identity** of a stage reads the folders its deploy reads (``infisical run --path=...``),
  writes the generated-secret copies, and manages its folders and Workers syncs, all in its own
  environment;
* the **PR preview identity** (same-repo pull requests, ``pulumi preview``) reads exactly one folder of
  the stage's environment, which holds a read-only Cloudflare token and the variables a preview needs.

The stage creates the roles, the config check and the policy rule ask `reaches_environment` whether a
role could read prod, and the tests check the same declarations. Pure data: no Pulumi, no pydantic (the
policy pack imports it).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from components.rules.oidc_subjects import is_literal

SECRET_READ: Final = ("describeSecret", "readValue")
SECRET_WRITE: Final = (*SECRET_READ, "create", "edit", "delete")
FOLDER_WRITE: Final = ("create", "edit", "delete")
SYNC_MANAGE: Final = ("read", "create", "edit", "delete", "sync-secrets")
"""Actions on Infisical's ``secret-syncs`` subject that a deploy needs to keep its Workers syncs."""
CONNECTION_USE: Final = ("read", "edit", "connect")
"""Actions on the ``app-connections`` subject (condition field ``connectionId``) for the stage's connection."""

PR_PREVIEW_SUBJECT: Final = "pull_request"
"""The GitHub OIDC ``sub`` suffix of a pull_request run (``repo:<owner>/<repo>:pull_request``)."""
PR_PREVIEW_IDENTITY: Final = "pr-preview-identity"
"""Pulumi name of the PR preview identity's resources (``pr-preview-identity``, ``…-oidc``, ``…-role``)."""
DEPLOY_IDENTITY: Final = "ci-identity"
"""Pulumi name of a stage's deploy identity's resources."""

ACK_PROD_READABLE: Final = "prod-readable-by-non-prod-identities"
"""The one acknowledgement (``infisical.acknowledge`` in Pulumi.prod.yaml) that lets prod share its
Infisical project with a non-prod identity whose role is project-wide."""


def _in(environment: str, path: Mapping[str, Any] | None = None) -> dict[str, Any]:
    conditions: dict[str, Any] = {"environment": {"$eq": environment}}
    if path is not None:
        conditions["secretPath"] = dict(path)
    return conditions


def deploy_permissions(
    environment: str, read_folders: Iterable[str], write_glob: str, connection_id: Any = None
) -> list[dict[str, Any]]:
    """The deploy identity's role: read ``read_folders``, write under ``write_glob``, folders and syncs.

    With ``connection_id`` (the stage's own Cloudflare app connection, an id or a Pulumi output of one) it may
    also update that connection and only that one: the rotated sync token reaches it in the same deploy.
    """
    reads = {"$in": sorted(read_folders)}
    own_connection = (
        [
            {
                "subject": "app-connections",
                "action": list(CONNECTION_USE),
                "conditions": {"connectionId": {"$eq": connection_id}},
            }
        ]
        if connection_id is not None
        else []
    )
    return [
        {"subject": "secrets", "action": list(SECRET_READ), "conditions": _in(environment, reads)},
        {"subject": "secrets", "action": list(SECRET_WRITE), "conditions": _in(environment, {"$glob": write_glob})},
        {"subject": "secret-folders", "action": list(FOLDER_WRITE), "conditions": _in(environment)},
        {"subject": "secret-syncs", "action": list(SYNC_MANAGE), "conditions": _in(environment)},
        *own_connection,
    ]


def preview_permissions(environment: str, folder: str) -> list[dict[str, Any]]:
    """The PR preview identity's role: read one folder of one environment, nothing else."""
    return [{"subject": "secrets", "action": list(SECRET_READ), "conditions": _in(environment, {"$eq": folder})}]


def _operator_allows(operator: str, operand: Any, value: str) -> bool:
    if operator == "$eq":
        return bool(operand == value)
    if operator == "$ne":
        return bool(operand != value)
    if operator == "$in":
        return value in (operand or [])
    if operator == "$glob" and isinstance(operand, str):
        return fnmatch.fnmatchcase(value, operand)
    return True  # Infisical drops unknown operators, leaving no condition


def _condition_allows(condition: Any, value: str) -> bool:
    """Whether a CASL condition on a string field can hold for ``value``."""
    if isinstance(condition, str):
        return condition == value
    if not isinstance(condition, Mapping):
        return True
    return all(_operator_allows(operator, operand, value) for operator, operand in condition.items())


def reaches_environment(permissions: Sequence[Mapping[str, Any]], environment: str) -> bool:
    """Whether any allowing permission on secrets could apply in ``environment`` (a deny never widens)."""
    for permission in permissions:
        if permission.get("inverted") or permission.get("subject") not in ("secrets", "*"):
            continue
        conditions = permission.get("conditions") or {}
        if _condition_allows(conditions.get("environment"), environment):
            return True
    return False


def trusts_pull_requests(subjects: Iterable[str]) -> bool:
    """Whether an OIDC ``sub`` binding may let pull_request runs log in: a ``…:pull_request`` subject, or any
    subject that is not literal (on Infisical's server it is a glob, see `components.rules.oidc_subjects`)."""
    return any(not is_literal(s) or s.endswith(":" + PR_PREVIEW_SUBJECT) for s in subjects)
