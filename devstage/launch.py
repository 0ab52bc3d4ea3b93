"""The last step of ``bin/dev``: apply D1 migrations locally, then exec ``wrangler dev`` with the secrets.

Both secret sources end here. The machine-identity path calls :func:`start` with the values it read; the CLI
path runs ``python -m devstage.launch <plan.json>`` at the end of its ``infisical run`` chain, which finds
the values in relay slots. The plan file holds paths, names and arguments only, never a value.

wrangler gets the process environment it started with (minus credentials) plus exactly the declared
secret names; it reads those because the configs list them under ``secrets.required``. ``--env-file``
points at the null device, so wrangler reads no ``.dev.vars`` or ``.env`` file either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from devstage import wrangler
from devstage.secrets import SecretRead, missing_message, resolve

EXIT_MISSING_SECRETS = 3


@dataclass(frozen=True)
class Migration:
    database: str
    config: str


@dataclass(frozen=True)
class LaunchPlan:
    root: str
    stage: str
    environment: str
    """Infisical environment slug (for the missing-secrets message)."""
    project_id: str
    configs: list[str]
    state_dir: str
    log_dir: str
    dev_args: list[str]
    migrations: list[Migration]
    reads: list[SecretRead]
    inherited: list[str]
    """Names of the variables bin/dev was started with: anything the CLI chain added besides the declared
    secrets (every other secret of each folder) is dropped."""
    allow_missing: bool = False
    slots: dict[str, str] = field(default_factory=dict)
    """``<folder>:<key>`` → relay slot variable (CLI path only)."""

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path: Path) -> LaunchPlan:
        data = json.loads(path.read_text())
        data["migrations"] = [Migration(**m) for m in data["migrations"]]
        data["reads"] = [SecretRead(**r) for r in data["reads"]]
        return cls(**data)


def start(plan: LaunchPlan, lookup: dict[tuple[str, str], str]) -> None:
    values, missing = resolve(plan.reads, lambda folder, key: lookup.get((folder, key)))
    if missing:
        print(missing_message(plan.stage, plan.environment, plan.project_id, missing), file=sys.stderr)
        if not plan.allow_missing:
            print("Add them, or start anyway with --allow-missing-secrets.", file=sys.stderr)
            raise SystemExit(EXIT_MISSING_SECRETS)
    root = Path(plan.root)
    base = wrangler.environment(os.environ, Path(plan.log_dir), keep=plan.inherited)
    for migration in plan.migrations:
        print(f"bin/dev: applying D1 migrations to local database {migration.database}", file=sys.stderr)
        apply = ["d1", "migrations", "apply", migration.database, "--local", "-c", migration.config]
        subprocess.run(  # noqa: S603 (the project's own wrangler, fixed arguments)
            wrangler.command(*apply, "--persist-to", plan.state_dir, root=root),
            env=base,
            cwd=plan.state_dir,
            check=True,
            stdin=subprocess.DEVNULL,
        )
    present = ", ".join(sorted(values)) or "none"
    print(
        f"bin/dev: starting wrangler dev for stage {plan.stage!r} (secrets in its environment: {present})",
        file=sys.stderr,
    )
    args = [f"-c={config}" for config in plan.configs]
    options = ["--local", "--persist-to", plan.state_dir, "--env-file", os.devnull, *plan.dev_args]
    dev = wrangler.command("dev", *args, *options, root=root)
    os.chdir(plan.state_dir)
    os.execve(dev[0], dev, {**base, **values})  # noqa: S606 (values exist only in this process environment)


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: python -m devstage.launch <plan.json>")
    plan = LaunchPlan.load(Path(argv[0]))
    lookup = {}
    for slot_key, variable in plan.slots.items():
        folder, _, key = slot_key.rpartition(":")
        if variable in os.environ:
            lookup[(folder, key)] = os.environ[variable]
    start(plan, lookup)


if __name__ == "__main__":
    main(sys.argv[1:])
