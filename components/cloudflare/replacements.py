"""What a change does to each resource the program registers: the one table, and the options it implies.

The real engine decides replace-or-update from the provider schema, which the credential-free plan does not
have (no provider plugin runs). This table carries that knowledge, read from terraform-provider-cloudflare
v5.22.0 (``internal/services/<resource>/``): ``schema.go`` (``RequiresReplace`` plan modifiers: the bridge keeps
a replacement only when the planned value differs from the stored one, pulumi-terraform-bridge
``pkg/pf/tfbridge/provider_diff.go`` ``checkRequiresReplace``), ``resource.go`` and ``custom.go`` (what create,
read, import and delete really do) and ``resource_test.go`` (``ImportStateVerifyIgnore``: what an import does not
read back). The replacement sets are the same from v5.19.1 (the upstream of pulumi-cloudflare 6.17.0) through
v5.22.0, the newest release published as source; pulumi-cloudflare 6.23.1 bridges a later one whose source is
not published with it (its SDK documents KV ``jurisdiction``/``mode``, which the program does not set).
Citations are ``<file>:<line>`` under ``internal/services/``. Import ids are the ones the installed SDK
documents (``pulumi import`` section of each class docstring).

The diff (``plan/diff/``), the config refusals and the program's resource options (:func:`lifecycle`) all read
it, so one fact lives in one place. Property names are top-level input names as the engine records them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

API = "https://api.cloudflare.com/client/v4"
CURL = "curl -H 'Authorization: Bearer $CLOUDFLARE_API_TOKEN'"


@dataclass(frozen=True)
class ResourceRules:
    """How one resource type reacts to a change, what losing it costs, and the options the program sets."""

    source: str
    """The upstream files the facts of this row come from."""
    root: str = field(default="internal/services/", kw_only=True)
    """Where the cited files lie in the upstream repository."""
    replace_on: Mapping[str, str]
    """Inputs whose change replaces the resource (``RequiresReplace``) → where upstream says so."""
    replace_on_changes: tuple[str, ...] = ()
    """The program's own ``replace_on_changes`` (``*``: any change replaces)."""
    immutable: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Inputs written only at create (or refused by Cloudflare as an edit): property → (the stage config field
    that sets it, why). The diff refuses an edit of these on an existing resource."""
    write_once: tuple[str, ...] = ()
    """Inputs registered with ``ignore_changes``: written at create, never sent again."""
    kept_after_create: Mapping[str, str] = field(default_factory=dict)
    """Inputs whose edit the provider drops (its plan keeps the stored value): an edit changes nothing."""
    not_read_back: Mapping[str, str] = field(default_factory=dict)
    """Inputs an import cannot read back (or reads back as something else) → why: the adopting up ignores
    them, so the import matches, and the next up sends the program's values."""
    config: tuple[str, str] | None = None
    """(config section, resource-name prefix): where a resource of this type is declared in the stage config,
    so a refusal names the config path (``d1-main`` → ``d1.main``)."""
    holds: str | None = None
    """What a delete or a replacement destroys (data)."""
    serves: str | None = None
    """What stops working while the resource is deleted or replaced (traffic)."""
    single_owner: str | None = None
    """Cloudflare refuses two of these for one <thing> at a time: a create-before-delete replacement fails, so
    the program sets ``delete_before_replace``."""
    moves_on: tuple[str, ...] = ()
    """Inputs updated in place whose change moves traffic away from the old value."""
    delete_is_noop: str | None = None
    """The provider's delete leaves the thing running in Cloudflare: why, and what to do instead."""
    import_id: str | None = None
    """``pulumi import`` id format; None: the resource cannot be imported."""
    adopt_key: str | None = None
    """The config key (under the resource's config entry) that adopts a live one; None: the config has none."""
    find_id: str | None = None
    """How to find the id of a live one; for a type that cannot be imported, the manual step adopting needs."""
    create_note: str | None = None
    """What creating one does when a live one exists already."""
    replace_note: str | None = None
    """What a replacement does that a reviewer should know, when it costs nothing."""
    references: Mapping[str, str] = field(default_factory=dict)
    """Inputs that name another resource (by its id or name) → that resource's type."""

    @property
    def delete_before_replace(self) -> bool:
        return self.single_owner is not None


def _at(path: str, *props: str) -> dict[str, str]:
    return dict.fromkeys(props, path)


