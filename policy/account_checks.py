"""Policy checks of stage isolation on the Cloudflare side (wired into ``policy.checks.RULES``).

* ``prod-has-its-own-cloudflare-account`` (mandatory): prod deploys into an account no other committed stage
  deploys into (`components.rules.shared_account`), unless Pulumi.prod.yaml acknowledges it by name. Shown
  on prod's plan and on each sharing stage's.
* ``acknowledged-shared-cloudflare-account`` (shown in red by the plan, a warning under ``pulumi preview``):
  the same sharing, let through by prod's acknowledgement.
* ``stages-mint-no-cloudflare-tokens`` (mandatory): no stage registers a Cloudflare API token. Minting takes
  ``Account API Tokens Write``, which can make a token with any permission in the account; only the project
  stack, run with prod's gate, holds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Final, TypeVar

from components.rules import shared_account as sharing
from components.rules.naming import PROJECT_STACK, STAGE_TYPE
from components.rules.stage_layout import StageLayout
from policy.isolation import Resource
from policy.resources import PolicyResource
from policy.settings import PolicySettings

TOKEN_KINDS: Final = frozenset({"AccountToken", "ApiToken"})
"""pulumi-cloudflare 6.x resources that create a Cloudflare API token (account-owned, user-owned)."""

R = TypeVar("R", bound=Resource)


def _anchor(resources: Sequence[R]) -> R:
    """The resource a stack-wide finding is reported on: the Stage component, else the first resource."""
    return next((r for r in resources if r.type == STAGE_TYPE), resources[0])


def _findings(
    resources: Sequence[R], stage: str, found: sharing.SharedAccount | None, prefix: str = ""
) -> Iterator[tuple[R, str]]:
    if resources and found is not None and sharing.concerns(stage, found):
        yield _anchor(resources), prefix + found.message()


def shared_account(resources: Sequence[R], stage: str, layouts: Mapping[str, StageLayout]) -> Iterator[tuple[R, str]]:
    yield from _findings(resources, stage, sharing.shared_account(layouts))


def acknowledged_shared_account(
    resources: Sequence[R], stage: str, layouts: Mapping[str, StageLayout]
) -> Iterator[tuple[R, str]]:
    prefix = "ACKNOWLEDGED RISK (Pulumi.prod.yaml acknowledge): "
    yield from _findings(resources, stage, sharing.acknowledged_shared_account(layouts), prefix)


def stages_mint_no_tokens(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if stage != PROJECT_STACK and resource.kind in TOKEN_KINDS:
        yield (
            f"stage {stage!r} registers a Cloudflare API token: minting needs 'Account API Tokens Write', which can "
            "make a token with any permission in the account. Only the project stack mints tokens; the stage "
            "reads its sync token (CLOUDFLARE_SYNC_API_TOKEN) from its own Infisical environment"
        )
