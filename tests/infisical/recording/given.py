"""What a recorded answer says held before its request, made to hold in the fake first.

The recording is a selection from several runs, not one unbroken history: a search finds an identity
the recorded calls create only later, a secret is written into a folder an earlier line deleted. So
before each request the replay makes true what its recorded answer implies, through the fake's own API
(`Replay.setup`; those requests are not compared):

* a search that found N identities named X: N identities named X (with the metadata the recorded create
  of X sends);
* a create that succeeded: nothing of that name yet, its folder (and parents) in place;
* a create refused as a duplicate ("already exists", "already a member"): the object already there;
* a sync whose recorded answer shows its job done: the fake's job has had its time;
* line 91, the isolation login: an identity of the project bound to the staging deploy subject, whose
  custom role is the staging deploy role the recording creates at line 67.

`carried` lists the objects an answer holds, so the replay can use their ids later.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .exchanges import Exchange

if TYPE_CHECKING:
    from .replay import Call, Replay

STAGING_DEPLOY_ROLE_LINE = 67
ISOLATION_LOGIN_LINE = 91


def principal(response: Any) -> dict[str, Any]:
    """The object an answer is about: the one object it wraps (``{"folder": {...}}``), or the answer itself."""
    if not isinstance(response, Mapping):
        return {}
    wrapped = [value for value in response.values() if isinstance(value, Mapping)]
    return dict(wrapped[0]) if len(wrapped) == 1 and "id" not in response else dict(response)


def carried(route: str, method: str, body: Any) -> Iterator[tuple[str, str]]:
    """``(kind, id)`` of every object the fake's answer holds."""
    if not isinstance(body, Mapping):
        return
    if route == "/api/v1/identities/search":
        for row in body.get("identities") or []:
            yield "identity", row["identity"]["id"]
        return
    if route == "/api/v2/workspace/<uuid>/memberships":
        for row in body.get("memberships") or []:
            yield "user_membership", row["id"]
        return
    kind = answer_kind(route)
    item = principal(body)
    if kind == "identity" and isinstance(item.get("identity"), Mapping):
        item = dict(item["identity"])
    if kind == "ua_client" and item.get("clientId"):
        yield kind, item["clientId"]
    elif kind is not None and item.get("id"):
        yield kind, item["id"]
    if route == "/api/v1/projects" and method == "POST":
        for env in item.get("environments") or []:
            yield "environment", env["id"]


def answer_kind(route: str) -> str | None:
    """The kind of object an answer of this route holds."""
    for fragment, kind in (
        ("/roles", "role"),
        ("/environments", "environment"),
        ("/folders", "folder"),
        ("/secrets", "secret"),
        ("/universal-auth/identities/<uuid>/client-secrets", None),
        ("/universal-auth/identities", "ua_client"),
        ("/oidc-auth", None),
        ("/identity-memberships", "identity_membership"),
        ("/groups/<uuid>", "group_membership" if route.startswith("/api/v2/workspace/") else "group"),
        ("/memberships", "user_membership"),
        ("/identities", "identity"),
        ("/app-connections", "connection"),
        ("/secret-syncs", "sync"),
        ("/groups", "group"),
        ("/api/v1/projects", "project"),
    ):
        if fragment in route:
            return kind
    return None


# -- before the placeholders are filled ----


def before(replay: Replay, exchange: Exchange) -> None:
    if exchange.route == "/api/v1/identities/search" and exchange.ok:
        _identities_found(replay, exchange)
    if exchange.index == ISOLATION_LOGIN_LINE:
        _staging_deploy_identity(replay)
    if principal(exchange.response).get("syncStatus") in ("succeeded", "failed"):
        _sync_jobs_done(replay)


def _sync_jobs_done(replay: Replay) -> None:
    """The answer shows a sync's job finished: wait until the fake's jobs have run."""
    time.sleep(replay.fake.sync_job_seconds)


def _identities_found(replay: Replay, exchange: Exchange) -> None:
    recorded_name = exchange.request["search"]["name"]["$eq"]
    name = replay.world.concrete(recorded_name)
    with replay.fake.store.lock:
        have = sum(1 for i in replay.fake.store.identities.values() if i["name"] == name)
    create = next(
        (
            e.request
            for e in replay.exchanges
            if e.route == "/api/v1/identities" and e.ok and e.request["name"] == recorded_name
        ),
        {"name": recorded_name},
    )
    for _ in range(exchange.response["totalCount"] - have):
        body = {**create, "name": name, "organizationId": replay.fake.org_id}
        replay.world.remember("identity", replay.setup("POST", "/api/v1/identities", body)["identity"]["id"])


