"""The wrangler config is built from the same binding constructors the program deploys with, and they take
plain (local) ids as well as resource outputs, so a local run of a worker needs no second description."""

from __future__ import annotations

from pathlib import Path

from components.cloudflare import bindings
from components.cloudflare.bindings import ConsumedQueue
from components.cloudflare.worker_args import WorkerArgs
from components.cloudflare.wrangler import wrangler_config
from components.config import QueueConsumerConfig
from components.secrets.owners import SecretBinding, WorkerSecrets

ROOT = Path(__file__).resolve().parents[1]


def test_local_ids_give_a_plain_wrangler_config() -> None:
    args = WorkerArgs(
        account_id="0" * 32,
        zone_id="1" * 32,
        script_name="acme-dev-api",
        main="workers/api/index.mjs",
        project_root=ROOT,
        compatibility_date="2025-06-01",
        compatibility_flags=["nodejs_compat"],
        bindings=[
            bindings.d1("DB", "local-db", "acme-dev-main", "migrations"),
            bindings.r2("ASSETS", "acme-dev-assets", None),
            bindings.kv("CACHE", "local-kv"),
            bindings.queue_producer("JOBS", "acme-dev-jobs"),
            bindings.service("AUTH", "acme-dev-auth", None),
            bindings.json_value("FLAGS", {"beta": True}),
            bindings.plain_text("LOG_LEVEL", "debug"),
        ],
        secrets=WorkerSecrets([SecretBinding("SESSION_SECRET", "")], ["OAUTH_CLIENT_SECRET"], "/cloudflare/api"),
        domains=[],
        routes=[],
        crons=["*/30 * * * *"],
        consumer=ConsumedQueue(QueueConsumerConfig(queue="jobs"), "", "acme-dev-jobs", "acme-dev-jobs-dlq"),
        observability=True,
    )
    config = wrangler_config(args)
    assert config["name"] == "acme-dev-api"
    assert config["d1_databases"] == [
        {"binding": "DB", "database_name": "acme-dev-main", "database_id": "local-db", "migrations_dir": "migrations"}
    ]
    assert config["r2_buckets"] == [{"binding": "ASSETS", "bucket_name": "acme-dev-assets"}]
    assert config["kv_namespaces"] == [{"binding": "CACHE", "id": "local-kv"}]
    assert config["services"] == [{"binding": "AUTH", "service": "acme-dev-auth"}]
    assert config["queues"]["producers"] == [{"binding": "JOBS", "queue": "acme-dev-jobs"}]
    assert config["queues"]["consumers"][0]["dead_letter_queue"] == "acme-dev-jobs-dlq"
    assert config["vars"] == {"FLAGS": {"beta": True}, "LOG_LEVEL": "debug"}
    assert config["secrets"] == {"required": ["OAUTH_CLIENT_SECRET", "SESSION_SECRET"]}
    assert config["triggers"] == {"crons": ["*/30 * * * *"]}
    assert "routes" not in config
