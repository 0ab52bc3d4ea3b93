"""What a change does to each Cloudflare resource the program registers: the one table.

The real engine decides replace-or-update from the provider schema, which the credential-free plan
does not have (no provider plugin runs). This table carries that schema knowledge, read from the
upstream source that pulumi-cloudflare 6.23.1 bridges: terraform-provider-cloudflare v5
``internal/services/<resource>/schema.go`` (``RequiresReplace`` plan modifiers; the bridge maps each
one to a Pulumi replacement) and ``resource.go`` (what create and delete really call). Import ids
are the ones the installed SDK documents (``pulumi import`` section of each class docstring). The
diff (``plan/diff/``), the config refusals and the program's resource options all read it, so one
fact lives in one place.

Property names are the top-level input names as the engine records them (camelCase).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi


@dataclass(frozen=True)
class ResourceRules:
    """How one Cloudflare resource type reacts to a change, and what losing it costs."""

    source: str
    """Upstream file the replacement facts come from (terraform-provider-cloudflare v5)."""
    replace_on: tuple[str, ...]
    """Inputs whose change replaces the resource (``RequiresReplace``)."""
    immutable: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Inputs written only at create (or refused by Cloudflare as an edit): property → (the stage
    config field that sets it, why). The diff refuses an edit of these on an existing resource."""
    write_once: tuple[str, ...] = ()
    """Inputs registered with ``ignore_changes``: written at create, never sent again (an edit would
    replace the resource); the diff refuses the edit with the reason instead."""
    config: tuple[str, str] | None = None
    """(config section, resource-name prefix): where a resource of this type is declared in the
    stage config, so a refusal names the config path (``d1-main`` → ``d1.main``)."""
    holds: str | None = None
    """What a delete or a replacement destroys (data)."""
    serves: str | None = None
    """What stops working while the resource is deleted or replaced (traffic)."""
    single_owner: str | None = None
    """Cloudflare refuses two of these for one <thing> at a time: a create-before-delete replacement
    fails, so the program sets ``delete_before_replace``."""
    moves_on: tuple[str, ...] = ()
    """Inputs updated in place whose change moves traffic away from the old value."""
    delete_is_noop: str | None = None
    """The provider's delete leaves the thing running in Cloudflare: why, and what to do instead."""
    import_id: str | None = None
    """``pulumi import`` id format; None: the resource cannot be imported."""
    find_id: str | None = None
    """How to find the id of a live one (wrangler or API command); for a type that cannot be imported,
    the manual step that adopting a live one needs."""


API = "https://api.cloudflare.com/client/v4"

