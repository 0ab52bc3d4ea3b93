"""One rule for every physical name: ``{app}-{stage}-{name}``.

Physical names are what Cloudflare and Infisical see. They are derived, never random, so two runs of
the program (and a re-created stack) name everything the same way, and the stage in every name keeps
stages from ever touching each other's resources.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

STAGE_PATTERN = r"^(dev|staging|prod|pr-[1-9][0-9]{0,5})$"
"""Stages are the three long-lived ones plus ephemeral per-pull-request stages."""

_STAGE_RE = re.compile(STAGE_PATTERN)
_STAGE_TOKEN = STAGE_PATTERN.removeprefix("^").removesuffix("$")
_STAGE_AFTER_APP = re.compile(rf"{_STAGE_TOKEN}(?=-|$)")
_STAGE_SEGMENT = re.compile(rf"(?<=-){_STAGE_TOKEN}(?=-|$)")

RATELIMIT_NAMESPACE_IDS = 2_000_000_000
"""Derived rate limiting namespace ids stay below 2**31 (a 32-bit positive integer)."""

MAX_PHYSICAL_NAME = 63
"""Worker script, R2 bucket and queue names share a 63-character limit; we hold every name to it."""


PROJECT_STACK = "project"
"""The stack name that makes the program build the project stack instead of a stage."""


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

    def dataset(self, name: str) -> str:
        """An Analytics Engine dataset, ``{app}_{stage}_{name}``: underscores, so SQL queries need no quoting."""
        return self.physical(name).replace("-", "_")

    def ratelimit_namespace_id(self, namespace: str) -> str:
        """A rate limiting namespace id: a positive integer that Cloudflare keys the counters by, account-wide.

        Derived from the physical name, so every stage counts on its own and two runs give the same id.
        """
        digest = hashlib.sha256(self.physical(namespace).encode()).hexdigest()
        return str(int(digest[:8], 16) % RATELIMIT_NAMESPACE_IDS + 1000)


PR_TEMPLATE = "Pulumi.pr.template.yaml"
"""The committed config of every ``pr-<number>`` stage (``.github/workflows/pr-stage.yml`` copies it)."""
PREVIEW_LABEL = "pr-<number>"
"""How the ``pr-<number>`` stages are named together (their template, their shared plan)."""
PREVIEW_STACK = "pr-1"
"""The stack a ``pr-<number>`` stage is checked and shown as: every pull request's stage is made the same way."""

PREVIEW_ENVIRONMENT = "preview"
"""Infisical environment that every ``pr-<number>`` stage shares (one set of preview secrets)."""


def infisical_environment_slug(stage: str) -> str:
    """The Infisical environment slug a stage reads: its own name, or the shared preview one."""
    return PREVIEW_ENVIRONMENT if is_preview_stage(stage) else stage


def stage_in_name(value: str, app: str | None) -> str | None:
    """The stage a physical name carries: the segment after ``{app}-``, else the first stage-like segment.

    ``acme-staging-prod-mirror`` with app ``acme`` is staging's; without the app, the first ``-<stage>``
    segment after the leading one wins (an app name with a stage word in it needs the app to be known).
    """
    if app and value.startswith(f"{app}-"):
        match = _STAGE_AFTER_APP.match(value, len(app) + 1)
    else:
        match = _STAGE_SEGMENT.search(value)
    return match.group(0) if match else None


def stage_in_hostname(value: str, stage: str) -> str | None:
    """Another stage named as a label of a hostname or route pattern (``api.dev.example.com/*`` → dev).

    Stages never share a hostname: a label that is another stage's name means the host is that stage's.
    """
    host = value.split("/", 1)[0]
    return next((label for label in host.split(".") if is_valid_stage(label) and label != stage), None)


def component_type(name: str) -> str:
    """The type token of one of the program's components (``stageplatform:index:Worker``)."""
    return f"stageplatform:index:{name}"


STAGE_TYPE = component_type("Stage")
WORKER_TYPE = component_type("Worker")
"""The policy pack reads what these components register (the app, each worker's allow-lists)."""
STAGE_LAYOUT = "stageLayout"
"""The Stage's registered output with its config values that the stages' layout is read from
(`components.rules.stage_layout.layout_of`)."""
