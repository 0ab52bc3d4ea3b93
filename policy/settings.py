"""What the rules know beyond one resource: read from what the program registered, plus the pack config.

The program registers it on its components, so the rules never parse the stage config a second time:

* the ``Stage`` component's outputs hold ``app`` (physical names are ``{app}-{stage}-{name}``);
* its ``stageLayout`` holds the config values the stage's layout is read from (its Cloudflare account,
  Infisical project and CI identity role, hostnames, state backend and acknowledgements), which take the
  place of the stage's committed file among every committed stage's layout
  (:mod:`components.rules.stage_layout`: isolation is a property of the stages together);
* each ``Worker`` component's outputs hold its ``scriptName``, its ``publicVars`` (plain vars whose names
  look secret but whose values are public) and its ``sideEffectSecrets`` (side-effecting injected secret
  → its sandbox outside prod, ``empty`` or ``env``).

The pack config may add ``publicVars`` (a list, for every script) and ``sideEffectSecrets`` (a list, or an
object name → ``empty``/``env``). Only the real variables of side-effecting secrets are read from the
deploy environment, and only to compare: they are never reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from components.rules.naming import STAGE_LAYOUT, STAGE_TYPE, WORKER_TYPE
from components.rules.stage_layout import StageLayout, layouts_with
from policy.resources import PolicyResource

SANDBOX_MODES: Final = ("empty", "env")
ANY_SCRIPT: Final = "*"
"""Settings key that applies to every script (the pack config's lists)."""
PUBLIC_VARS: Final = "publicVars"
SIDE_EFFECT_SECRETS: Final = "sideEffectSecrets"


@dataclass(frozen=True)
class PolicySettings:
    app: str | None = None
    """The app name; None: only the ``-{stage}-`` segment of a name is checked."""
    public_vars: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Script name (or ``*``) → plain_text names that look secret but are public."""
    side_effect_secrets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Script name (or ``*``) → side-effecting injected secret → its sandbox outside prod (``empty``/``env``)."""
    real_values: Mapping[str, str] = field(default_factory=dict, repr=False)
    """Side-effecting secret name → the value of the *real* variable in the deploy environment, if set."""
    stage_layouts: Mapping[str, StageLayout] = field(default_factory=dict)
    """Each stage's layout (committed stage files, this stage's registered one)."""

    def public_vars_of(self, script: str | None) -> frozenset[str]:
        return self.public_vars.get(ANY_SCRIPT, frozenset()) | self.public_vars.get(script or "", frozenset())

    def side_effects_of(self, script: str | None) -> dict[str, str]:
        return {**self.side_effect_secrets.get(ANY_SCRIPT, {}), **self.side_effect_secrets.get(script or "", {})}


def settings_from_resources(
    resources: Sequence[PolicyResource],
    stage: str,
    *,
    pack_config: Mapping[str, Any] | None = None,
    environment: Mapping[str, str] | None = None,
) -> PolicySettings:
    """Settings from the components the program registered, the pack config and the deploy environment."""
    root = next((r.props for r in resources if r.type == STAGE_TYPE), {})
    app = _str(root.get("app"))
    public: dict[str, frozenset[str]] = {}
    side_effects: dict[str, dict[str, str]] = {}
    for worker in (r for r in resources if r.type == WORKER_TYPE):
        script = _str(worker.props.get("scriptName"))
        if script is None:
            continue
        public[script] = frozenset(map(str, worker.props.get(PUBLIC_VARS) or ()))
        secrets = worker.props.get(SIDE_EFFECT_SECRETS)
        side_effects[script] = {str(k): str(v) for k, v in (secrets.items() if isinstance(secrets, Mapping) else ())}

    pack_config = pack_config or {}
    if listed := pack_config.get(PUBLIC_VARS):
        public[ANY_SCRIPT] = frozenset(map(str, listed))
    configured = pack_config.get(SIDE_EFFECT_SECRETS) or {}
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
        stage_layouts=layouts_with(stage, root.get(STAGE_LAYOUT)),
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
