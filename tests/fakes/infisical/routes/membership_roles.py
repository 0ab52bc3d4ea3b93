"""The roles of a project membership (an identity's, a user's or a group's), and how each answer shows them.

A membership holds role rows (``project_membership_roles``): a built-in role by name, or ``role:
"custom"`` with the custom role's id. Reads show ``customRoleName`` and ``customRoleSlug`` too; an update
answers with the bare rows; a group membership read shows no ``customRoleId`` (field sets as recorded).
A custom role needs RBAC in the plan and must exist in the project (404 "Specified roles '<slug>' was not
found in the project with ID '<project>'", recorded).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.fakes.infisical.errors import bad_request, not_found
from tests.fakes.infisical.store import Store, new_id, now

BUILT_IN = ("admin", "member", "viewer", "no-access")
ASSIGN_REFUSAL = (
    "Failed to assign custom role to identity due to plan RBAC restriction. Upgrade to Infisical Enterprise to "
    "assign custom roles."
)
TEMPORARY = ("temporaryMode", "temporaryRange", "temporaryAccessStartTime", "temporaryAccessEndTime")
READ = ("id", "role", "customRoleId", "customRoleName", "customRoleSlug", "isTemporary", *TEMPORARY)
GROUP_READ = tuple(field for field in READ if field != "customRoleId")
WRITTEN = ("id", "role", "customRoleId", "isTemporary", *TEMPORARY, "projectMembershipId", "createdAt", "updatedAt")


def membership_roles(
    store: Store, project_id: str, requested: list[dict[str, Any]], membership_id: str
) -> list[dict[str, Any]]:
    """Role rows for the requested slugs, built-in or custom (custom needs RBAC and must exist)."""
    custom_slugs = [item["role"] for item in requested if item["role"] not in BUILT_IN]
    if custom_slugs and not store.plan_rbac:
        raise bad_request(ASSIGN_REFUSAL)
    by_slug = {r["slug"]: r for r in store.roles.values() if r["projectId"] == project_id}
    missing = [slug for slug in custom_slugs if slug not in by_slug]
    if missing:
        names = ", ".join(missing)
        raise not_found(f"Specified roles '{names}' was not found in the project with ID '{project_id}'")
    rows = []
    for item in requested:
        custom = by_slug.get(item["role"]) if item["role"] not in BUILT_IN else None
        rows.append(
            {
                "id": new_id(),
                "role": "custom" if custom else item["role"],
                "customRoleId": custom["id"] if custom else None,
                "customRoleSlug": custom["slug"] if custom else None,
                "customRoleName": custom["name"] if custom else None,
                "isTemporary": bool(item.get("isTemporary")),
                **dict.fromkeys(TEMPORARY),
                "projectMembershipId": membership_id,
                "createdAt": now(),
                "updatedAt": now(),
            }
        )
    return rows


def shown(rows: Iterable[dict[str, Any]], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{field: row.get(field) for field in fields} for row in rows]
