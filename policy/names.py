"""What a policy rule reads off a resource's type and URN, and the wire marks of its properties.

Light on purpose (the Pulumi SDK and the standard library only): the policy pack runs in a virtualenv
with nothing but pulumi and pulumi-policy, and the plan shares these with it.
"""

from __future__ import annotations

from typing import Final

from pulumi.runtime import rpc

SECRET_SIG_KEY: Final[str] = rpc._special_sig_key
"""The key that marks a special value (secret, asset, resource reference) on the wire."""
SECRET_SIG: Final[str] = rpc._special_secret_sig
"""The signature of a secret envelope ``{SECRET_SIG_KEY: SECRET_SIG, "value": ...}``."""

DYNAMIC_PREFIX: Final = "pulumi-python:dynamic"
"""The type token of every Python dynamic-provider resource starts so (``pulumi-python:dynamic/infisical:Project``)."""


INFISICAL_PREFIX: Final = f"{DYNAMIC_PREFIX}/infisical:"
"""The type token of every resource of the Infisical package (``components.infisical``) starts so."""


def short_type(type_: str) -> str:
    """``cloudflare:index/workersScript:WorkersScript`` → ``WorkersScript``; dynamic → ``infisical:Project``."""
    if type_.startswith(DYNAMIC_PREFIX):
        return type_.split("/", 1)[-1]
    if type_.startswith("pulumi:providers:"):
        return "provider:" + type_.rsplit(":", 1)[-1]
    return type_.rsplit(":", 1)[-1]


def stack_of(urn: str) -> str:
    """``urn:pulumi:<stack>::<project>::<type>::<name>`` → ``<stack>``."""
    return urn.removeprefix("urn:pulumi:").split("::", 1)[0]


def project_of(urn: str) -> str:
    parts = urn.removeprefix("urn:pulumi:").split("::")
    return parts[1] if len(parts) > 1 else ""
