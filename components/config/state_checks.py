"""The config's check that each stage's Pulumi state is its own (`components.rules.state_backend`).

Two stacks whose credentials reach the same bucket (or the same Pulumi Cloud team) can read each other's
state, and two stacks on the same KMS key can decrypt each other's secrets: a staging job could then read
prod's. So the backend of every committed stage, the running one and the project stack must differ in what
their credentials reach, and an explicit KMS secrets provider must be a stage's own. (A passphrase is
always the stage's own: it lives in the stage's own Infisical environment.)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from components.config.fields import Loc
from components.rules.naming import PROJECT_STACK
from components.rules.stage_layout import StageLayout
from components.rules.state_backend import PASSPHRASE, PULUMI_CLOUD_SECRETS, StateBackend

if TYPE_CHECKING:
    from components.config.stage_config import StageConfig

Problem = tuple[Loc, str]


def problems(
    config: StageConfig, layouts: Mapping[str, StageLayout] | None, project: StateBackend | None
) -> Iterator[Problem]:
    """``layouts``: every stage's layout with this stage's own; ``project``: the project stack's backend."""
    if layouts is None:
        return
    own = layouts[config.stage].backend
    if own is None:
        return
    others: dict[str, StateBackend] = {
        stage: layout.backend for stage, layout in layouts.items() if stage != config.stage and layout.backend
    }
    if project is not None:
        others[PROJECT_STACK] = project
    for stage, other in sorted(others.items()):
        if other.reach == own.reach:
            yield (
                ("state",),
                f"this stage would keep its Pulumi state where stack {stage!r} keeps its own ({own.reach}): "
                "whoever can deploy one could read and change the other's state. Leave state.bucket (or "
                "state.team) out for the stage's own, or name one that no other stage uses",
            )
        shared_key = own.secrets_provider not in (PASSPHRASE, PULUMI_CLOUD_SECRETS)
        if shared_key and own.secrets_provider == other.secrets_provider:
            yield (
                ("state", "secretsProvider"),
                f"stack {stage!r} encrypts its state's secrets with the same key: either stage's credentials "
                "could decrypt the other's secrets. Give each stage a key of its own (or the default passphrase)",
            )
