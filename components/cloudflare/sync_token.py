"""The Cloudflare token Infisical's Workers syncs write with, made by the stage itself.

An account-owned token (``cloudflare.AccountToken``: it belongs to the account, not to whoever ran the
deploy) holding only the permission groups of :data:`components.cloudflare.tokens.SYNC`, on this
stage's account only, with an expiry. Its value goes straight into the stage's Infisical app connection
as a Pulumi secret; no person ever sees or pastes it.

Rotation follows the fixed UTC grid of :mod:`components.rules.rotation`: the token expires one period after
the end of the current period, and the expiry is its keeper. When a period ends, the first ``pulumi up``
computes a new expiry, and ``replace_on_changes`` (declared in ``components.cloudflare.replacements``) turns
that into a new token (created before the old one is deleted); the connection's token input is the new
value, so the connection follows in the same ``up``. A stage nobody deploys for a whole period ends up with
an expired token: syncs then fail rather than run on a token nobody rotates.

Permission group ids differ per account, so they are looked up by name (a data source the deploy token
may call with ``Account API Tokens Read``); under the mock engine the lookup answers with plan ids, so
the credential-free plan needs no credential.
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
from components.rules.naming import Naming
from components.rules.rotation import Period

TYPE = "stageplatform:index:SyncToken"


@dataclass(frozen=True)
class SyncTokenArgs:
    naming: Naming
    account_id: str
    rotate_every: str
    """A period (the config refuses event cadences)."""
    today: date


def expiry(period: Period, today: date) -> date:
    """One period after the current period ends: a missed rotation has one period of grace, no more."""
    return period.after(period.next_start(today))


def _one_group(results: Any, wanted: PermissionGroup) -> str:
    matches = [r for r in results or [] if getattr(r, "name", None) == wanted.name]
    if len(matches) != 1:
        raise pulumi.RunError(
            f"Cloudflare lists {len(matches)} account permission groups named {wanted.name!r} (expected one); "
            "the deploy token needs 'Account API Tokens Read' to look them up"
        )
    return str(matches[0].id)


class SyncToken(pulumi.ComponentResource):
    value: pulumi.Output[str]
    """The token, a Pulumi secret."""
    token: cf.AccountToken

    def __init__(self, name: str, args: SyncTokenArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        period = Period.parse(args.rotate_every)
        if period is None:  # the config check refuses this; a RunError keeps a broken caller readable
            raise pulumi.RunError("infisical.syncToken.rotateEvery must be a period such as 30d")
        groups = [self._group_id(group, args.account_id) for group in SYNC]
        self.token = cf.AccountToken(
            "token",
            cf.AccountTokenArgs(
                account_id=args.account_id,
                name=args.naming.physical("infisical-sync"),
                policies=[
                    cf.AccountTokenPolicyArgs(
                        effect="allow",
                        permission_groups=[cf.AccountTokenPolicyPermissionGroupArgs(id=group) for group in groups],
                        resources=json.dumps({f"{ACCOUNT_SCOPE}.{args.account_id}": "*"}),
                    )
                ],
                expires_on=f"{expiry(period, args.today).isoformat()}T00:00:00Z",
                status="active",
            ),
            pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=self), lifecycle("AccountToken")),
        )
        self.value = pulumi.Output.secret(self.token.value)
        self.register_outputs({"tokenId": self.token.id, "expiresOn": self.token.expires_on})

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