def _staging_deploy_identity(replay: Replay) -> None:
    project_id = replay.world.pick("project")
    role = replay.exchanges[STAGING_DEPLOY_ROLE_LINE].request
    permissions = replay.world.concrete(role["permissions"])
    connection_id = replay.world.pick("connection")
    for permission in permissions:
        condition = (permission.get("conditions") or {}).get("connectionId")
        if isinstance(condition, dict):
            condition["$eq"] = connection_id
    slug = replay.world.concrete("isolation-<rand>")
    body = {**role, "slug": slug, "name": slug, "permissions": permissions}
    replay.setup("POST", f"/api/v1/projects/{project_id}/roles", body)
    identity = {"name": role["name"], "organizationId": replay.fake.org_id}
    identity_id = replay.setup("POST", "/api/v1/identities", identity)["identity"]["id"]
    oidc = {
        "oidcDiscoveryUrl": replay.issuer.discovery_url,
        "boundIssuer": replay.issuer.issuer,
        "boundAudiences": "https://github.com/acme",
        "boundClaims": {"repository": "acme/app", "sub": "repo:acme/app:environment:staging"},
    }
    replay.setup("POST", f"/api/v1/auth/oidc-auth/identities/{identity_id}", oidc)
    membership = {"roles": [{"role": slug, "isTemporary": False}]}
    replay.setup("POST", f"/api/v2/workspace/{project_id}/identity-memberships/{identity_id}", membership)
    replay.world.remember("identity", identity_id)


# -- after ----


def after(replay: Replay, exchange: Exchange, call: Call) -> None:
    message = str(exchange.response.get("message", "")) if isinstance(exchange.response, Mapping) else ""
    duplicate = exchange.status == 400 and ("already exist" in message or "already a member" in message)
    if exchange.method != "POST" or not (exchange.ok or duplicate):
        return
    body = call.body if isinstance(call.body, Mapping) else {}
    if exchange.route.startswith("/api/v4/secrets/"):
        _secret(replay, call, body, wanted=duplicate)
    elif exchange.route == "/api/v2/folders":
        _folder(replay, body, wanted=duplicate)
    elif exchange.route.endswith("/identity-memberships/<uuid>") and duplicate:
        path = call.path
        if not replay.world.is_member(call.ids["project"], call.ids["identity"]):
            replay.setup("POST", path, {"roles": [{"role": "viewer", "isTemporary": False}]})


def _folder_at(replay: Replay, body: Mapping[str, Any], path: str) -> dict[str, Any] | None:
    store = replay.fake.store
    with store.lock:
        env = next(
            (
                e
                for e in store.environments.values()
                if e["projectId"] == body["projectId"] and e["slug"] == body["environment"]
            ),
            None,
        )
        folder = store.folder_at(env["id"], path) if env else None
        return dict(folder) if folder else None


def _folder(replay: Replay, body: Mapping[str, Any], *, wanted: bool) -> None:
    path = f"{body.get('path', '/').rstrip('/')}/{body['name']}"
    found = _folder_at(replay, body, path)
    if wanted and found is None:
        replay.setup("POST", "/api/v2/folders", dict(body))
    elif not wanted and found is not None:
        address = {"projectId": body["projectId"], "environment": body["environment"], "path": body.get("path", "/")}
        replay.setup("DELETE", f"/api/v2/folders/{found['id']}", {**address, "forceDelete": True})


def _secret(replay: Replay, call: Call, body: Mapping[str, Any], *, wanted: bool) -> None:
    path = body.get("secretPath", "/")
    if path != "/" and _folder_at(replay, body, path) is None:
        parent, _, name = path.rstrip("/").rpartition("/")
        folder = {
            "projectId": body["projectId"],
            "environment": body["environment"],
            "name": name,
            "path": parent or "/",
        }
        replay.setup("POST", "/api/v2/folders", folder)
    address = {key: body[key] for key in ("projectId", "environment", "secretPath", "type") if key in body}
    found = _folder_at(replay, body, path)
    key = call.path.rsplit("/", 1)[1].replace("%20", " ")
    with replay.fake.store.lock:
        exists = found is not None and replay.fake.store.find_secret(found["id"], key, body.get("type", "shared"))
    if wanted and not exists:
        replay.setup("POST", call.path, {**address, "secretValue": "already here"})
    elif not wanted and exists:
        replay.setup("DELETE", call.path, address)
