"""``bin/plan <stage> --inventory``: every secret of a stage, who answers for it, where it lives, how it rotates.

Built from one run of the real program: the ``secretInventory`` stack output (names, owner kinds,
places, cadences; never a value) and the registered Worker scripts, whose bindings say which names
Pulumi binds. The rotation playbooks are written here, once per owner kind, so the committed
inventory page (docs/inventory.md) and the terminal say the same thing and cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from components.rules.rotation import Period, describe
from components.secrets.origin_passwords import origin_password_name
from plan.engine import ProgramRun
from plan.model import is_secret, redact
from plan.tables import markdown_table, text_cards, text_table, wrap_prose

UNBOUND = "(no worker binds it)"
HYPERDRIVE_PREFIX = "hyperdrive-"
"""How components/cloudflare/hyperdrive.py names each HyperdriveConfig (``hyperdrive-<key>``)."""
SECRET_COLUMNS = ("Secret", "Workers", "Owner kind", "Where it is kept", "Owned by", "Sensitivity",
                  "Side effects / sandbox", "Rotation", "Method")  # fmt: skip
VAR_COLUMNS = ("Var", "Workers", "Sensitivity", "Why it is public")


def stage_inventory(label: str, run: ProgramRun) -> dict[str, Any]:
    """The inventory of one stage (``label``: how people name it) as plain data: the JSON form."""
    facts = run.outputs["secretInventory"].value
    bound = _pulumi_bound_names(run)
    secrets: dict[tuple[str, str], dict[str, Any]] = {}
    public: dict[str, dict[str, Any]] = {}
    for worker, sections in sorted(facts.items()):
        for name, fact in sorted(sections["secrets"].items()):
            row = _secret_row(label, name, fact, bound.get(worker, set()))
            key = (name, json.dumps(row, sort_keys=True))
            secrets.setdefault(key, {**row, "workers": []})["workers"].append(worker)
        for name, reason in sorted(sections["vars"].items()):
            row = public.setdefault(f"{name}\0{reason}", {"name": name, "public": reason, "workers": []})
            row["workers"].append(worker)
    origins = _origin_passwords_set(run)
    hyperdrive = run.outputs.get("hyperdriveConfigs")
    for key, described in sorted((hyperdrive.value if hyperdrive else {}).items()):
        fact = {**described["password"], "hyperdrive": key}
        row = _secret_row(label, fact["name"], fact, origins)
        secrets[(fact["name"], key)] = {**row, "workers": list(described["boundBy"]) or [UNBOUND]}
    environment = (run.outputs.get("infisical") or None) and run.outputs["infisical"].value.get("environment")
    return {
        "stage": label,
        "infisicalEnvironment": environment,
        "secrets": [secrets[key] for key in sorted(secrets)],
        "vars": sorted(public.values(), key=lambda row: (row["name"], row["public"])),
    }


def inventory(runs: Sequence[tuple[str, ProgramRun]]) -> dict[str, Any]:
    """The inventory of one or more ``(label, run)`` stages, with the playbooks of the owner kinds they use."""
    stages = [stage_inventory(label, run) for label, run in runs]
    stage = stages[0]["stage"] if len(stages) == 1 else "<stage>"
    environment = stages[0]["infisicalEnvironment"] if len(stages) == 1 else "<environment>"
    kinds = sorted({row["playbook"] for s in stages for row in s["secrets"]})
    return {
        "stages": stages,
        "playbooks": {kind: playbook(kind, stage, environment or "<environment>") for kind in kinds},
    }


def _pulumi_bound_names(run: ProgramRun) -> dict[str, set[str]]:
    """Per worker, the secret names its registered script binds itself (the rest come from a sync)."""
    names: dict[str, set[str]] = {}
    for registration in run.by_type(":WorkersScript"):  # named after its worker
        bindings = redact(registration.inputs.get("bindings")) or []
        names[registration.name] = {b["name"] for b in bindings if b.get("type") == "secret_text"}
    return names


def _origin_passwords_set(run: ProgramRun) -> set[str]:
    """The origin passwords the registered Hyperdrive configs are given, as secrets."""
    return {
        origin_password_name(registration.name.removeprefix(HYPERDRIVE_PREFIX))
        for registration in run.by_type(":HyperdriveConfig")
        if is_secret((registration.wire_inputs.get("origin") or {}).get("password"))
    }


def _secret_row(stage: str, name: str, fact: dict[str, Any], bound: set[str]) -> dict[str, Any]:
    owner = fact["owner"]
    place = fact.get("infisical")
    in_infisical = f"Infisical {place['environment']}:{place['folder']}" if place else None
    match owner:
        case "inject":
            variable = fact["variable"]
            kept = f"{in_infisical or 'the deploy environment'}, read at deploy time as ${variable}"
            if variable is None:
                kept = "nowhere in this stage: bound empty (sandbox)"
        case "generated":
            kept = "Pulumi state (encrypted)" + (f"; read-only copy in {in_infisical}" if in_infisical else "")
            if fact.get("previous"):
                kept += f"; last period's value bound as {fact['previous']}"
        case _:
            kept = f"{in_infisical}, pushed to the Worker by the Infisical sync"
    if hyperdrive := fact.get("hyperdrive"):
        where = "the deploy" if owner == "inject" else f"{in_infisical}, read by the deploy through Infisical's API"
        kept = (
            kept if owner == "inject" else where
        ) + f"; set as the origin password of Hyperdrive config {hyperdrive}"
    if (owner != "sync" or hyperdrive) and name not in bound:
        raise ValueError(f"secret {name!r} is in the inventory but no registered resource sets it")
    kind = "generated-periodic" if owner == "generated" and Period.parse(fact["rotateEvery"]) else owner
    kind = f"origin-{owner}" if hyperdrive else kind
    return {
        "name": name,
        "owner": owner,
        "kept": kept,
        "infisical": place,
        "variable": fact.get("variable"),
        "ownedBy": fact["ownedBy"],
        "description": fact["description"],
        "sensitivity": "secret",
        "sideEffects": _side_effects(stage, fact),
        "rotateEvery": fact["rotateEvery"],
        "rotation": describe(fact["rotateEvery"]),
        "method": _METHODS[kind],
        "playbook": kind,
    }


def _side_effects(stage: str, fact: dict[str, Any]) -> str:
    if not fact.get("sideEffects"):
        return "none"
    if fact.get("sandbox") is None:
        return "yes: the real value (prod)" if stage == "prod" else "yes"
    if fact["sandbox"] == "env":
        return f"yes: sandboxed here, reads ${fact['variable']}"
    return "yes: sandboxed here, bound empty"


_METHODS = {
    "inject": "change it in Infisical, then `pulumi up` through `infisical run`",
    "sync": "change it in Infisical; the sync pushes it (no `pulumi up`)",
    "generated": "bump `rotation:` in the stage config, then `pulumi up`",
    "generated-periodic": "automatic: the first `pulumi up` after each period (`rotation:` forces one sooner)",
    "origin-inject": "change it at the database and in Infisical, then `pulumi up` through `infisical run`",
    "origin-sync": "change it at the database and in Infisical, then `pulumi up` (the deploy reads it)",
}


def playbook(kind: str, stage: str, environment: str) -> list[str]:
    """The steps of one kind of rotation, with this stage's commands."""
    up = f"infisical run --env={environment} --path=/cloudflare -- pulumi up -s {stage}"
    verify = (
        "Verify: `npx wrangler secret list --name <script>` lists the name, the Worker's integration works, "
        f"and `bin/plan {stage} --inventory --check-age` no longer lists it as overdue."
    )
    return {
        "inject": [
            "Rotate upstream: create the new credential at its provider; keep the old one valid for now.",
            f"Update Infisical: in environment `{environment}`, folder `/cloudflare`, give the secret its new "
            "value (outside prod a side-effecting secret is the `<NAME>_SANDBOX` variable instead).",
            f"Redeploy: `{up}` binds the new value.",
            verify,
            "Revoke the old credential upstream.",
        ],
        "sync": [
            "Rotate upstream: create the new credential at its provider; keep the old one valid for now.",
            f"Update Infisical: in environment `{environment}`, in the worker's folder, give the secret its new value.",
            "The Workers secret sync pushes it to the script by itself; no `pulumi up` and no redeploy. "
            "Check the sync's status in Infisical if it does not arrive within minutes.",
            verify,
            "Revoke the old credential upstream.",
        ],
        "generated": [
            "No upstream: Pulumi made the value.",
            f"Bump `rotation:` of the secret in `Pulumi.{stage}.yaml` and merge it.",
            f"Redeploy: `{up}` makes a new value, binds it and updates the read-only copy in Infisical.",
            "Verify: the plan showed the RandomPassword replaced; sessions signed with the old value end.",
        ],
        "generated-periodic": [
            "No upstream and no person: the keeper is the first day (UTC) of the current period, so the first "
            "`pulumi up` after a period ends makes a new value. `.github/workflows/rotate.yml` runs that `up` "
            "weekly for the stages that are due; any deploy in between rotates too.",
            "With `keepPrevious: true` the last period's value stays bound as `<NAME>_PREVIOUS` for one period, "
            "so what was signed with it stays valid until then.",
            f"To rotate sooner (a compromise): bump `rotation:` in `Pulumi.{stage}.yaml`, then `{up}`; "
            "this renews the previous value too.",
            "Verify: the plan shows the RandomPassword's `period` keeper moved and the Infisical copy has a new "
            "version.",
        ],
        "origin-inject": _origin_playbook(environment, "`/cloudflare`", up),
        "origin-sync": _origin_playbook(environment, "its folder (`password.folder`, default `/hyperdrive`)", up),
    }[kind]


