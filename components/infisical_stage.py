"""The stage's side of Infisical: environment, folders, Cloudflare connection, Workers syncs, CI identity.

Infisical is where people keep secrets; Cloudflare gets only what each worker needs. Each worker with
synced secrets gets exactly one sync, reading only that worker's folder and created after its script
exists (Infisical refuses to sync into a script whose latest version is not deployed). The project is
adopted (its id comes from config), never created or deleted by a stage stack.

Nested folders do not depend on their parent folder resources: Infisical creates missing parents
itself, and keeping folders one step from the environment keeps the graph shallow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_cloudflare as cf

from components.config import GENERATED_SECRETS_FOLDER, InfisicalConfig
from components.infisical import (
    CloudflareAppConnection,
    CloudflareAppConnectionArgs,
    CloudflareWorkersSecretSync,
    CloudflareWorkersSecretSyncArgs,
    Identity,
    IdentityArgs,
    IdentityOidcAuth,
    IdentityOidcAuthArgs,
    Project,
    ProjectArgs,
    ProjectEnvironment,
    ProjectEnvironmentArgs,
    ProjectIdentityMembership,
    ProjectIdentityMembershipArgs,
    Secret,
    SecretArgs,
    SecretFolder,
    SecretFolderArgs,
)
from components.infisical.secret_sync import OVERWRITE_DESTINATION
from components.naming import Naming
from components.secrets import WorkerSecrets

TYPE = "stageplatform:index:InfisicalStage"
GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com"


@dataclass(frozen=True)
class StageWorker:
    """A worker of the stage as the Infisical side sees it: the script a sync writes into, and its secrets."""

    script: cf.WorkersScript
    secrets: WorkerSecrets


@dataclass(frozen=True)
class InfisicalStageArgs:
    naming: Naming
    config: InfisicalConfig
    environment_slug: str
    manage_environment: bool
    account_id: str
    connection_token: pulumi.Input[str] | None
    """Secret; needed only when some worker syncs."""
    workers: Mapping[str, StageWorker]
    """Every worker, by config key: synced secrets get a sync, generated ones a read-only copy."""
    protect: bool


class InfisicalStage(pulumi.ComponentResource):
    outputs: dict[str, Any]

    def __init__(self, name: str, args: InfisicalStageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        keep = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect or None)
        naming = args.naming
        synced = {
            name: (w.script, folder)
            for name, w in sorted(args.workers.items())
            if (folder := w.secrets.synced_folder) is not None
        }
        generated = [(name, b) for name, w in sorted(args.workers.items()) for b in w.secrets.generated]

        project = Project("project", ProjectArgs(adopt=True, project_id=args.config.project_id), child)
        project_id = project.project_id
        environment_slug: pulumi.Input[str] = args.environment_slug
        if args.manage_environment:
            environment_slug = ProjectEnvironment(
                "environment",
                ProjectEnvironmentArgs(project_id=project_id, name=naming.stage, slug=args.environment_slug),
                keep,
            ).slug

        paths = sorted(
            {
                *args.config.folders,
                *(folder for _, folder in synced.values()),
                *(f"{GENERATED_SECRETS_FOLDER}/{worker}" for worker, _ in generated),
            }
        )
        folders = {path: self._folder(path, project_id, environment_slug, keep) for path in paths}

        syncs: dict[str, CloudflareWorkersSecretSync] = {}
        if synced:
            if args.connection_token is None:
                raise pulumi.RunError("a Workers secret sync needs the Cloudflare connection token")
            connection = CloudflareAppConnection(
                "cloudflare-connection",
                CloudflareAppConnectionArgs(
                    name=naming.physical("cloudflare"),
                    account_id=args.account_id,
                    api_token=pulumi.Output.secret(args.connection_token),
                    description=f"Writes the {naming.stage} Workers' synced secrets (managed by Pulumi)",
                    project_id=project_id,
                ),
                child,
            )
            for worker_name, (script, folder) in synced.items():
                syncs[worker_name] = CloudflareWorkersSecretSync(
                    f"sync-{worker_name}",
                    CloudflareWorkersSecretSyncArgs(
                        name=naming.physical(worker_name),
                        project_id=project_id,
                        connection_id=connection.id,
                        environment=environment_slug,
                        secret_path=folders[folder].path,
                        script_id=script.script_name,
                        initial_sync_behavior=OVERWRITE_DESTINATION,
                        # Pulumi binds secrets to this script too: the sync must never delete what it does not own.
                        disable_secret_deletion=bool(args.workers[worker_name].secrets.bindings),
                        auto_sync_enabled=True,
                        description=f"{folder} → Worker {naming.physical(worker_name)} (managed by Pulumi)",
                    ),
                    pulumi.ResourceOptions(parent=self, depends_on=[script]),
                )

        for worker_name, binding in generated:
            Secret(
                f"generated-{worker_name}-{binding.name}",
                SecretArgs(
                    project_id=project_id,
                    environment=environment_slug,
                    secret_path=folders[f"{GENERATED_SECRETS_FOLDER}/{worker_name}"].path,
                    key=binding.name,
                    value=pulumi.Output.secret(binding.value),
                    comment="Generated by Pulumi (rotate with `rotation` in the stage config); read-only copy",
                ),
                child,
            )

        # pr-<number> stages use the shared preview identity instead of minting one per pull request.
        wants_identity = args.config.ci_identity is not None and args.manage_environment
        identity_id = self._ci_identity(args, project_id, child) if wants_identity else None
        self.outputs = {
            "projectId": project_id,
            "environment": environment_slug,
            "folders": paths,
            "syncs": {name: sync.id for name, sync in syncs.items()},
            "ciIdentityId": identity_id,
        }
        self.register_outputs(self.outputs)

    def _folder(
        self,
        path: str,
        project_id: pulumi.Input[str],
        environment_slug: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> SecretFolder:
        parent_path, _, name = path.rpartition("/")
        return SecretFolder(
            f"folder{path.replace('/', '-')}",
            SecretFolderArgs(
                project_id=project_id, environment=environment_slug, name=name, parent_path=parent_path or "/"
            ),
            opts,
        )

    def _ci_identity(
        self, args: InfisicalStageArgs, project_id: pulumi.Input[str], opts: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        github = args.config.ci_identity
        # The caller checks ci_identity; the config checks refuse a CI identity without organizationId.
        assert github is not None
        assert args.config.organization_id is not None
        identity = Identity(
            "ci-identity",
            IdentityArgs(name=args.naming.physical("ci"), organization_id=args.config.organization_id),
            opts,
        )
        subjects = github.allowed_subjects(args.naming.stage)
        IdentityOidcAuth(
            "ci-identity-oidc",
            IdentityOidcAuthArgs(
                identity_id=identity.id,
                oidc_discovery_url=GITHUB_OIDC_ISSUER,
                bound_issuer=GITHUB_OIDC_ISSUER,
                bound_audiences=github.allowed_audience(),
                bound_claims={"repository": github.repository, "sub": ", ".join(subjects)},
            ),
            opts,
        )
        ProjectIdentityMembership(
            "ci-identity-membership",
            ProjectIdentityMembershipArgs(project_id=project_id, identity_id=identity.id, role=github.role),
            opts,
        )
        return identity.id
