"""The steps of ``bin/dev`` once its arguments are good: configs, refusals, secrets, migrations, start.

Each step that stops the run says why and returns its exit code (``devstage.exits``); the last one does not
return: this process becomes the local runtime (``devstage.launch``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from components.config import StageConfig, StageConfigError
from components.rules.stage_layout import PROJECT_ROOT
from devstage import configs, guard, launch, sources, wrangler
from devstage.exits import Exit
from devstage.secrets import missing_message, resolve, secret_reads, wanted

STATE = Path(".dev")


def run(args: argparse.Namespace, root: Path | None = None) -> int:
    root = root or PROJECT_ROOT
    stage = _stage(args, root)
    if isinstance(stage, Exit):
        return stage
    local, workers = stage
    if args.config_only:
        for path in local.write(args.config_only.resolve(), workers):
            print(path)
        return Exit.OK
    stage_dir = (root / STATE / args.stage).resolve()
    if (refused := _refused(local, workers, root, stage_dir)) is not None:
        return refused
    values = _secret_values(local.config, workers, args)
    if isinstance(values, Exit):
        return values

    paths = dict(zip(workers, local.write(stage_dir / "config", workers), strict=True))
    for sub in ("state", "logs"):
        (stage_dir / sub).mkdir(parents=True, exist_ok=True)
    env = wrangler.environment(os.environ, stage_dir / "logs")
    if not _migrated(_databases(local, workers, paths), env, stage_dir / "state", root):
        return Exit.FAILED
    for notice in local.notices(workers):  # bindings wrangler cannot run here: named, then left out
        print(notice, file=sys.stderr)
    given = sorted({name for bound in values.values() for name in bound})
    print(
        f"bin/dev: starting stage {local.config.stage!r} ({', '.join(workers)}); secrets handed over in memory: "
        f"{', '.join(given) or 'none'}",
        file=sys.stderr,
    )
    server = launch.DevServer(args.ip, args.port, args.inspector_port, stage_dir / "state")
    try:
        launch.exec_runtime(launch.payload(root, paths, values, server), env, stage_dir / "state")
    except (OSError, launch.PipeTooSmallError) as error:
        print(f"error: the local runtime could not start: {error}", file=sys.stderr)
    return Exit.FAILED


def _stage(args: argparse.Namespace, root: Path) -> tuple[configs.LocalStage, list[str]] | Exit:
    """The stage's local configs and the workers to run, or the usage error that says why not."""
    try:
        local = configs.build(args.stage, root)
        return local, local.select(args.workers)
    except (StageConfigError, configs.UnknownWorkerError) as error:
        print(f"error: {error}", file=sys.stderr)
        return Exit.USAGE


def _refused(local: configs.LocalStage, workers: list[str], root: Path, stage_dir: Path) -> Exit | None:
    """Why this machine cannot run the stage (no Node.js or wrangler, a plaintext secret file), if it cannot."""
    if reason := wrangler.missing_tools(root):
        print(f"error: {reason}", file=sys.stderr)
        return Exit.USAGE
    mains = [(root / local.config.workers[worker].main).resolve() for worker in workers]
    if plaintext := guard.plaintext_secret_files(guard.watched_folders(root.resolve(), mains, stage_dir)):
        print(guard.refusal(plaintext, root, local.config.infisical_environment_slug), file=sys.stderr)
        return Exit.PLAINTEXT_FILE
    return None


def _secret_values(
    config: StageConfig, workers: list[str], args: argparse.Namespace
) -> dict[str, dict[str, str]] | Exit:
    """Each worker's secret values by binding name, or the exit code when some are missing and not allowed to be."""
    reads = secret_reads(config, workers)
    values, missing = resolve(reads, sources.read(config, wanted(reads), args.secrets_from, os.environ))
    if missing:
        project = sources.project_id_of(config, os.environ)
        print(missing_message(config.stage, config.infisical_environment_slug, project, missing), file=sys.stderr)
        if not args.allow_missing_secrets:
            print(
                "Start anyway with --allow-missing-secrets: they stay unset, and the workers list them as missing.",
                file=sys.stderr,
            )
            return Exit.MISSING_SECRETS
        print("bin/dev: starting without them (--allow-missing-secrets).", file=sys.stderr)
    return values


def _databases(local: configs.LocalStage, workers: list[str], paths: Mapping[str, Path]) -> dict[str, Path]:
    """Each D1 database with migrations, by name, with the config of the first worker that binds it."""
    found: dict[str, Path] = {}
    for worker in workers:
        for db in local.wrangler[worker].get("d1_databases", []):
            if Path(db["migrations_dir"]).is_dir():
                found.setdefault(db["database_name"], paths[worker])
    return found


def _migrated(databases: Mapping[str, Path], env: Mapping[str, str], state_dir: Path, root: Path) -> bool:
    """Apply each database's migrations to its local copy; False, having said why, when wrangler fails."""
    for name, config_path in databases.items():
        print(f"bin/dev: applying D1 migrations to local database {name}", file=sys.stderr)
        apply = ["d1", "migrations", "apply", name, "--local", "-c", str(config_path)]
        options = ["--persist-to", str(state_dir), "--env-file", os.devnull]
        result = subprocess.run(  # noqa: S603 (the project's own wrangler, fixed arguments, no secret)
            wrangler.command(*apply, *options, root=root), env=env, cwd=state_dir, stdin=subprocess.DEVNULL,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            print(f"error: the D1 migrations of {name} failed (wrangler exited {result.returncode})", file=sys.stderr)
            return False
    return True
