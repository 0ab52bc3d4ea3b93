"""Whether prod shares its Cloudflare account with another stage, which only a named acknowledgement allows.

Cloudflare scopes the permissions of Workers scripts, D1, R2, KV and Queues to a whole account, never to
one database, bucket or script: a token that deploys staging's Workers into an account can overwrite
prod's Workers in it, and read or drop prod's D1 databases. Only separate accounts keep a non-prod deploy
(or a ``pr-<number>`` stage, made in the account its template names) away from prod. So a prod that shares
its account with any other stage fails a mandatory policy rule, unless ``Pulumi.prod.yaml`` accepts the risk
by name::

    workers-stage-platform:acknowledge: [prod-shares-cloudflare-account]

and then every plan shows the acknowledged risk in red. Pure standard library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from components.rules.stage_layout import PROD, StageLayout, without_acknowledgement

ACK_SHARED_ACCOUNT: Final = "prod-shares-cloudflare-account"
"""The acknowledgement (in Pulumi.prod.yaml) that lets prod share its Cloudflare account with other stages."""


@dataclass(frozen=True)
class SharedAccount:
    account_id: str
    stages: tuple[str, ...]
    """The other stages deploying into prod's account."""

    def message(self) -> str:
        others = ", ".join(repr(stage) for stage in self.stages)
        return (
            f"prod deploys into Cloudflare account {self.account_id}, which stage(s) {others} also deploy into: "
            "Cloudflare scopes Workers, D1, R2, KV and Queues permissions to the whole account, so their deploy "
            "tokens can change or delete prod's Workers and data. Give prod an account of its own (accountId in "
            "Pulumi.prod.yaml; docs/state.md and docs/infisical.md say what moves with it), or accept the risk "
            f"with the acknowledgement {ACK_SHARED_ACCOUNT!r} in the acknowledge list of Pulumi.prod.yaml"
        )


def shared_account(layouts: Mapping[str, StageLayout]) -> SharedAccount | None:
    """The stages sharing prod's account, unless prod acknowledged it."""
    prod = layouts.get(PROD)
    if prod is None or prod.account_id is None or ACK_SHARED_ACCOUNT in prod.acknowledged:
        return None
    sharing = sorted(
        layout.stage for layout in layouts.values() if layout.stage != PROD and layout.account_id == prod.account_id
    )
    return SharedAccount(prod.account_id, tuple(sharing)) if sharing else None


def acknowledged_shared_account(layouts: Mapping[str, StageLayout]) -> SharedAccount | None:
    """The sharing that prod's acknowledgement lets through (shown, in red, by every plan)."""
    prod = layouts.get(PROD)
    if prod is None or ACK_SHARED_ACCOUNT not in prod.acknowledged:
        return None
    return shared_account(without_acknowledgement(layouts, ACK_SHARED_ACCOUNT))


def concerns(stage: str, sharing: SharedAccount) -> bool:
    """Whether a stage's plan shows the finding: prod's and every sharing stage's."""
    return stage == PROD or stage in sharing.stages
