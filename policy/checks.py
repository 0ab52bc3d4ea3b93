"""The policy rules, as pure functions over a neutral view of a resource (:mod:`policy.resources`).

One set of rules, two ways to feed them: the credential-free plan (``plan/policy.py``) over the
registrations the mock engine recorded, and pulumi-policy (``policy/__main__.py``, ``pulumi preview
--policy-pack policy``). Rules that need :mod:`policy.settings` (what the program registered on its
components) run over the whole stack in the pack; the others run per resource.

What each path can and cannot see:

==============================  ==========================================  ===========================================
                                plan (recorded registrations)               pulumi-policy (``pulumi preview``/``up``)
==============================  ==========================================  ===========================================
secretness of an input          yes, per value: the inputs as the program   only through the pack's deserializer that
                                sent them                                   keeps envelopes (pulumi_policy 1.21 drops
                                                                            them, see ``policy/__main__.py``); without
                                                                            it ``secret_paths`` is None and the secret
                                                                            rule is skipped
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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from policy import account_checks, isolation, resource_checks, secret_checks
from policy.resources import PolicyResource
from policy.settings import PolicySettings

MANDATORY: Final = "mandatory"
"""A violation stops ``pulumi preview``/``up`` and fails ``bin/plan`` (exit 3)."""
ACKNOWLEDGED: Final = "acknowledged"
"""A mandatory rule's finding that a named acknowledgement let through: shown in red, never blocking."""


@dataclass(frozen=True)
class Violation:
    rule: str
    resource: str
    """A label such as ``WorkersScript/api``."""
    message: str
    enforcement: str
    urn: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "resource": self.resource,
            "message": self.message,
            "enforcement": self.enforcement,
        }


ResourceCheck = Callable[[PolicyResource, str, PolicySettings], Iterable[str]]
StackCheck = Callable[[Sequence[PolicyResource], str, PolicySettings], Iterable[tuple[PolicyResource, str]]]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    check_resource: ResourceCheck | None = None
    """Per resource: yields messages about that resource."""
    check_stack: StackCheck | None = None
    """Over the whole stack: yields (resource, message)."""
    uses_settings: bool = False
    """Reads :class:`PolicySettings`, i.e. what other resources (the components) registered."""
    enforcement: str = MANDATORY

    @property
    def is_stack_rule(self) -> bool:
        """The pack runs it over the whole stack: it looks across resources or at the components' settings."""
        return self.check_stack is not None or self.uses_settings


RULES: Final[tuple[Rule, ...]] = (
    Rule(
        "secret-bindings-are-secret",
        "Every secret_text and secret_key binding of a Worker script is a Pulumi secret.",
        check_resource=secret_checks.secret_bindings_are_secret,
    ),
    Rule(
        "hyperdrive-origin-passwords-are-secret",
        "Every Hyperdrive config's origin password is a Pulumi secret.",
        check_resource=secret_checks.origin_passwords_are_secret,
    ),
    Rule(
        "no-secret-looking-plain-text",
        "No plain_text or json Worker binding looks like a credential (publicVars exempt a name, never a value).",
        check_resource=secret_checks.no_secret_looking_plain_text,
        uses_settings=True,
    ),
    Rule(
        "physical-names-carry-stage",
        "Physical names (name, title, queueName, scriptName, workflowName) start with {app}-{stage}-.",
        check_resource=resource_checks.physical_names_carry_stage,
        uses_settings=True,
    ),
    Rule(
        "no-cross-stage-references",
        "No resource references another stage's resource by name, hostname or Infisical environment.",
        check_resource=resource_checks.no_cross_stage_references,
        uses_settings=True,
    ),
    Rule(
        "prod-stateful-protected-and-retained",
        "In prod, D1 databases, R2 buckets, KV namespaces and queues are protected and retained on delete.",
        check_resource=resource_checks.prod_stateful_protected,
    ),
    Rule(
        "synced-scripts-keep-secret-bindings",
        "A Worker script that an Infisical secret sync writes into inherits the synced secrets by name "
        "('inherit' bindings), never every secret_text of its previous upload (keepBindings).",
        check_stack=secret_checks.synced_scripts_keep_secret_bindings,
    ),
    Rule(
        "no-real-side-effect-credentials-outside-prod",
        "Outside prod, no Worker binds a real side-effecting credential (email, payments).",
        check_resource=secret_checks.no_real_side_effect_credentials,
        uses_settings=True,
    ),
    Rule(
        "custom-domains-have-zone-id",
        "Every Workers custom domain carries an explicit zoneId.",
        check_resource=resource_checks.custom_domains_have_zone_id,
    ),
    Rule(
        "non-prod-identities-cannot-read-prod",
        "No non-prod Infisical identity has a role that reaches prod's secrets in the project prod uses.",
        check_stack=lambda resources, stage, settings: isolation.prod_readable(
            resources, stage, settings.stage_layouts
        ),
    ),
    Rule(
        "acknowledged-prod-exposure",
        "Prod shares its Infisical project with a project-wide non-prod identity, acknowledged by name.",
        check_stack=lambda resources, stage, settings: isolation.acknowledged_prod_exposure(
            resources, stage, settings.stage_layouts
        ),
        enforcement=ACKNOWLEDGED,
    ),
    Rule(
        "only-pr-preview-identity-trusts-pull-requests",
        "Only the PR preview identity's OIDC auth admits pull_request runs.",
        check_resource=lambda resource, stage, settings: isolation.only_pr_preview_trusts_pull_requests(resource),
    ),
    Rule(
        "oidc-bindings-are-literal",
        "Every subject, bound claim and audience of an OIDC auth is literal (Infisical matches them as globs).",
        check_resource=lambda resource, stage, settings: isolation.oidc_bindings_are_literal(resource),
    ),
    Rule(
        "prod-has-its-own-cloudflare-account",
        "Prod deploys into a Cloudflare account no other stage deploys into (unless Pulumi.prod.yaml acknowledges it).",
        check_stack=lambda resources, stage, settings: account_checks.shared_account(
            resources, stage, settings.stage_layouts
        ),
    ),
    Rule(
        "acknowledged-shared-cloudflare-account",
        "Prod shares its Cloudflare account with other stages, acknowledged by name.",
        check_stack=lambda resources, stage, settings: account_checks.acknowledged_shared_account(
            resources, stage, settings.stage_layouts
        ),
        enforcement=ACKNOWLEDGED,
    ),
    Rule(
        "stages-mint-no-cloudflare-tokens",
        "No stage registers a Cloudflare API token: only the project stack mints tokens.",
        check_resource=account_checks.stages_mint_no_tokens,
    ),
)


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
