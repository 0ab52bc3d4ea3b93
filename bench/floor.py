"""The floor: the same graph as the benchmark's N-worker dev stage, written by hand.

Every resource is built directly with the typed SDK classes (and the Infisical package's) and literal
inputs: no config, no components, no checks, no wiring of one resource's outputs into another. What the
program costs above this is what its structure costs.
"""

from __future__ import annotations

import pulumi
import pulumi_cloudflare as cf
import pulumi_random as random

from components import infisical as inf

ACCOUNT = "0123456789abcdef0123456789abcdef"
ZONE = "023e105f4ecef8ad9ca31a8372d0c353"
PROJECT = "3f8e6c2a-1b4d-4e7f-9a0b-5c6d7e8f9a01"
ORGANIZATION = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
ISSUER = "https://token.actions.githubusercontent.com"


def hand_written(workers: int) -> None:
    """A dev stage with ``workers`` workers, as the benchmark generates it, one literal resource at a time."""
    provider = cf.Provider("cloudflare", cf.ProviderArgs(api_token=pulumi.Output.secret("token")))
    cloudflare = pulumi.ResourceOptions(provider=provider)
    cf.D1Database("d1-main", cf.D1DatabaseArgs(account_id=ACCOUNT, name="acme-dev-main"), cloudflare)
    cf.R2Bucket("r2-assets", cf.R2BucketArgs(account_id=ACCOUNT, name="acme-dev-assets"), cloudflare)
    cf.Queue("queue-jobs", cf.QueueArgs(account_id=ACCOUNT, queue_name="acme-dev-jobs"), cloudflare)
    cf.Queue("queue-jobs-dlq", cf.QueueArgs(account_id=ACCOUNT, queue_name="acme-dev-jobs-dlq"), cloudflare)
    for i in range(workers):
        cf.WorkersKvNamespace(
            f"kv-kv{i}", cf.WorkersKvNamespaceArgs(account_id=ACCOUNT, title=f"acme-dev-kv{i}"), cloudflare
        )

    inf.Project("project", inf.ProjectArgs(adopt=True, project_id=PROJECT))
    inf.ProjectEnvironment("environment", inf.ProjectEnvironmentArgs(project_id=PROJECT, name="dev", slug="dev"))
    folders = ["/cloudflare", "/email", "/oauth"]
    folders += [f"/cloudflare/w{i}" for i in range(workers)] + [f"/generated/w{i}" for i in range(workers)]
    for path in folders:
        parent, _, name = path.rpartition("/")
        inf.SecretFolder(
            f"folder{path.replace('/', '-')}",
            inf.SecretFolderArgs(project_id=PROJECT, environment="dev", name=name, parent_path=parent or "/"),
        )
    inf.CloudflareAppConnection(
        "cloudflare-connection",
        inf.CloudflareAppConnectionArgs(
            name="acme-dev-cloudflare",
            account_id=ACCOUNT,
            api_token=pulumi.Output.secret("token"),
            description="Writes the dev Workers' synced secrets",
            project_id=PROJECT,
        ),
    )
    for i in range(workers):
        _worker(i, cloudflare)
    inf.Identity("ci-identity", inf.IdentityArgs(name="acme-dev-ci", organization_id=ORGANIZATION))
    inf.IdentityOidcAuth(
        "ci-identity-oidc",
        inf.IdentityOidcAuthArgs(
            identity_id="00000000-0000-4000-8000-000000000001",
            oidc_discovery_url=ISSUER,
            bound_issuer=ISSUER,
            bound_audiences="https://github.com/acme",
            bound_claims={"repository": "acme/app", "sub": "repo:acme/app:environment:dev"},
        ),
    )
    inf.ProjectRole(
        "ci-identity-role",
        inf.ProjectRoleArgs(
            project_id=PROJECT,
            slug="acme-dev-ci",
            name="acme-dev-ci",
            permissions=[{"subject": "secrets", "action": ["readValue"], "conditions": {"environment": "dev"}}],
        ),
    )
    inf.ProjectIdentityMembership(
        "ci-identity-membership",
        inf.ProjectIdentityMembershipArgs(
            project_id=PROJECT, identity_id="00000000-0000-4000-8000-000000000001", role="acme-dev-ci"
        ),
    )


