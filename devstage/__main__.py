"""``bin/dev [WORKER...] [--stage dev]``: run a stage's workers locally in one ``wrangler dev``.

The local wrangler configs are built by the same program as ``pulumi up`` (with local ids) and written under
``.dev/<stage>/`` (gitignored), with the local D1/KV/R2/queue data and wrangler's logs. D1 migrations are
applied to the local databases first. Secrets are read from Infisical at run time into the wrangler process
environment only: with the Infisical CLI (``infisical run``) when it is installed and logged in, otherwise
with a machine identity from the ``INFISICAL_*`` variables (``INFISICAL_TOKEN``, universal auth or OIDC;
``INFISICAL_HOST`` for self-hosted). Side-effecting secrets get their sandbox values, as in every non-prod
stage. A ``.dev.vars`` or ``.env`` file with values next to a worker is refused. A stage without secrets
runs offline.

Exit codes: 2 bad usage, invalid stage config or a plaintext secret file; 3 missing secrets (each named,
with the command that adds it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from components.config import StageConfigError
from components.infisical import InfisicalError
from components.rules.stage_layout import PROJECT_ROOT
from devstage import configs, guard, sources, wrangler
from devstage.launch import LaunchPlan, Migration, start
from devstage.secrets import SecretRead, folders, secret_reads

STATE = Path(".dev")
EXIT_USAGE = 2
SOURCES = ("auto", "cli", "identity")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bin/dev", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("workers", nargs="*", metavar="WORKER", help="workers to run (default: all of the stage)")
    parser.add_argument("--stage", default="dev", help="the stage to copy: dev, staging, prod or pr-<n> (default dev)")
    parser.add_argument(
        "--config-only", type=Path, metavar="DIR", help="write the local wrangler configs to DIR and exit"
    )
    parser.add_argument("--port", type=int, default=8787, help="port of the first worker on 127.0.0.1 (default 8787)")
    parser.add_argument("--inspector-port", type=int, help="devtools port (default: wrangler's)")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--secrets-from", choices=SOURCES, default="auto",
        help="auto: the Infisical CLI when installed and logged in, else a machine identity (INFISICAL_*)",
    )  # fmt: skip
    parser.add_argument("--allow-missing-secrets", action="store_true", help="start even if secrets are missing")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, root: Path = PROJECT_ROOT) -> int:
    args = parse(argv)
    try:
        local = configs.build(args.stage, root)
    except StageConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    workers = local.select(args.workers)
    if args.config_only:
        for path in local.write(args.config_only.resolve(), workers):
            print(path)
        return 0
    if reason := wrangler.missing_tools(root):
        print(f"error: {reason}", file=sys.stderr)
        return EXIT_USAGE

    stage_dir = (root / STATE / args.stage).resolve()
    config = local.config
    around = {root, stage_dir / "config", *((root / config.workers[w].main).parent for w in workers)}
    if plaintext := guard.plaintext_secret_files(around):
        print(guard.refusal(plaintext, root, config.stage, config.infisical_environment_slug), file=sys.stderr)
        return EXIT_USAGE

    paths = local.write(stage_dir / "config", workers)
    for sub in ("state", "logs"):
        (stage_dir / sub).mkdir(parents=True, exist_ok=True)
    by_worker = dict(zip(workers, paths, strict=True))
    reads = secret_reads(config, workers)
    dev_args = ["--ip", args.ip, "--port", str(args.port)]
    if args.inspector_port:
        dev_args += ["--inspector-port", str(args.inspector_port)]
    if not sys.stdout.isatty():
        dev_args.append("--show-interactive-dev-session=false")
    plan = LaunchPlan(
        root=str(root),
        stage=config.stage,
        environment=config.infisical_environment_slug,
        project_id=(config.infisical.project_id or "") if config.infisical else "",
        configs=[str(p) for p in paths],
        state_dir=str(stage_dir / "state"),
        log_dir=str(stage_dir / "logs"),
        dev_args=dev_args,
        migrations=[
            Migration(name, str(by_worker[worker]))
            for name, (worker, migrations_dir) in _databases(local, workers).items()
            if Path(migrations_dir).is_dir()
        ],
        reads=reads,
        inherited=sorted(os.environ),
        allow_missing=args.allow_missing_secrets,
    )
    wanted = [read for read in reads if read.folder]
    source = _source(args.secrets_from, wanted)
    if source == "cli":
        folder_list = folders(wanted)
        slots = {f"{folder}:{key}": var for (folder, key), var in sources.cli_slot(folder_list, wanted).items()}
        plan = LaunchPlan(**{**plan.__dict__, "slots": slots})
        plan_file = stage_dir / "launch.json"
        plan.save(plan_file)
        inner = [sys.executable, "-m", "devstage.launch", str(plan_file)]
        chain = sources.cli_command(config, wanted, inner)
        env = {**os.environ, "PYTHONPATH": sources.python_path(root)}
        os.execvpe(chain[0], chain, env)  # noqa: S606 (the Infisical CLI, then this project's own modules)
    lookup: dict[tuple[str, str], str] = {}
    if source == "identity":
        try:
            lookup = sources.read_with_identity(config, wanted, os.environ)
        except InfisicalError as error:
            print(f"error: reading secrets from Infisical failed: {error}", file=sys.stderr)
            return EXIT_USAGE
    start(plan, lookup)
    return 0  # start() execs wrangler; reached only if it returns, which it does not


def _databases(local: configs.LocalStage, workers: list[str]) -> dict[str, tuple[str, str]]:
    """Each D1 database (by name) with the first worker that binds it and its migrations folder."""
    found: dict[str, tuple[str, str]] = {}
    for worker in workers:
        for db in local.wrangler[worker].get("d1_databases", []):
            found.setdefault(db["database_name"], (worker, db["migrations_dir"]))
    return found


def _source(choice: str, wanted: Sequence[SecretRead]) -> str | None:
    """Where the values come from: None when no secret has to be read (offline)."""
    if not wanted:
        return None
    if choice == "cli" or (choice == "auto" and sources.cli_logged_in(os.environ)):
        return "cli"
    if choice == "identity" or sources.identity_configured(os.environ):
        return "identity"
    raise SystemExit(
        "error: this stage's workers have secrets, and there is no way to read them from Infisical: install the "
        "Infisical CLI and run `infisical login`, or set INFISICAL_TOKEN (or universal-auth / OIDC variables)"
    )


if __name__ == "__main__":
    sys.exit(main())
