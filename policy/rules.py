"""The policy rules, as pure functions over a neutral view of a resource.

One set of rules, two ways to feed them:

* **The credential-free plan** (``plan/policy.py``): :func:`from_registration` turns each registration the
  mock engine recorded into a :class:`PolicyResource`; settings come from the checked stage config.
* **pulumi-policy** (``policy/__main__.py``, ``pulumi preview --policy-pack policy``): the pack turns the
  SDK's ``ResourceValidationArgs``/``PolicyResource`` into the same view; settings come from the stack
  config the CLI hands every policy pack (``PULUMI_CONFIG``) plus the pack's own config.

What each path can and cannot see:

==============================  ==========================================  ===========================================
                                plan (recorded registrations)               pulumi-policy (``pulumi preview``/``up``)
==============================  ==========================================  ===========================================
secretness of an input          yes: inputs keep the engine's envelopes      only through the pack's deserializer that
                                                                            keeps envelopes (pulumi_policy 1.21 drops
                                                                            them, see ``policy/__main__.py``); without
                                                                            it ``secret_paths`` is None and the secret
                                                                            rule is skipped
granularity of secretness       per top-level property: one secret binding  same (it is what the engine stores)
                                makes the whole ``bindings`` list secret,
                                so a plain ``secret_text`` *next to* a
                                secret one is not detectable
``protect``                     yes                                         yes
``retain_on_delete``            yes                                         no: ``AnalyzerResourceOptions`` has no
                                                                            such field, so only ``protect`` is checked
secret values                   injected secrets are the ``NOT_PROVIDED``   plaintext (the engine sends them to the
                                marker (plan CLI) or test values            pack); unknown during preview → skipped
deploy environment              only if the caller passes one (the plan     the pack's own environment, which the CLI
                                CLI has none)                               inherits from ``infisical run``
==============================  ==========================================  ===========================================

The side-effect rule cannot see where a value came from. It is phrased as what *can* be observed: outside
prod, a side-effecting secret's bound value must not equal the real variable's value in the deploy
environment, must be empty when its sandbox is ``empty``, and no ``secret_text`` may have the shape of a
live-mode key. The plan CLI has no environment, so there it checks only the last two.

Messages name the resource and the property, never a secret value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol

from components.naming import STAGE_PATTERN, is_valid_stage
from components.secret_names import secret_looking_reason
from components.stack_values import decode, namespace_values
from components.stage_layout import StageLayout, layouts_with
from policy import isolation
from policy.names import DYNAMIC_PREFIX, SECRET_SIG, SECRET_SIG_KEY, short_type

Enforcement = Literal["mandatory", "advisory", "acknowledged"]
MANDATORY: Final = "mandatory"
ADVISORY: Final = "advisory"
ACKNOWLEDGED: Final = "acknowledged"
"""A mandatory rule's finding that a named acknowledgement let through: shown in red, never blocking."""

INFISICAL_SYNC_TYPE: Final = f"{DYNAMIC_PREFIX}/infisical:CloudflareWorkersSecretSync"
"""``components.infisical.CloudflareWorkersSecretSync``: Infisical writes secrets into the Worker ``script_id``."""

PROD: Final = "prod"
STATEFUL_KINDS: Final = frozenset({"D1Database", "R2Bucket", "WorkersKvNamespace", "Queue"})
PHYSICAL_NAME_KEYS: Final[Mapping[str, str]] = {
    "D1Database": "name",
    "R2Bucket": "name",
    "WorkersKvNamespace": "title",
    "Queue": "queueName",
    "WorkersScript": "scriptName",
}
"""The property that is a resource's own physical name in Cloudflare, by Cloudflare resource kind."""
REFERENCE_KEYS: Final = frozenset(
    {"scriptName", "script", "service", "queueName", "bucketName", "deadLetterQueue", "script_id"}
)
"""Properties (at any depth, bindings included) that name *another* resource by its physical name."""
HOSTNAME_KEYS: Final = frozenset({"hostname", "pattern"})
INFISICAL_ENVIRONMENT_KEY: Final = "environment"
"""Infisical resources name the environment they read or write: a stage's own (or ``preview``), never another's."""

SECRET_BINDING_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "secret_text": ("text",),
    "secret_key": ("keyBase64", "keyJwk"),
}
KEEP_BINDING_REQUIRED: Final = "secret_text"
SANDBOX_MODES: Final = ("empty", "env")
ANY_SCRIPT: Final = "*"
"""Settings key that applies to every script (the pack config's lists)."""

