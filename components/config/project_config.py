"""The config of the project stack (``Pulumi.project.yaml``): the Infisical project and who may do what in it.

Every stage shares one Infisical project, so the project itself, the ``preview`` environment that all
``pr-<number>`` stages read, and team access live in a stack of their own, recognised by its name
(`PROJECT_STACK`). Stage stacks read the project id from it, unless they are given one.

Access maps Infisical users (by username, usually the email, in lowercase) and groups (by slug) to a
project role: one of the four levels, which become custom roles scoped by environment, or a built-in
role, which every Infisical plan has and which applies to every environment:

* ``viewer``: reads the secrets of the non-prod environments;
* ``developer``: reads and changes the secrets of the non-prod environments; prod stays out of reach;
* ``admin``: everything about secrets, folders, syncs and connections, prod included;
* ``owner``: admin, plus project settings, members, groups, roles and identities.
"""

from __future__ import annotations

import typing
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from components.config.fields import Model
from components.config.load import StageConfigError, describe_problems, project_config
from components.config.state_config import StateConfig
from components.infisical.project_role import BUILT_IN_ROLES
from components.rules.state_backend import R2

Level = Literal["viewer", "developer", "admin", "owner"]
LEVELS: tuple[str, ...] = typing.get_args(Level)

Username = Annotated[str, Field(min_length=1, max_length=256)]
"""An Infisical username or email address; Infisical keeps them in lowercase (checked in `AccessConfig`)."""
GroupSlug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="An Infisical group slug.")]
Uuid = Annotated[str, Field(pattern=r"^[0-9a-f-]{36}$", description="An Infisical id (uuid).")]


class Member(Model):
    """One member's access: a level (a custom role) or a built-in role, not both."""

    level: Level | None = Field(None, description="viewer, developer, admin or owner: a custom role per level.")
    role: str | None = Field(None, description="A built-in role: admin, member, viewer or no-access.")

    @field_validator("role")
    @classmethod
    def _built_in(cls, role: str | None) -> str | None:
        if role is not None and role not in BUILT_IN_ROLES:
            raise ValueError(f"{role!r} is not a built-in role; use one of {', '.join(BUILT_IN_ROLES)}, or a 'level'")
        return role

    @model_validator(mode="after")
    def _one(self) -> Member:
        if (self.level is None) == (self.role is None):
            raise ValueError("give exactly one of 'level' (viewer, developer, admin, owner) or 'role' (built-in)")
        return self


class ProjectSettings(Model):
    """The Infisical project: created from ``name``, or adopted by ``projectId``. Protected either way."""

    name: str | None = Field(None, min_length=1, max_length=64, description="Name of the project to create.")
    project_id: Uuid | None = Field(None, description="Id of an existing project to adopt instead.")
    description: str | None = Field(None, max_length=1024)
    stages: list[Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]] = Field(
        default_factory=lambda: ["dev", "staging", "prod"],
        description="The long-lived stages' environments; every one but prod counts as non-prod, with preview.",
    )

    @model_validator(mode="after")
    def _one(self) -> ProjectSettings:
        if (self.name is None) == (self.project_id is None):
            raise ValueError("give exactly one of 'name' (create the project) or 'projectId' (adopt it)")
        if self.project_id is not None and self.description is not None:
            raise ValueError("'description' is only for a project this stack creates")
        return self


class AccessConfig(Model):
    users: dict[Username, Member] = Field(default_factory=dict)
    groups: dict[GroupSlug, Member] = Field(default_factory=dict)

    @field_validator("users")
    @classmethod
    def _lowercase(cls, users: dict[str, Member]) -> dict[str, Member]:
        for name in users:
            if name != name.lower() or any(c.isspace() for c in name):
                raise ValueError(f"{name!r}: Infisical usernames and emails are lowercase without spaces")
        return users


class ProjectStackConfig(Model):
    app: str = Field(pattern=r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$", description="App name, as in the stage stacks.")
    project: ProjectSettings
    access: AccessConfig = Field(default_factory=AccessConfig)
    state: StateConfig | None = Field(
        None,
        description="Where the project stack keeps its state (every stage's sync token is in it): as prod's, "
        "an R2 bucket {app}-project-pulumi-state in the account named by accountId (prod's), or Pulumi Cloud.",
    )

    @model_validator(mode="after")
    def _state_account(self) -> ProjectStackConfig:
        state = self.state
        if state is not None and state.backend == R2 and state.account_id is None:
            raise ValueError("state.accountId is required: the project stack has no account of its own (use prod's)")
        return self

    @property
    def non_prod_environments(self) -> list[str]:
        return sorted({*(s for s in self.project.stages if s != "prod"), "preview"})


def parse_project_config(raw: dict[str, object], *, namespace: str) -> ProjectStackConfig:
    """Validate the project stack's keys (camelCase); raise StageConfigError with every problem's path."""
    try:
        return ProjectStackConfig.model_validate(raw)
    except ValidationError as error:
        raise StageConfigError(describe_problems(error, namespace, ProjectStackConfig)) from None


def load_project_config(project: str) -> ProjectStackConfig:
    return parse_project_config(project_config(project), namespace=project)


def member_path(namespace: str, section: str, name: str) -> str:
    """The config path of one member, as ``pulumi config set --path`` takes it (keys with dots quoted)."""
    key = f'["{name}"]' if "." in name or "@" in name else f".{name}"
    return f"{namespace}:access.{section}{key}"
