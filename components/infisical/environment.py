"""Project environments (dev, staging, prod …), one Infisical environment per resource.

Uses the ``/api/v1/workspace`` routes the Terraform provider uses: their delete is a hard delete, so a
replaced environment can be recreated under the same slug at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from . import _validators as valid
from ._provider import InfisicalProvider, Outputs, found_or_none
from ._resource import InfisicalResource
from ._schema import Schema, prop
from .client import InfisicalClient

_ENVIRONMENT = "/api/v1/workspace/{projectId}/environments/{environmentId}"


def _environment_outputs(env: Mapping[str, Any], project_id: str) -> Outputs:
    return {
        "project_id": env.get("projectId") or project_id,
        "name": env.get("name"),
        "slug": env.get("slug"),
        "position": env.get("position"),
    }


@dataclass(frozen=True, kw_only=True)
class ProjectEnvironmentArgs:
    project_id: pulumi.Input[str] = prop(required=True, replace=True, validate=valid.length(1, 64))
    name: pulumi.Input[str] = prop(required=True, validate=valid.length(1, 64))
    slug: pulumi.Input[str] = prop(required=True, validate=valid.slug(1, 64))
    position: pulumi.Input[int] | None = prop(computed=True, validate=valid.int_range(1, 10_000))
    """Infisical places a new environment last when omitted."""


class ProjectEnvironmentProvider(InfisicalProvider):
    kind = "environment"
    schema = Schema.of(ProjectEnvironmentArgs)
    natural_key = ("project_id", "slug")
    stable_outputs = ("project_id",)

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        project_id, slug = inputs["project_id"], inputs["slug"]
        body: dict[str, Any] = {"name": inputs["name"], "slug": slug}
        if inputs.get("position") is not None:
            body["position"] = inputs["position"]

        def create() -> dict[str, Any]:
            data = client.post("/api/v1/workspace/{projectId}/environments", path={"projectId": project_id}, json=body)
            return dict(data["environment"])

        def find() -> dict[str, Any] | None:
            data = found_or_none(
                lambda: client.get(
                    "/api/v1/projects/{projectId}/environments/slug/{slug}",
                    path={"projectId": project_id, "slug": slug},
                )
            )
            env = data.get("environment", data) if isinstance(data, dict) else None
            return dict(env) if env and env.get("name") == inputs["name"] else None

        env = self._create_or_recover(client, f"{slug!r} in project {project_id}", create, find)
        return env["id"], _environment_outputs(env, project_id)

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
