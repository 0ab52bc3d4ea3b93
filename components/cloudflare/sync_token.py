"""The Cloudflare token Infisical's Workers syncs of one stage write with, minted by the project stack.

An account-owned token (``cloudflare.AccountToken``: it belongs to the account, not to whoever ran the
deploy) holding only the permission groups of :data:`components.cloudflare.tokens.SYNC`, on the stage's
account only, with an expiry. No stage mints it: minting takes ``Account API Tokens Write``, which can
make a token with *any* permission in the account, so only the project stack (run with prod's gate) holds
it. The project stack hands the value to the stage through the stage's own Infisical environment
(`components.infisical_side.stage_tokens`).

Rotation follows the fixed UTC grid of :mod:`components.rules.rotation`. Each period has a token of its
own, named after the period's first day and expiring one period after the period ends: the current
period's token is the one handed over, and the previous period's stays alive, because the stage's
Infisical connection keeps the previous value until the stage's next deploy reads the new one. Older
tokens leave the program, so ``pulumi up`` deletes them; any change to a token's inputs replaces it
(``replace_on_changes``, declared in ``components.cloudflare.replacements``). A stage nobody deploys for a
whole period ends up with an expired token: its syncs then fail rather than run on a token nobody rotates.

Permission group ids differ per account, so they are looked up by name (a data source the minting token
may call with ``Account API Tokens Read``), once per stage and before any token is registered: a failed
lookup stops the run with one error naming the missing permission. Under the mock engine the lookup
answers with plan ids, so the credential-free plan needs no credential.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import pulumi
import pulumi_cloudflare as cf

from components.cloudflare.replacements import lifecycle
from components.cloudflare.tokens import ACCOUNT_SCOPE, SYNC, PermissionGroup
from components.rules.rotation import Period

TYPE = "stageplatform:index:SyncToken"


@dataclass(frozen=True)
class SyncTokenArgs:
    name: str
    """The physical name of the stage's sync tokens, ``{app}-{stage}-infisical``; each period's token
    adds the date its period starts."""
    account_id: str
    rotate_every: str
    """A period (the config refuses event cadences)."""
    today: date


def expiry(period: Period, start: date) -> date:
    """One period after the period that starts on ``start`` ends: the token outlives its period by one."""
    return period.after(period.next_start(start))


def live_periods(period: Period, today: date) -> list[date]:
    """The starts of the periods whose tokens are alive today: the previous one and the current one."""
    index = period.index(today)
    return [period.start(index - 1), period.start(index)]


def _one_group(results: Any, wanted: PermissionGroup) -> str:
    matches = [r for r in results or [] if getattr(r, "name", None) == wanted.name]
    if len(matches) != 1:
        raise pulumi.RunError(
            f"Cloudflare lists {len(matches)} account permission groups named {wanted.name!r} (expected one); "
            "the project stack's Cloudflare token needs 'Account API Tokens Read' to look them up"
        )
    return str(matches[0].id)


class SyncToken(pulumi.ComponentResource):
    value: pulumi.Output[str]
    """The current period's token, a Pulumi secret."""
    tokens: dict[date, cf.AccountToken]
    """Every live token by the first day of its period (the previous period's, then the current one's)."""
    expires_on: str

    def __init__(self, name: str, args: SyncTokenArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        period = Period.parse(args.rotate_every)
        if period is None:  # the config check refuses this; a RunError keeps a broken caller readable
            raise pulumi.RunError("infisical.syncToken.rotateEvery must be a period such as 30d")
        # Looked up at once (a blocking invoke): a token that cannot be looked up fails here, with one error,
        # before any token is registered.
        groups = [self._group_id(group, args.account_id) for group in SYNC]
        self.tokens = {}
        for start in live_periods(period, args.today):
            stamp = start.strftime("%Y%m%d")
            self.tokens[start] = cf.AccountToken(
                f"{name}-{stamp}",
                cf.AccountTokenArgs(
                    account_id=args.account_id,
                    name=f"{args.name}-{stamp}",
                    policies=[
                        cf.AccountTokenPolicyArgs(
                            effect="allow",
                            permission_groups=[cf.AccountTokenPolicyPermissionGroupArgs(id=group) for group in groups],
                            resources=json.dumps({f"{ACCOUNT_SCOPE}.{args.account_id}": "*"}),
                        )
                    ],
                    expires_on=f"{expiry(period, start).isoformat()}T00:00:00Z",
                    status="active",
                ),
                pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=self), lifecycle("AccountToken")),
            )
        current = max(self.tokens)
        self.expires_on = f"{expiry(period, current).isoformat()}T00:00:00Z"
        self.value = pulumi.Output.secret(self.tokens[current].value)
        self.register_outputs({"tokenIds": [token.id for token in self.tokens.values()], "expiresOn": self.expires_on})

    def _group_id(self, group: PermissionGroup, account_id: str) -> str:
        # The plain (not ``_output``) lookup: its inputs are plain, and a missing group stops the program here,
        # before the token registers, instead of failing the token's registration and leaving every output of it
        # and of the resources that depend on it resolved with an error nobody reads.
        found = cf.get_account_api_token_permission_groups_list(
            account_id=account_id,
            name=quote(group.name),
            scope=ACCOUNT_SCOPE,
            opts=pulumi.InvokeOptions(parent=self),
        )
        return _one_group(found.results, group)
