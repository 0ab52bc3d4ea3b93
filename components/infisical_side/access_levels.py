"""The four access levels as Infisical custom role permissions, scoped by environment.

Infisical's built-in roles reach every environment of a project, so "prod secrets readable only by
admins" needs custom roles whose permissions carry an ``environment`` condition (CASL ``$in``):

* ``viewer``: read the secrets and folders of the non-prod environments;
* ``developer``: read and change them (create, edit, delete), still nothing of prod;
* ``admin``: every action on secrets, folders, imports, syncs and app connections, in every
  environment, prod included;
* ``owner``: admin, plus the project's settings, environments, members, groups, roles and identities.

The roles are named ``team-<level>``: the built-in slugs ``viewer`` and ``admin`` are reserved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.rules.access import FOLDER_WRITE, SECRET_READ, SECRET_WRITE

CRUD = ["read", "create", "edit", "delete"]
SECRET_SUBJECTS = ("secret-folders", "secret-imports")
"""Where secrets live: reading or changing secrets of an environment also means its folders and imports."""
ADMIN_SUBJECTS = ("secret-syncs", "app-connections", "integrations")
OWNER_SUBJECTS = ("settings", "environments", "member", "groups", "role", "identity")

ROLE_PREFIX = "team-"


def role_slug(level: str) -> str:
    return f"{ROLE_PREFIX}{level}"


def _scoped(subject: str, actions: list[str], environments: Sequence[str]) -> dict[str, Any]:
    return {"subject": subject, "action": actions, "conditions": {"environment": {"$in": sorted(environments)}}}


def permissions(level: str, non_prod: Sequence[str]) -> list[dict[str, Any]]:
    """The permissions of ``level`` for a project whose non-prod environments are ``non_prod``."""
    if level in ("viewer", "developer"):
        secrets = list(SECRET_WRITE if level == "developer" else SECRET_READ)
        folders = ["read", *(FOLDER_WRITE if level == "developer" else ())]
        return [
            _scoped("secrets", secrets, non_prod),
            *(_scoped(subject, folders, non_prod) for subject in SECRET_SUBJECTS),
            {"subject": "environments", "action": ["read"]},
        ]
    granted = [
        {"subject": "secrets", "action": list(SECRET_WRITE)},
        *({"subject": subject, "action": CRUD} for subject in (*SECRET_SUBJECTS, *ADMIN_SUBJECTS)),
    ]
    if level == "admin":
        return [*granted, {"subject": "environments", "action": ["read"]}]
    return [*granted, *({"subject": subject, "action": CRUD} for subject in OWNER_SUBJECTS)]
