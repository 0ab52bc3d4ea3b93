"""The ``workers-stage-platform`` policy pack: :mod:`policy.checks` inside pulumi-policy.

Run it with ``pulumi preview --policy-pack policy`` (or ``pulumi up``) from the repository root; the CLI
starts ``python policy`` from inside this directory, so the repository root is put on ``sys.path`` for
``policy.checks`` and ``components.rules.naming`` (both light: no pulumi_cloudflare, no pydantic). The pack is
therefore not publishable on its own (``pulumi policy publish`` would upload this directory only).

Where the rules' settings come from here:

* the stage (stack): each resource's URN;
* ``app``, ``publicVars`` and side-effecting secrets: the outputs the program's ``Stage`` and ``Worker``
  components register, which a stack validation receives with every resource (:mod:`policy.settings`);
  the rules that need them therefore run as stack policies;
* extra allow-lists: the pack config, per policy (``--policy-pack-config``):
  ``{"no-secret-looking-plain-text": {"publicVars": [...]},
  "no-real-side-effect-credentials-outside-prod": {"sideEffectSecrets": {"NAME": "empty" | "env"}}}``;
* the real values of side-effecting secrets: this process's environment, which the CLI inherits from
  ``infisical run``. They are compared, never reported.

**Secretness.** The engine sends secret inputs to the pack in their envelopes, but pulumi_policy 1.21's
``Analyze``/``AnalyzeStack`` deserialize them with ``deserialize_properties(..., proxy_secrets=False)``,
which drops the envelope: a validation sees a secret and a plain string alike. :func:`install_secret_markers`
swaps in a deserializer that keeps each envelope as a ``pulumi_policy.Secret`` (remediations keep the SDK's
own path). If the SDK no longer has that shape the swap is refused, a warning goes to stderr, and the
"secret bindings are secret" rule is skipped here (the plan still enforces it).

**retain_on_delete** is not part of the analyzer protocol (``AnalyzerResourceOptions`` has no such field),
so here the prod rule checks ``protect`` only; the plan checks both.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

_REPO_ROOT = str(Path(__file__).resolve().parent.parent)
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

import pulumi_policy.policy as _sdk_policy  # noqa: E402
from pulumi_policy import (  # noqa: E402
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyPack,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Secret,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import (  # noqa: E402
    SPECIAL_SECRET_SIG,
    SPECIAL_SIG_KEY,
    deserialize_properties,
)
from pulumi_policy.proxy import (  # noqa: E402
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from policy import checks, names  # noqa: E402
from policy.resources import UNKNOWN, PropPath  # noqa: E402
from policy.resources import PolicyResource as View  # noqa: E402
from policy.settings import PUBLIC_VARS, SANDBOX_MODES, SIDE_EFFECT_SECRETS, settings_from_resources  # noqa: E402

PACK_NAME = "workers-stage-platform"

_UNKNOWNS = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)
_SDK_DESERIALIZE = deserialize_properties


# --- secretness ----------------------------------------------------------------------------------------


def _keep_secrets(value: Any) -> Any:
    if isinstance(value, list):
        return [_keep_secrets(item) for item in value]
    if isinstance(value, dict):
        if value.get(SPECIAL_SIG_KEY) == SPECIAL_SECRET_SIG:
            return Secret(_keep_secrets(value.get("value")))
        if SPECIAL_SIG_KEY in value:  # assets and archives: the SDK's own handling
            return _SDK_DESERIALIZE({"value": value})["value"]
        return {key: _keep_secrets(item) for key, item in value.items()}
    return value


def deserialize_keeping_secrets(props: dict[str, Any], proxy_secrets: bool = False) -> dict[str, Any]:
    """Like the SDK's ``deserialize_properties``, but a secret stays marked as a ``pulumi_policy.Secret``.

    The result is still wrapped by the SDK's unknown-checking proxy (plain dicts and lists); a ``Secret``
    is a leaf to that proxy, which :func:`from_policy_resource` unwraps while recording its path.
    """
    if proxy_secrets:  # Remediate: keep the SDK's secret-preserving proxies
        return _SDK_DESERIALIZE(props, proxy_secrets)
    return {key: _keep_secrets(value) for key, value in props.items()}


def install_secret_markers() -> bool:
    """Make the SDK hand validations secrets as ``Secret`` markers; False if the SDK's shape changed."""
    current = getattr(_sdk_policy, "deserialize_properties", None)
    if current is deserialize_keeping_secrets:
        return True
    if current is not _SDK_DESERIALIZE:
        return False
    _sdk_policy.deserialize_properties = deserialize_keeping_secrets
    return True


