"""The models of a stage's Infisical side: the project it lives in, its folders, the CI identity.

The project itself is adopted (or owned by the project stack), never created by a stage stack.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from components.config.fields import FolderPath, Model, RotateEvery
from components.config.models import INJECTED_SECRETS_FOLDER
from components.rules.access import ACK_PROD_READABLE, PR_PREVIEW_SUBJECT
from components.rules.naming import is_preview_stage

GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com"
"""The ``iss`` of GitHub Actions' ID tokens (github.com), also its OIDC discovery URL."""


class GitHubOidcConfig(Model):
    """The CI machine identity of this stage, logged in with GitHub Actions' OIDC token."""

    repository: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="owner/repo on GitHub.")
    subjects: list[str] | None = Field(
        None,
        description="Allowed `sub` claims of the deploy identity. Default per stage: the GitHub environment of "
        "the stage's deploy job (`staging`, `dev`; prod only `production`, the protected one). Pull requests "
        "never log in as a deploy identity: see previewFolder.",
    )
    audience: str | None = Field(None, description="Token audience; default https://github.com/<owner>.")
    issuer: str = Field(
        GITHUB_ACTIONS_ISSUER,
        pattern=r"^https?://[^/?#@]+(/[^?#]*)?$",
        description="OIDC issuer of the CI tokens, and its discovery URL: GitHub Actions' by default; a GitHub "
        "Enterprise Server's (https://<host>/_services/token), or a test's own issuer. Infisical fetches "
        "<issuer>/.well-known/openid-configuration when the identity is created and at each login.",
    )
    role: str | None = Field(
        None,
        description="Default: a custom project role the stage creates, scoped to its own environment and the "
        "folders its deploy reads (needs an Infisical plan with RBAC). A role named here (e.g. viewer) is "
        "project-wide: it reaches every environment of the project, prod's too if prod shares it.",
    )
    preview_folder: FolderPath | None = Field(
        None,
        description="Create the PR preview identity: same-repo pull requests log in with it (sub "
        "repo:<owner>/<repo>:pull_request) and read only this folder of the stage's environment, which holds a "
        "read-only Cloudflare token and the variables a preview needs.",
    )

    def allowed_subjects(self, stage: str) -> list[str]:
        """The deploy identity's `sub` claims; pull requests log in with the preview identity instead."""
        if self.subjects is not None:
            return self.subjects
        repo = f"repo:{self.repository}"
        context = "environment:production" if stage == "prod" else f"environment:{stage}"
        return [f"{repo}:{context}" if not is_preview_stage(stage) else f"{repo}:{PR_PREVIEW_SUBJECT}"]

    def preview_subject(self) -> str:
        return f"repo:{self.repository}:{PR_PREVIEW_SUBJECT}"

    def allowed_audience(self) -> str:
        return self.audience or f"https://github.com/{self.repository.split('/')[0]}"


class SyncTokenConfig(Model):
    """The Cloudflare token Infisical's Workers syncs write with (the stage's app connection)."""

    source: Literal["managed", "manual"] = Field(
        "managed",
        description="managed: the stage creates an account-owned Cloudflare token with only the permission the "
        "sync needs and an expiry, rotates it on a cadence and hands it to the connection (the deploy token then "
        "needs 'Account API Tokens Write'). manual: read CLOUDFLARE_SYNC_API_TOKEN from the deploy environment.",
    )
    rotate_every: RotateEvery = Field(
        "30d", description="How often a managed token is replaced (a period); it expires one period after that."
    )


class InfisicalConfig(Model):
    """The stage's side of Infisical. The project itself is adopted, never created by a stage stack."""

    project_id: str | None = Field(
        None,
        pattern=r"^[0-9a-f-]{36}$",
        description="Id (uuid) of the existing Infisical project; default: the project stack's projectId output.",
    )
    project_stack: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}$",
        description="The project stack to read projectId from (default <organization>/<project>/project).",
    )
    organization_id: str | None = Field(
        None, pattern=r"^[0-9a-f-]{36}$", description="Organization id (uuid); needed for the CI identity."
    )
    environment_slug: str | None = Field(
        None,
        alias="environment",
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="Environment slug; default: the stage, or 'preview' for pr-<number> stages.",
    )
    manage_environment: bool | None = Field(
        None,
        description="Create the environment and own it (default); pr-<number> stages share 'preview', which "
        "they never own.",
    )
    folders: list[FolderPath] = Field(
        default_factory=lambda: [INJECTED_SECRETS_FOLDER, "/email", "/oauth"],
        description="Folders the stage's environment holds besides '/'.",
    )
    ci_identity: GitHubOidcConfig | None = None
    sync_token: SyncTokenConfig = Field(default_factory=SyncTokenConfig)
    acknowledge: list[str] = Field(
        default_factory=list,
        description="Prod only: accept a named risk instead of fixing it. "
        f"{ACK_PROD_READABLE!r} lets prod share its Infisical project with a non-prod "
        "identity whose role is project-wide; every plan then shows the risk in red.",
    )
