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
from components.rules.naming import PROJECT_STACK
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


CONTINUED = " \\"
"""The end of a shell line that the next line continues."""


def bootstrap_commands(config: StageConfig) -> list[str]:
    """The shell lines, comments included, that prepare ``config``'s stage for its first deploy.

    Every line fits the CLI's 120 columns: the project id is set once in ``$project``, and the secrets are set by
    one ``infisical secrets set`` with one ``NAME="$NAME"`` per continued line.
    """
    if config.infisical is None:
        return [f"# Stage {config.stage!r} has no Infisical side: nothing to prepare."]
    env = ["--env", config.infisical_environment_slug]
    folder = INJECTED_SECRETS_FOLDER
    if config.infisical.project_id is not None:
        project = f"project={shlex.quote(config.infisical.project_id)}"
    else:  # the stage reads its project id from the project stack's output: so does the shell
        stack = config.infisical.project_stack or PROJECT_STACK
        project = f'project="$(pulumi stack output projectId --stack {shlex.quote(stack)})"'

    def command(verb: str, *words: str) -> str:
        """``infisical <verb> --projectId "$project" <words>`` (the verb may be several words)."""
        return " ".join(["infisical", verb, '--projectId "$project"', shlex.join(words)])

    lines = [
        f"# Day one for stage {config.stage!r}: Infisical environment {config.infisical_environment_slug!r},"
        f" folder {folder}.",
        "# The environment must exist: a project made in the Infisical UI has dev, staging and prod.",
        "infisical login",
        project,
    ]
    lines += [
        command("secrets folders create", *env, "--path", parent, "--name", name)
        for parent, name in folder_chain(folder)
    ]
    lines.append("# Each deploy-time secret, by name: export it in this shell first (values are never printed).")
    # expanded by the shell that runs the lines, never written here
    assignments = [f'  {name}="${name}"' for name in deploy_secret_names(config)]
    if assignments:
        lines += _continued([command("secrets set", *env, "--path", folder), *assignments])
    for name in minted_variables(config):
        lines += [
            f"# {name}: the project stack mints it and writes it into this folder. An Infisical admin runs",
            "# `pulumi up -s project` now, with the Cloudflare token that may mint tokens (docs/access.md).",
        ]
    select = 'pulumi stack select "$PULUMI_STACK" --create'
    if state_backend(config).secrets_provider != PULUMI_CLOUD_SECRETS:
        select += ' --secrets-provider "$PULUMI_SECRETS_PROVIDER"'
    run = command("run", *env, "--path", folder, "--")
    lines += [
        "# The stack's own state backend (its login URL, stack and secrets provider), then the first deploy:",
        f'eval "$(bin/plan {config.stage} --backend)"',
        f'{run} pulumi login "$PULUMI_BACKEND_URL"',
        *_continued([run, f"  {select}"]),
    ]
    lines.append(command("run", *env, "--path", folder, "--", "pulumi", "up", "-s", config.stage))
    return lines


def _continued(parts: list[str]) -> list[str]:
    """One shell command over several lines: every line but the last ends in a backslash."""
    return [part + CONTINUED for part in parts[:-1]] + parts[-1:]


def show_bootstrap(stage: str) -> str:
    return "\n".join(bootstrap_commands(stage_config(stage))) + "\n"
