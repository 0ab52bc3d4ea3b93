"""The four access levels as Infisical custom role permissions, scoped by environment.

Infisical's built-in roles reach every environment of a project, so "prod secrets readable only by
admins" needs custom roles whose permissions carry an ``environment`` condition (CASL ``$in``):

* ``viewer``: read the secrets and folders of the non-prod environments;
* ``developer``: read and change them (create, edit, delete), still nothing of prod;
* ``admin``: every action on secrets, folders, imports, syncs and app connections (each in Infisical's
  own action names, components/infisical/project_permissions.py), in every environment, prod included;
* ``owner``: admin, plus the project's settings, environments, members, groups, roles and identities.

The roles are named ``team-<level>``: the built-in slugs ``viewer`` and ``admin`` are reserved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.infisical.project_permissions import SUBJECTS, Action, Subject
from components.infisical_side.ci_roles import FOLDER_WRITE, SECRET_READ, SECRET_WRITE

CRUD = [Action.READ, Action.CREATE, Action.EDIT, Action.DELETE]
SECRET_SUBJECTS = (Subject.SECRET_FOLDERS, Subject.SECRET_IMPORTS)
"""Where secrets live: reading or changing secrets of an environment also means its folders and imports."""
ADMIN_SUBJECTS = (Subject.SECRET_SYNCS, Subject.APP_CONNECTIONS, Subject.INTEGRATIONS)
OWNER_SUBJECTS = (
    Subject.SETTINGS,
    Subject.ENVIRONMENTS,
    Subject.MEMBER,
    Subject.GROUPS,
    Subject.ROLE,
    Subject.IDENTITY,
)

ROLE_PREFIX = "team-"


def role_slug(level: str) -> str:
    return f"{ROLE_PREFIX}{level}"


def _scoped(subject: str, actions: Sequence[str], environments: Sequence[str]) -> dict[str, Any]:
    return {
        "subject": subject,
        "action": list(actions),
        "conditions": {"environment": {"$in": sorted(environments)}},
    }


def _everything(subject: Subject) -> dict[str, Any]:
    """Every action of ``subject``, in Infisical's names for it (app connections have their own)."""
    return {"subject": subject, "action": list(SUBJECTS[subject].actions)}


def permissions(level: str, non_prod: Sequence[str]) -> list[dict[str, Any]]:
    """The permissions of ``level`` for a project whose non-prod environments are ``non_prod``."""
    if level in ("viewer", "developer"):
        secrets = list(SECRET_WRITE if level == "developer" else SECRET_READ)
        folders = [Action.READ, *(FOLDER_WRITE if level == "developer" else ())]
        return [
            _scoped(Subject.SECRETS, secrets, non_prod),
            *(_scoped(subject, folders, non_prod) for subject in SECRET_SUBJECTS),
            {"subject": Subject.ENVIRONMENTS, "action": [Action.READ]},
        ]
    granted = [
        {"subject": Subject.SECRETS, "action": list(SECRET_WRITE)},
        *({"subject": subject, "action": CRUD} for subject in SECRET_SUBJECTS),
        *(_everything(subject) for subject in ADMIN_SUBJECTS),
    ]
    if level == "admin":
        return [*granted, {"subject": Subject.ENVIRONMENTS, "action": [Action.READ]}]
    return [*granted, *({"subject": subject, "action": CRUD} for subject in OWNER_SUBJECTS)]