def _worker(i: int, cloudflare: pulumi.ResourceOptions) -> None:
    script = f"acme-dev-w{i}"
    password = random.RandomPassword(f"w{i}-SESSION_SECRET", random.RandomPasswordArgs(length=48, special=False))
    cf.WorkersScript(
        f"w{i}",
        cf.WorkersScriptArgs(
            account_id=ACCOUNT,
            script_name=script,
            main_module="index.mjs",
            content_file="workers/api/index.mjs",
            content_type="application/javascript+module",
            compatibility_date="2025-06-01",
            bindings=[
                cf.WorkersScriptBindingArgs(name="ASSETS", type="r2_bucket", bucket_name="acme-dev-assets"),
                cf.WorkersScriptBindingArgs(name="CACHE", type="kv_namespace", namespace_id=f"kv-id-{i}"),
                cf.WorkersScriptBindingArgs(name="DB", type="d1", id="00000000-0000-4000-8000-000000000002"),
                cf.WorkersScriptBindingArgs(name="JOBS", type="queue", queue_name="acme-dev-jobs"),
                cf.WorkersScriptBindingArgs(name="LOG_LEVEL", type="plain_text", text="debug"),
                cf.WorkersScriptBindingArgs(name="SESSION_SECRET", type="secret_text", text=password.result),
            ],
            keep_bindings=["secret_text", "secret_key"],
            observability=cf.WorkersScriptObservabilityArgs(enabled=True),
        ),
        cloudflare,
    )
    hostname = f"w{i}.dev.example.net"
    cf.WorkersCustomDomain(
        f"w{i}-domain-{hostname}",
        cf.WorkersCustomDomainArgs(account_id=ACCOUNT, hostname=hostname, service=script, zone_id=ZONE),
        cloudflare,
    )
    cf.WorkersCronTrigger(  # every worker has one; an empty schedule list when it has no crons
        f"w{i}-cron",
        cf.WorkersCronTriggerArgs(
            account_id=ACCOUNT,
            script_name=script,
            schedules=[cf.WorkersCronTriggerScheduleArgs(cron="*/30 * * * *")] if i % 10 == 0 else [],
        ),
        cloudflare,
    )
    if i == 0:
        cf.QueueConsumer(
            f"w{i}-consumer",
            cf.QueueConsumerInitArgs(
                account_id=ACCOUNT,
                queue_id="queue-id-jobs",
                type="worker",
                script_name=script,
                dead_letter_queue="acme-dev-jobs-dlq",
                settings=cf.QueueConsumerSettingsArgs(batch_size=10, max_retries=3, max_wait_time_ms=5000),
            ),
            cloudflare,
        )
    inf.CloudflareWorkersSecretSync(
        f"sync-w{i}",
        inf.CloudflareWorkersSecretSyncArgs(
            name=script,
            project_id=PROJECT,
            connection_id="00000000-0000-4000-8000-000000000003",
            environment="dev",
            secret_path=f"/cloudflare/w{i}",
            script_id=script,
            initial_sync_behavior="overwrite-destination",
            disable_secret_deletion=True,
            auto_sync_enabled=True,
            description=f"/cloudflare/w{i} → Worker {script}",
        ),
    )
    inf.Secret(
        f"generated-w{i}-SESSION_SECRET",
        inf.SecretArgs(
            project_id=PROJECT,
            environment="dev",
            secret_path=f"/generated/w{i}",
            key="SESSION_SECRET",
            value=pulumi.Output.secret(password.result),
        ),
    )
