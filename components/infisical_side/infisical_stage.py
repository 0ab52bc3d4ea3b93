"""The stage's side of Infisical: environment, folders, Cloudflare connection, Workers syncs, CI identities.

Infisical is where people keep secrets; Cloudflare gets only what each worker needs. Each worker with
synced secrets gets exactly one sync, reading only that worker's folder and created after its script
exists (Infisical refuses to sync into a script whose latest version is not deployed). The project is
adopted (its id comes from config), never created or deleted by a stage stack.

Each CI identity (the stage's deploy identity and, where configured, the PR preview identity) gets a
custom project role scoped to the stage's environment (`ci_roles`), unless the config names a
project-wide role for it.

Day one meets what a team already has: a project made in the Infisical UI comes with ``dev``, ``staging``
and ``prod``, and ``/cloudflare`` holds the deploy secrets before the first ``pulumi up``. So the
environment and every folder are declared with ``adopt_existing``: one that exists is adopted (recorded as
such in state, never modified, never deleted by ``pulumi destroy``), one that does not is created. Every
level of a nested folder is declared, each after its parent: Infisical would otherwise create a missing
parent on the way, which the stack would neither own nor delete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_cloudflare as cf

from components.config import GENERATED_SECRETS_FOLDER, INJECTED_SECRETS_FOLDER, InfisicalConfig
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
    ProjectRole,
    ProjectRoleArgs,
    Secret,
    SecretArgs,
    SecretFolder,
    SecretFolderArgs,
)
from components.infisical.secret_sync import OVERWRITE_DESTINATION
from components.infisical_side import ci_roles
from components.rules import access
from components.rules.naming import PROJECT_STACK, Naming
from components.secrets.owners import WorkerSecrets

TYPE = "stageplatform:index:InfisicalStage"


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
    keep_connection_token: bool = False
    """A preview without the sync token: the connection keeps the token its state has."""
    deploy_reads: Sequence[str] = ()
    """Folders the deploy reads itself besides ``/cloudflare`` (those of the ``sync`` Hyperdrive passwords)."""


def with_parents(paths: set[str]) -> list[str]:
    """Every folder path and all its ancestors, sorted so a parent comes before its children."""
    every = set()
    for path in paths:
        parts = path.strip("/").split("/")
        every |= {"/" + "/".join(parts[: depth + 1]) for depth in range(len(parts))}
    return sorted(every)


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

        project = Project("project", ProjectArgs(adopt=True, project_id=self._project_id(args.config)), child)
        project_id = project.project_id
        environment_slug: pulumi.Input[str] = args.environment_slug
        if args.manage_environment:
            environment_slug = ProjectEnvironment(
                "environment",
                ProjectEnvironmentArgs(
                    project_id=project_id, name=naming.stage, slug=args.environment_slug, adopt_existing=True
                ),
                keep,
            ).slug

        paths = with_parents(
            {
                *args.config.folders,
                *(folder for _, folder in synced.values()),
                *(f"{GENERATED_SECRETS_FOLDER}/{worker}" for worker, _ in generated),
                *_preview_folder(args),
            }
        )
        folders: dict[str, SecretFolder] = {}
        for path in paths:  # parents first
            parent = folders.get(path.rpartition("/")[0])
            # A worker's folder of generated values holds copies that the next up writes again from the state, so
            # it is not protected: a renamed worker's folder moves instead of failing the up on a protected delete.
            copies = path.startswith(f"{GENERATED_SECRETS_FOLDER}/")
            opts = pulumi.ResourceOptions.merge(
                child if copies else keep, pulumi.ResourceOptions(depends_on=[parent] if parent else None)
            )
            folders[path] = self._folder(path, project_id, environment_slug, opts)

        syncs: dict[str, CloudflareWorkersSecretSync] = {}
        connection_id: pulumi.Output[str] | None = None
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
                pulumi.ResourceOptions(
                    parent=self, ignore_changes=["api_token"] if args.keep_connection_token else None
                ),
            )
            connection_id = connection.id
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

        # pr-<number> stages share the preview environment and mint no identities of their own.
        github = args.config.ci_identity if args.manage_environment else None
        identity_id = pr_preview_id = None
        if github is not None:
            identity_id = self._identity(
                args,
                project_id,
                IdentitySpec(
                    key=access.DEPLOY_IDENTITY,
                    physical="ci",
                    subjects=github.allowed_subjects(args.naming.stage),
                    role=github.role,
                    permissions=ci_roles.deploy_permissions(
                        args.environment_slug,
                        [INJECTED_SECRETS_FOLDER, *args.deploy_reads],
                        f"{GENERATED_SECRETS_FOLDER}/**",
                        connection_id,
                    ),
                    requested_by=f"infisical.ciIdentity in Pulumi.{args.naming.stage}.yaml",
                ),
                child,
            )
            if github.preview_folder is not None:
                pr_preview_id = self._identity(
                    args,
                    project_id,
                    IdentitySpec(
                        key=access.PR_PREVIEW_IDENTITY,
                        physical="pr-preview",
                        subjects=[github.preview_subject()],
                        role=None,
                        permissions=ci_roles.preview_permissions(args.environment_slug, github.preview_folder),
                        requested_by=f"infisical.ciIdentity.previewFolder in Pulumi.{args.naming.stage}.yaml",
                    ),
                    child,
                )
        self.outputs = {
            "projectId": project_id,
            "environment": environment_slug,
            "folders": paths,
            "syncs": {name: sync.id for name, sync in syncs.items()},
            "ciIdentityId": identity_id,
            "prPreviewIdentityId": pr_preview_id,
        }
        self.register_outputs(self.outputs)

    def _project_id(self, config: InfisicalConfig) -> pulumi.Input[str]:
        """The configured project id, else the project stack's ``projectId`` output."""
        if config.project_id is not None:
            return config.project_id
        # Self-managed backends call every organization "organization"; so does the mock engine.
        organization = pulumi.get_organization() or "organization"
        name = config.project_stack or f"{organization}/{pulumi.get_project()}/{PROJECT_STACK}"
        reference = pulumi.StackReference(name, opts=pulumi.ResourceOptions(parent=self))
        return reference.require_output("projectId")

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
                project_id=project_id,
                environment=environment_slug,
                name=name,
                parent_path=parent_path or "/",
                adopt_existing=True,
            ),
            opts,
        )

    def _identity(
        self,
        args: InfisicalStageArgs,
        project_id: pulumi.Input[str],
        spec: IdentitySpec,
        opts: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        """An OIDC machine identity for GitHub Actions, a member of the project with its role."""
        github = args.config.ci_identity
        # The caller checks ci_identity; the config checks refuse a CI identity without organizationId.
        assert github is not None
        assert args.config.organization_id is not None
        identity = Identity(
            spec.key,
            IdentityArgs(name=args.naming.physical(spec.physical), organization_id=args.config.organization_id),
            opts,
        )
        IdentityOidcAuth(
            f"{spec.key}-oidc",
            IdentityOidcAuthArgs(
                identity_id=identity.id,
                oidc_discovery_url=github.issuer,
                bound_issuer=github.issuer,
                bound_audiences=github.allowed_audience(),
                bound_claims={"repository": github.repository, "sub": ", ".join(spec.subjects)},
            ),
            opts,
        )
        role: pulumi.Input[str]
        if spec.role is not None:
            role = spec.role
        else:
            role = ProjectRole(
                f"{spec.key}-role",
                ProjectRoleArgs(
                    project_id=project_id,
                    slug=args.naming.physical(spec.physical),
                    name=args.naming.physical(spec.physical),
                    description=f"{spec.physical} of stage {args.naming.stage}: environment "
                    f"{args.environment_slug} only (managed by Pulumi)",
                    permissions=spec.permissions,
                    requested_by=spec.requested_by,
                ),
                opts,
            ).slug
        ProjectIdentityMembership(
            f"{spec.key}-membership",
            ProjectIdentityMembershipArgs(project_id=project_id, identity_id=identity.id, role=role),
            opts,
        )
        return identity.id


def _preview_folder(args: InfisicalStageArgs) -> list[str]:
    github = args.config.ci_identity
    wanted = github is not None and github.preview_folder is not None and args.manage_environment
    return [github.preview_folder] if wanted and github and github.preview_folder else []


@dataclass(frozen=True)
class IdentitySpec:
    key: str
    """Pulumi name of the identity (its OIDC auth, role and membership are named after it)."""
    physical: str
    """Name part after ``{app}-{stage}-``: the identity's and its role's name in Infisical."""
    subjects: Sequence[str]
    role: str | None
    """A role named in config (project-wide); None: the custom role made of ``permissions``."""
    permissions: Sequence[dict[str, Any]]
    requested_by: str