def _origin_playbook(environment: str, folder: str, up: str) -> list[str]:
    return [
        "Rotate upstream: give the database role a new password (or a second role) while the old one still works.",
        f"Update Infisical: in environment `{environment}`, folder {folder}, give `HYPERDRIVE_<KEY>_PASSWORD` its "
        "new value.",
        f"Redeploy: `{up}` updates the Hyperdrive config's origin password in place (no Worker changes).",
        "Verify: the Workers that bind the config query the database; the plan showed only the password changed.",
        "Revoke the old password at the database.",
    ]


# -- rendering ----------------------------------------------------------------------------------------


def _secret_cells(row: dict[str, Any]) -> list[str]:
    return [
        row["name"],
        ", ".join(row["workers"]),
        row["owner"],
        row["kept"],
        row["ownedBy"] or "-",
        row["sensitivity"],
        row["sideEffects"],
        row["rotation"],
        row["method"],
    ]


def _rows(data: dict[str, Any], with_stage: bool) -> tuple[list[list[str]], list[list[str]]]:
    secrets, public = [], []
    for stage in data["stages"]:
        prefix = [stage["stage"]] if with_stage else []
        secrets += [prefix + _secret_cells(row) for row in stage["secrets"]]
        public += [[*prefix, r["name"], ", ".join(r["workers"]), "public", r["public"]] for r in stage["vars"]]
    return secrets, public