RULES: dict[str, ResourceRules] = {
    "D1Database": ResourceRules(
        source="internal/services/d1_database/schema.go (account_id, name, jurisdiction, primary_location_hint: "
        "RequiresReplace; the hint is no_refresh and ImportState does not set it, model.go)",
        replace_on=("accountId", "name", "jurisdiction", "primaryLocationHint"),
        immutable={
            "primaryLocationHint": (
                "locationHint",
                "the location hint is written only when the database is created; adding, changing or removing it "
                "later would replace the database and lose every row. Keep the value the database was created with",
            ),
        },
        write_once=("primaryLocationHint",),
        config=("d1", "d1-"),
        holds="every row of the database",
        import_id="<account>/<uuid>",
        find_id="wrangler d1 list --json  (uuid), or wrangler d1 info <name> --json",
    ),
    "R2Bucket": ResourceRules(
        source="internal/services/r2_bucket/schema.go (account_id, name: RequiresReplace; location: "
        "RequiresReplaceIfConfigured; jurisdiction: no plan modifier, but part of the import id)",
        replace_on=("accountId", "name", "location"),
        immutable={
            "jurisdiction": (
                "jurisdiction",
                "Cloudflare cannot move a bucket to another jurisdiction; the provider sends the edit as an in-place "
                "update that Cloudflare refuses. Declare a new bucket and copy the objects instead",
            ),
        },
        config=("r2", "r2-"),
        holds="every object in the bucket",
        import_id="<account>/<bucket>/<jurisdiction>",
        find_id="wrangler r2 bucket list  (bucket name; jurisdiction 'default' unless created with -J)",
    ),
    "RandomPassword": ResourceRules(
        source="terraform-provider-random internal/provider/resource_password.go (every argument, keepers "
        "included: RequiresReplace)",
        replace_on=("keepers", "length", "special", "upper", "lower", "numeric", "minSpecial", "overrideSpecial"),
    ),
    "WorkersKvNamespace": ResourceRules(
        source="internal/services/workers_kv_namespace/schema.go (account_id: RequiresReplace; title in place)",
        replace_on=("accountId",),
        holds="every key in the namespace",
        import_id="<account>/<namespace_id>",
        find_id="wrangler kv namespace list  (id)",
    ),
    "Queue": ResourceRules(
        source="internal/services/queue/schema.go (account_id: RequiresReplace; queue_name, settings in place)",
        replace_on=("accountId",),
        holds="the messages waiting in the queue",
        import_id="<account>/<queue_id>",
        find_id="wrangler queues info <name>  (queue id), or wrangler queues list",
    ),
    "QueueConsumer": ResourceRules(
        source="internal/services/queue_consumer/schema.go (account_id, queue_id: RequiresReplace); the SDK "
        "docstring: 'This resource does not currently support `pulumi import`'",
        replace_on=("accountId", "queueId"),
        serves="the queue's messages stop being delivered to the worker",
        single_owner="queue (a queue has one worker consumer)",
        find_id="a consumer cannot be imported: if the live queue already has its worker consumer, remove it "
        "first (wrangler queues consumer remove <queue> <script>); this up then creates it",
    ),
    "WorkersScript": ResourceRules(
        source="internal/services/workers_script/schema.go (account_id, script_name: RequiresReplace); "
        "resource.go Create is a PUT (Scripts.Update), so an existing script of that name is overwritten",
        replace_on=("accountId", "scriptName"),
        serves="the worker stops serving, with every domain, route, cron and consumer pointing at it",
        import_id="<account>/<script_name>",
        find_id="wrangler deployments list --name <script>, or "
        f"curl -H 'Authorization: Bearer $CLOUDFLARE_API_TOKEN' {API}/accounts/<account>/workers/scripts",
    ),
    "WorkersCustomDomain": ResourceRules(
        source="internal/services/workers_custom_domain/schema.go (account_id, hostname, service: RequiresReplace; "
        "environment, zone_id, zone_name: RequiresReplaceIfConfigured)",
        replace_on=("accountId", "hostname", "service", "environment", "zoneId", "zoneName"),
        serves="the hostname stops reaching the worker",
        single_owner="hostname (Cloudflare answers 409, code 100116: hostname already in use by another custom domain)",
        import_id="<account>/<domain_id>",
        find_id=f"curl -H 'Authorization: Bearer $CLOUDFLARE_API_TOKEN' "
        f"'{API}/accounts/<account>/workers/domains?hostname=<hostname>'  (id)",
    ),
    "WorkersRoute": ResourceRules(
        source="internal/services/workers_route/schema.go (zone_id: RequiresReplace; pattern, script in place)",
        replace_on=("zoneId",),
        serves="the route pattern stops reaching the worker",
        single_owner="route pattern (a zone has one route per pattern)",
        moves_on=("pattern", "script"),
        import_id="<zone>/<route_id>",
        find_id=f"curl -H 'Authorization: Bearer $CLOUDFLARE_API_TOKEN' {API}/zones/<zone>/workers/routes  (id)",
    ),
    "WorkersCronTrigger": ResourceRules(
        source="internal/services/workers_cron_trigger/resource.go (Delete is empty; ModifyPlan warns it 'will "
        "remove the resource from the Terraform state but will not change it in the API'); schema.go "
        "(account_id, script_name: RequiresReplace)",
        replace_on=("accountId", "scriptName"),
        serves="the schedules stop firing",
        moves_on=("schedules",),
        delete_is_noop="the provider's delete does nothing, so Cloudflare keeps firing the schedules; "
        "keep the trigger with an empty schedule list to clear them",
        import_id="<account>/<script_name>",
        find_id="no lookup needed: the id is the script's name; see the schedules with curl -H "
        f"'Authorization: Bearer $CLOUDFLARE_API_TOKEN' {API}/accounts/<account>/workers/scripts/<script>/schedules",
    ),
}
"""Keyed by the short type name (``policy.names.short_type``)."""


def rules_for(short_type: str) -> ResourceRules | None:
    return RULES.get(short_type)


def replaced_by(short_type: str, changed: set[str]) -> list[str]:
    """The changed top-level inputs that force a replacement of this resource type."""
    rules = RULES.get(short_type)
    return sorted(changed & set(rules.replace_on)) if rules else []


DELETE_BEFORE_REPLACE = frozenset(name for name, rules in RULES.items() if rules.single_owner)
"""Types the program registers with ``delete_before_replace``: Cloudflare refuses a second owner."""


def lifecycle(short_type: str) -> pulumi.ResourceOptions:
    """The resource options this table implies for one type: ``delete_before_replace`` where Cloudflare
    refuses a second owner, ``ignore_changes`` for write-once inputs."""
    rules = RULES[short_type]
    return pulumi.ResourceOptions(
        delete_before_replace=True if rules.single_owner else None,
        ignore_changes=list(rules.write_once) or None,
    )