RULES: dict[str, ResourceRules] = {
    "D1Database": ResourceRules(
        source="d1_database/schema.go, model.go, resource.go",
        replace_on={
            **_at("d1_database/schema.go:43", "accountId"),
            **_at("d1_database/schema.go:48", "name"),
            **_at("d1_database/schema.go:56", "jurisdiction"),
            **_at("d1_database/schema.go:71", "primaryLocationHint"),
        },
        immutable={
            "primaryLocationHint": (
                "locationHint",
                "the location hint is written only when the database is created; adding, changing or removing it "
                "later would replace the database and lose every row. Keep the value the database was created with",
            ),
        },
        write_once=("primaryLocationHint",),  # no_refresh (model.go:21); ImportState leaves it unset (resource.go:216)
        config=("d1", "d1-"),
        holds="every row of the database",
        import_id="<account>/<uuid>",
        adopt_key="adopt",
        find_id="wrangler d1 list --json  (uuid), or wrangler d1 info <name> --json",
    ),
    "R2Bucket": ResourceRules(
        source="r2_bucket/schema.go, resource.go, resource_test.go",
        replace_on={
            **_at("r2_bucket/schema.go:67", "name"),
            **_at("r2_bucket/schema.go:72", "accountId"),
        },
        kept_after_create={
            "location": "the provider keeps the stored location (r2_bucket/schema.go:35-48, 88-91, since v5.16.0): "
            "Cloudflare honours a location only when the bucket is first created, so the bucket stays where it is",
        },
        not_read_back={"location": "r2_bucket/resource_test.go:292 (ImportStateVerifyIgnore: location)"},
        immutable={
            "jurisdiction": (
                "jurisdiction",
                "Cloudflare cannot move a bucket to another jurisdiction; the provider sends the edit as an in-place "
                "update that Cloudflare refuses (r2_bucket/schema.go:93-105: no plan modifier). Declare a new bucket "
                "and copy the objects instead",
            ),
        },
        config=("r2", "r2-"),
        holds="every object in the bucket",
        import_id="<account>/<bucket>/<jurisdiction>",  # r2_bucket/resource.go:224-232
        adopt_key="adopt",
        find_id="wrangler r2 bucket list  (bucket name; jurisdiction 'default' unless created with -J)",
    ),
    "WorkersKvNamespace": ResourceRules(
        source="workers_kv_namespace/schema.go (title: no plan modifier, renamed in place)",
        replace_on=_at("workers_kv_namespace/schema.go:35", "accountId"),
        config=("kv", "kv-"),
        holds="every key in the namespace",
        import_id="<account>/<namespace_id>",
        adopt_key="adopt",
        find_id="wrangler kv namespace list  (id)",
    ),
    "Queue": ResourceRules(
        source="queue/schema.go (queue_name, settings: no plan modifier, updated in place)",
        replace_on=_at("queue/schema.go:44", "accountId"),
        config=("queues", "queue-"),
        holds="the messages waiting in the queue",
        import_id="<account>/<queue_id>",
        adopt_key="adopt",
        find_id="wrangler queues info <name>  (queue id), or wrangler queues list",
    ),
    "QueueConsumer": ResourceRules(
        source="queue_consumer/schema.go, resource.go (no ImportState); SDK queue_consumer.py:296",
        replace_on={**_at("queue_consumer/schema.go:37", "accountId"), **_at("queue_consumer/schema.go:42", "queueId")},
        serves="the queue's messages stop being delivered to the worker",
        single_owner="queue (a queue has one worker consumer)",
        find_id="a consumer cannot be imported: if the live queue already has its worker consumer, remove it "
        "first (wrangler queues consumer remove <queue> <script>); this up then creates it",
        references={"queueId": "Queue", "scriptName": "WorkersScript"},
    ),
    "WorkersScript": ResourceRules(
        source="workers_script/schema.go, resource.go, custom.go, model.go, resource_test.go",
        replace_on={
            **_at("workers_script/schema.go:47", "scriptName"),
            **_at("workers_script/schema.go:52", "accountId"),
        },
        not_read_back={
            "content": "workers_script/resource.go:376-379 stores the live code when content_file is unset, and "
            "the program sends content_file instead (the two conflict: schema.go:54-80)",
            "contentFile": "never read (resource.go:427-469 ImportState; resource_test.go:322)",
            "contentSha256": "read only when already in state (resource.go:381-385; resource_test.go:322)",
            "contentType": 'never read (model.go:44 json:"-"; resource_test.go:397)',
            "mainModule": "not read back after an import (resource_test.go:211, 322, 397, 1146)",
            "bindings": "secret_text values are never returned and a secret not in state is dropped "
            "(resource.go:318-324, custom.go:294-299; resource_test.go:1146)",
            "assets": 'the folder is never read back (model.go:132 json:"-"; resource_test.go:475 ignores '
            "assets.directory)",
            "migrations": "never read back: Read keeps the state's (resource.go:327-329), none after an import "
            "(resource_test.go:508 ignores migrations)",
        },
        serves="the worker stops serving, with every domain, route, cron and consumer pointing at it",
        import_id="<account>/<script_name>",
        adopt_key="adopt",
        find_id=f"wrangler deployments list --name <script>, or {CURL} {API}/accounts/<account>/workers/scripts",
        create_note="a live worker of this name would be overwritten (an upload is a PUT)",  # resource.go:117
    ),
    "WorkersCustomDomain": ResourceRules(
        source="workers_custom_domain/schema.go; Cloudflare's answer to a second domain on a hostname (409, 100116)",
        replace_on={
            **_at("workers_custom_domain/schema.go:35", "accountId"),
            **_at("workers_custom_domain/schema.go:40", "hostname"),
            **_at("workers_custom_domain/schema.go:45", "service"),
            **_at("workers_custom_domain/schema.go:52", "environment"),  # RequiresReplaceIfConfigured
            **_at("workers_custom_domain/schema.go:58", "zoneId"),
            **_at("workers_custom_domain/schema.go:64", "zoneName"),
        },
        serves="the hostname stops reaching the worker",
        single_owner="hostname (Cloudflare answers 409, code 100116: hostname already in use by another custom domain)",
        import_id="<account>/<domain_id>",
        adopt_key="adoptDomains.<hostname>",
        find_id=f"{CURL} '{API}/accounts/<account>/workers/domains?hostname=<hostname>'  (id)",
        create_note="Cloudflare refuses a hostname that already has DNS records (100117)",
        references={"service": "WorkersScript"},
    ),
    "WorkersRoute": ResourceRules(
        source="workers_route/schema.go (pattern, script: no plan modifier, updated in place)",
        replace_on=_at("workers_route/schema.go:36", "zoneId"),
        serves="the route pattern stops reaching the worker",
        single_owner="route pattern (a zone has one route per pattern)",
        moves_on=("pattern", "script"),
        import_id="<zone>/<route_id>",
        adopt_key="adoptRoutes.<pattern>",
        find_id=f"{CURL} {API}/zones/<zone>/workers/routes  (id)",
        references={"script": "WorkersScript"},
    ),
    "WorkersCronTrigger": ResourceRules(
        source="workers_cron_trigger/schema.go, resource.go (Delete is empty: 191-193; ModifyPlan warns it 'will not "
        "change it in the API': 241-255; Create and Update are a PUT of the schedules: 74, 124)",
        replace_on={
            **_at("workers_cron_trigger/schema.go:34", "scriptName"),
            **_at("workers_cron_trigger/schema.go:39", "accountId"),
        },
        serves="the schedules stop firing",
        moves_on=("schedules",),
        delete_is_noop="the provider's delete does nothing, so Cloudflare keeps firing the schedules; "
        "keep the trigger with an empty schedule list to clear them",
        import_id="<account>/<script_name>",
        create_note="no adopt needed: creating it sets the script's schedules (a PUT), replacing any live ones",
        references={"scriptName": "WorkersScript"},
    ),
    "AccountToken": ResourceRules(
        source="account_token/schema.go (value: Computed, Sensitive, set once at create: 162-167); the program's "
        "replace_on_changes (components/cloudflare/sync_token.py: any change to a token is a new token)",
        replace_on=_at("account_token/schema.go:64", "accountId"),
        replace_on_changes=("*",),
        not_read_back={"value": "account_token/resource_test.go:166 (the API never returns a token's value)"},
        replace_note="a new token is issued (a new value); the project stack writes it into the stage's /cloudflare "
        "folder, the stage's next deploy hands it to its Infisical connection, and the old token is deleted after",
        import_id="<account>/<token_id>",
    ),
    "RandomPassword": ResourceRules(
        root="terraform-provider-random internal/provider/",
        source="terraform-provider-random v3.9.0 internal/provider/resource_password.go (every argument: "
        "RequiresReplace)",
        replace_on={
            **_at("resource_password.go:576", "keepers"),  # RequiresReplaceIfValuesNotNull
            **_at("resource_password.go:585", "length"),
            **_at("resource_password.go:604", "special"),
            **_at("resource_password.go:614", "upper"),
            **_at("resource_password.go:624", "lower"),
            **_at("resource_password.go:637", "number"),  # deprecated for numeric
            **_at("resource_password.go:657", "numeric"),
            **_at("resource_password.go:674", "minNumeric"),
            **_at("resource_password.go:684", "minUpper"),
            **_at("resource_password.go:694", "minLower"),
            **_at("resource_password.go:704", "minSpecial"),
            **_at("resource_password.go:714", "overrideSpecial"),
        },
    ),
    "Workflow": ResourceRules(
        source="workflow/schema.go (class_name, script_name: updated in place), resource.go (Delete calls "
        "Workflows.Delete)",
        replace_on={
            **_at("workflow/schema.go:42", "accountId"),
            **_at("workflow/schema.go:46", "workflowName"),
        },
        holds="every instance of the workflow, running or finished, with its step results",
        serves="the bindings to it cannot start or reach instances",
        import_id="<account>/<workflow_name>",
        find_id="wrangler workflows list",
    ),
    "HyperdriveConfig": ResourceRules(
        source="hyperdrive_config/schema.go (name, origin, caching: updated in place; origin.password Sensitive, "
        "never read back)",
        replace_on=_at("hyperdrive_config/schema.go:40", "accountId"),
        serves="the workers that bind it cannot reach the database through it",
        import_id="<account>/<hyperdrive_id>",
        find_id="wrangler hyperdrive list  (id)",
    ),
}
"""Keyed by the short type name (``policy.names.short_type``)."""

