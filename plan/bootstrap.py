"""``bin/plan <stage> --bootstrap``: the Infisical CLI commands that prepare a stage's first ``pulumi up``.

The first ``pulumi up`` of a stage reads its deploy-time secrets, and its state backend's credentials, from
the stage's Infisical environment, folder ``/cloudflare``, through ``infisical run``. So that folder and those
secrets must exist first. The commands printed here create the folder (``infisical secrets folders create``)
and set each secret by name (``infisical secrets set``), say when the project stack writes the sync token
there, log in to the stage's own state backend and create the stack, then run the first deploy. Values are
never printed: each ``set`` takes its value from the shell variable of the same name. The stack adopts the
folder (and the environment, which a project made in the Infisical UI already has for ``dev``, ``staging``
and ``prod``) and creates the rest.
"""

from __future__ import annotations

import shlex

from components.config import INJECTED_SECRETS_FOLDER, StageConfig, parse_stage_config
from components.config.project_config import PROJECT_STACK
from components.rules.stack_values import namespace_values
from components.rules.state_backend import PULUMI_CLOUD_SECRETS, StateBackend, backend_of
from components.secrets.deploy_inputs import CLOUDFLARE_TOKEN_ENV, minted_variables, required_variables
from plan.stack_files import project_name, stack_config


def stage_config(stage: str) -> StageConfig:
    """The committed config of ``stage``, validated (StageConfigError names every problem)."""
    values, _ = stack_config(stage)
    project = project_name()
    return parse_stage_config(namespace_values(values, project), stage=stage, namespace=project)


def state_backend(config: StageConfig, stack: str | None = None) -> StateBackend:
    """Where the stage (or ``stack``, a ``pr-<number>`` made from it) keeps its Pulumi state."""
    state = config.state.model_dump(by_alias=True, exclude_none=True) if config.state else None
    return backend_of(config.app, stack or config.stage, config.account_id, state)


def deploy_secret_names(config: StageConfig) -> list[str]:
    """Every variable a person puts into the deploy folder, the Cloudflare token first, then the program's, then
    the state backend's credentials (not what the project stack writes there:
    :func:`components.secrets.deploy_inputs.minted_variables`)."""
    minted = set(minted_variables(config))
    program = [v for v in sorted(required_variables(config)) if v not in minted]
    backend = state_backend(config)
    state = list(backend.variables) if backend.credentials_folder == INJECTED_SECRETS_FOLDER else []
    return [CLOUDFLARE_TOKEN_ENV, *program, *state]


def folder_chain(path: str) -> list[tuple[str, str]]:
    """(parent path, name) of every level of ``path``, outermost first: ``/a/b`` → ``("/", "a"), ("/a", "b")``."""
    parts = [part for part in path.split("/") if part]
    return [("/" + "/".join(parts[:depth]), name) for depth, name in enumerate(parts)]


def bootstrap_commands(config: StageConfig) -> list[str]:
    """The shell lines, comments included, that prepare ``config``'s stage for its first deploy."""
    if config.infisical is None:
        return [f"# Stage {config.stage!r} has no Infisical side: nothing to prepare."]
    env = ["--env", config.infisical_environment_slug]
    folder = INJECTED_SECRETS_FOLDER
    if config.infisical.project_id is not None:
        project = shlex.join(["--projectId", config.infisical.project_id])
    else:  # the stage reads its project id from the project stack's output: so does the shell
        stack = config.infisical.project_stack or PROJECT_STACK
        project = f'--projectId "$(pulumi stack output projectId --stack {shlex.quote(stack)})"'

    def command(verb: str, *words: str) -> str:
        """``infisical <verb> --projectId <id> <words>`` (the verb may be several words)."""
        return " ".join(["infisical", verb, project, shlex.join(words)])

    lines = [
        f"# Day one for stage {config.stage!r}: Infisical environment {config.infisical_environment_slug!r},"
        f" folder {folder}.",
        "# The environment must exist: a project made in the Infisical UI has dev, staging and prod.",
        "infisical login",
    ]
    lines += [
        command("secrets folders create", *env, "--path", parent, "--name", name)
        for parent, name in folder_chain(folder)
    ]
    lines.append("# Each deploy-time secret, by name: export it in this shell first (values are never printed).")
    for name in deploy_secret_names(config):
        assignment = f'{name}="${name}"'  # expanded by the shell that runs the line, never written here
        lines.append(f"{command('secrets set', *env, '--path', folder)} {assignment}")
    for name in minted_variables(config):
        lines += [
            f"# {name}: the project stack mints it and writes it into this folder. An Infisical admin runs",
            "# `pulumi up -s project` now, with the Cloudflare token that may mint tokens (docs/access.md).",
        ]
    backend = state_backend(config)
    select = ["pulumi", "stack", "select", backend.stack_name, "--create"]
    if backend.secrets_provider != PULUMI_CLOUD_SECRETS:
        select += ["--secrets-provider", backend.secrets_provider]
    lines.append(f"# The stack's own state backend (bin/plan {config.stage} --backend), then the first deploy:")
    lines.append(command("run", *env, "--path", folder, "--", "pulumi", "login", backend.url))
    lines.append(command("run", *env, "--path", folder, "--", *select))
    lines.append(command("run", *env, "--path", folder, "--", "pulumi", "up", "-s", config.stage))
    return lines


def show_bootstrap(stage: str) -> str:
    return "\n".join(bootstrap_commands(stage_config(stage))) + "\n"