def _descriptions(data: dict[str, Any]) -> list[str]:
    described = {row["name"]: row["description"] for s in data["stages"] for row in s["secrets"] if row["description"]}
    return [f"- `{name}`: {text}" for name, text in sorted(described.items())]


def render_markdown(data: dict[str, Any]) -> str:
    with_stage = len(data["stages"]) > 1
    stage_column = ("Stage",) if with_stage else ()
    secrets, public = _rows(data, with_stage)
    title = ", ".join(s["stage"] for s in data["stages"])
    out = [
        f"# Secrets inventory: {title}",
        "",
        "_Generated by `bin/plan "
        + ("--inventory --all-stages" if with_stage else f"{title} --inventory")
        + " --format markdown` from the program itself; do not edit by hand. Names only, never a value._",
        "",
        "## Secrets",
        "",
        *markdown_table((*stage_column, *SECRET_COLUMNS), secrets),
        "",
    ]
    if described := _descriptions(data):
        out += ["### What each secret is for", "", *described, ""]
    out += ["## Plain vars", "", *markdown_table((*stage_column, *VAR_COLUMNS), public), ""]
    out += ["## Rotation playbooks", ""]
    for kind, steps in data["playbooks"].items():
        out += [f"### {_PLAYBOOK_TITLES[kind]}", "", *(f"{i}. {step}" for i, step in enumerate(steps, 1)), ""]
    return "\n".join(out).rstrip() + "\n"


def render_table(data: dict[str, Any]) -> str:
    with_stage = len(data["stages"]) > 1
    stage_column = ("STAGE",) if with_stage else ()
    secrets, public = _rows(data, with_stage)
    out = [
        "Secrets inventory: " + ", ".join(s["stage"] for s in data["stages"]),
        "",
        *text_cards(secrets, (*stage_column, *SECRET_COLUMNS), titles=len(stage_column) + 1),
        "",
        "Plain vars",
        *text_table(public, (*stage_column, *(c.upper() for c in VAR_COLUMNS))),
        "",
        "Rotation playbooks",
    ]
    for kind, steps in data["playbooks"].items():
        out += ["", f"  {_PLAYBOOK_TITLES[kind]}"]
        for i, step in enumerate(steps, 1):
            out += wrap_prose(step, f"    {i}. ", " " * len(f"    {i}. "))
    return "\n".join(out) + "\n"


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


_PLAYBOOK_TITLES = {
    "inject": "Injected secrets (`owner: inject`)",
    "sync": "Synced secrets (`owner: sync`)",
    "generated": "Generated secrets, rotated by hand (`owner: generated`)",
    "generated-periodic": "Generated secrets on a cadence (`owner: generated` with a `rotateEvery` period)",
    "origin-inject": "Hyperdrive origin passwords, injected (`hyperdrive.<key>.password.owner: inject`)",
    "origin-sync": "Hyperdrive origin passwords, read from Infisical (`hyperdrive.<key>.password.owner: sync`)",
}

RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}
