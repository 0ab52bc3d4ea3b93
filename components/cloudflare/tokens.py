"""The Cloudflare API tokens a stage uses, and exactly which permission groups each holds.

Declared once; docs/infisical.md shows the same tables and a test keeps them equal. Group names are
Cloudflare's API names (the dashboard says "Edit" where the API says "Write"). Where each one comes from:

* **deploy** (``CLOUDFLARE_API_TOKEN`` of ``pulumi up``, one token per stage, account-owned): the
  "Accepted Permissions" of each resource the program manages, from the installed pulumi-cloudflare
  6.23.1 docstrings (``d1_database.py``, ``r2_bucket.py``, ``workers_kv_namespace.py``, ``queue.py``,
  ``queue_consumer.py``, ``workers_script.py``, ``workers_custom_domain.py``,
  ``workers_cron_trigger.py``, ``workers_route.py``). Never ``Account API Tokens Write``: that group
  can mint a token with any permission in the account, so a staging deploy (or a pull request's stage)
  holding it could reach prod. No stage mints a token.
* **preview** (``/preview`` of the PR preview identity, read-only): ``pulumi preview`` without
  ``--refresh`` reads nothing of the resources and looks nothing up. The Read groups let a later
  ``--refresh`` see drift (R2 buckets accept only ``Workers R2 Storage Write``, so no read-only token
  refreshes them).
* **drift** (``/drift`` of each stage's environment, read by the scheduled drift check): the preview
  groups, which let ``pulumi preview --refresh`` read every resource but R2 buckets, plus ``Workers R2
  Storage Read`` for those. pulumi-cloudflare's ``r2_bucket.py`` lists only ``Workers R2 Storage Write``
  as accepted (its docstring covers the resource's writes); if Cloudflare refuses the bucket reads with the
  Read group, the drift check fails with that 403 (visible, never a silent pass).
* **sync** (minted by the project stack, or set by hand with ``syncToken.source: manual``; the stage reads
  it as ``CLOUDFLARE_SYNC_API_TOKEN``): Infisical's Cloudflare Workers sync lists, writes and deletes
  ``/accounts/{account}/workers/scripts/{script}/secrets`` (Infisical
  ``backend/src/services/secret-sync/cloudflare-workers/cloudflare-workers-fns.ts``): ``Workers Scripts
  Write``, on the stage's account only.
* **project** (``CLOUDFLARE_API_TOKEN`` of ``pulumi up -s project``, run by an admin with prod's gate):
  minting each stage's sync token (pulumi-cloudflare ``account_token.py``) and looking up its permission
  group (``get_account_api_token_permission_groups_list.py``), on each account a stage deploys into.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Scope = Literal["account", "zone"]
ACCOUNT_SCOPE: Final = "com.cloudflare.api.account"
"""The permission-group scope of account resources, as the permission-group lookup filters it."""


@dataclass(frozen=True)
class PermissionGroup:
    name: str
    scope: Scope
    why: str


SYNC: Final = (PermissionGroup("Workers Scripts Write", "account", "the sync writes and deletes Worker secrets"),)

DEPLOY: Final = (
    PermissionGroup("Workers Scripts Write", "account", "scripts, custom domains, cron triggers, queue consumers"),
    PermissionGroup("D1 Write", "account", "D1 databases (and the prod backup's `wrangler d1 export`)"),
    PermissionGroup("Workers R2 Storage Write", "account", "R2 buckets"),
    PermissionGroup("Workers KV Storage Write", "account", "KV namespaces"),
    PermissionGroup("Queues Write", "account", "queues and their consumers"),
    PermissionGroup("Workers Routes Write", "zone", "routes (zone-scoped: the stage's zone only)"),
)

PREVIEW: Final = (
    PermissionGroup("Workers Scripts Read", "account", "`--refresh` of scripts, domains, crons, consumers"),
    PermissionGroup("D1 Read", "account", "`--refresh` of D1 databases"),
    PermissionGroup("Workers KV Storage Read", "account", "`--refresh` of KV namespaces"),
    PermissionGroup("Queues Read", "account", "`--refresh` of queues"),
    PermissionGroup("Workers Routes Read", "zone", "`--refresh` of routes"),
)

DRIFT: Final = (
    *PREVIEW,
    PermissionGroup("Workers R2 Storage Read", "account", "`--refresh` of R2 buckets (the drift check)"),
)

MINTING: Final = (
    PermissionGroup("Account API Tokens Write", "account", "mint, replace and delete each stage's sync token"),
    PermissionGroup("Account API Tokens Read", "account", "look up the sync token's permission group id"),
)
"""What the project stack's token holds: it alone mints tokens."""

TOKENS: Final = {"deploy": DEPLOY, "preview": PREVIEW, "drift": DRIFT, "sync": SYNC, "project": MINTING}
STAGE_TOKENS: Final = ("deploy", "preview", "drift", "sync")
"""The tokens a stage's jobs hold: none of them may mint a token."""