_STAGE_TOKEN = STAGE_PATTERN.removeprefix("^").removesuffix("$")
_STAGE_AFTER_APP = re.compile(rf"{_STAGE_TOKEN}(?=-|$)")
_STAGE_SEGMENT = re.compile(rf"(?<=-){_STAGE_TOKEN}(?=-|$)")
_LIVE_CREDENTIAL = re.compile(r"^(sk_live_|rk_live_)")
"""Live-mode key shapes (Stripe secret and restricted keys); test-mode keys are ``sk_test_``/``rk_test_``."""


class _Unknown:
    """A value that is not known yet (``pulumi preview`` of a property computed from another resource)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Final = _Unknown()

PropPath = tuple[str | int, ...]


@dataclass(frozen=True)
class PolicyResource:
    """What a rule sees of one resource, whichever engine recorded it."""

    urn: str
    type: str
    name: str
    props: Mapping[str, Any] = field(repr=False)
    """Inputs (or, for stack rules under pulumi-policy, outputs) with secrets unwrapped; unknowns are UNKNOWN."""
    protect: bool
    retain_on_delete: bool | None
    """None: the source cannot tell (pulumi-policy never receives this option)."""
    stack: str
    secret_paths: frozenset[PropPath] | None
    """Property paths whose value arrived as a secret; None: the source cannot tell which values are secret."""

    @property
    def kind(self) -> str | None:
        """``D1Database`` for ``cloudflare:index/d1Database:D1Database``; None for anything not Cloudflare."""
        return self.type.rsplit(":", 1)[-1] if self.type.startswith("cloudflare:") else None

    @property
    def label(self) -> str:
        return f"{short_type(self.type)}/{self.name}"

    def is_secret(self, *path: str | int) -> bool | None:
        """Whether the value at ``path`` is secret (inside a secret envelope); None if unknowable."""
        if self.secret_paths is None:
            return None
        return any(path[:depth] in self.secret_paths for depth in range(len(path) + 1))


@dataclass(frozen=True)
class Violation:
    rule: str
    resource: str
    """A label such as ``WorkersScript/api``."""
    message: str
    enforcement: Enforcement
    urn: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "resource": self.resource,
            "message": self.message,
            "enforcement": self.enforcement,
        }


@dataclass(frozen=True)
class PolicySettings:
    """What the rules need to know beyond the resources: derived from the stage config and the pack config."""

    app: str | None = None
    """The app name (names are ``{app}-{stage}-{name}``); None: only the ``-{stage}-`` segment is checked."""
    public_vars: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Script name (or ``*``) → plain_text names that look secret but are public (config ``publicVars``)."""
    side_effect_secrets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Script name (or ``*``) → side-effecting injected secret → its sandbox outside prod (``empty``/``env``)."""
    real_values: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Side-effecting secret name → the value of the *real* variable in the deploy environment, if set."""
    infisical_layouts: Mapping[str, StageLayout] = field(default_factory=dict)
    """Each stage's Infisical project and role kind (committed stage files, this stage's own config)."""

    def public_vars_of(self, script: str | None) -> frozenset[str]:
        return self.public_vars.get(ANY_SCRIPT, frozenset()) | self.public_vars.get(script or "", frozenset())

    def side_effects_of(self, script: str | None) -> dict[str, str]:
        return {
            **self.side_effect_secrets.get(ANY_SCRIPT, {}),
            **self.side_effect_secrets.get(script or "", {}),
        }


ResourceCheck = Callable[[PolicyResource, str, PolicySettings], Iterable[str]]
StackCheck = Callable[[Sequence[PolicyResource], str, PolicySettings], Iterable[tuple[PolicyResource, str]]]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    enforcement: Enforcement
    check_resource: ResourceCheck | None = None
    """Per resource: yields messages about that resource."""
    check_stack: StackCheck | None = None
    """Over the whole stack: yields (resource, message)."""

    @property
    def is_stack_rule(self) -> bool:
        return self.check_stack is not None


# --- names -----------------------------------------------------------------------------------------


