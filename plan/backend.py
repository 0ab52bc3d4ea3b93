"""``bin/plan <stage> --backend``: where a stack keeps its Pulumi state, and how to reach it.

Prints what ``pulumi login`` and ``pulumi stack init`` take for the stack, and which Infisical environment
and folder hold its credentials, from the committed stack file alone (`components.rules.state_backend`
derives it; no credential, no network). The workflows and people read the same answer:

* ``--format table`` (the default) or ``markdown``: ``KEY=value`` lines, shell-quoted, for
  ``eval``/``$GITHUB_ENV``; none of them is a secret (names of credentials, never values);
* ``--format json``: one object, the same facts.

The stage's config is checked first, so a stage whose backend is another's fails with exit 2 here too.
"""

from __future__ import annotations

import json
import shlex

from components.config.load import StageConfigError
from components.config.project_config import parse_project_config
from components.rules.naming import PROJECT_STACK, is_preview_stage
from components.rules.stack_values import namespace_values
from components.rules.state_backend import PULUMI_CLOUD_SECRETS, R2, R2_URL, StateBackend, backend_of
from plan.bootstrap import stage_config, state_backend
from plan.stack_files import project_name, stack_config


def backend_for(stack: str) -> StateBackend:
    """The checked backend of ``stack`` (a ``pr-<number>`` stack is made from its template)."""
    if stack == PROJECT_STACK:
        values, _ = stack_config(stack)
        config = parse_project_config(namespace_values(values, project_name()), namespace=project_name())
        state = config.state.model_dump(by_alias=True, exclude_none=True) if config.state else None
        if state is None or (state.get("backend", R2) == R2 and "accountId" not in state):
            raise StageConfigError(
                [
                    (
                        f"{project_name()}:state.accountId",
                        "the project stack has no account of its own: set state.accountId (prod's) for its "
                        "R2 bucket, or state.backend: pulumi-cloud",
                    )
                ]
            )
        return backend_of(config.app, stack, None, state)
    return state_backend(stage_config(stack), stack)  # a pr-<number> stack: its template


def state_summary(stack: str) -> str | None:
    """One line for the plan's header: where the stack's state is and where its credentials are (None: unknown)."""
    try:
        backend = backend_for(stack)
    except StageConfigError:
        return None
    cloud = f"Pulumi Cloud {backend.stack_name}, team {backend.team}"
    where = f"R2 bucket {backend.bucket}" if backend.bucket else cloud
    credentials = f"{backend.credentials_environment}:{backend.credentials_folder}"
    return f"State: {where}; secrets {backend.secrets_provider}; credentials in Infisical {credentials}"


def environment_lines(backend: StateBackend) -> list[str]:
    """The backend as shell assignments (values quoted; the R2 URL composed from its parts, so every line fits)."""
    lines = []
    if backend.bucket is not None and backend.endpoint is not None:
        url = R2_URL.format(bucket="${STATE_BUCKET}", endpoint="${STATE_ENDPOINT}")
        lines += [f"STATE_BUCKET={shlex.quote(backend.bucket)}", f"STATE_ENDPOINT={shlex.quote(backend.endpoint)}"]
        lines.append(f'PULUMI_BACKEND_URL="{url}"')
    else:
        lines.append(f"PULUMI_BACKEND_URL={shlex.quote(backend.url)}")
    pairs = {
        "PULUMI_STACK": backend.stack_name,
        "PULUMI_SECRETS_PROVIDER": backend.secrets_provider,
        "STATE_CREDENTIALS_ENVIRONMENT": backend.credentials_environment,
        "STATE_CREDENTIALS_FOLDER": backend.credentials_folder,
        "STATE_CREDENTIAL_VARIABLES": " ".join(backend.variables),
    }
    if backend.team is not None and backend.token_type is not None:
        pairs["PULUMI_TOKEN_TYPE"] = backend.token_type
        pairs["PULUMI_TEAM"] = backend.team
    return lines + [f"{key}={shlex.quote(value)}" for key, value in pairs.items()]


def show_backend(stack: str, output_format: str) -> str:
    backend = backend_for(stack)
    if output_format == "json":
        return json.dumps(backend.as_dict(), indent=2, sort_keys=True) + "\n"
    select = 'pulumi stack select "$PULUMI_STACK" --create'
    if backend.secrets_provider != PULUMI_CLOUD_SECRETS:
        select += ' --secrets-provider "$PULUMI_SECRETS_PROVIDER"'
    run = f"infisical run --env={backend.credentials_environment} --path={backend.credentials_folder} --"
    whose = "the preview backend (shared by pr-<number> stacks)" if is_preview_stage(stack) else "its own backend"
    comments = [
        f"# Pulumi state of stack {stack!r}: {whose};",
        f"# its credentials are in Infisical {backend.credentials_environment}:{backend.credentials_folder}.",
        f'# Use: eval "$(bin/plan {stack} --backend)", then, each under `{run}`:',
        '#   pulumi login "$PULUMI_BACKEND_URL"',
        f"#   {select}",
    ]
    if backend.team is not None:
        comments.append(f"# Pulumi Cloud: a team token of team {backend.team} (never an organization token).")
    return "\n".join([*comments, *environment_lines(backend)]) + "\n"
