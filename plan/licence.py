"""What in a plan an Infisical server without a licence refuses: custom project roles and groups.

Such a server answers 400 to a custom role ("Failed to create custom role due to plan RBAC restriction.
Upgrade to Infisical Enterprise plan to create custom roles.", the plan check of
backend/src/services/role/role-service.ts) and to a group ("Failed to create group due to plan restriction.
Upgrade plan to create group.", backend/src/ee/services/group/group-service.ts), so the group a config names
cannot exist there. The plan lists each such resource with the config path that asked for it, before
any apply meets the refusal; docs/infisical.md ("Plans without custom roles") gives the ways out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

LICENSED = {
    "ProjectRole": "custom role",
    "ProjectGroupMembership": "group",
}
"""Resource type (after ``infisical:``) -> the licensed feature it needs."""
WAYS_OUT = 'docs/infisical.md, "Plans without custom roles"'
HEADING = f"Needs an Infisical licence: a server without one refuses these (see {WAYS_OUT})"


def needs_licence(resources: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """``{resource, feature, requestedBy}`` for each planned resource a server without a licence refuses."""
    listed = []
    for resource in resources:
        feature = LICENSED.get(str(resource["type"]).rsplit(":", 1)[-1])
        if feature is not None and str(resource["type"]).startswith("pulumi-python:dynamic/infisical:"):
            inputs = resource.get("inputs") or {}
            requested = inputs.get("requested_by")
            listed.append(
                {
                    "resource": str(resource["label"]).removeprefix("infisical:"),
                    "feature": feature,
                    "requestedBy": requested if isinstance(requested, str) else "-",
                }
            )
    return listed
