"""Listing a folder's secrets (``GET /api/v4/secrets``), with or without their values.

Follows ``backend/src/server/routes/v4/secret-router.ts`` (``listSecretsV4``): ``projectId`` and
``environment`` are required (400 "Missing project id or environment"), ``secretPath`` defaults to ``/``
and ``viewSecretValue`` to ``true``. Each item is ``secretRawSchema`` of
``backend/src/server/routes/sanitizedSchemas.ts``, which carries ``createdAt`` and ``updatedAt``: the
last change of the secret, which the secret-age check reads. With ``viewSecretValue=false`` the value is
replaced by ``INFISICAL_SECRET_VALUE_HIDDEN_MASK`` (``<hidden-by-infisical>``, in
``backend/src/services/secret/secret-fns.ts``) and ``secretValueHidden`` is true; that read needs only the
``describeSecret`` permission, a value read needs ``readValue``.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.infisical import permissions
from tests.fakes.infisical import validation as v
from tests.fakes.infisical.errors import bad_request
from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store

from .secrets import secret_view

routes = RouteTable(limit="secrets")

HIDDEN = "<hidden-by-infisical>"


@routes.get("/api/v4/secrets")
def list_secrets(store: Store, call: Call) -> Any:
    data = v.validate(
        dict(call.query),
        {
            "projectId": v.opt("string"),
            "environment": v.opt("string"),
            "secretPath": v.opt("string", "/"),
            "viewSecretValue": v.opt("string", "true", v.one_of("true", "false")),
        },
    )
    if not data.get("projectId") or not data.get("environment"):
        raise bad_request("Missing project id or environment")
    show = data["viewSecretValue"] == "true"
    _env, folder = store.folder_in(data["projectId"], data["environment"], data["secretPath"])
    listed = []
    for secret in sorted(store.secrets.values(), key=lambda s: s["key"]):
        if secret["folderId"] != folder["id"] or secret["type"] != "shared":
            continue
        permissions.require_secret(store, call.actor, "readValue" if show else "describeSecret", data, secret["key"])
        view = secret_view(store, secret)
        if not show:
            view |= {"secretValue": HIDDEN, "secretValueHidden": True}
        listed.append(view)
    return {"secrets": listed, "imports": []}
