"""What each committed stage is, as far as isolation between stages goes: read from every Pulumi.<stage>.yaml.

Stage isolation is a property of the stages *together*, which one stage's config cannot see: prod is
exposed when a non-prod identity holds a project-wide role in the Infisical project prod lives in, when
another stage deploys into prod's Cloudflare account (`components.rules.shared_account`), uses or matches
one of prod's hostnames (`components.rules.hostnames`), or keeps its state where prod's is
(`components.rules.state_backend`). So the config checks and the policy rules read the committed
``Pulumi.<stage>.yaml`` files (``pr-<number>`` stacks are never committed), with the running stage's own
config taking the place of its file.

A layout is read from a stage's config values as YAML has them (camelCase keys, no namespace): the same
shape the ``Stage`` component registers for the policy pack (``stageLayout``).

Pure: PyYAML only (through :mod:`components.rules.stack_file`), so the policy pack can import it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.rules.access import ACK_PROD_READABLE
from components.rules.hostnames import Claim, claims_of
from components.rules.naming import PR_TEMPLATE, PREVIEW_LABEL, PROJECT_STACK, is_preview_stage, is_valid_stage
from components.rules.stack_file import read_config, read_yaml
from components.rules.stack_values import decode
from components.rules.state_backend import StateBackend, backend_of

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
    """Named risks the stage accepts (``acknowledge`` and ``infisical.acknowledge``; only prod's count)."""
    account_id: str | None = None
    """The Cloudflare account the stage deploys into."""
    claims: tuple[Claim, ...] = ()
    """Every custom domain and route pattern of the stage."""
    backend: StateBackend | None = None
    """Where the stage's Pulumi state lives."""


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
            f"{ACK_PROD_READABLE!r} in the acknowledge list of Pulumi.prod.yaml."
        )


PROJECT_STACK_PROJECT = "<the project stack's projectId>"
"""Where a stage without ``infisical.projectId`` lives: the project stack's project, shared by all such stages."""


def _project_of(section: Mapping[str, Any]) -> str | None:
    if not section:
        return None
    project_id = section.get("projectId")
    return project_id if isinstance(project_id, str) else PROJECT_STACK_PROJECT


def _strings(value: Any) -> frozenset[str]:
    return frozenset(item for item in value if isinstance(item, str)) if isinstance(value, list) else frozenset()


def _mapping(value: Any) -> Mapping[str, Any]:
    value = decode(value)
    return value if isinstance(value, Mapping) else {}


def layout_of(stage: str, values: Any) -> StageLayout:
    """The layout of one stage from its config values (camelCase keys without the namespace, as in YAML)."""
    values = _mapping(values)
    section = _mapping(values.get("infisical"))
    identity = section.get("ciIdentity")
    role = identity.get("role") if isinstance(identity, Mapping) else None
    account = values.get("accountId")
    app = values.get("app")
    return StageLayout(
        stage=stage,
        project_id=_project_of(section),
        project_wide_role=role if isinstance(role, str) else None,
        acknowledged=_strings(decode(values.get("acknowledge"))) | _strings(section.get("acknowledge")),
        account_id=account if isinstance(account, str) else None,
        claims=tuple(claims_of(stage, decode(values.get("workers")))),
        backend=backend_of(app, stage, account if isinstance(account, str) else None, decode(values.get("state")))
        if isinstance(app, str)
        else None,
    )


def read_values(path: Path) -> dict[str, Any]:
    """A stack file's values of the project's namespace, without it (``workers-stage-platform:app`` → ``app``);
    other namespaces (``cloudflare:apiToken``) are left out. A file it cannot read raises
    :class:`components.rules.stack_file.StackFileError` (file and line): no check can vouch for the stages
    together without every one of them."""
    config = read_config(path)
    prefix = f"{project_namespace(path.parent, config)}:"
    return {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}


