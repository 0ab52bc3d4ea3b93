"""One rule for every physical name: ``{app}-{stage}-{name}``.

Physical names are what Cloudflare and Infisical see. They are derived, never random, so two runs of
the program (and a re-created stack) name everything the same way, and the stage in every name keeps
stages from ever touching each other's resources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STAGE_PATTERN = r"^(dev|staging|prod|pr-[1-9][0-9]{0,5})$"
"""Stages are the three long-lived ones plus ephemeral per-pull-request stages."""

_STAGE_RE = re.compile(STAGE_PATTERN)

MAX_PHYSICAL_NAME = 63
"""Worker script, R2 bucket and queue names share a 63-character limit; we hold every name to it."""


def is_valid_stage(stage: str) -> bool:
    return bool(_STAGE_RE.match(stage))


def is_preview_stage(stage: str) -> bool:
    """Ephemeral pull-request stages (``pr-<number>``)."""
    return stage.startswith("pr-")


@dataclass(frozen=True)
class Naming:
    """Derives every physical name of one stage of one app."""

    app: str
    stage: str

    @property
    def prefix(self) -> str:
        return f"{self.app}-{self.stage}"

    def physical(self, name: str) -> str:
        """``{app}-{stage}-{name}``: the name a resource has in Cloudflare or Infisical."""
        return f"{self.prefix}-{name}"

    def dead_letter_queue(self, queue: str) -> str:
        return self.physical(f"{queue}-dlq")


PREVIEW_ENVIRONMENT = "preview"
"""Infisical environment that every ``pr-<number>`` stage shares (one set of preview secrets)."""


def infisical_environment(stage: str) -> str:
    """The Infisical environment slug a stage reads: its own name, or the shared preview one."""
    return PREVIEW_ENVIRONMENT if is_preview_stage(stage) else stage
