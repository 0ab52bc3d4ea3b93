"""Which Infisical project each committed stage uses, and whether prod shares it with a project-wide role.

Stage isolation inside Infisical is a property of the stages *together*: prod is exposed when a non-prod
identity holds a project-wide role (a built-in one such as ``viewer``, or a role this program does not
manage) in the project prod lives in. One stage config cannot see that, so the config check and the
policy rule read the committed ``Pulumi.<stage>.yaml`` files (pr-<number> stacks are never committed and
create no identity), with the running stage's own config taking the place of its file.

Pure: PyYAML only (through :mod:`components.rules.stack_file`), so the policy pack can import it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.rules.access import ACK_PROD_READABLE
from components.rules.naming import is_preview_stage, is_valid_stage
from components.rules.stack_file import read_config
from components.rules.stack_values import decode

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The project root: where Pulumi.yaml and the committed stage files are."""
PROD = "prod"


@dataclass(frozen=True)
class StageLayout:
    stage: str
    project_id: str | None
    project_wide_role: str | None
    """The CI identity's role when it is set explicitly (``ciIdentity.role``): not a role this program
    scopes, so it counts as project-wide. None: the stage's own environment-scoped custom role, or no
    identity at all."""
    acknowledged: frozenset[str]


@dataclass(frozen=True)
class Exposure:
    """A non-prod identity that could read prod's secrets."""

    stage: str
    role: str
    project_id: str

    def message(self) -> str:
        return (
            f"prod's secrets are readable by stage {self.stage!r}'s CI identity: Pulumi.{self.stage}.yaml gives it "
            f"the project-wide role {self.role!r} (infisical.ciIdentity.role) in the Infisical project prod also "
            f"uses (infisical.projectId). Take one of two fixes: (1) remove infisical.ciIdentity.role from "
            f"Pulumi.{self.stage}.yaml, so the stage creates a custom role scoped to its own environment (needs "
            "an Infisical plan with RBAC); or (2) give prod its own Infisical project: set infisical.projectId "
            "in Pulumi.prod.yaml to a separate project. Accepting the risk instead takes the acknowledgement "
            f"{ACK_PROD_READABLE!r} in infisical.acknowledge of Pulumi.prod.yaml."
        )


PROJECT_STACK_PROJECT = "<the project stack's projectId>"
"""Where a stage without ``infisical.projectId`` lives: the project stack's project, shared by all such stages."""


def _project_of(section: Mapping[str, Any]) -> str | None:
    if not section:
        return None
    project_id = section.get("projectId")
    return project_id if isinstance(project_id, str) else PROJECT_STACK_PROJECT


def layout_of(stage: str, infisical: Any) -> StageLayout:
    """The layout facts of one stage from its ``infisical`` config value (camelCase, as in YAML)."""
    section = decode(infisical)
    section = section if isinstance(section, Mapping) else {}
    identity = section.get("ciIdentity")
    role = identity.get("role") if isinstance(identity, Mapping) else None
    listed = section.get("acknowledge")
    acknowledged = frozenset(a for a in listed if isinstance(a, str)) if isinstance(listed, list) else frozenset()
    return StageLayout(
        stage=stage,
        project_id=_project_of(section),
        project_wide_role=role if isinstance(role, str) else None,
        acknowledged=acknowledged,
    )


@functools.cache
def committed_layouts(root: Path = PROJECT_ROOT) -> Mapping[str, StageLayout]:
    """Every committed stage's layout (``Pulumi.<stage>.yaml`` under ``root``)."""
    layouts: dict[str, StageLayout] = {}
    for path in sorted(root.glob("Pulumi.*.yaml")):
        stage = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        if not is_valid_stage(stage) or is_preview_stage(stage):
            continue
        # A file it cannot read raises StackFileError (file and line): the check cannot vouch for prod without it.
        values = read_config(path)
        infisical = next((value for key, value in values.items() if str(key).endswith(":infisical")), None)
        layouts[stage] = layout_of(stage, infisical)
    return layouts


def layouts_with(stage: str, infisical: Any, root: Path = PROJECT_ROOT) -> dict[str, StageLayout]:
    """The committed layouts with the running stage's own config in place of its file."""
    layouts = dict(committed_layouts(root))
    if not is_preview_stage(stage):
        layouts[stage] = layout_of(stage, infisical)
    return layouts


def exposures(layouts: Mapping[str, StageLayout]) -> list[Exposure]:
    """Non-prod identities with a project-wide role in prod's project, unless prod acknowledged them."""
    prod = layouts.get(PROD)
    if prod is None or prod.project_id is None or ACK_PROD_READABLE in prod.acknowledged:
        return []
    return [
        Exposure(layout.stage, layout.project_wide_role, prod.project_id)
        for layout in layouts.values()
        if layout.stage != PROD and layout.project_wide_role and layout.project_id == prod.project_id
    ]


def acknowledged_exposures(layouts: Mapping[str, StageLayout]) -> list[Exposure]:
    """The exposures that prod's acknowledgement lets through (shown, in red, by the plan)."""
    prod = layouts.get(PROD)
    if prod is None or ACK_PROD_READABLE not in prod.acknowledged:
        return []
    return exposures({**layouts, PROD: StageLayout(PROD, prod.project_id, prod.project_wide_role, frozenset())})
