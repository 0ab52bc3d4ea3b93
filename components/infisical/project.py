"""Infisical projects (secret manager), created or adopted.

Creating sends ``shouldCreateDefaultEnvs: false``: environments are resources of their own, and the default
ones would be objects Pulumi does not know about. When no slug is given the provider picks one the way
Infisical would (name plus a random suffix) *before* sending the create, so a lost response can be
recovered by slug instead of creating a second project.

``adopt=True`` tracks an existing project (found by ``project_id`` or ``slug``) without owning it: it is
read, never modified, and deleting the resource leaves the project in place.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure

from . import _validators as valid
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, output, prop
from .client import InfisicalClient

PROJECT_TYPES = ("secret-manager", "cert-manager", "kms", "ssh", "secret-scanning", "pam")
_SLUG_MAX = 36
_NOT_WHEN_ADOPTING = "is read from Infisical when adopting; remove it (or set adopt=False to create a project)"


def generated_slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[: _SLUG_MAX - 7].strip("-") or "project"
    return f"{base}-{secrets.token_hex(3)}"


def _project_outputs(project: Mapping[str, Any], adopt: bool) -> Outputs:
    return {
        "name": project.get("name"),
        "slug": project.get("slug"),
        "description": project.get("description") or "",
        "type": project.get("type") or "secret-manager",
        "adopt": adopt,
        "project_id": project.get("id"),
        "org_id": project.get("orgId"),
    }


@dataclass(frozen=True, kw_only=True)
class ProjectArgs:
    """A secret-manager project to create, or (``adopt=True``) an existing one to track by id or slug."""

    name: pulumi.Input[str] | None = prop(computed=True, validate=valid.length(1, 64), compare=valid.trimmed)
    slug: pulumi.Input[str] | None = prop(computed=True, validate=valid.slug(5, _SLUG_MAX))
    description: pulumi.Input[str] | None = prop(validate=valid.length(0, 1024), compare=valid.trimmed)
    type: pulumi.Input[str] | None = prop(default="secret-manager", replace=True, validate=valid.one_of(PROJECT_TYPES))
    adopt: pulumi.Input[bool] | None = prop(default=False)
    project_id: pulumi.Input[str] | None = prop(computed=True)
    org_id: str | None = output()


class ProjectProvider(InfisicalProvider):
    kind = "project"
    schema = Schema.of(ProjectArgs)
    natural_key = ("slug",)
    stable_outputs = ("project_id", "org_id")

    def _validate(self, inputs: Mapping[str, Any]) -> list[CheckFailure]:
        if inputs.get("adopt") is True:
            failures = [CheckFailure(k, _NOT_WHEN_ADOPTING) for k in ("name", "description") if k in inputs]
            if ("project_id" in inputs) == ("slug" in inputs):
                failures.append(CheckFailure("project_id", "adopting needs exactly one of project_id or slug"))
            return failures
        failures = []
        if "name" not in inputs:
            failures.append(CheckFailure("name", "is required when creating a project"))
        if "project_id" in inputs:
            failures.append(CheckFailure("project_id", "is only an input with adopt=True"))
        return failures

    def _changes(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
        changed = super()._changes(old, new)
        if new.get("adopt") is True:
            # An adopted project's name, description and type are Infisical's, not the program's.
            changed = [name for name in changed if name not in ("name", "description", "type")]
        return changed

    def _replacements(self, old: Mapping[str, Any], new: Mapping[str, Any], changed: list[str]) -> list[str]:
        replaces = super()._replacements(old, new, changed)
        if new.get("adopt") is True:
            # Adopting by another id or slug means tracking a different project.
            replaces += [name for name in ("project_id", "slug") if name in changed]
        return replaces

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        if inputs.get("adopt") is True:
            project = self._lookup(client, inputs)
            return project["id"], _project_outputs(project, adopt=True)
        slug = inputs.get("slug") or generated_slug(inputs["name"])
        body: dict[str, Any] = {
            "projectName": inputs["name"],
            "slug": slug,
            "type": inputs["type"],
            "shouldCreateDefaultEnvs": False,
        }
        if inputs.get("description"):
            body["projectDescription"] = inputs["description"]

        def create() -> dict[str, Any]:
            return dict(client.post("/api/v1/projects", json=body)["project"])

        def find() -> dict[str, Any] | None:
            found = found_or_none(lambda: self._by_slug(client, slug))
            same = found is not None and valid.trimmed(found.get("name")) == valid.trimmed(inputs["name"])
            return found if same else None

        project = self._create_or_recover(client, f"with slug {slug!r}", create, find)
        return project["id"], _project_outputs(project, adopt=False)

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        data = found_or_none(lambda: client.get("/api/v1/projects/{projectId}", path={"projectId": id_}))
        if data is None:
            return None
        return id_, _project_outputs(data["project"], adopt=bool(props.get("adopt", False)))

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        if new.get("adopt") is True:
            data = client.get("/api/v1/projects/{projectId}", path={"projectId": id_})
            return _project_outputs(data["project"], adopt=True)
        body: dict[str, Any] = {"name": new["name"], "description": new.get("description") or ""}
        if new.get("slug"):
            body["slug"] = new["slug"]
        data = client.patch("/api/v1/projects/{projectId}", path={"projectId": id_}, json=body)
        return _project_outputs(data["project"], adopt=False)

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        if props.get("adopt") is True:
            return
        client.delete("/api/v1/projects/{projectId}", path={"projectId": id_})

    def _lookup(self, client: InfisicalClient, inputs: Mapping[str, Any]) -> dict[str, Any]:
        if inputs.get("project_id"):
            data = client.get("/api/v1/projects/{projectId}", path={"projectId": inputs["project_id"]})
            return dict(data["project"])
        return self._by_slug(client, inputs["slug"])

    @staticmethod
    def _by_slug(client: InfisicalClient, slug: str) -> dict[str, Any]:
        data = client.get("/api/v1/projects/slug/{slug}", path={"slug": slug})
        return dict(data.get("project", data))


class Project(InfisicalResource[ProjectArgs], provider=ProjectProvider):
    """An Infisical project, created or adopted."""
