"""The ``state`` section: where a stack keeps its Pulumi state (one backend per stage).

Every key is optional: without the section a stage keeps its state in its own R2 bucket,
``{app}-{stage}-pulumi-state`` in its Cloudflare account, with a passphrase secrets provider whose
passphrase lives in the stage's own Infisical environment (`components.rules.state_backend`, which also
derives the ``pulumi login`` URL; ``bin/plan <stage> --backend`` prints it).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from components.config.fields import HexId, Model
from components.rules.state_backend import PULUMI_CLOUD, R2, Backend

SECRETS_PROVIDER_PATTERN = r"^(passphrase|default|(awskms|gcpkms|azurekeyvault|hashivault)://\S+)$"


class StateConfig(Model):
    backend: Backend = Field(
        R2,
        description="r2: a bucket of this stage's own through R2's S3 API (the default). pulumi-cloud: stacks "
        "<organization>/<stage>, reached with a team token whose team holds only this stage's stacks.",
    )
    bucket: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$",
        description="R2 bucket name (default {app}-{stage}-pulumi-state; pr-<number> stages share "
        "{app}-preview-pulumi-state).",
    )
    account_id: HexId | None = Field(
        None, description="Cloudflare account of the R2 bucket (default: the stage's accountId)."
    )
    secrets_provider: str | None = Field(
        None,
        pattern=SECRETS_PROVIDER_PATTERN,
        description="pulumi stack init --secrets-provider: passphrase (default with r2; the passphrase lives in "
        "the stage's Infisical environment), default (Pulumi Cloud's own), or a KMS URL of this stage's own key.",
    )
    organization: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.-]+$", description="Pulumi Cloud organization (pulumi-cloud only)."
    )
    team: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="Pulumi Cloud team whose token the stage's jobs request (default {app}-{stage}-deploy); it "
        "must hold permissions on this stage's stacks only.",
    )

    @model_validator(mode="after")
    def _one_backend(self) -> StateConfig:
        if self.backend == PULUMI_CLOUD:
            if self.organization is None:
                raise ValueError("backend pulumi-cloud needs 'organization'")
            if self.bucket is not None or self.account_id is not None:
                raise ValueError("'bucket' and 'accountId' are for backend r2")
        elif self.organization is not None or self.team is not None:
            raise ValueError("'organization' and 'team' are for backend pulumi-cloud")
        if self.backend == R2 and self.secrets_provider == "default":
            raise ValueError("secretsProvider 'default' is Pulumi Cloud's key; with r2 use passphrase or a KMS URL")
        return self
