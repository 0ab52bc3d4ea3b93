"""Project environments (dev, staging, prod …), one Infisical environment per resource.

Uses the ``/api/v1/workspace`` routes the Terraform provider uses: their delete passes ``hardDelete: true``
(backend/src/server/routes/v1/deprecated-project-env-router.ts), where the newer ``/api/v1/projects`` route
may only soft-delete, so a replaced environment can be recreated under the same slug at once.

A project made in the Infisical UI already has ``dev``, ``staging`` and ``prod``: an environment whose slug
exists is adopted (``adopted: true``), keeping its name and position, and is never deleted by the stack.
Environments are looked up through the project, whose answer lists them on every Infisical version (the
by-slug route exists only on newer ones). Names are trimmed by Infisical, so diffs compare them trimmed.
Infisical shifts the others when a new environment takes a position already used; leave ``position``
unset (the new environment goes last) unless the order matters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from . import _validators as valid
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, output, prop
from .client import InfisicalClient

_ENVIRONMENT = "/api/v1/workspace/{projectId}/environments/{environmentId}"


def _environment_outputs(env: Mapping[str, Any], project_id: str, *, adopted: bool | None = None) -> Outputs:
    adoption = {} if adopted is None else {"adopted": adopted}
    return {
        **adoption,
        "project_id": env.get("projectId") or project_id,
        "name": env.get("name"),
        "slug": env.get("slug"),
        "position": env.get("position"),
    }


@dataclass(frozen=True, kw_only=True)
class ProjectEnvironmentArgs:
    project_id: pulumi.Input[str] = prop(required=True, replace=True, validate=valid.length(1, 64))
    name: pulumi.Input[str] = prop(required=True, validate=valid.length(1, 64), compare=valid.trimmed)
    slug: pulumi.Input[str] = prop(required=True, validate=valid.strict_slug(1, 64))
    position: pulumi.Input[int] | None = prop(computed=True, validate=valid.int_range(1, 10_000))
    """Infisical places a new environment last when omitted."""
    adopt_existing: pulumi.Input[bool] | None = prop()
    """Adopt an environment that already has this slug instead of failing (default True)."""
    adopted: bool | None = output()
    """True when the environment existed and was adopted: the stack never modifies or deletes it."""


class ProjectEnvironmentProvider(InfisicalProvider):
    kind = "environment"
    schema = Schema.of(ProjectEnvironmentArgs)
    natural_key = ("project_id", "slug")
    stable_outputs = ("project_id",)
    adopted_keeps = ("name", "position")

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        project_id, slug = inputs["project_id"], inputs["slug"]
        body: dict[str, Any] = {"name": inputs["name"], "slug": slug}
        if inputs.get("position") is not None:
            body["position"] = inputs["position"]

        def create() -> dict[str, Any]:
            data = client.post("/api/v1/workspace/{projectId}/environments", path={"projectId": project_id}, json=body)
            return dict(data["environment"])

        def existing() -> dict[str, Any] | None:
            return self._by_slug(client, project_id, slug)

        def find() -> dict[str, Any] | None:
            env = existing()
            return env if env and valid.trimmed(env.get("name")) == valid.trimmed(inputs["name"]) else None

        key = f"{slug!r} in project {project_id}"
        env, adopted = self._create_or_adopt(client, inputs, key, create=create, find=find, existing=existing)
        return env["id"], _environment_outputs(env, project_id, adopted=adopted)

    @staticmethod
    def _by_slug(client: InfisicalClient, project_id: str, slug: str) -> dict[str, Any] | None:
        data = client.get("/api/v1/projects/{projectId}", path={"projectId": project_id})
        listed = next((e for e in data["project"].get("environments") or [] if e.get("slug") == slug), None)
        if listed is None:
            return None
        found = found_or_none(
            lambda: client.get("/api/v1/workspace/environments/{environmentId}", path={"environmentId": listed["id"]})
        )
        return dict(found["environment"]) if found else None

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        data = found_or_none(
            lambda: client.get("/api/v1/workspace/environments/{environmentId}", path={"environmentId": id_})
        )
        if data is None:
            return None
        return id_, _environment_outputs(data["environment"], props.get("project_id", ""))

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        body: dict[str, Any] = {"name": new["name"], "slug": new["slug"]}
        if new.get("position") is not None:
            body["position"] = new["position"]
        data = client.patch(_ENVIRONMENT, path={"projectId": new["project_id"], "environmentId": id_}, json=body)
        return _environment_outputs(data["environment"], new["project_id"])

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        client.delete(_ENVIRONMENT, path={"projectId": props["project_id"], "environmentId": id_})


class ProjectEnvironment(InfisicalResource[ProjectEnvironmentArgs], provider=ProjectEnvironmentProvider):
    """An environment of a project (``dev``, ``staging`` …)."""
