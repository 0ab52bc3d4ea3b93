"""Adopting a live Worker script, up by up, under a model of the engine's import rule.

The engine's rule (pulumi ``pkg/resource/deploy/step.go``, ``ImportStep.Apply``): read the resource through the
provider, set every ignored input back to what was read (``processIgnoreChanges``), then fail the import when
any other input differs from what was read. The state then holds those inputs. While the resource keeps its
``import_`` id, later ups are no imports (``step_generator.go``: an import only when the state has no resource
with that import id) but plain diffs, with the same ``ignore_changes``.

What terraform-provider-cloudflare v5.22.0 reads back after importing a script (``workers_script``): the account
and name (``resource.go:427-469``, ImportState); the live code as ``content``, because ``content_file`` is unset
(``resource.go:376-379``); the settings (``model.go:100-121``); the bindings without any ``secret_text`` one, a
secret not in state being "unmanaged" (``custom.go:294-299``). Never ``content_file``, ``content_sha256``,
``content_type`` (``model.go:44``) or ``main_module`` (``resource_test.go:322, 397``). Those five are Optional
without Computed (``schema.go:54-93, 536``): a value the program leaves out is a difference, not kept.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from components.cloudflare.replacements import RULES, ignored_at_import
from components.rules.stage_layout import PROJECT_ROOT
from plan.diff import ADOPT, UPDATE, diff_plans
from plan.diff.compare import AS_IMPORTED, REPLACED_BY_UPLOAD
from plan.model import build_plan
from tests.conftest import raw_config, run_stage
from tests.test_adoption import adopting

OPTIONAL_ONLY = frozenset({"content", "contentFile", "contentSha256", "contentType", "mainModule"})
LIVE_CODE = "export default { fetch() { return new Response('the live app') } }"


def script_of(plan: dict[str, Any], name: str = "api") -> dict[str, Any]:
    return next(r for r in plan["resources"] if r["label"] == f"WorkersScript/{name}")


def live_script(program: dict[str, Any]) -> dict[str, Any]:
    """The app as it runs before adoption: the same settings and bindings, its own code, its secrets set live."""
    bindings = [
        {"name": b["name"], "type": "secret_text"} if b["type"] in ("secret_text", "inherit") else b
        for b in program["bindings"]
    ]
    return {**program, "bindings": bindings, "code": LIVE_CODE}


def provider_read(live: dict[str, Any]) -> dict[str, Any]:
    """The inputs the provider's import and read put in state (see the module docstring for each)."""
    read = {key: live[key] for key in ("accountId", "scriptName", "compatibilityDate", "compatibilityFlags")}
    read["observability"] = live["observability"]
    read["content"] = live["code"]
    read["bindings"] = [b for b in live["bindings"] if b["type"] != "secret_text"]
    return read


def ignoring(new: dict[str, Any], old: dict[str, Any], ignore: list[str]) -> dict[str, Any]:
    """``processIgnoreChanges``: each ignored input takes the old value (or goes, when the old has none)."""
    kept = {key: value for key, value in new.items() if key not in ignore}
    return {**kept, **{key: old[key] for key in ignore if key in old}}


def differences(state: dict[str, Any], program: dict[str, Any], ignore: list[str]) -> list[str]:
    """The inputs the engine sees change: what the program sets differently, or leaves out where not Computed."""
    inputs = ignoring(program, state, ignore)
    return sorted(
        key
        for key in set(inputs) | set(state)
        if key not in ignore and (key in inputs or key in OPTIONAL_ONLY) and inputs.get(key) != state.get(key)
    )


@pytest.fixture(scope="module")
def adopting_plan() -> dict[str, Any]:
    return build_plan(run_stage("prod", adopting(raw_config("prod"), "prod")))


