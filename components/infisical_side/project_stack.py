"""The project stack: what every stage shares in Infisical, as code.

One stack of the same Pulumi project (`PROJECT_STACK`, ``Pulumi.project.yaml``) owns the Infisical
project (created, or adopted by id; protected, so no ``pulumi destroy`` can take every stage's secrets
with it), the ``preview`` environment every ``pr-<number>`` stage reads, the custom roles of the access
levels that some member uses, and the memberships of users and groups. Stage stacks read ``projectId``
from its outputs with a StackReference.

It is also the one place Cloudflare tokens are minted: it runs with prod's gate (an admin, never a CI job
of a stage), mints each stage's sync token and hands it over through the stage's own Infisical
environment (`components.infisical_side.stage_tokens`).

Where the organization's plan refuses a feature (custom roles, groups), the provider's error names the
config path that asked for it (``requested_by``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.config import StageConfig
from components.config.project_config import Member, ProjectStackConfig, member_path
from components.infisical import (
    Project,
    ProjectArgs,
    ProjectEnvironment,
    ProjectEnvironmentArgs,
    ProjectGroupMembership,
    ProjectGroupMembershipArgs,
    ProjectRole,
    ProjectRoleArgs,
    ProjectUserMembership,
    ProjectUserMembershipArgs,
)
from components.infisical_side import access_levels
from components.infisical_side.stage_tokens import StageTokens, StageTokensArgs, token_targets
from components.rules.naming import PREVIEW_ENVIRONMENT
from components.secrets.deploy_inputs import DeployInputs

TYPE = "stageplatform:index:ProjectStack"


@dataclass(frozen=True)
class ProjectStackArgs:
    config: ProjectStackConfig
    namespace: str
    """The config namespace, for the paths named in errors."""
    stages: Mapping[str, StageConfig] = field(default_factory=dict)
    """The committed configs of ``project.stages``: whose sync tokens to mint, in which account, how often."""
    deploy_inputs: DeployInputs | None = None
    """The minting Cloudflare token and today's date (needed when some stage gets a sync token)."""


class ProjectStack(pulumi.ComponentResource):
    config: ProjectStackConfig
    outputs: dict[str, Any]

    def __init__(self, name: str, args: ProjectStackArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE, name, None, opts)
        self.config = config = args.config
        keep = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)
        settings = config.project
        project_args = (
            ProjectArgs(adopt=True, project_id=settings.project_id)
            if settings.project_id
            else ProjectArgs(name=settings.name, description=settings.description)
        )
        project = Project("project", project_args, keep)
        project_id = project.project_id
        preview = ProjectEnvironment(
            f"environment-{PREVIEW_ENVIRONMENT}",
            ProjectEnvironmentArgs(project_id=project_id, name="Preview", slug=PREVIEW_ENVIRONMENT),
            keep,
        )
        child = pulumi.ResourceOptions(parent=self)
        members = {
            **{member_path(args.namespace, "users", n): ("users", n, m) for n, m in config.access.users.items()},
            **{member_path(args.namespace, "groups", n): ("groups", n, m) for n, m in config.access.groups.items()},
        }
        roles: dict[str, ProjectRole] = {}
        for path, (_section, _name, member) in sorted(members.items()):
            if member.level is not None and member.level not in roles:
                roles[member.level] = self._role(member.level, project_id, config, path, child)
        assigned: dict[str, dict[str, str]] = {"users": {}, "groups": {}}
        for path, (section, key, member) in sorted(members.items()):
            role = _role_slug(member)
            after = [roles[member.level]] if member.level is not None else []
            options = pulumi.ResourceOptions(parent=self, depends_on=after)
            if section == "users":
                ProjectUserMembership(
                    f"user-{key}",
                    ProjectUserMembershipArgs(project_id=project_id, username=key, role=role),
                    options,
                )
            else:
                ProjectGroupMembership(
                    f"group-{key}",
                    ProjectGroupMembershipArgs(project_id=project_id, group=key, role=role, requested_by=path),
                    options,
                )
            assigned[section][key] = role
        targets = token_targets(args.stages)
        tokens: dict[str, Any] = {}
        if targets:
            if args.deploy_inputs is None:
                raise pulumi.RunError("the project stack mints sync tokens: it needs its deploy inputs")
            tokens = StageTokens(
                "stage-tokens",
                StageTokensArgs(
                    targets=targets,
                    project_id=project_id,
                    cloudflare_api_token=args.deploy_inputs.cloudflare_api_token,
                    today=args.deploy_inputs.today,
                ),
                pulumi.ResourceOptions(parent=self, depends_on=[preview]),
            ).outputs
        self.outputs = {
            "projectId": project_id,
            "previewEnvironment": preview.slug,
            "syncTokens": tokens,
            "roles": {level: access_levels.role_slug(level) for level in sorted(roles)},
            "access": assigned,
        }
        self.register_outputs(self.outputs)

    def _role(
        self,
        level: str,
        project_id: pulumi.Input[str],
        config: ProjectStackConfig,
        requested_by: str,
        opts: pulumi.ResourceOptions,
    ) -> ProjectRole:
        return ProjectRole(
            f"role-{level}",
            ProjectRoleArgs(
                project_id=project_id,
                slug=access_levels.role_slug(level),
                name=f"{config.app} {level}",
                permissions=access_levels.permissions(level, config.non_prod_environments),
                description=f"The {level} level of {config.app} (managed by Pulumi)",
                requested_by=requested_by,
            ),
            opts,
        )


def _role_slug(member: Member) -> str:
    return access_levels.role_slug(member.level) if member.level is not None else str(member.role)
