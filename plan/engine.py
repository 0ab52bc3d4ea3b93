"""Run the real program under Pulumi's mock engine and record every registration.

This is the whole trick behind the credential-free plan and the test suite: the program is not
described twice. The mock engine executes ``components.program.main`` exactly as ``pulumi up``
would, and :class:`RecordingMonitor` keeps each raw ``RegisterResource`` request (parent,
dependencies, options, inputs with secrets still in their envelopes).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pulumi.runtime.settings as runtime_settings
from pulumi.dynamic.dynamic import PROVIDER_KEY
from pulumi.runtime import mocks, rpc
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from plan.event_loop import open_event_loop, retrieve_failures, settle
from policy.names import DYNAMIC_PREFIX, SECRET_SIG, SECRET_SIG_KEY
from policy.resources import PropPath, unwrap


@dataclass(frozen=True)
class Registration:
    """One ``RegisterResource`` request as the engine received it."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    """Deserialized inputs as the SDK deserializes them: a secret element makes its whole list or object one
    secret envelope (``bindings`` of a script with one secret binding is one secret)."""
    wire_inputs: dict[str, Any]
    """The inputs exactly as the program sent them (what a policy pack receives): each secret envelope where
    the program put it."""
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    additional_secret_outputs: list[str]
    ignore_changes: list[str]
    replace_on_changes: list[str]
    aliases: list[dict[str, Any]] = field(default_factory=list)
    """Alias specs (``name``, ``type``, ``parentUrn``, ``noParent``; empty: same as the resource's)."""
    import_id: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    """Custom resources: the mock's state. Components: what they registered (``register_outputs``), as sent."""
    id: str | None = None
    read: bool = False
    """A read of an existing resource (a StackReference), not one the program manages."""

    @property
    def secret_paths(self) -> frozenset[PropPath]:
        """The paths of the values the program sent as secrets, one by one (from :attr:`wire_inputs`)."""
        found: set[PropPath] = set()
        unwrap(self.wire_inputs, (), found)
        return frozenset(found)

    @property
    def provider_urn(self) -> str | None:
        """The URN part of a provider reference (``<urn>::<id>``)."""
        return self.provider.rsplit("::", 1)[0] if self.provider else None


def _plain_struct(value: Any) -> Any:
    """A protobuf ``Struct``/``ListValue`` as plain dicts and lists, every special value left as it was sent."""
    if hasattr(value, "add_struct"):  # ListValue
        return [_plain_struct(item) for item in value]
    if hasattr(value, "get_or_create_struct"):  # Struct
        return {key: _plain_struct(item) for key, item in value.items()}
    return value


class RecordingMonitor(mocks.MockMonitor):
    """A mock monitor that keeps every registration request."""

    def __init__(self, resource_mocks: mocks.Mocks) -> None:
        super().__init__(resource_mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        aliases = [alias.spec.name for alias in request.aliases if alias.WhichOneof("alias") == "spec"]
        if aliases and aliases[0] and isinstance(self.mocks, PlanMocks):
            self.mocks.first_names[(request.type, request.name)] = aliases[0]
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        registered = self.resources.get(response.urn)
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent or None,
                provider=request.provider or None,
                dependencies=sorted(request.dependencies),
                property_dependencies={k: sorted(v.urns) for k, v in request.propertyDependencies.items()},
                inputs=rpc.deserialize_properties(request.object),
                wire_inputs=_plain_struct(request.object),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                delete_before_replace=bool(request.deleteBeforeReplace),
                additional_secret_outputs=list(request.additionalSecretOutputs),
                ignore_changes=list(request.ignoreChanges),
                replace_on_changes=list(request.replaceOnChanges),
                aliases=[_alias_spec(alias) for alias in request.aliases],
                import_id=request.importId or None,
                outputs=dict(registered.state) if registered else {},
                id=registered.id if registered else None,
            )
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        for registration in self.registrations:
            if registration.urn == request.urn:
                registration.outputs.update(_plain_struct(request.outputs))
        return super().RegisterResourceOutputs(request)

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)
        read = self.resources.get(response.urn)
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=True,
                parent=request.parent or None,
                provider=request.provider or None,
                dependencies=sorted(request.dependencies),
                property_dependencies={},
                inputs=rpc.deserialize_properties(request.properties),
                wire_inputs=_plain_struct(request.properties),
                protect=False,
                retain_on_delete=False,
                delete_before_replace=False,
                additional_secret_outputs=list(request.additionalSecretOutputs),
                ignore_changes=[],
                replace_on_changes=[],
                aliases=[],
                import_id=None,
                outputs=dict(read.state) if read else {},
                id=read.id if read else None,
                read=True,
            )
        )
        return response


def _alias_spec(alias: Any) -> dict[str, Any]:
    if alias.WhichOneof("alias") == "urn":
        return {"urn": alias.urn}
    spec = alias.spec
    return {"name": spec.name, "type": spec.type, "parentUrn": spec.parentUrn, "noParent": spec.noParent}


def secret(value: Any) -> dict[str, Any]:
    """A value wrapped the way the engine marks secrets, for mock outputs."""
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


