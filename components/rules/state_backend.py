"""Where each stack keeps its Pulumi state, and what can read or decrypt it: one backend per stage.

State holds every secret a stack ever saw (encrypted by the stack's secrets provider) and everything it
manages, so whoever can read and decrypt prod's state owns prod. The layout, declared once here:

* **Cloudflare R2 (the default).** Each stage has a bucket of its own, ``{app}-{stage}-pulumi-state``, in
  the stage's Cloudflare account, reached through R2's S3 API (``s3://<bucket>?endpoint=https://
  <account>.r2.cloudflarestorage.com&region=auto``). The bucket's credentials are an R2 API token scoped to
  that one bucket (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``), and the secrets provider is a passphrase
  (``PULUMI_CONFIG_PASSPHRASE``): all three live in the stage's own Infisical environment, folder
  ``/cloudflare``, which only that stage's deploy identity reads. ``pr-<number>`` stages share the
  ``preview`` bucket and environment (as they share the ``preview`` Infisical environment). The project
  stack (every stage's sync token is in its state) uses ``{app}-project-pulumi-state``, credentials in prod's
  environment, folder ``/project``, which no CI identity reads.
* **Pulumi Cloud (an option).** Stacks ``<organization>/<stage>``, reached with a *team* token whose team
  holds permissions on that stage's stacks only (``{app}-{stage}-deploy`` by default), exchanged from the
  job's GitHub OIDC token: never an organization token, which has admin on every stack.

The URL leaves out the path-style switch: it is ``s3ForcePathStyle`` for the AWS SDK v1 and ``use_path_style``
for v2, and each SDK refuses the other's (pulumi/pulumi#18645); R2 answers virtual-hosted requests.

Pure standard library (`bin/plan --backend`, the config check and the workflows read the same answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from components.rules.naming import PREVIEW_ENVIRONMENT, PROJECT_STACK, infisical_environment_slug

Backend = Literal["r2", "pulumi-cloud"]
"""Where a stack keeps its state (the config's ``state.backend``)."""
R2: Final[Backend] = "r2"
PULUMI_CLOUD: Final[Backend] = "pulumi-cloud"
PASSPHRASE: Final = "passphrase"  # noqa: S105 (a provider name)
"""The secrets provider of an R2 stack: a passphrase kept in the stage's own Infisical environment."""
PULUMI_CLOUD_SECRETS: Final = "default"
"""Pulumi Cloud's own per-stack key (``pulumi stack init`` without ``--secrets-provider``)."""
PULUMI_CLOUD_URL: Final = "https://api.pulumi.com"
TEAM_TOKEN_TYPE: Final = "urn:pulumi:token-type:access_token:team"  # noqa: S105 (a token type)
"""What a job asks Pulumi Cloud for in exchange for its OIDC token (never ``...:organization``)."""
R2_ENDPOINT: Final = "https://{account_id}.r2.cloudflarestorage.com"
R2_URL: Final = "s3://{bucket}?endpoint={endpoint}&region=auto"
BUCKET: Final = "{app}-{scope}-pulumi-state"
R2_VARIABLES: Final = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
"""The R2 API token (scoped to the one bucket) as the S3 API takes it."""
PASSPHRASE_VARIABLE: Final = "PULUMI_CONFIG_PASSPHRASE"  # noqa: S105 (a variable name)
CREDENTIALS_FOLDER: Final = "/cloudflare"
"""The folder a stage's deploy reads (``infisical run --path=/cloudflare``): its state credentials too."""
PROJECT_CREDENTIALS: Final = ("prod", "/project")
"""The project stack's state credentials: prod's environment (it runs with prod's gate), a folder that no
CI identity reads."""


@dataclass(frozen=True)
class StateBackend:
    """What ``pulumi login`` and ``pulumi stack init`` take for one stack, and where its credentials live."""

    stack: str
    backend: Backend
    url: str
    """``pulumi login <url>``."""
    stack_name: str
    """``--stack``: the bare stage, or ``<organization>/<stage>`` on Pulumi Cloud."""
    secrets_provider: str
    """``pulumi stack init --secrets-provider``; ``default`` is Pulumi Cloud's own."""
    credentials_environment: str
    credentials_folder: str
    variables: tuple[str, ...]
    """The variables in that folder that the Pulumi CLI reads (names only)."""
    reach: str
    """What the stack's credential can reach: the bucket URL, or the Pulumi Cloud team. Unique per stage."""
    team: str | None = None
    token_type: str | None = None
    bucket: str | None = None
    endpoint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "backend": self.backend,
            "url": self.url,
            "stackName": self.stack_name,
            "secretsProvider": self.secrets_provider,
            "credentials": {
                "environment": self.credentials_environment,
                "folder": self.credentials_folder,
                "variables": list(self.variables),
            },
            "team": self.team,
            "tokenType": self.token_type,
            "bucket": self.bucket,
            "endpoint": self.endpoint,
        }


def _scope(stack: str) -> str:
    """Whose bucket a stack uses: its own; ``preview`` for ``pr-<number>``."""
    return PREVIEW_ENVIRONMENT if infisical_environment_slug(stack) == PREVIEW_ENVIRONMENT else stack


def backend_of(app: str, stack: str, account_id: str | None, state: Any) -> StateBackend:
    """The backend of ``stack`` from its ``state`` config value (camelCase, as in YAML; None: the defaults).

    A ``pr-<number>`` stack's config is the shared template (``Pulumi.pr.template.yaml``), so of it only the
    kind of backend, the organization and the bucket's account count: the bucket, team and secrets provider
    are the shared ``preview`` ones.
    """
    section: Mapping[str, Any] = state if isinstance(state, Mapping) else {}
    scope = _scope(stack)
    if scope == PREVIEW_ENVIRONMENT:
        section = {key: section[key] for key in ("backend", "organization", "accountId") if key in section}
    if stack == PROJECT_STACK:
        environment, folder = PROJECT_CREDENTIALS
    else:
        environment, folder = infisical_environment_slug(stack), CREDENTIALS_FOLDER
    provider = str(section.get("secretsProvider") or "")
    if section.get("backend") == PULUMI_CLOUD:
        organization = str(section.get("organization") or "")
        team = str(section.get("team") or f"{app}-{scope}-deploy")
        provider = provider or PULUMI_CLOUD_SECRETS
        return StateBackend(
            stack=stack,
            backend=PULUMI_CLOUD,
            url=PULUMI_CLOUD_URL,
            stack_name=f"{organization}/{stack}",
            secrets_provider=provider,
            credentials_environment=environment,
            credentials_folder=folder,
            variables=(PASSPHRASE_VARIABLE,) if provider == PASSPHRASE else (),
            reach=f"{PULUMI_CLOUD_URL} team {organization}/{team}",
            team=team,
            token_type=TEAM_TOKEN_TYPE,
        )
    bucket = str(section.get("bucket") or BUCKET.format(app=app, scope=scope))
    account = str(section.get("accountId") or account_id or "<state.accountId>")
    endpoint = R2_ENDPOINT.format(account_id=account)
    url = R2_URL.format(bucket=bucket, endpoint=endpoint)
    provider = provider or PASSPHRASE
    variables = (*R2_VARIABLES, PASSPHRASE_VARIABLE) if provider == PASSPHRASE else R2_VARIABLES
    return StateBackend(
        stack=stack,
        backend=R2,
        url=url,
        stack_name=stack,
        secrets_provider=provider,
        credentials_environment=environment,
        credentials_folder=folder,
        variables=variables,
        reach=url,
        bucket=bucket,
        endpoint=endpoint,
    )
