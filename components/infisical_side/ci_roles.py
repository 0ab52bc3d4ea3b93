"""What each CI identity may do in Infisical, declared once: the permissions of its custom project role.

Infisical's built-in project roles reach every environment of a project, so each identity gets a custom
role whose permissions all carry ``environment: {$eq: <its environment>}``:

* the **deploy identity** of a stage reads the folders its deploy reads (``infisical run --path=...``),
  writes the generated-secret copies, and manages its folders and Workers syncs, all in its own
  environment;
* the **PR preview identity** (same-repo pull requests, ``pulumi preview``) reads exactly one folder of
  the stage's environment, which holds a read-only Cloudflare token and the variables a preview needs.

Subjects and action names are Infisical's own, from components/infisical/project_permissions.py (a
subject's actions differ: ``app-connections`` takes ``read-app-connections``, not ``read``); the provider
refuses any other at ``check``. The config check and the policy rule ask
`components.rules.access.reaches_environment` whether a role could read prod.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from components.infisical.project_permissions import (
    Action,
    AppConnectionAction,
    SecretAction,
    SecretSyncAction,
    Subject,
)

SECRET_READ: Final = (SecretAction.DESCRIBE_SECRET, SecretAction.READ_VALUE)
SECRET_WRITE: Final = (*SECRET_READ, SecretAction.CREATE, SecretAction.EDIT, SecretAction.DELETE)
FOLDER_WRITE: Final = (Action.CREATE, Action.EDIT, Action.DELETE)
SYNC_MANAGE: Final = (
    SecretSyncAction.READ,
    SecretSyncAction.CREATE,
    SecretSyncAction.EDIT,
    SecretSyncAction.DELETE,
    SecretSyncAction.SYNC_SECRETS,
)
"""Actions on Infisical's ``secret-syncs`` subject that a deploy needs to keep its Workers syncs."""
CONNECTION_USE: Final = (AppConnectionAction.READ, AppConnectionAction.EDIT, AppConnectionAction.CONNECT)
"""Actions on the ``app-connections`` subject (condition field ``connectionId``) for the stage's connection:
read and update it (the rotated sync token), and let its syncs use it."""


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
                "subject": Subject.APP_CONNECTIONS,
                "action": list(CONNECTION_USE),
                "conditions": {"connectionId": {"$eq": connection_id}},
            }
        ]
        if connection_id is not None
        else []
    )
    return [
        {"subject": Subject.SECRETS, "action": list(SECRET_READ), "conditions": _in(environment, reads)},
        {
            "subject": Subject.SECRETS,
            "action": list(SECRET_WRITE),
            "conditions": _in(environment, {"$glob": write_glob}),
        },
        {"subject": Subject.SECRET_FOLDERS, "action": list(FOLDER_WRITE), "conditions": _in(environment)},
        {"subject": Subject.SECRET_SYNCS, "action": list(SYNC_MANAGE), "conditions": _in(environment)},
        *own_connection,
    ]


def preview_permissions(environment: str, folder: str) -> list[dict[str, Any]]:
    """The PR preview identity's role: read one folder of one environment, nothing else."""
    return [{"subject": Subject.SECRETS, "action": list(SECRET_READ), "conditions": _in(environment, {"$eq": folder})}]
