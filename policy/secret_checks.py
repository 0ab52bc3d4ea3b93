"""The rules about secrets: secret bindings are secrets, plain vars and json bindings do not look like them,
synced scripts keep what the sync wrote, and outside prod no real side-effecting credential is bound."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Final

from components.rules.secret_names import secret_looking_reason
from components.rules.secret_values import dotted, secret_json_values
from policy.names import INFISICAL_PREFIX
from policy.resources import UNKNOWN, PolicyResource, bindings_of, known_str
from policy.settings import PolicySettings

INFISICAL_SYNC_TYPE: Final = f"{INFISICAL_PREFIX}CloudflareWorkersSecretSync"
"""``components.infisical.CloudflareWorkersSecretSync``: Infisical writes secrets into the Worker ``script_id``."""
PROD: Final = "prod"
SECRET_BINDING_FIELDS: Final = {"secret_text": ("text",), "secret_key": ("keyBase64", "keyJwk")}
KEEP_BINDING_REQUIRED: Final = "secret_text"
"""The binding type a type-wide ``keepBindings`` would keep (and with it every retired secret)."""
INHERIT_BINDING: Final = "inherit"
_LIVE_CREDENTIAL = re.compile(r"^(sk_live_|rk_live_)")
"""Live-mode key shapes (Stripe secret and restricted keys); test-mode keys are ``sk_test_``/``rk_test_``."""


def secret_bindings_are_secret(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if resource.kind != "WorkersScript":
        return
    for index, binding in bindings_of(resource):
        fields = SECRET_BINDING_FIELDS.get(str(binding.get("type")), ())
        for key in fields:
            value = binding.get(key)
            if value is None or value is UNKNOWN:
                continue
            if resource.is_secret("bindings", index, key) is False:
                yield (
                    f"bindings[{index}].{key} of {binding.get('type')} binding {binding.get('name')!r} is not a "
                    "secret: it would be stored in clear in the state and shown in previews; pass it through "
                    "pulumi.Output.secret"
                )


def origin_passwords_are_secret(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    """A Hyperdrive config's origin password reaches Cloudflare only as a Pulumi secret."""
    if resource.kind != "HyperdriveConfig":
        return
    origin = resource.props.get("origin")
    if not isinstance(origin, dict) or origin.get("password") in (None, UNKNOWN):
        return
    if resource.is_secret("origin", "password") is False:
        yield (
            "origin.password is not a secret: it would be stored in clear in the state and shown in previews; "
            "give the password an owner (inject or sync) in the stage config"
        )


def no_secret_looking_plain_text(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    """No plain_text binding looks like a credential (publicVars exempt names, never values), and no string at
    any depth of a json binding has the shape of one."""
    if resource.kind != "WorkersScript":
        return
    allowed = settings.public_vars_of(known_str(resource.props.get("scriptName")))
    for index, binding in bindings_of(resource):
        name, kind = binding.get("name"), binding.get("type")
        if kind == "plain_text" and isinstance(name, str) and isinstance(text := binding.get("text"), str):
            reason = secret_looking_reason(name, text, public=name in allowed)
            if reason:
                yield (
                    f"bindings[{index}] is a plain_text binding that looks like a secret ({reason}); bind it as "
                    f"secret_text, or if the value really is public and only its name looks secret, list {name!r} "
                    "in the worker's publicVars"
                )
        elif kind == "json" and isinstance(raw := binding.get("json"), str):
            try:
                value = json.loads(raw)
            except ValueError:
                continue
            for path, reason in secret_json_values(value):
                where = f"bindings[{index}].json" + (f" at {dotted(path)}" if path else "")
                yield f"{where} of json binding {name!r} looks like a secret ({reason}); bind it as secret_text"


def synced_scripts_keep_secret_bindings(
    resources: Sequence[PolicyResource], stage: str, settings: PolicySettings
) -> Iterator[tuple[PolicyResource, str]]:
    scripts: dict[str, PolicyResource] = {}
    for resource in resources:
        if resource.kind == "WorkersScript" and (name := known_str(resource.props.get("scriptName"))):
            scripts[name] = resource
    for sync in resources:
        if sync.type != INFISICAL_SYNC_TYPE:
            continue
        script = scripts.get(known_str(sync.props.get("script_id")) or "")
        if script is None:
            continue  # unknown yet, or not a script of this stack (the cross-stage rule looks at the name)
        keep = script.props.get("keepBindings")
        if keep is UNKNOWN:
            continue
        kept = list(keep) if isinstance(keep, Sequence) and not isinstance(keep, str) else []
        inherited = [binding for _, binding in bindings_of(script) if binding.get("type") == INHERIT_BINDING]
        if KEEP_BINDING_REQUIRED in kept:
            yield (
                script,
                f"keepBindings keeps every {KEEP_BINDING_REQUIRED!r} binding of the previous upload, also the secrets "
                f"this config retired; inherit the names {sync.label} owns instead (one 'inherit' binding each)",
            )
        elif not inherited:
            yield (
                script,
                f"{sync.label} syncs secrets into this script, but no 'inherit' binding keeps them: every deploy "
                "would delete the synced secrets",
            )


def no_real_side_effect_credentials(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if stage == PROD or resource.kind != "WorkersScript":
        return
    side_effects = settings.side_effects_of(known_str(resource.props.get("scriptName")))
    for index, binding in bindings_of(resource):
        name, value = binding.get("name"), binding.get("text")
        if binding.get("type") != "secret_text" or not isinstance(name, str) or not isinstance(value, str):
            continue
        where = f"bindings[{index}].text of secret_text binding {name!r}"
        real = settings.real_values.get(name)
        if name in side_effects and real and value == real:
            yield (
                f"{where} is the value of the real ${name} from the deploy environment; outside prod a "
                f"side-effecting secret is bound from ${name}_SANDBOX or empty"
            )
        elif _LIVE_CREDENTIAL.match(value.strip()):
            yield f"{where} has the shape of a live-mode key; stage {stage!r} must only hold test-mode keys"
        elif side_effects.get(name) == "empty" and value:
            yield (
                f"{where} carries a value, but outside prod this side-effecting secret is bound empty "
                "(sandbox: empty); the program read a variable it must not read here"
            )
