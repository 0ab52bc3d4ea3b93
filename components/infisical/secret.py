"""One shared secret in a project environment and folder.

Infisical trims every value (keeping one trailing newline if there was one), so the diff compares values
in that stored form: ``"abc\\n\\n"`` in the program and ``"abc\\n"`` in Infisical are not a change. The
value is a Pulumi secret on the way in and on the way out.
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
from .errors import InfisicalApprovalRequiredError

_BY_NAME = "/api/v4/secrets/{secretName}"
_SHARED = "shared"


def _secret(data: Mapping[str, Any], action: str) -> dict[str, Any]:
    if "secret" not in data and "approval" in data:
        raise InfisicalApprovalRequiredError(
            f"Infisical sent the secret {action} to a change-approval policy instead of applying it; approve "
            "it in Infisical and run `pulumi refresh`, or exempt this path from the policy"
        )
    return dict(data["secret"])


def _secret_outputs(secret: Mapping[str, Any], known: Mapping[str, Any]) -> Outputs:
    value = known.get("value") if secret.get("secretValueHidden") else secret.get("secretValue")
    return {
        "project_id": secret.get("workspace") or secret.get("projectId") or known.get("project_id"),
        "environment": secret.get("environment") or known.get("environment"),
        "secret_path": valid.normal_path(secret.get("secretPath") or known.get("secret_path") or "/"),
        "key": secret.get("secretKey"),
        "value": value,
        "comment": secret.get("secretComment") or "",
    }


@dataclass(frozen=True, kw_only=True)
class SecretArgs:
    project_id: pulumi.Input[str] = prop(required=True, replace=True)
    environment: pulumi.Input[str] = prop(required=True, replace=True, validate=valid.slug(1, 64))
    secret_path: pulumi.Input[str] | None = prop(
        default="/", replace=True, validate=valid.folder_path, compare=valid.normal_path
    )
    key: pulumi.Input[str] = prop(
        required=True,
        validate=valid.all_of(valid.length(1, 255), valid.matches(valid.SECRET_KEY, "a key without spaces or /")),
    )
    value: pulumi.Input[str] = prop(required=True, secret=True, compare=valid.stored_secret_value)
    comment: pulumi.Input[str] | None = prop(default="", compare=valid.trimmed)
    """Infisical trims a comment on create (not on update), so diffs compare comments trimmed."""


class SecretProvider(InfisicalProvider):
    kind = "secret"
    schema = Schema.of(SecretArgs)
    natural_key = ("project_id", "environment", "secret_path", "key")
    stable_outputs = ("project_id", "environment", "secret_path")

    @staticmethod
    def _address(props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "projectId": props["project_id"],
            "environment": props["environment"],
            "secretPath": valid.normal_path(props.get("secret_path", "/")),
            "type": _SHARED,
        }

    def _create(self, client: InfisicalClient, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        key = inputs["key"]
        client.remember_secret(inputs["value"])
        body = {
            **self._address(inputs),
            "secretValue": inputs["value"],
            "secretComment": inputs.get("comment", ""),
        }

        def create() -> dict[str, Any]:
            return _secret(client.post(_BY_NAME, path={"secretName": key}, json=body), "creation")

        def find() -> dict[str, Any] | None:
            params = {**self._address(inputs), "viewSecretValue": "true"}
            data = found_or_none(lambda: client.get(_BY_NAME, path={"secretName": key}, params=params))
            if data is None:
                return None
            secret = _secret(data, "lookup")
            same = valid.stored_secret_value(secret.get("secretValue")) == valid.stored_secret_value(inputs["value"])
            same_comment = valid.trimmed(secret.get("secretComment")) == valid.trimmed(inputs.get("comment"))
            return secret if same and same_comment else None

        where = f"{key!r} in {inputs['environment']}:{body['secretPath']} of project {inputs['project_id']}"
        secret = self._create_or_recover(client, where, create, find)
        return secret["id"], _secret_outputs(secret, inputs)

    def _read(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> tuple[str, Outputs] | None:
        client.remember_secret(props.get("value"))
        data = found_or_none(
            lambda: client.get(
                "/api/v4/secrets/id/{secretId}", path={"secretId": id_}, params={"viewSecretValue": "true"}
            )
        )
        if data is None:
            return None
        return id_, _secret_outputs(_secret(data, "read"), props)

    def _update(self, client: InfisicalClient, id_: str, old: dict[str, Any], new: dict[str, Any]) -> Outputs:
        client.remember_secret(old.get("value"), new["value"])
        body: dict[str, Any] = {
            **self._address(new),
            "secretValue": new["value"],
            "secretComment": new.get("comment", ""),
        }
        if new["key"] != old["key"]:
            body["newSecretName"] = new["key"]
        data = client.patch(_BY_NAME, path={"secretName": old["key"]}, json=body)
        return _secret_outputs(_secret(data, "update"), new)

    def _delete(self, client: InfisicalClient, id_: str, props: dict[str, Any]) -> None:
        client.remember_secret(props.get("value"))
        _secret(client.delete(_BY_NAME, path={"secretName": props["key"]}, json=self._address(props)), "deletion")


class Secret(InfisicalResource[SecretArgs], provider=SecretProvider):
    """One shared secret; its value is a Pulumi secret in and out."""
