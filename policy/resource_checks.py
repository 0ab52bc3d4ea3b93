"""The rules about Cloudflare resources: names carry their stage, nothing references another stage, prod's
stateful resources are protected, and custom domains name their zone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from components.rules.naming import PROJECT_STACK, is_valid_stage, stage_in_hostname, stage_in_name
from policy.names import DYNAMIC_PREFIX
from policy.resources import PolicyResource, PropPath, known_str
from policy.settings import PolicySettings

PROD: Final = "prod"
STATEFUL_KINDS: Final = frozenset({"D1Database", "R2Bucket", "WorkersKvNamespace", "Queue"})
PHYSICAL_NAME_KEYS: Final[Mapping[str, str]] = {
    "D1Database": "name",
    "R2Bucket": "name",
    "WorkersKvNamespace": "title",
    "Queue": "queueName",
    "WorkersScript": "scriptName",
    "Workflow": "workflowName",
    "HyperdriveConfig": "name",
}
"""The property that is a resource's own physical name in Cloudflare, by Cloudflare resource kind."""
REFERENCE_KEYS: Final = frozenset(
    {
        "scriptName",
        "script",
        "service",
        "queueName",
        "bucketName",
        "deadLetterQueue",
        "script_id",
        "workflowName",
        "indexName",
    }
)
"""Properties (at any depth, bindings included) that name *another* resource by its physical name."""
HOSTNAME_KEYS: Final = frozenset({"hostname", "pattern"})
INFISICAL_ENVIRONMENT_KEY: Final = "environment"
"""Infisical resources name the environment they read or write: a stage's own (or ``preview``), never another's.
The project stack acts for every stage (it hands each stage its sync token), so it may name any."""


def physical_names_carry_stage(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    key = PHYSICAL_NAME_KEYS.get(resource.kind or "")
    value = known_str(resource.props.get(key)) if key else None
    if key is None or value is None:
        return
    carried = stage_in_name(value, settings.app)
    expected = f"{settings.app}-{stage}-" if settings.app else f"-{stage}-"
    ok = value.startswith(expected) if settings.app else carried == stage
    if not ok:
        named = f" (it names stage {carried!r})" if carried and carried != stage else ""
        where = "start with" if settings.app else "contain"
        yield f"{key} {value!r} does not {where} {expected!r}{named}: every physical name carries its stage"


def _references(value: Any, path: PropPath) -> Iterator[tuple[PropPath, str, str]]:
    """(path, key, string) for every reference or hostname string at any depth."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, str) and (key in REFERENCE_KEYS or key in HOSTNAME_KEYS):
                yield (*path, key), key, item
            else:
                yield from _references(item, (*path, key))
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for index, item in enumerate(value):
            yield from _references(item, (*path, index))


def _dotted(path: PropPath) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def no_cross_stage_references(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if resource.kind is None and not resource.type.startswith(DYNAMIC_PREFIX):
        return
    own = PHYSICAL_NAME_KEYS.get(resource.kind or "")
    props = {k: v for k, v in resource.props.items() if k != own}
    environment = props.get(INFISICAL_ENVIRONMENT_KEY)
    dynamic = resource.type.startswith(DYNAMIC_PREFIX)
    foreign = isinstance(environment, str) and is_valid_stage(environment) and environment != stage
    if dynamic and foreign and stage != PROJECT_STACK:
        yield (
            f"{INFISICAL_ENVIRONMENT_KEY} {environment!r} is another stage's Infisical environment: stage "
            f"{stage!r} may only read and write its own"
        )
    for path, key, value in _references(props, ()):
        if key in HOSTNAME_KEYS:
            other = stage_in_hostname(value, stage)
        else:
            other = stage_in_name(value, settings.app)
            other = other if other != stage else None
        if other:
            yield (
                f"{_dotted(path)} {value!r} names stage {other!r}: stage {stage!r} may only reference its own resources"
            )


def prod_stateful_protected(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if stage != PROD or resource.kind not in STATEFUL_KINDS:
        return
    missing = [
        option
        for option, on in (("protect", resource.protect), ("retainOnDelete", resource.retain_on_delete))
        if on is False
    ]
    if missing:
        yield (
            f"a prod {resource.kind} must set protect and retainOnDelete (missing: {', '.join(missing)}), so "
            "neither `pulumi destroy` nor a replacement can drop its data"
        )


def custom_domains_have_zone_id(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if resource.kind != "WorkersCustomDomain":
        return
    zone_id = resource.props.get("zoneId")
    if zone_id is None or zone_id == "":
        yield "zoneId is not set: a custom domain carries its zone id explicitly (no inference from the hostname)"