BINDING_TARGETS: dict[str, tuple[str, str]] = {
    "d1": ("id", "D1Database"),
    "kv_namespace": ("namespaceId", "WorkersKvNamespace"),
    "r2_bucket": ("bucketName", "R2Bucket"),
    "queue": ("queueName", "Queue"),
    "service": ("service", "WorkersScript"),
    "hyperdrive": ("id", "HyperdriveConfig"),
    "workflow": ("workflowName", "Workflow"),
    "durable_object_namespace": ("scriptName", "WorkersScript"),  # another worker's class
}
"""Script binding type → (the binding input naming its target, the target's type)."""


def rules_for(short_type: str) -> ResourceRules | None:
    return RULES.get(short_type)


def replaced_by(short_type: str, changed: set[str], replace_on_changes: list[str] | None = None) -> list[str]:
    """The changed top-level inputs that replace this resource: the provider's, and the program's own."""
    rules = RULES.get(short_type)
    forcing = set(rules.replace_on) if rules else set()
    program = set(replace_on_changes or ())
    return sorted(p for p in changed if p in forcing or p in program or "*" in program)


DELETE_BEFORE_REPLACE = frozenset(name for name, rules in RULES.items() if rules.delete_before_replace)
"""Types the program registers with ``delete_before_replace``: Cloudflare refuses a second owner."""


