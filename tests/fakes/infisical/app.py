"""The fake Infisical HTTP API: starlette routes over `Store`, following docs/reference shapes.

Covers the routes the provider package uses plus the lookups it recovers with. Behaviours worth a test on
their own are kept: 400 (never 409) for duplicates, idempotent folder create with intermediate folders,
trimmed secret values, 400 for an identity without OIDC auth, the sync rules (only
``overwrite-destination``, source folder must exist), 401 without a token and 403 ``TokenError`` for a bad
or expired one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import permissions, roles, sync_jobs
from . import validation as v
from .errors import ApiError, bad_request, handle_api_error, not_found
from .oidc import verify_login
from .store import Store, auth_methods, ip_details, new_id, normal_path, now, stored_value

Params = Mapping[str, str]
Handler = Callable[[Params, Params, Any], Any]

PROJECT_TYPES = ("secret-manager", "cert-manager", "kms", "ssh", "secret-scanning", "pam")
ORG_ROLES = ("no-access", "member", "admin")
FOLDER_NAME = r"^[A-Za-z0-9_-]+$"
TTL_MAX = 315_360_000
ANYWHERE = [{"ipAddress": "0.0.0.0/0"}, {"ipAddress": "::/0"}]


def build_app(store: Store) -> Starlette:
    routes: list[Route] = []

    def endpoint(path: str, method: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def asgi(request: Request) -> JSONResponse:
                if auth:
                    _authenticate(request, store)
                raw = await request.body()
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    raise bad_request("Body is not valid JSON") from None
                with store.lock:
                    sync_jobs.settle(store)
                    result = handler(request.path_params, request.query_params, body)
                return JSONResponse(result)

            routes.append(Route(path, asgi, methods=[method]))
            return handler

        return register

    # -- auth ----

    @endpoint("/api/v1/auth/universal-auth/login", "POST", auth=False)
    def universal_login(_p: Params, _q: Params, body: Any) -> Any:
        data = v.validate(body, {"clientId": v.req("string"), "clientSecret": v.req("string")})
        entry = store.universal_auth.get(data["clientId"])
        if entry is None or not secrets.compare_digest(entry[0], data["clientSecret"]):
            raise ApiError(401, "Invalid credentials", "UnauthorizedError")
        return _token_response(store, entry[1])

    @endpoint("/api/v1/auth/oidc-auth/login", "POST", auth=False)
    def oidc_login(_p: Params, _q: Params, body: Any) -> Any:
        data = v.validate(body, {"identityId": v.req("string"), "jwt": v.req("string")})
        config = store.oidc_auths.get(data["identityId"])
        if config is None:
            raise not_found("OIDC auth method not found for identity, did you configure OIDC auth?")
        verify_login(config, data["jwt"], store.oidc_keys.get(config["oidcDiscoveryUrl"]))
        return _token_response(store, data["identityId"], config["accessTokenTTL"])

    # -- projects ----

    project_body = {
        "projectName": v.req("string", v.length(1, 64)),
        "projectDescription": v.opt("string", check=v.length(0, 1024)),
        "slug": v.opt("string", check=v.slug(5, 36)),
        "type": v.opt("string", "secret-manager", v.one_of(*PROJECT_TYPES)),
        "shouldCreateDefaultEnvs": v.opt("boolean", True),
    }

    @endpoint("/api/v1/projects", "POST")
    def create_project(_p: Params, _q: Params, body: Any) -> Any:
        data = v.validate(body, project_body)
        slug = data.get("slug") or f"{_slugify(data['projectName'])}-{secrets.token_hex(2)}"
        if any(p["slug"] == slug for p in store.projects.values()):
            raise bad_request(f"A project with the slug '{slug}' already exists")
        project = {
            "id": new_id(),
            "name": data["projectName"].strip(),
            "slug": slug,
            "description": data.get("projectDescription"),
            "type": data["type"],
            "orgId": store.org_id,
            "autoCapitalization": False,
            "version": 3,
            "createdAt": now(),
            "updatedAt": now(),
        }
        store.projects[project["id"]] = project
        if data["shouldCreateDefaultEnvs"]:
            for position, (name, env_slug) in enumerate(
                (("Development", "dev"), ("Staging", "staging"), ("Production", "prod")), start=1
            ):
                store.add_environment(project["id"], name, env_slug, position)
        return {"project": store.project_view(project)}

    @endpoint("/api/v1/projects", "GET")
    def list_projects(_p: Params, query: Params, _b: Any) -> Any:
        kind = query.get("type")
        return {"projects": [store.project_view(p) for p in store.projects.values() if not kind or p["type"] == kind]}

    @endpoint("/api/v1/projects/{projectId}", "GET")
    def get_project(path: Params, _q: Params, _b: Any) -> Any:
        return {"project": store.project_view(store.project(path["projectId"]))}

    @endpoint("/api/v1/projects/slug/{slug}", "GET")
    def get_project_by_slug(path: Params, _q: Params, _b: Any) -> Any:
        for project in store.projects.values():
            if project["slug"] == path["slug"]:
                return store.project_view(project)
        raise not_found(f"Project with slug '{path['slug']}' not found")

    @endpoint("/api/v1/projects/{projectId}", "PATCH")
    def update_project(path: Params, _q: Params, body: Any) -> Any:
        project = store.project(path["projectId"])
        data = v.validate(
            body,
            {
                "name": v.opt("string", check=v.length(1, 64)),
                "description": v.opt("string", check=v.length(0, 1024), nullable=True),
                "slug": v.opt("string", check=v.slug(1, 64)),
            },
        )
        if "slug" in data and any(
            p["slug"] == data["slug"] and p["id"] != project["id"] for p in store.projects.values()
        ):
            raise bad_request(f"A project with the slug '{data['slug']}' already exists")
        project.update(data, updatedAt=now())
        return {"project": store.project_view(project)}

    @endpoint("/api/v1/projects/{projectId}", "DELETE")
    def delete_project(path: Params, _q: Params, _b: Any) -> Any:
        view = store.project_view(store.project(path["projectId"]))
        store.delete_project(path["projectId"])
        return {"project": view}

    # -- environments ----

    @endpoint("/api/v1/workspace/{projectId}/environments", "POST")
    def create_environment(path: Params, _q: Params, body: Any) -> Any:
        data = v.validate(
            body,
            {
                "name": v.req("string", v.length(1, 255)),
                "slug": v.req("string", v.slug(1, 64)),
                "position": v.opt("number", check=v.int_range(1, 10_000)),
            },
        )
        store.project(path["projectId"])
        env = store.add_environment(path["projectId"], data["name"], data["slug"], data.get("position"))
        return {
            "message": "Successfully created environment",
            "workspace": path["projectId"],
            "environment": env,
        }

    @endpoint("/api/v1/workspace/environments/{environmentId}", "GET")
    def get_environment(path: Params, _q: Params, _b: Any) -> Any:
        return {"environment": _environment(store, path["environmentId"])}

    @endpoint("/api/v1/projects/{projectId}/environments/slug/{slug}", "GET")
    def get_environment_by_slug(path: Params, _q: Params, _b: Any) -> Any:
        return store.environment_by_slug(path["projectId"], path["slug"])

    @endpoint("/api/v1/workspace/{projectId}/environments/{environmentId}", "PATCH")
    def update_environment(path: Params, _q: Params, body: Any) -> Any:
        env = _environment(store, path["environmentId"], path["projectId"])
        data = v.validate(
            body,
            {
                "name": v.opt("string", check=v.length(1, 255)),
                "slug": v.opt("string", check=v.slug(1, 64)),
                "position": v.opt("number", check=v.int_range(1, 10_000)),
            },
        )
        if "slug" in data and any(
            e["slug"] == data["slug"] and e["projectId"] == env["projectId"] and e["id"] != env["id"]
            for e in store.environments.values()
        ):
            raise bad_request(f"Environment with slug '{data['slug']}' already exists")
        env.update(data, updatedAt=now())
        return {
            "message": "Successfully updated environment",
            "workspace": env["projectId"],
            "environment": env,
        }

    @endpoint("/api/v1/workspace/{projectId}/environments/{environmentId}", "DELETE")
    def delete_environment(path: Params, _q: Params, _b: Any) -> Any:
        env = _environment(store, path["environmentId"], path["projectId"])
        store.delete_environment(env["id"])
        return {
            "message": "Successfully deleted environment",
            "workspace": env["projectId"],
            "environment": env,
        }

    # -- folders ----

    folder_body = {  # create and update take the same body: `path` is the parent folder's path
        "projectId": v.req("string"),
        "environment": v.req("string"),
        "name": v.req("string", v.pattern(FOLDER_NAME, "Invalid folder name")),
        "path": v.opt("string", "/"),
        "description": v.opt("string", nullable=True),
    }

    @endpoint("/api/v2/folders", "POST")
    def create_folder(_p: Params, _q: Params, body: Any) -> Any:
        data = v.validate(body, folder_body)
        env = store.environment_by_slug(data["projectId"], data["environment"])
        parent = store.folder_at(env["id"], data["path"], create=True)
        assert parent is not None
        folder = store.child(parent["id"], data["name"])
        if folder is None:
            folder = store.add_folder(env["id"], parent["id"], data["name"], data.get("description"))
        elif store.folder_behaviour == "current":
            # backend/src/services/secret-folder/secret-folder-service.ts, createFolder, "exact folder case"
            # (current backend); older versions of the same file return the existing folder ("this request
            # must be idempotent"). Both create missing parents first.
            raise bad_request(f"Folder with name '{data['name']}' already exists in path '{normal_path(data['path'])}'")
        return {"folder": store.folder_view(folder)}

    @endpoint("/api/v2/folders", "GET")
    def list_folders(_p: Params, query: Params, _b: Any) -> Any:
        env = store.environment_by_slug(query.get("projectId", ""), query.get("environment", ""))
        parent = store.folder_at(env["id"], query.get("path", "/"))
        if parent is None:
            return {"folders": []}
        return {"folders": [store.folder_view(f) for f in store.folders.values() if f["parentId"] == parent["id"]]}

    @endpoint("/api/v2/folders/{folderId}", "GET")
    def get_folder(path: Params, _q: Params, _b: Any) -> Any:
        return {"folder": store.folder_view(_folder(store, path["folderId"]), detailed=True)}

    @endpoint("/api/v2/folders/{folderId}", "PATCH")
    def update_folder(path: Params, _q: Params, body: Any) -> Any:
        data = v.validate(body, folder_body)
        env = store.environment_by_slug(data["projectId"], data["environment"])
        folder = _folder(store, path["folderId"])
        parent = store.folder_at(env["id"], data["path"])
        if folder["envId"] != env["id"] or parent is None or folder["parentId"] != parent["id"]:
            raise not_found(f"Folder with ID '{folder['id']}' not found at path '{normal_path(data['path'])}'")
        clash = store.child(parent["id"], data["name"])
        if clash is not None and clash["id"] != folder["id"]:
            raise bad_request("Folder with specified name already exists")
        folder.update(name=data["name"], description=data.get("description"), updatedAt=now())
        folder["version"] += 1
        return {"folder": store.folder_view(folder)}

    @endpoint("/api/v2/folders/{folderIdOrName}", "DELETE")
    def delete_folder(path: Params, _q: Params, body: Any) -> Any:
        data = v.validate(
            body,
            {
                "projectId": v.req("string"),
                "environment": v.req("string"),
                "path": v.opt("string", "/"),
                "forceDelete": v.opt("boolean", False),
            },
        )
        env = store.environment_by_slug(data["projectId"], data["environment"])
        parent = store.folder_at(env["id"], data["path"])
        target = path["folderIdOrName"]
        folder = next(
            (
                f
                for f in store.folders.values()
                if parent is not None and f["parentId"] == parent["id"] and target in (f["id"], f["name"])
            ),
            None,
        )
        if folder is None:
            raise not_found(f"Folder with ID '{target}' not found")
        view = store.folder_view(folder)
        store.delete_folder(folder["id"])
        return {"folder": view}

    # -- secrets ----

    secret_address = {
        "projectId": v.req("string"),
        "environment": v.req("string"),
        "secretPath": v.opt("string", "/"),
        "type": v.opt("string", "shared", v.one_of("shared", "personal")),
    }

    @endpoint("/api/v4/secrets/{secretName}", "POST")
    def create_secret(path: Params, _q: Params, body: Any) -> Any:
        data = v.validate(
            body,
            {
                **secret_address,
                "secretValue": v.req("string"),
                "secretComment": v.opt("string", ""),
            },
        )
        permissions.require_secret(store, "create", data, path["secretName"])
        env, folder = store.folder_in(data["projectId"], data["environment"], data["secretPath"])
        if store.find_secret(folder["id"], path["secretName"], data["type"]) is not None:
            raise bad_request("Secret already exists")
        secret = {
            "id": new_id(),
            "projectId": data["projectId"],
            "envId": env["id"],
            "folderId": folder["id"],
            "key": path["secretName"],
            "value": stored_value(data["secretValue"]),
            "comment": data["secretComment"],
            "type": data["type"],
            "version": 1,
            "createdAt": now(),
            "updatedAt": now(),
        }
        store.secrets[secret["id"]] = secret
        return {"secret": store.secret_view(secret)}

    @endpoint("/api/v4/secrets/id/{secretId}", "GET")
    def get_secret_by_id(path: Params, _q: Params, _b: Any) -> Any:
        secret = store.secrets.get(path["secretId"])
        if secret is None:
            raise not_found(f"Secret with ID '{path['secretId']}' not found")
        address = {
            "projectId": secret["projectId"],
            "environment": store.environments[secret["envId"]]["slug"],
            "secretPath": store.path_of(store.folders[secret["folderId"]]),
        }
        permissions.require_secret(store, "readValue", address, secret["key"])
        return {"secret": store.secret_view(secret)}

    @endpoint("/api/v4/secrets/{secretName}", "GET")
    def get_secret(path: Params, query: Params, _b: Any) -> Any:
        data = v.validate(dict(query), secret_address)
        permissions.require_secret(store, "readValue", data, path["secretName"])
        return {"secret": store.secret_view(_secret(store, path["secretName"], data))}

    @endpoint("/api/v4/secrets/{secretName}", "PATCH")
    def update_secret(path: Params, _q: Params, body: Any) -> Any:
        data = v.validate(
            body,
            {
                **secret_address,
                "secretValue": v.opt("string"),
                "secretComment": v.opt("string"),
                "newSecretName": v.opt("string", check=v.length(1, 255)),
            },
        )
        permissions.require_secret(store, "edit", data, path["secretName"])
        secret = _secret(store, path["secretName"], data)
        new_key = data.get("newSecretName")
        if new_key and new_key != secret["key"] and store.find_secret(secret["folderId"], new_key, secret["type"]):
            raise bad_request("Secret with the new name already exists")
        if "secretValue" in data:
            secret["value"] = stored_value(data["secretValue"])
        if "secretComment" in data:
            secret["comment"] = data["secretComment"]
        if new_key:
            secret["key"] = new_key
        secret["version"] += 1
        secret["updatedAt"] = now()
        return {"secret": store.secret_view(secret)}

    @endpoint("/api/v4/secrets/{secretName}", "DELETE")
    def delete_secret(path: Params, _q: Params, body: Any) -> Any:
        data = v.validate(body, secret_address)
        permissions.require_secret(store, "delete", data, path["secretName"])
        secret = _secret(store, path["secretName"], data)
        view = store.secret_view(secret)
        del store.secrets[secret["id"]]
        return {"secret": view}

    # -- Cloudflare app connections ----

    credentials_rule = v.obj(
        {
            "accountId": v.req("string", v.pattern(r"^[A-Za-z0-9_-]{1,256}$", "Invalid account ID")),
            "apiToken": v.req("string", v.length(1, 256)),
        }
    )

    @endpoint("/api/v1/app-connections/cloudflare", "POST")
    def create_connection(_p: Params, _q: Params, body: Any) -> Any:
        data = v.validate(
            body,
            {
                "name": v.req("string", v.slug(1, 256)),
                "method": v.req("string", v.one_of("api-token")),
                "credentials": credentials_rule,
                "description": v.opt("string", None, v.length(0, 256), nullable=True),
                "projectId": v.opt("string", None, nullable=True),
            },
        )
        if data.get("projectId"):
            store.project(data["projectId"])
        if any(c["name"] == data["name"] for c in store.connections.values()):
            raise bad_request(f'An App Connection with the name "{data["name"]}" already exists')
        _validate_cloudflare_token(store, data["credentials"])
        connection = {
            "id": new_id(),
            "name": data["name"],
            "description": data.get("description"),
            "version": 1,
            "orgId": store.org_id,
            "projectId": data.get("projectId"),
            "app": "cloudflare",
            "method": "api-token",
            "credentials": dict(data["credentials"]),
            "credentialsHash": store.credentials_hash(**_cf_args(data["credentials"])),
            "isPlatformManagedCredentials": False,
            "gatewayId": None,
            "createdAt": now(),
            "updatedAt": now(),
        }
        store.connections[connection["id"]] = connection
        return {"appConnection": store.connection_view(connection)}

    @endpoint("/api/v1/app-connections/cloudflare", "GET")
    def list_connections(_p: Params, _q: Params, _b: Any) -> Any:
        return {"appConnections": [store.connection_view(c) for c in store.connections.values()]}

    @endpoint("/api/v1/app-connections/cloudflare/{connectionId}", "GET")
    def get_connection(path: Params, _q: Params, _b: Any) -> Any:
        return {"appConnection": store.connection_view(store.connection(path["connectionId"]))}

    @endpoint("/api/v1/app-connections/cloudflare/connection-name/{name}", "GET")
    def get_connection_by_name(path: Params, _q: Params, _b: Any) -> Any:
        for connection in store.connections.values():
            if connection["name"] == path["name"]:
                return {"appConnection": store.connection_view(connection)}
        raise not_found(f"Could not find App Connection with name {path['name']}")

    @endpoint("/api/v1/app-connections/cloudflare/{connectionId}", "PATCH")
    def update_connection(path: Params, _q: Params, body: Any) -> Any:
        connection = store.connection(path["connectionId"])
        data = v.validate(
            body,
            {
                "name": v.opt("string", check=v.slug(1, 256)),
                "description": v.opt("string", check=v.length(0, 256), nullable=True),
                "credentials": v.Rule("object", required=False, fields=credentials_rule.fields),
            },
        )
        if "name" in data and any(
            c["name"] == data["name"] and c["id"] != connection["id"] for c in store.connections.values()
        ):
            raise bad_request(f'An App Connection with the name "{data["name"]}" already exists')
        if "credentials" in data:
            _validate_cloudflare_token(store, data["credentials"])
            connection["credentials"] = dict(data["credentials"])
            connection["credentialsHash"] = store.credentials_hash(**_cf_args(data["credentials"]))
        for key in ("name", "description"):
            if key in data:
                connection[key] = data[key]
        connection["version"] += 1
        connection["updatedAt"] = now()
        return {"appConnection": store.connection_view(connection)}

    @endpoint("/api/v1/app-connections/cloudflare/{connectionId}", "DELETE")
    def delete_connection(path: Params, _q: Params, _b: Any) -> Any:
        connection = store.connection(path["connectionId"])
        del store.connections[connection["id"]]
        return {"appConnection": store.connection_view(connection)}

    # -- Cloudflare Workers secret syncs ----

    sync_options = {
        "initialSyncBehavior": v.req("string", v.one_of("overwrite-destination")),
        "disableSecretDeletion": v.opt("boolean", False),
        "keySchema": v.opt("string", check=_key_schema),
    }
    destination_config = {
        "scriptId": v.req("string", v.pattern(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", "Invalid script ID")),
    }
    sync_base = "/api/v1/secret-syncs/cloudflare-workers"

    @endpoint(sync_base, "POST")
    def create_sync(_p: Params, _q: Params, body: Any) -> Any:
        data = v.validate(
            body,
            {
                "name": v.req("string", v.slug(1, 256)),
                "projectId": v.req("string"),
                "connectionId": v.req("string"),
                "environment": v.req("string"),
                "secretPath": v.req("string"),
                "description": v.opt("string", None, v.length(0, 256), nullable=True),
                "isAutoSyncEnabled": v.opt("boolean", True),
                "syncOptions": v.obj(sync_options),
                "destinationConfig": v.obj(destination_config),
            },
        )
        store.project(data["projectId"])
        store.connection(data["connectionId"])
        env, folder = _sync_source(store, data["projectId"], data["environment"], data["secretPath"])
        if any(s["name"] == data["name"] and s["projectId"] == data["projectId"] for s in store.syncs.values()):
            raise bad_request(
                f'A Secret Sync with the name "{data["name"]}" already exists for the project with ID '
                f'"{data["projectId"]}"'
            )
        sync = {
            "id": new_id(),
            "name": data["name"],
            "description": data.get("description"),
            "destination": "cloudflare-workers",
            "isAutoSyncEnabled": data["isAutoSyncEnabled"],
            "version": 1,
            "destinationConfig": data["destinationConfig"],
            "syncOptions": data["syncOptions"],
            "projectId": data["projectId"],
            "folderId": folder["id"],
            "envId": env["id"],
            "connectionId": data["connectionId"],
            "createdAt": now(),
            "updatedAt": now(),
            **sync_jobs.sync_fields(),
        }
        store.syncs[sync["id"]] = sync
        if sync["isAutoSyncEnabled"]:
            sync_jobs.queue_sync(store, sync)
        return {"secretSync": store.sync_view(sync)}

    @endpoint(sync_base + "/{syncId}", "GET")
    def get_sync(path: Params, _q: Params, _b: Any) -> Any:
        return {"secretSync": store.sync_view(_sync(store, path["syncId"]))}

    @endpoint(sync_base + "/sync-name/{name}", "GET")
    def get_sync_by_name(path: Params, query: Params, _b: Any) -> Any:
        for sync in store.syncs.values():
            if sync["name"] == path["name"] and sync["projectId"] == query.get("projectId"):
                return {"secretSync": store.sync_view(sync)}
        raise not_found(f"Could not find Cloudflare Workers Sync with name {path['name']}")

    @endpoint(sync_base + "/{syncId}", "PATCH")
    def update_sync(path: Params, _q: Params, body: Any) -> Any:
        sync = _sync(store, path["syncId"])
        data = v.validate(
            body,
            {
                "name": v.opt("string", check=v.slug(1, 256)),
                "connectionId": v.opt("string"),
                "environment": v.opt("string"),
                "secretPath": v.opt("string"),
                "description": v.opt("string", check=v.length(0, 256), nullable=True),
                "isAutoSyncEnabled": v.opt("boolean"),
                "syncOptions": v.Rule("object", required=False, fields=sync_options),
                "destinationConfig": v.Rule("object", required=False, fields=destination_config),
            },
        )
        if "connectionId" in data:
            store.connection(data["connectionId"])
        if "environment" in data or "secretPath" in data:
            env_slug = data.get("environment") or store.environments[sync["envId"]]["slug"]
            source_path = data.get("secretPath") or store.path_of(store.folders[sync["folderId"]])
            env, folder = _sync_source(store, sync["projectId"], env_slug, source_path)
            sync.update(envId=env["id"], folderId=folder["id"])
        if "name" in data and any(
            s["name"] == data["name"] and s["projectId"] == sync["projectId"] and s["id"] != sync["id"]
            for s in store.syncs.values()
        ):
            raise bad_request(f'A Secret Sync with the name "{data["name"]}" already exists')
        for key in (
            "name",
            "connectionId",
            "description",
            "isAutoSyncEnabled",
            "syncOptions",
            "destinationConfig",
        ):
            if key in data:
                sync[key] = data[key]
        sync["version"] += 1
        sync["updatedAt"] = now()
        if sync["isAutoSyncEnabled"]:
            sync_jobs.queue_sync(store, sync)
        return {"secretSync": store.sync_view(sync)}

    @endpoint(sync_base + "/{syncId}", "DELETE")
    def delete_sync(path: Params, query: Params, _b: Any) -> Any:
        sync = _sync(store, path["syncId"])
        if query.get("removeSecrets", "false") not in ("true", "false"):
            raise ApiError(
                422,
                [{"code": "invalid_type", "path": ["removeSecrets"], "message": "Expected boolean"}],
                "ValidationFailure",
            )
        if query.get("removeSecrets") == "true":
            sync_jobs.queue_remove(store, sync)
            return {"secretSync": store.sync_view(sync)}
        view = store.sync_view(sync)
        del store.syncs[sync["id"]]
        return {"secretSync": view}

    # -- identities ----

    @endpoint("/api/v1/identities", "POST")
    def create_identity(_p: Params, _q: Params, body: Any) -> Any:
        data = v.validate(
            body,
            {
                "name": v.req("string", v.length(1, 64)),
                "organizationId": v.req("string"),
                "role": v.opt("string", "no-access"),
            },
        )
        if data["organizationId"] != store.org_id:
            raise not_found(f"Organization with ID '{data['organizationId']}' not found")
        if data["role"] not in ORG_ROLES:
            raise not_found(f"Role with slug '{data['role']}' not found")
        identity = {
            "id": new_id(),
            "name": data["name"],
            "orgId": store.org_id,
            "role": data["role"],
            "createdAt": now(),
            "updatedAt": now(),
        }
        store.identities[identity["id"]] = identity
        return {"identity": {**_identity_view(store, identity)}}

    @endpoint("/api/v1/identities/{identityId}", "GET")
    def get_identity(path: Params, _q: Params, _b: Any) -> Any:
        identity = store.identity(path["identityId"])
        return {
            "identity": {
                "id": new_id(),
                "orgId": identity["orgId"],
                "role": identity["role"],
                "customRole": None,
                "identity": _identity_view(store, identity),
                "createdAt": identity["createdAt"],
            }
        }

    @endpoint("/api/v1/identities/{identityId}", "PATCH")
    def update_identity(path: Params, _q: Params, body: Any) -> Any:
        identity = store.identity(path["identityId"])
        data = v.validate(body, {"name": v.opt("string", check=v.length(1, 64)), "role": v.opt("string")})
        if "role" in data and data["role"] not in ORG_ROLES:
            raise not_found(f"Role with slug '{data['role']}' not found")
        identity.update(data, updatedAt=now())
        return {"identity": _identity_view(store, identity)}

    @endpoint("/api/v1/identities/{identityId}", "DELETE")
    def delete_identity(path: Params, _q: Params, _b: Any) -> Any:
        identity = store.identity(path["identityId"])
        store.oidc_auths.pop(identity["id"], None)
        for key in [k for k in store.memberships if k[1] == identity["id"]]:
            store.memberships.pop(key)
        del store.identities[identity["id"]]
        return {"identity": _identity_view(store, identity)}

    # -- OIDC auth ----

    def oidc_rules(required: bool) -> dict[str, v.Rule]:
        def rule(kind: str, default: Any = None, check: v.Check | None = None) -> v.Rule:
            if required and default is None:
                return v.req(kind, check)
            return v.opt(kind, default if required else v.MISSING, check)

        return {
            "oidcDiscoveryUrl": rule("string", check=v.pattern(r"^https?://.+", "Invalid url")),
            "boundIssuer": rule("string"),
            "boundClaims": rule("object", check=_string_map),
            "boundAudiences": rule("string", ""),
            "boundSubject": rule("string", ""),
            "claimMetadataMapping": rule("object", {}, _string_map),
            "caCert": rule("string", ""),  # z.string().trim() in identity-oidc-auth-router.ts
            "accessTokenTTL": rule("number", 2_592_000, v.int_range(0, TTL_MAX)),
            "accessTokenMaxTTL": rule("number", 2_592_000, v.int_range(0, TTL_MAX)),
            "accessTokenNumUsesLimit": rule("number", 0, v.int_range(0, 1_000_000_000)),
            "accessTokenTrustedIps": rule("array", lambda: [dict(ip) for ip in ANYWHERE], _at_least_one),
        }

    oidc_path = "/api/v1/auth/oidc-auth/identities/{identityId}"

    @endpoint(oidc_path, "POST")
    def attach_oidc(path: Params, _q: Params, body: Any) -> Any:
        identity = store.identity(path["identityId"])
        data = v.validate(body, oidc_rules(required=True))
        if identity["id"] in store.oidc_auths:
            raise bad_request("Failed to add OIDC Auth to already configured identity")
        _check_ttls(data)
        auth = {
            "id": new_id(),
            "identityId": identity["id"],
            **_normal_oidc(store, data),
            "createdAt": now(),
            "updatedAt": now(),
        }
        store.oidc_auths[identity["id"]] = auth
        return {"identityOidcAuth": auth}

    @endpoint(oidc_path, "GET")
    def get_oidc(path: Params, _q: Params, _b: Any) -> Any:
        return {"identityOidcAuth": _oidc(store, path["identityId"])}

    @endpoint(oidc_path, "PATCH")
    def update_oidc(path: Params, _q: Params, body: Any) -> Any:
        auth = _oidc(store, path["identityId"])
        data = v.validate(body, oidc_rules(required=False))
        merged = {**auth, **_normal_oidc(store, data)}
        _check_ttls(merged)
        auth.update(merged, updatedAt=now())
        return {"identityOidcAuth": auth}

    @endpoint(oidc_path, "DELETE")
    def revoke_oidc(path: Params, _q: Params, _b: Any) -> Any:
        auth = _oidc(store, path["identityId"])
        del store.oidc_auths[path["identityId"]]
        return {"identityOidcAuth": auth}

    # -- project identity memberships ----

    membership_path = "/api/v2/workspace/{projectId}/identity-memberships/{identityId}"
    roles_rule = {"roles": v.opt("array", check=_roles), "role": v.opt("string", "no-access")}

    @endpoint(membership_path, "POST")
    def add_membership(path: Params, _q: Params, body: Any) -> Any:
        project = store.project(path["projectId"])
        identity = store.identity(path["identityId"])
        data = v.validate(body, roles_rule)
        key = (project["id"], identity["id"])
        if key in store.memberships:
            raise bad_request("Identity already exists in the project")
        membership = {
            "id": new_id(),
            "identityId": identity["id"],
            "projectId": project["id"],
            "roles": _membership_roles(store, project["id"], data),
            "createdAt": now(),
            "updatedAt": now(),
        }
        store.memberships[key] = membership
        return {"identityMembership": {k: val for k, val in membership.items() if k != "roles"}}

    @endpoint(membership_path, "GET")
    def get_membership(path: Params, _q: Params, _b: Any) -> Any:
        return {"identityMembership": store.membership_view(_membership(store, path))}

    @endpoint("/api/v2/workspace/identity-memberships/{membershipId}", "GET")
    def get_membership_by_id(path: Params, _q: Params, _b: Any) -> Any:
        for membership in store.memberships.values():
            if membership["id"] == path["membershipId"]:
                return {"identityMembership": store.membership_view(membership)}
        raise not_found(f"Identity membership with ID '{path['membershipId']}' not found")

    @endpoint(membership_path, "PATCH")
    def update_membership(path: Params, _q: Params, body: Any) -> Any:
        membership = _membership(store, path)
        data = v.validate(body, {"roles": v.req("array", _roles)})
        membership["roles"] = _membership_roles(store, membership["projectId"], data)
        membership["updatedAt"] = now()
        return {"roles": membership["roles"]}

    @endpoint(membership_path, "DELETE")
    def remove_membership(path: Params, _q: Params, _b: Any) -> Any:
        membership = _membership(store, path)
        del store.memberships[(membership["projectId"], membership["identityId"])]
        return {"identityMembership": {k: val for k, val in membership.items() if k != "roles"}}

    roles.register(endpoint, store)
    return Starlette(routes=routes, exception_handlers={ApiError: handle_api_error})


# -- helpers ----


def _authenticate(request: Request, store: Store) -> None:
    header = request.headers.get("authorization", "")
    if not header:
        raise ApiError(401, "Token missing", "UnauthorizedError")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        raise ApiError(401, "Invalid authorization header", "UnauthorizedError")
    with store.lock:
        permissions.set_caller(store.check_token(header[7:].strip()))


def _token_response(store: Store, identity_id: str, ttl: int | None = None) -> dict[str, Any]:
    token, lifetime = store.issue_token(identity_id, ttl)
    return {"accessToken": token, "expiresIn": lifetime, "accessTokenMaxTTL": lifetime, "tokenType": "Bearer"}


def _slugify(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())[:30] or "project"


def _environment(store: Store, env_id: str, project_id: str | None = None) -> dict[str, Any]:
    env = store.environments.get(env_id)
    if env is None or (project_id is not None and env["projectId"] != project_id):
        raise not_found(f"Environment with ID '{env_id}' not found")
    return env


def _folder(store: Store, folder_id: str) -> dict[str, Any]:
    folder = store.folders.get(folder_id)
    if folder is None or folder["parentId"] is None:
        raise not_found(f"Folder with ID '{folder_id}' not found")
    return folder


def _secret(store: Store, key: str, address: Mapping[str, Any]) -> dict[str, Any]:
    _env, folder = store.folder_in(address["projectId"], address["environment"], address["secretPath"])
    secret = store.find_secret(folder["id"], key, address.get("type", "shared"))
    if secret is None:
        raise not_found(f"Secret with name '{key}' not found")
    return secret


def _cf_args(credentials: Mapping[str, str]) -> dict[str, str]:
    return {"account_id": credentials["accountId"], "api_token": credentials["apiToken"]}


def _validate_cloudflare_token(store: Store, credentials: Mapping[str, str]) -> None:
    if credentials["apiToken"].startswith("invalid") or credentials["apiToken"] in store.rejected_tokens:
        raise bad_request("Failed to validate credentials: Cloudflare rejected the API token")


def _key_schema(value: Any) -> str | None:
    if value and "{{secretKey}}" not in value:
        return "Key Schema must include exactly one {{secretKey}} pattern"
    return None


def _sync_source(store: Store, project_id: str, env_slug: str, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    env = store.environment_by_slug(project_id, env_slug)
    folder = store.folder_at(env["id"], path)
    if folder is None:
        raise bad_request(f"Could not find folder with path '{normal_path(path)}' in environment '{env_slug}'")
    return env, folder


def _sync(store: Store, sync_id: str) -> dict[str, Any]:
    sync = store.syncs.get(sync_id)
    if sync is None:
        raise not_found(f"Could not find Cloudflare Workers Sync with ID {sync_id}")
    return sync


def _identity_view(store: Store, identity: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": identity["id"],
        "name": identity["name"],
        "orgId": identity["orgId"],
        "authMethods": auth_methods(store, identity["id"]),
    }


def _string_map(value: Any) -> str | None:
    return None if all(isinstance(item, str) for item in value.values()) else "Expected string values"


def _normal_oidc(store: Store, data: Mapping[str, Any]) -> dict[str, Any]:
    normal = dict(data)
    if "caCert" in normal:
        normal["caCert"] = normal["caCert"].strip()
    if "accessTokenTrustedIps" in normal:
        normal["accessTokenTrustedIps"] = _trusted_ips(store, normal["accessTokenTrustedIps"])
    if "boundClaims" in normal:
        normal["boundClaims"] = {
            key: ", ".join(part.strip() for part in value.split(",") if part.strip())
            for key, value in normal["boundClaims"].items()
        }
    return normal


def _trusted_ips(store: Store, entries: list[Any]) -> list[dict[str, Any]]:
    """Trusted IPs as the OIDC auth service stores them (backend/src/services/identity-oidc-auth/
    identity-oidc-auth-service.ts): ranges other than "anywhere" need the ``ipAllowlisting`` plan, every entry
    must be an address or CIDR block, and each is stored split by ``extractIPDetails``."""
    stored = []
    for entry in entries:
        address = str(entry.get("ipAddress", "") if isinstance(entry, dict) else "").strip()
        if not store.ip_allowlisting and address not in ("0.0.0.0/0", "::/0"):
            raise bad_request(
                "Failed to add IP access range to access token due to plan restriction. "
                "Upgrade plan to add IP access range."
            )
        try:
            details = ip_details(address)
        except ValueError:
            raise bad_request("The IP is not a valid IPv4, IPv6, or CIDR block") from None
        stored.append(details if store.split_trusted_ips else {"ipAddress": address})
    return stored


def _at_least_one(value: Any) -> str | None:
    return None if value else "Array must contain at least 1 element(s)"


def _check_ttls(data: Mapping[str, Any]) -> None:
    if data["accessTokenMaxTTL"] and data["accessTokenTTL"] > data["accessTokenMaxTTL"]:
        raise bad_request("Access token TTL cannot be greater than max TTL")


def _oidc(store: Store, identity_id: str) -> dict[str, Any]:
    store.identity(identity_id)
    auth = store.oidc_auths.get(identity_id)
    if auth is None:
        raise bad_request("The identity does not have OIDC Auth attached")
    return auth


def _roles(value: Any) -> str | None:
    if not value:
        return "Array must contain at least 1 element(s)"
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("role"), str) or not item["role"]:
            return "Invalid role"
    return None


def _membership_roles(store: Store, project_id: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Built-in roles by name, custom roles by slug (see `roles.membership_roles`)."""
    requested = data.get("roles") or [{"role": data.get("role", "no-access"), "isTemporary": False}]
    return roles.membership_roles(store, project_id, requested)


def _membership(store: Store, path: Params) -> dict[str, Any]:
    store.project(path["projectId"])
    store.identity(path["identityId"])
    membership = store.memberships.get((path["projectId"], path["identityId"]))
    if membership is None:
        raise not_found("Identity membership not found in the project")
    return membership
