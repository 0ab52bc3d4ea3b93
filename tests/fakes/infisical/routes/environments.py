"""Project environments: the legacy ``/api/v1/workspace`` routes the providers use, and the lookup by slug.

Bodies follow backend/src/server/routes/v1/deprecated-project-env-router.ts: ``name`` trimmed, ``slug``
a ``slugSchema`` (lower-cased, trimmed, no ``_``, at most 64), ``position`` at least 1. Both routes delete for
good (the service read, project-env-service.ts, has no soft delete). An environment the project was
created with cannot be deleted on its own: the real server answers 500 (recorded; `Store.delete_environment`).
"""

from __future__ import annotations

from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import ApiError, not_found
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, now, public

routes = RouteTable()


@routes.post("/api/v1/workspace/{projectId}/environments")
def create_environment(store: Store, call: Call) -> Any:
    data = v.validate(
        call.body,
        {
            "name": v.req("string", v.length(1, 255), v.trim),
            "slug": v.slug_schema(64),
            "position": v.opt("number", check=v.int_range(1, 10_000)),
        },
    )
    project_id = call.path["projectId"]
    store.project(project_id)
    env = store.add_environment(project_id, data["name"], data["slug"], data.get("position"))
    return {"message": "Successfully created new environment", "workspace": project_id, "environment": public(env)}


@routes.get("/api/v1/workspace/environments/{environmentId}")
def get_environment(store: Store, call: Call) -> Any:
    return {"environment": public(_environment(store, call.path["environmentId"]))}


@routes.get("/api/v1/projects/{projectId}/environments/slug/{slug}")
def get_environment_by_slug(store: Store, call: Call) -> Any:
    return public(store.environment_by_slug(call.path["projectId"], call.path["slug"]))


@routes.patch("/api/v1/workspace/{projectId}/environments/{environmentId}")
def update_environment(store: Store, call: Call) -> Any:
    env = _environment(store, call.path["environmentId"], call.path["projectId"])
    data = v.validate(
        call.body,
        {
            "name": v.opt("string", check=v.length(1, 255), transform=v.trim),
            "slug": v.slug_schema(64, required=False),
            "position": v.opt("number", check=v.int_range(1, 10_000)),
        },
    )
    if "slug" in data and any(
        e["slug"] == data["slug"] and e["projectId"] == env["projectId"] and e["id"] != env["id"]
        for e in store.environments.values()
    ):
        raise ApiError(400, "Environment with slug already exists", "UpdateEnvironment")
    if "position" in data:
        store.move_environment(env, data.pop("position"))
    env.update(data, updatedAt=now())
    return {"message": "Successfully updated environment", "workspace": env["projectId"], "environment": public(env)}


@routes.delete("/api/v1/workspace/{projectId}/environments/{environmentId}")
def delete_environment(store: Store, call: Call) -> Any:
    env = _environment(store, call.path["environmentId"], call.path["projectId"], "DeleteEnvironment")
    store.delete_environment(env["id"])
    return {"message": "Successfully deleted environment", "workspace": env["projectId"], "environment": public(env)}


def _environment(store: Store, env_id: str, project_id: str | None = None, error: str = "NotFound") -> dict[str, Any]:
    env = store.environments.get(env_id)
    if project_id is not None and (env is None or env["projectId"] != project_id):
        raise ApiError(404, f"Environment with id '{env_id}' in project with ID '{project_id}' not found", error)
    if env is None:
        raise not_found(f"Environment with ID '{env_id}' not found")
    return env
