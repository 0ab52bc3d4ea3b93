"""The stage's wrangler configs for a local run, taken from the program's own ``wranglerConfigs`` output.

The program runs under the mock engine exactly as ``bin/plan`` runs it, so the local configs cannot drift
from what Pulumi deploys. Only what must differ locally is changed: ids are local (``local-<physical
name>``), paths are absolute (wrangler resolves them from the config file's folder), routes and custom
domains are dropped (Cloudflare serves those), bindings wrangler cannot run locally are left out and named
(:mod:`devstage.local_only`), and the worker gets its script name back because one local wrangler routes
service bindings, Durable Objects and Workflows between its workers by name. The config's ``secrets.required``
becomes the JSON var ``DECLARED_SECRETS`` (names only): bin/dev hands wrangler the values itself, in memory, so
wrangler must not go looking for them in ``.dev.vars``, ``.env`` or its environment, and a worker can still tell
which declared secrets it was started without (``--allow-missing-secrets``).

A local config names a script, so it carries an account id that no Cloudflare account has: an accidental
``wrangler deploy`` with it is refused by Cloudflare and can never replace the script Pulumi owns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.config import StageConfig
from components.program import main as program
from components.rules.stage_layout import PROJECT_ROOT
from components.secrets.deploy_inputs import DeployEnvironment
from components.stage import Stage
from devstage.local_only import NotLocal, without_remote_only
from plan.engine import PlanMocks, mocks, run_program
from plan.stack_files import project_name, stack_config

LOCAL_ACCOUNT_ID = "local-only-not-a-cloudflare-account"
SCHEMA = Path("node_modules/wrangler/config-schema.json")
CONFIG_SUFFIX = ".jsonc"
DECLARED_SECRETS = "DECLARED_SECRETS"
"""The local var that lists a worker's declared secret names (the deployed config's ``secrets.required``)."""


class UnknownWorkerError(ValueError):
    """``bin/dev <worker>`` named a worker the stage does not have."""


class LocalMocks(PlanMocks):
    """The plan's mock outputs, with D1 and KV ids that say they are local (and key the local data)."""

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        ident, state = super().new_resource(args)
        kind = args.typ.split(":")[-1]
        if kind == "D1Database":
            local = f"local-{args.inputs['name']}"
            return local, {**state, "uuid": local}
        if kind == "WorkersKvNamespace":
            return f"local-{args.inputs['title']}", state
        return ident, state


@dataclass(frozen=True)
class LocalStage:
    config: StageConfig
    wrangler: dict[str, dict[str, Any]]
    """Worker key → local wrangler config, in the stage config's worker order."""
    root: Path
    not_local: dict[str, list[NotLocal]] = field(default_factory=dict)
    """Worker key → the bindings its local config leaves out (no local emulation)."""

    def notices(self, workers: Sequence[str]) -> list[str]:
        """What ``bin/dev`` says at start about the bindings the local run of ``workers`` does without."""
        return [left.notice() for worker in workers for left in self.not_local.get(worker, [])]

    def select(self, workers: Sequence[str]) -> list[str]:
        """The workers to run, in the order given (all of them by default); unknown names are refused."""
        unknown = [name for name in workers if name not in self.wrangler]
        if unknown:
            known = ", ".join(self.wrangler)
            stage = self.config.stage
            raise UnknownWorkerError(f"stage {stage!r} has no worker {', '.join(unknown)} (workers: {known})")
        return list(dict.fromkeys(workers)) or list(self.wrangler)

    def write(self, directory: Path, workers: Sequence[str]) -> list[Path]:
        """Write the configs of ``workers`` to ``directory`` (they hold names and ids, never a secret value)."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for worker in workers:
            path = directory / f"{worker}{CONFIG_SUFFIX}"
            header = (
                f"// Local wrangler config of worker {worker!r}, stage {self.config.stage!r}, written by bin/dev from\n"
                "// the program's wranglerConfigs output. Local ids, no secret values. Pulumi owns the deployed\n"
                "// script: deploy with `pulumi up`; a `wrangler deploy` of this file is refused (its account_id\n"
                "// is no Cloudflare account). Secret values (names in DECLARED_SECRETS) reach the local runtime\n"
                "// from bin/dev in memory, never from a file.\n"
            )
            path.write_text(header + json.dumps(self.wrangler[worker], indent=2, sort_keys=True) + "\n")
            paths.append(path)
        return paths


def build(stage: str, root: Path = PROJECT_ROOT) -> LocalStage:
    """Run the program for ``stage`` under the mock engine and localise its ``wranglerConfigs``.

    Raises ``StageConfigError`` (every problem listed) when the stage config is invalid.
    """
    stages: list[Stage] = []
    config, secret_keys = stack_config(stage, root)
    run = run_program(
        lambda: stages.append(program(DeployEnvironment({}, allow_missing=True))),
        project=project_name(root),
        stack=stage,
        config=config,
        secret_keys=secret_keys,
        resource_mocks=LocalMocks(stage),
    )
    published = run.outputs["wranglerConfigs"].value
    scripts = run.outputs["workers"].value
    local, not_local = {}, {}
    for key in published:
        local[key], not_local[key] = without_remote_only(
            key, localise(published[key], scripts[key]["scriptName"], root)
        )
    order = [key for key in stages[0].config.workers if key in local]
    return LocalStage(stages[0].config, {key: local[key] for key in order}, root, not_local)


def localise(published: dict[str, Any], script_name: str, root: Path) -> dict[str, Any]:
    config = {key: value for key, value in published.items() if key not in ("routes", "secrets")}
    config["$schema"] = str(root / SCHEMA)
    config["name"] = script_name
    config["account_id"] = LOCAL_ACCOUNT_ID
    config["main"] = str(root / published["main"])
    if "assets" in config:
        config["assets"] = {**config["assets"], "directory": str(root / published["assets"]["directory"])}
    if declared := published.get("secrets", {}).get("required"):
        config["vars"] = {**config.get("vars", {}), DECLARED_SECRETS: sorted(declared)}
    if "d1_databases" in config:
        config["d1_databases"] = [
            {**db, "migrations_dir": str(root / db["migrations_dir"])} for db in published["d1_databases"]
        ]
    return config