PERMISSION_GROUPS_LOOKUP = (
    "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList"
)
"""The data source the sync token's permission group ids come from (components/cloudflare/sync_token.py)."""
LIVE_SCRIPTS_LOOKUP = "cloudflare:index/getWorkersScripts:getWorkersScripts"
"""The live scripts' Durable Object migration tags (components/cloudflare/durable_objects.py)."""


def fake_id(*parts: str) -> str:
    """Deterministic, stage-specific fake ids: a second run must produce identical inputs."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]


class PlanMocks(mocks.Mocks):
    """Outputs that look like Cloudflare's: ids derived from the stack and the resource's first name.

    A renamed resource (an alias) keeps its id, as state keeps it in a real stack: its id comes from the
    name it had first (its first alias), so a rename shows nothing but the rename.
    """

    def __init__(self, stack: str) -> None:
        self.stack = stack
        self.first_names: dict[tuple[str, str], str] = {}
        """(type, name) → the name of its first alias, recorded by the monitor before the mock runs."""

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        ident = fake_id(self.stack, args.typ, self.first_names.get((args.typ, args.name), args.name))
        kind = args.typ.split(":")[-1]
        computed: dict[str, Any] = {}
        match kind:
            case "D1Database":
                computed = {"uuid": str(uuid.UUID(ident))}
                ident = computed["uuid"]
            case "Queue":
                computed = {"queueId": ident}
            case "R2Bucket":
                ident = str(inputs.get("name", ident))
            case "WorkersScript":
                ident = str(inputs.get("scriptName", ident))
            case "QueueConsumer":
                computed = {"consumerId": ident}
            case "RandomPassword":
                computed = {
                    "result": secret(f"plan-generated-{ident}"),
                    "bcryptHash": secret(f"$2a$plan-{ident}"),
                }
            case "StackReference":  # another stack's outputs: the project stack's, as its program exports them
                name = str(inputs.get("name"))
                computed = {"outputs": {"projectId": str(uuid.UUID(fake_id(name, "projectId")))}}
            case "AccountToken":  # Cloudflare returns the token's value once, at create
                computed = {"value": secret(f"plan-account-token-{ident}")}
            case "SecretFolder":  # the provider reports the folder's full path
                parent = str(inputs.get("parent_path") or "/").rstrip("/")
                computed = {"path": f"{parent}/{inputs.get('name')}"}
        if args.typ.startswith(DYNAMIC_PREFIX):
            inputs.pop(PROVIDER_KEY, None)
            ident = str(uuid.UUID(ident))
        return ident, {**inputs, **computed}

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == PERMISSION_GROUPS_LOOKUP:
            # The group asked for, with a plan id: a lookup's answer depends on the account, not the program.
            name, scope = unquote(str(args.args.get("name") or "")), str(args.args.get("scope") or "")
            group = {"id": fake_id("permission-group", name), "name": name, "scopes": [scope], "isSelectable": True}
            return {**args.args, "results": [{**group, "category": "developer_platform"}]}, []
        if args.token == LIVE_SCRIPTS_LOOKUP:
            # The plan reads no live state: every script is new, so each upload shows all its migration steps.
            return {"results": []}, []
        return {}, []


@dataclass(frozen=True)
class StackOutput:
    value: Any
    secret: bool


@dataclass
class ProgramRun:
    project: str
    stack: str
    registrations: list[Registration]
    outputs: dict[str, StackOutput]

    def by_type(self, type_suffix: str) -> list[Registration]:
        return [r for r in self.registrations if r.type.endswith(type_suffix)]

    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.registrations}


def run_program(
    program: Callable[[], Any],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: list[str] | None = None,
    resource_mocks: mocks.Mocks | None = None,
    monitor: RecordingMonitor | None = None,
) -> ProgramRun:
    """Run ``program`` as stack ``stack`` with ``config`` (fully qualified keys) under the mock engine.

    Exceptions raised by the program (config errors, missing secrets) propagate unchanged.
    """
    resource_mocks = resource_mocks or PlanMocks(stack)
    monitor = monitor or RecordingMonitor(resource_mocks)
    open_event_loop()
    runtime_settings.ROOT.set(None)  # a new root stack per run, named after this run's project/stack
    set_all_config(dict(config), secret_keys or [])
    mocks.set_mocks(resource_mocks, project=project, stack=stack, preview=False, monitor=monitor)
    runtime_settings.SETTINGS.rpc_manager.clear()
    runtime_settings.SETTINGS.outputs.clear()
    outputs: dict[str, StackOutput] = {}

    async def resolve_outputs() -> None:
        # Serialized as the engine receives them (one walk; secrets stay marked where they are), then read.
        root = runtime_settings.get_root_resource()
        for name, value in getattr(root, "outputs", {}).items():
            found: set[PropPath] = set()
            sent = await rpc.serialize_property(value, [], name)
            outputs[name] = StackOutput(unwrap(sent, (), found), bool(found))

    def body() -> Any:
        program()
        return resolve_outputs()

    try:
        _sync_await(run_pulumi_func(body))
    except BaseException as error:
        settle()
        retrieve_failures(error)
        raise
    finally:
        # A failed run leaves its failed outputs in the SDK's global set "for program exit"; this process goes on,
        # so drop them now: anything left unread is then reported during this run, not during a later one.
        runtime_settings.SETTINGS.outputs.clear()
    return ProgramRun(project, stack, list(monitor.registrations), dict(sorted(outputs.items())))