def stage_in_name(value: str, app: str | None) -> str | None:
    """The stage a physical name carries: the segment after ``{app}-``, else the first stage-like segment.

    ``acme-staging-prod-mirror`` with app ``acme`` is staging's; without the app, the first ``-<stage>``
    segment after the leading one wins (an app name with a stage word in it needs the app to be known).
    """
    if app and value.startswith(f"{app}-"):
        match = _STAGE_AFTER_APP.match(value, len(app) + 1)
    else:
        match = _STAGE_SEGMENT.search(value)
    return match.group(0) if match else None


def stage_in_hostname(value: str, stage: str) -> str | None:
    """Another stage named as a label of a hostname or route pattern (``api.dev.example.com/*`` → dev)."""
    host = value.split("/", 1)[0]
    return next((label for label in host.split(".") if is_valid_stage(label) and label != stage), None)


def _known_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _bindings(resource: PolicyResource) -> Iterator[tuple[int, Mapping[str, Any]]]:
    bindings = resource.props.get("bindings")
    if isinstance(bindings, Sequence) and not isinstance(bindings, str):
        for index, binding in enumerate(bindings):
            if isinstance(binding, Mapping):
                yield index, binding


# --- the rules ---------------------------------------------------------------------------------------


def _secret_bindings_are_secret(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if resource.kind != "WorkersScript":
        return
    for index, binding in _bindings(resource):
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


def _no_secret_looking_plain_text(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if resource.kind != "WorkersScript":
        return
    allowed = settings.public_vars_of(_known_str(resource.props.get("scriptName")))
    for index, binding in _bindings(resource):
        name, text = binding.get("name"), binding.get("text")
        if binding.get("type") != "plain_text" or not isinstance(name, str) or not isinstance(text, str):
            continue
        reason = secret_looking_reason(name, text)
        if reason and name not in allowed:
            yield (
                f"bindings[{index}] is a plain_text binding that looks like a secret ({reason}); bind it as "
                f"secret_text, or if the value really is public list {name!r} in the worker's publicVars"
            )


def _physical_names_carry_stage(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    key = PHYSICAL_NAME_KEYS.get(resource.kind or "")
    value = _known_str(resource.props.get(key)) if key else None
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


def _no_cross_stage_references(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if resource.kind is None and not resource.type.startswith(DYNAMIC_PREFIX):
        return
    own = PHYSICAL_NAME_KEYS.get(resource.kind or "")
    props = {k: v for k, v in resource.props.items() if k != own}
    environment = props.get(INFISICAL_ENVIRONMENT_KEY)
    dynamic = resource.type.startswith(DYNAMIC_PREFIX)
    if dynamic and isinstance(environment, str) and is_valid_stage(environment) and environment != stage:
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


def _prod_stateful_protected(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
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


def _synced_scripts_keep_secret_bindings(
    resources: Sequence[PolicyResource], stage: str, settings: PolicySettings
) -> Iterator[tuple[PolicyResource, str]]:
    scripts: dict[str, PolicyResource] = {}
    for resource in resources:
        if resource.kind == "WorkersScript" and (name := _known_str(resource.props.get("scriptName"))):
            scripts[name] = resource
    for sync in resources:
        if sync.type != INFISICAL_SYNC_TYPE:
            continue
        script = scripts.get(_known_str(sync.props.get("script_id")) or "")
        if script is None:
            continue  # unknown yet, or not a script of this stack (the cross-stage rule looks at the name)
        keep = script.props.get("keepBindings")
        if keep is UNKNOWN:
            continue
        kept = list(keep) if isinstance(keep, Sequence) and not isinstance(keep, str) else []
        if KEEP_BINDING_REQUIRED not in kept:
            yield (
                script,
                f"keepBindings does not contain {KEEP_BINDING_REQUIRED!r}, but {sync.label} syncs secrets into "
                "this script: every deploy would delete the synced secrets",
            )


def _no_real_side_effect_credentials(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if stage == PROD or resource.kind != "WorkersScript":
        return
    side_effects = settings.side_effects_of(_known_str(resource.props.get("scriptName")))
    for index, binding in _bindings(resource):
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
        elif _LIVE_CREDENTIAL.match(value):
            yield f"{where} has the shape of a live-mode key; stage {stage!r} must only hold test-mode keys"
        elif side_effects.get(name) == "empty" and value:
            yield (
                f"{where} carries a value, but outside prod this side-effecting secret is bound empty "
                "(sandbox: empty); the program read a variable it must not read here"
            )


def _custom_domains_have_zone_id(resource: PolicyResource, stage: str, settings: PolicySettings) -> Iterator[str]:
    if resource.kind != "WorkersCustomDomain":
        return
    zone_id = resource.props.get("zoneId")
    if zone_id is None or zone_id == "":
        yield "zoneId is not set: a custom domain carries its zone id explicitly (no inference from the hostname)"


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "secret-bindings-are-secret",
        "Every secret_text and secret_key binding of a Worker script is a Pulumi secret.",
        MANDATORY,
        check_resource=_secret_bindings_are_secret,
    ),
    Rule(
        "no-secret-looking-plain-text",
        "No plain_text Worker binding looks like a credential (unless allow-listed in publicVars).",
        MANDATORY,
        check_resource=_no_secret_looking_plain_text,
    ),
    Rule(
        "physical-names-carry-stage",
        "Physical names (name, title, queueName, scriptName) start with {app}-{stage}-.",
        MANDATORY,
        check_resource=_physical_names_carry_stage,
    ),
    Rule(
        "no-cross-stage-references",
        "No resource references another stage's resource by name, hostname or Infisical environment.",
        MANDATORY,
        check_resource=_no_cross_stage_references,
    ),
    Rule(
        "prod-stateful-protected-and-retained",
        "In prod, D1 databases, R2 buckets, KV namespaces and queues are protected and retained on delete.",
        MANDATORY,
        check_resource=_prod_stateful_protected,
    ),
    Rule(
        "synced-scripts-keep-secret-bindings",
        "A Worker script that an Infisical secret sync writes into keeps its secret_text bindings.",
        MANDATORY,
        check_stack=_synced_scripts_keep_secret_bindings,
    ),
    Rule(
        "no-real-side-effect-credentials-outside-prod",
        "Outside prod, no Worker binds a real side-effecting credential (email, payments).",
        MANDATORY,
        check_resource=_no_real_side_effect_credentials,
    ),
    Rule(
        "custom-domains-have-zone-id",
        "Every Workers custom domain carries an explicit zoneId.",
        MANDATORY,
        check_resource=_custom_domains_have_zone_id,
    ),
    Rule(
        "non-prod-identities-cannot-read-prod",
        "No non-prod Infisical identity has a role that reaches prod's secrets in the project prod uses.",
        MANDATORY,
        check_stack=lambda resources, stage, settings: isolation.prod_readable(
            resources, stage, settings.infisical_layouts
        ),
    ),
    Rule(
        "acknowledged-prod-exposure",
        "Prod shares its Infisical project with a project-wide non-prod identity, acknowledged by name.",
        ACKNOWLEDGED,
        check_stack=lambda resources, stage, settings: isolation.acknowledged_prod_exposure(
            resources, stage, settings.infisical_layouts
        ),
    ),
    Rule(
        "only-pr-preview-identity-trusts-pull-requests",
        "Only the PR preview identity's OIDC auth admits pull_request runs.",
        MANDATORY,
        check_resource=lambda resource, stage, settings: isolation.only_pr_preview_trusts_pull_requests(resource),
    ),
)
RULES_BY_NAME: Final[Mapping[str, Rule]] = {rule.name: rule for rule in RULES}


def evaluate_rule(
    rule: Rule, resources: Sequence[PolicyResource], stage: str, settings: PolicySettings | None = None
) -> list[Violation]:
    settings = settings or PolicySettings()
    found: list[tuple[PolicyResource, str]] = []
    if rule.check_stack is not None:
        found.extend(rule.check_stack(resources, stage, settings))
    if rule.check_resource is not None:
        check = rule.check_resource
        found.extend((resource, message) for resource in resources for message in check(resource, stage, settings))
    return [Violation(rule.name, r.label, message, rule.enforcement, r.urn) for r, message in found]


def evaluate(
    resources: Sequence[PolicyResource], stage: str, settings: PolicySettings | None = None
) -> list[Violation]:
    """Every rule over every resource of one stage, in rule order then resource order."""
    return [violation for rule in RULES for violation in evaluate_rule(rule, resources, stage, settings)]


# --- adapters and settings ----------------------------------------------------------------------------


class RecordedRegistration(Protocol):
    """The parts of ``plan.engine.Registration`` the adapter reads (kept structural: no plan import)."""

    @property
    def urn(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def inputs(self) -> dict[str, Any]: ...
    @property
    def protect(self) -> bool: ...
    @property
    def retain_on_delete(self) -> bool: ...


def _is_envelope(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def unwrap(value: Any, path: PropPath, secret_paths: set[PropPath]) -> Any:
    """``value`` with every secret envelope replaced by its content; envelope paths go to ``secret_paths``."""
    if _is_envelope(value):
        secret_paths.add(path)
        return unwrap(value.get("value"), path, secret_paths)
    if isinstance(value, Mapping):
        return {key: unwrap(item, (*path, key), secret_paths) for key, item in value.items()}
    if isinstance(value, list):
        return [unwrap(item, (*path, index), secret_paths) for index, item in enumerate(value)]
    return value


def from_registration(registration: RecordedRegistration, stack: str) -> PolicyResource:
    """The rules' view of a registration recorded by ``plan.engine`` (engine-internal ``__`` keys dropped)."""
    secret_paths: set[PropPath] = set()
    props = {
        key: unwrap(value, (key,), secret_paths)
        for key, value in registration.inputs.items()
        if not key.startswith("__")
    }
    return PolicyResource(
        urn=registration.urn,
        type=registration.type,
        name=registration.name,
        props=props,
        protect=registration.protect,
        retain_on_delete=registration.retain_on_delete,
        stack=stack,
        secret_paths=frozenset(secret_paths),
    )


def settings_from_stage_config(
    raw: Mapping[str, Any] | None,
    stage: str,
    *,
    pack_config: Mapping[str, Any] | None = None,
    environment: Mapping[str, str] | None = None,
) -> PolicySettings:
    """Settings from the stage config's keys (camelCase, as in ``Pulumi.<stage>.yaml``) and the pack config.

    ``raw`` is the project namespace's keys (``app``, ``workers``, ...). Script names follow the naming rule
    ``{app}-{stage}-{worker}``. ``pack_config`` may hold ``publicVars`` (a list, for every script) and
    ``sideEffectSecrets`` (a list, or an object name → ``empty``/``env``). Only the real variables of
    side-effecting secrets are read from ``environment``.
    """
    raw = raw or {}
    app = _known_str(raw.get("app"))
    public: dict[str, frozenset[str]] = {}
    side_effects: dict[str, dict[str, str]] = {}
    workers = decode(raw.get("workers"))
    for key, worker in (workers if isinstance(workers, Mapping) else {}).items():
        if not isinstance(worker, Mapping):
            continue
        script = f"{app}-{stage}-{key}" if app else str(key)
        public[script] = frozenset(str(n) for n in worker.get("publicVars") or ())
        secrets = worker.get("secrets") or {}
        side_effects[script] = {
            str(name): str(secret.get("sandbox") or "empty")
            for name, secret in (secrets.items() if isinstance(secrets, Mapping) else ())
            if isinstance(secret, Mapping) and secret.get("owner") == "inject" and secret.get("sideEffects")
        }

    pack_config = pack_config or {}
    listed = pack_config.get("publicVars") or ()
    if listed:
        public[ANY_SCRIPT] = frozenset(str(n) for n in listed)
    configured = pack_config.get("sideEffectSecrets") or {}
    if isinstance(configured, Mapping):
        side_effects[ANY_SCRIPT] = {str(n): str(mode) for n, mode in configured.items()}
    elif configured:
        side_effects[ANY_SCRIPT] = {str(n): "env" for n in configured}  # sandbox unknown: the laxer one

    names = {name for secrets in side_effects.values() for name in secrets}
    environment = environment or {}
    real = {name: environment[name] for name in sorted(names) if environment.get(name)}
    return PolicySettings(
        app=app,
        public_vars=public,
        side_effect_secrets=side_effects,
        real_values=real,
        infisical_layouts=layouts_with(stage, raw.get("infisical")),
    )


def settings_from_pulumi_config(
    config: Mapping[str, Any],
    project: str,
    stage: str,
    *,
    pack_config: Mapping[str, Any] | None = None,
    environment: Mapping[str, str] | None = None,
) -> PolicySettings:
    """Settings from the fully qualified stack config (``{"<project>:workers": "<json>"}``, i.e. ``PULUMI_CONFIG``)."""
    raw = namespace_values(config, project)
    return settings_from_stage_config(raw, stage, pack_config=pack_config, environment=environment)