def secrets_visible() -> bool:
    return getattr(_sdk_policy, "deserialize_properties", None) is deserialize_keeping_secrets


# --- adapters ------------------------------------------------------------------------------------------


def _plain(value: Any, path: PropPath, secret_paths: set[PropPath]) -> Any:
    """A plain copy of an SDK property value: secrets unwrapped (paths recorded), unknowns → UNKNOWN."""
    if isinstance(value, Secret):
        secret_paths.add(path)
        return _plain(value.value, path, secret_paths)
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWNS else value
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key in value:
            try:
                item = value[key]
            except UnknownValueError:
                plain[key] = UNKNOWN
                continue
            plain[key] = _plain(item, (*path, key), secret_paths)
        return plain
    if isinstance(value, Sequence):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError:
                items.append(UNKNOWN)
                continue
            items.append(_plain(item, (*path, index), secret_paths))
        return items
    return value


def from_policy_resource(resource: ResourceValidationArgs | PolicyResource) -> View:
    """The rules' view of what pulumi-policy hands a resource or stack validation."""
    secret_paths: set[PropPath] = set()
    props = _plain(resource.props, (), secret_paths)
    return View(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        props=props,
        protect=bool(resource.opts.protect),
        retain_on_delete=None,  # not in the analyzer protocol
        stack=names.stack_of(resource.urn),
        secret_paths=frozenset(secret_paths) if secrets_visible() else None,
    )


# --- the pack ------------------------------------------------------------------------------------------

_LEVELS = {
    checks.MANDATORY: EnforcementLevel.MANDATORY,
    checks.ACKNOWLEDGED: EnforcementLevel.ADVISORY,  # a warning under `pulumi preview`; red in the plan
}

CONFIG_SCHEMAS: dict[str, PolicyConfigSchema] = {
    "no-secret-looking-plain-text": PolicyConfigSchema(
        properties={
            PUBLIC_VARS: {
                "type": "array",
                "items": {"type": "string"},
                "description": "plain_text names that look secret but are public, for every script (on top "
                "of each worker's publicVars in the stack config)",
            }
        }
    ),
    "no-real-side-effect-credentials-outside-prod": PolicyConfigSchema(
        properties={
            SIDE_EFFECT_SECRETS: {
                "description": "side-effecting secret names (on top of the stack config's injected secrets "
                "with sideEffects: true), optionally with their sandbox outside prod",
                "oneOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object", "additionalProperties": {"enum": list(SANDBOX_MODES)}},
                ],
            }
        }
    ),
}


def _resource_policy(rule: checks.Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        view = from_policy_resource(args)
        for violation in checks.evaluate_rule(rule, [view], view.stack):
            report_violation(f"{violation.resource}: {violation.message}", None)

    return ResourceValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=_LEVELS[rule.enforcement],
        config_schema=CONFIG_SCHEMAS.get(rule.name),
    )


def _stack_policy(rule: checks.Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        views = [from_policy_resource(resource) for resource in args.resources]
        if not views:
            return
        settings = settings_from_resources(views, views[0].stack, pack_config=args.get_config(), environment=os.environ)
        for violation in checks.evaluate_rule(rule, views, views[0].stack, settings):
            report_violation(f"{violation.resource}: {violation.message}", violation.urn or None)

    return StackValidationPolicy(
        name=rule.name,
        description=rule.description,
        validate=validate,
        enforcement_level=_LEVELS[rule.enforcement],
        config_schema=CONFIG_SCHEMAS.get(rule.name),
    )


POLICIES: list[Policy] = [
    _stack_policy(rule) if rule.is_stack_rule else _resource_policy(rule) for rule in checks.RULES
]


def main() -> None:
    if not install_secret_markers():
        print(
            f"warning: {PACK_NAME}: pulumi_policy's deserializer is not the expected one; secret inputs are "
            "indistinguishable from plain ones, so 'secret-bindings-are-secret' is skipped in this run",
            file=sys.stderr,
        )
    PolicyPack(
        name=PACK_NAME,
        policies=POLICIES,
        enforcement_level=EnforcementLevel.MANDATORY,
        description="Stage isolation, secret handling and data protection for the Workers stage platform.",
    )


if __name__ == "__main__":
    main()