@pytest.fixture(scope="module")
def adopted_plan() -> dict[str, Any]:
    """The next commit: ``adopt`` removed from the script (everything else still adopted)."""
    raw = adopting(raw_config("prod"), "prod")
    del raw["workers"]["api"]["adopt"]
    return build_plan(run_stage("prod", raw))


def test_the_adopting_up_ignores_exactly_what_the_provider_cannot_read_back(adopting_plan: dict[str, Any]) -> None:
    script = script_of(adopting_plan)
    assert script["importId"] == "fedcba9876543210fedcba9876543210/acme-prod-api"  # prod's own account
    assert script["ignoreChanges"] == ignored_at_import("WorkersScript") == list(RULES["WorkersScript"].not_read_back)
    read = provider_read(live_script(script["inputs"]))
    assert differences(read, script["inputs"], script["ignoreChanges"]) == []  # the import succeeds


def test_without_those_ignores_the_import_fails_and_each_one_is_needed(adopting_plan: dict[str, Any]) -> None:
    script = script_of(adopting_plan)
    read = provider_read(live_script(script["inputs"]))
    assert differences(read, script["inputs"], []) == sorted(script["ignoreChanges"])
    for needed in script["ignoreChanges"]:
        rest = [prop for prop in script["ignoreChanges"] if prop != needed]
        assert differences(read, script["inputs"], rest) == [needed]


def test_a_real_difference_still_fails_the_import(adopting_plan: dict[str, Any]) -> None:
    """What the provider reads back is still checked: the live app on another compatibility date is no match."""
    script = script_of(adopting_plan)
    read = provider_read({**live_script(script["inputs"]), "compatibilityDate": "2024-01-01"})
    assert differences(read, script["inputs"], script["ignoreChanges"]) == ["compatibilityDate"]


def test_the_next_up_deploys_the_programs_script(adopting_plan: dict[str, Any], adopted_plan: dict[str, Any]) -> None:
    adopting_script, program = script_of(adopting_plan), script_of(adopted_plan)
    state = ignoring(
        adopting_script["inputs"],
        provider_read(live_script(adopting_script["inputs"])),
        adopting_script["ignoreChanges"],
    )
    assert program["importId"] is None and program["ignoreChanges"] == []
    changed = differences(state, program["inputs"], program["ignoreChanges"])
    assert changed == sorted(RULES["WorkersScript"].not_read_back)  # an update: the upload of the program's script
    assert not set(changed) & set(RULES["WorkersScript"].replace_on)
    module = PROJECT_ROOT / program["inputs"]["contentFile"]
    assert program["inputs"]["contentSha256"] == hashlib.sha256(Path(module).read_bytes()).hexdigest()


def test_while_adopt_stays_the_programs_script_is_never_sent(adopting_plan: dict[str, Any]) -> None:
    script = script_of(adopting_plan)
    state = ignoring(script["inputs"], provider_read(live_script(script["inputs"])), script["ignoreChanges"])
    assert differences(state, script["inputs"], script["ignoreChanges"]) == []  # the same config: nothing sent
    note = next(n for n in diff_plans(adopting_plan, adopting_plan).notes if n.subject == "WorkersScript/api")
    assert note.message.startswith("still adopted: once the adopting up has run, remove workers.api.adopt")


def test_the_diff_shows_each_up(adopting_plan: dict[str, Any], adopted_plan: dict[str, Any]) -> None:
    first = diff_plans({**adopting_plan, "resources": []}, adopting_plan)
    adopted = next(c for c in first.changes if c.label == "WorkersScript/api")
    assert adopted.op == ADOPT
    assert "the import ignores what the provider cannot read back" in adopted.flags[0].message
    second = next(c for c in diff_plans(adopting_plan, adopted_plan).changes if c.label == "WorkersScript/api")
    assert second.op == UPDATE
    assert second.paths == [
        f"{prop}: {REPLACED_BY_UPLOAD if prop == 'content' else AS_IMPORTED}"
        for prop in RULES["WorkersScript"].not_read_back
    ]