def ignored_at_import(short_type: str) -> list[str]:
    """What an adopting up ignores: the write-once inputs and what the provider cannot read back."""
    rules = RULES[short_type]
    return list(dict.fromkeys([*rules.write_once, *rules.not_read_back]))


def lifecycle(short_type: str, import_id: str | None = None) -> pulumi.ResourceOptions:
    """The resource options this table declares for one type, the only place the program gets them from.

    ``delete_before_replace`` where Cloudflare refuses a second owner, ``replace_on_changes`` where the program
    wants one, ``ignore_changes`` for write-once inputs; with ``import_id`` (an adopted resource) the import,
    ignoring as well what the provider cannot read back, so the import matches what is live.
    """
    rules = RULES[short_type]
    ignored = ignored_at_import(short_type) if import_id else list(rules.write_once)
    return pulumi.ResourceOptions(
        delete_before_replace=True if rules.delete_before_replace else None,
        replace_on_changes=list(rules.replace_on_changes) or None,
        ignore_changes=ignored or None,
        import_=import_id,
    )


def renamed(*old_names: str | None) -> pulumi.ResourceOptions:
    """Options for a resource renamed from ``old_names`` (oldest first): its state follows (aliases)."""
    names = [name for name in old_names if name]
    return pulumi.ResourceOptions(aliases=[pulumi.Alias(name=name) for name in names] or None)
