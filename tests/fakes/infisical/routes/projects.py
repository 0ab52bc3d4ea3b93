"""Projects (``/api/v1/projects``): create with default environments, read, rename, delete.

backend/src/server/routes/v1/project-router.ts trims the name and description; the project service
(backend/src/services/project/project-service.ts) creates Development/Staging/Production (dev, staging,
prod at positions 1-3) unless ``shouldCreateDefaultEnvs`` is false, and makes a machine identity that
creates a project an admin of it.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import bad_request, not_found
from tests.fakes.infisical.routes.membership_roles import membership_roles
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, new_id, now

routes = RouteTable()

PROJECT_SETTINGS: dict[str, Any] = {
    "autoCapitalization": False,
    "auditLogsRetentionDays": None,
    "defaultProduct": None,
    "enforceEncryptedSecretManagerSecretMetadata": None,
    "hasDeleteProtection": False,
    "kmsCertificateKeyId": None,
    "pitVersionLimit": 10,
    "secretDetectionIgnoreValues": None,
    "secretSharing": True,
    "showSnapshotsLegacy": False,
    "upgradeStatus": None,
    "version": 3,
}
"""The columns of a new ``projects`` row that the fake never changes (values as recorded)."""
PROJECT_TYPES = ("secret-manager", "cert-manager", "kms", "ssh", "secret-scanning", "pam")
DEFAULT_ENVIRONMENTS = (("Development", "dev"), ("Staging", "staging"), ("Production", "prod"))

CREATE_BODY = {
    "projectName": v.req("string", v.length(1, 64), v.trim),
    "projectDescription": v.opt("string", check=v.length(0, 1024), transform=v.trim),
    "slug": v.opt("string", check=v.slug(5, 36)),
    "type": v.opt("string", "secret-manager", v.one_of(*PROJECT_TYPES)),
    "shouldCreateDefaultEnvs": v.opt("boolean", True),
}


@routes.post("/api/v1/projects")
def create_project(store: Store, call: Call) -> Any:
    data = v.validate(call.body, CREATE_BODY)
    slug = data.get("slug") or f"{_slugify(data['projectName'])}-{secrets.token_hex(2)}"
    if any(p["slug"] == slug for p in store.projects.values()):
        raise bad_request(f"A project with the slug '{slug}' already exists")
    project = {
        "id": new_id(),
        "name": data["projectName"],
        "slug": slug,
        "description": data.get("projectDescription"),
        "type": data["type"],
        "orgId": store.org_id,
        **PROJECT_SETTINGS,
        "createdAt": now(),
        "updatedAt": now(),
    }
    store.projects[project["id"]] = project
    if data["shouldCreateDefaultEnvs"]:
        for position, (name, env_slug) in enumerate(DEFAULT_ENVIRONMENTS, start=1):
            store.add_environment(project["id"], name, env_slug, position, original=True)
    if call.actor is not None:
        membership_id = new_id()
        store.memberships[(project["id"], call.actor)] = {
            "id": membership_id,
            "identityId": call.actor,
            "projectId": project["id"],
            "roles": membership_roles(store, project["id"], [{"role": "admin"}], membership_id),
            "createdAt": now(),
            "updatedAt": now(),
        }
    return {"project": project_view(store, project)}


@routes.get("/api/v1/projects")
def list_projects(store: Store, call: Call) -> Any:
    kind = call.query.get("type")
    return {"projects": [project_view(store, p) for p in store.projects.values() if not kind or p["type"] == kind]}


@routes.get("/api/v1/projects/{projectId}")
def get_project(store: Store, call: Call) -> Any:
    return {"project": project_view(store, store.project(call.path["projectId"]))}


@routes.get("/api/v1/projects/slug/{slug}")
def get_project_by_slug(store: Store, call: Call) -> Any:
    for project in store.projects.values():
        if project["slug"] == call.path["slug"]:
            return project_view(store, project)
    raise not_found(f"Project with slug '{call.path['slug']}' not found")


@routes.patch("/api/v1/projects/{projectId}")
def update_project(store: Store, call: Call) -> Any:
    project = store.project(call.path["projectId"])
    data = v.validate(
        call.body,
        {
            "name": v.opt("string", check=v.length(1, 64), transform=v.trim),
            "description": v.opt("string", check=v.length(0, 1024), nullable=True, transform=v.trim),
            "slug": v.opt("string", check=v.slug(1, 64)),
        },
    )
    if "slug" in data and any(p["slug"] == data["slug"] and p["id"] != project["id"] for p in store.projects.values()):
        raise bad_request(f"A project with the slug '{data['slug']}' already exists")
    project.update(data, updatedAt=now())
    return {"project": dict(project)}


@routes.delete("/api/v1/projects/{projectId}")
def delete_project(store: Store, call: Call) -> Any:
    view = dict(store.project(call.path["projectId"]))
    store.delete_project(call.path["projectId"])
    return {"project": view}


def _slugify(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())[:30] or "project"


def project_view(store: Store, project: dict[str, Any]) -> dict[str, Any]:
    """The row with its environments, as create, read and read-by-slug answer (update and delete answer
    the bare row)."""
    envs = sorted(
        (e for e in store.environments.values() if e["projectId"] == project["id"]),
        key=lambda e: e["position"],
    )
    return {
        **project,
        "_id": project["id"],
        "environments": [{"name": e["name"], "slug": e["slug"], "id": e["id"]} for e in envs],
        "deletedEnvironments": [],
    }
