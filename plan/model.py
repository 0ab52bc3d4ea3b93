"""Turn a recorded program run into a plan: plain data, every secret replaced by a marker.

Redaction happens here, once, before any renderer sees the data: a renderer cannot leak what it
never receives. It reads each registration's inputs as the program sent them, so only the values that
are secrets are masked: a script's plain vars stay readable next to its secret bindings.
"""

from __future__ import annotations

from typing import Any

from components.secrets.deploy_inputs import NOT_PROVIDED
from plan.engine import PROVIDER_KEY, ProgramRun, Registration
from plan.licence import needs_licence
from policy.names import SECRET_SIG, SECRET_SIG_KEY, short_type

SECRET = "[secret]"  # noqa: S105 (a marker, not a password)

_PHYSICAL_NAME_KEYS = ("scriptName", "queueName", "title", "hostname", "pattern", "name", "slug", "path")
_STRUCTURAL_KEYS = frozenset({"name", "type"})
"""Inside a secret envelope only these keys are shown: the program sets them from config, never from a
secret, and they let the plan say *which* binding is secret without showing any value."""


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def redact(value: Any, inside_secret: bool = False) -> Any:
    """Copy ``value`` with every secret (and everything inside a secret envelope) replaced by a marker."""
    if is_secret(value):
        return redact(value.get("value"), inside_secret=True)
    if isinstance(value, dict):
        return {
            k: (v if inside_secret and k in _STRUCTURAL_KEYS and isinstance(v, str) else redact(v, inside_secret))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v, inside_secret) for v in value]
    if inside_secret:
        return NOT_PROVIDED if value == NOT_PROVIDED else SECRET
    return value


def label(registration: Registration) -> str:
    return f"{short_type(registration.type)}/{registration.name}"


def physical_name(registration: Registration, queue_names: dict[str, str] | None = None) -> str | None:
    """The name the resource has where it lives; for what has none, what it is (a consumer, a schedule)."""
    kind = short_type(registration.type)
    if kind == "QueueConsumer":
        queue_id = registration.inputs.get("queueId")
        queue = (queue_names or {}).get(queue_id, queue_id) if isinstance(queue_id, str) else None
        return f"consumer of {queue}"
    if kind == "WorkersCronTrigger":
        crons = [s.get("cron") for s in registration.inputs.get("schedules") or [] if isinstance(s, dict)]
        return "cron " + ", ".join(map(str, crons))
    for key in _PHYSICAL_NAME_KEYS:
        value = registration.inputs.get(key)
        if isinstance(value, str):
            return value
    return None


def build_plan(run: ProgramRun, policy: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    by_urn = run.by_urn()

    def name_of(urn: str | None) -> str | None:
        if urn is None:
            return None
        registration = by_urn.get(urn)
        return label(registration) if registration else urn.rsplit("::", 1)[-1]

    queue_names = {
        str(r.outputs["queueId"]): str(r.inputs.get("queueName"))
        for r in run.registrations
        if short_type(r.type) == "Queue" and "queueId" in r.outputs
    }
    resources = []
    for registration in sorted(run.registrations, key=_tree_order(by_urn)):
        inputs = {k: v for k, v in registration.wire_inputs.items() if k != PROVIDER_KEY}
        resources.append(
            {
                "type": registration.type,
                "label": label(registration),
                "name": registration.name,
                "physicalName": physical_name(registration, queue_names),
                "parent": name_of(registration.parent),
                "provider": name_of(registration.provider_urn),
                "dependsOn": sorted(filter(None, (name_of(u) for u in registration.dependencies))),
                "protect": registration.protect,
                "retainOnDelete": registration.retain_on_delete,
                "custom": registration.custom,
                "urn": registration.urn,
                "parentUrn": registration.parent,
                "aliases": registration.aliases,
                "importId": registration.import_id,
                "deleteBeforeReplace": registration.delete_before_replace,
                "ignoreChanges": registration.ignore_changes,
                "inputs": redact(inputs),
            }
        )
    outputs = {name: SECRET if output.secret else redact(output.value) for name, output in run.outputs.items()}
    return {
        "project": run.project,
        "stack": run.stack,
        "engine": "Pulumi mock engine: the real program, no credentials, no network",
        "resources": resources,
        "outputs": outputs,
        "policy": policy or [],
        "needsLicence": needs_licence(resources),
    }


def _tree_order(by_urn: dict[str, Registration]) -> Any:
    """Sort key: parents before children, siblings by type then name (stable across runs)."""

    def path(registration: Registration) -> tuple[tuple[int, str, str], ...]:
        chain = []
        current: Registration | None = registration
        while current is not None:
            chain.append((0 if not current.custom else 1, short_type(current.type), current.name))
            current = by_urn.get(current.parent) if current.parent else None
        return tuple(reversed(chain))

    return path