def project_namespace(root: Path, config: Mapping[str, Any]) -> str:
    """The project's name (``Pulumi.yaml``), the namespace of its config keys; without the project file, the
    namespace of the ``app`` key."""
    if (root / "Pulumi.yaml").is_file():
        document, _ = read_yaml(root / "Pulumi.yaml")
        name = document.get("name") if isinstance(document, Mapping) else None
        if isinstance(name, str):
            return name
    return next((key.rsplit(":", 1)[0] for key in config if key.endswith(":app")), "")


@functools.cache
def committed_values(root: Path = PROJECT_ROOT) -> Mapping[str, Mapping[str, Any]]:
    """Every committed long-lived stage's config values (``Pulumi.<stage>.yaml`` under ``root``), and the pr
    stages' template as ``pr-<number>`` (``Pulumi.pr-<number>.yaml`` files are CI's copies of it, never read)."""
    found: dict[str, Mapping[str, Any]] = {}
    for path in sorted(root.glob("Pulumi.*.yaml")):
        stage = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        if is_valid_stage(stage) and not is_preview_stage(stage):
            found[stage] = read_values(path)
    if (root / PR_TEMPLATE).is_file():
        found[PREVIEW_LABEL] = read_values(root / PR_TEMPLATE)
    return found


def committed_layouts(root: Path = PROJECT_ROOT) -> Mapping[str, StageLayout]:
    """Every committed stage's layout."""
    return {stage: layout_of(stage, values) for stage, values in committed_values(root).items()}


def project_backend(root: Path = PROJECT_ROOT) -> StateBackend | None:
    """Where the project stack (``Pulumi.project.yaml``) keeps its state, if the file is there."""
    path = root / f"Pulumi.{PROJECT_STACK}.yaml"
    values = read_values(path) if path.is_file() else None
    if not values or not isinstance(values.get("app"), str):
        return None
    state = _mapping(values.get("state"))
    return backend_of(values["app"], PROJECT_STACK, None, state)


def layouts_with(stage: str, values: Any, root: Path = PROJECT_ROOT) -> dict[str, StageLayout]:
    """The committed layouts with the running stage's own config in place of its file (a ``pr-<number>``
    stage in place of the template it is made from)."""
    layouts = dict(committed_layouts(root))
    if values is not None:
        if is_preview_stage(stage):
            layouts.pop(PREVIEW_LABEL, None)
        layouts[stage] = layout_of(stage, values)
    return layouts


def exposures(layouts: Mapping[str, StageLayout]) -> list[Exposure]:
    """Non-prod identities with a project-wide role in prod's project, unless prod acknowledged them.

    ``pr-<number>`` stages are left out: they create no identity (their role setting is the template's)."""
    prod = layouts.get(PROD)
    if prod is None or prod.project_id is None or ACK_PROD_READABLE in prod.acknowledged:
        return []
    return [
        Exposure(layout.stage, layout.project_wide_role, prod.project_id)
        for layout in layouts.values()
        if layout.stage != PROD
        and not is_preview_stage(layout.stage)
        and layout.project_wide_role
        and layout.project_id == prod.project_id
    ]


def without_acknowledgement(layouts: Mapping[str, StageLayout], name: str) -> dict[str, StageLayout]:
    """The layouts as if prod had not acknowledged ``name``: what an acknowledgement lets through."""
    prod = layouts.get(PROD)
    if prod is None:
        return dict(layouts)
    return {**layouts, PROD: StageLayout(**{**vars(prod), "acknowledged": prod.acknowledged - {name}})}


def acknowledged_exposures(layouts: Mapping[str, StageLayout]) -> list[Exposure]:
    """The exposures that prod's acknowledgement lets through (shown, in red, by the plan)."""
    prod = layouts.get(PROD)
    if prod is None or ACK_PROD_READABLE not in prod.acknowledged:
        return []
    return exposures(without_acknowledgement(layouts, ACK_PROD_READABLE))
