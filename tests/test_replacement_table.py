"""The replacement table against what the program registers, and (given a checkout) against the provider's source.

Every Cloudflare and random resource type the program registers has a row, every row is registered, every
``replace_on`` fact cites ``<file>:<line>``, and every registration carries exactly the options its row declares
(through ``components.cloudflare.replacements.lifecycle``). With ``CLOUDFLARE_PROVIDER_SOURCE`` (a checkout of
terraform-provider-cloudflare at v5.22.0) and ``RANDOM_PROVIDER_SOURCE`` (terraform-provider-random at v3.9.0),
each cited line is read and must be the ``RequiresReplace`` of that very attribute.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from components.cloudflare.replacements import RULES, ignored_at_import, replaced_by
from plan.diff import CREATE, DELETE, REPLACE, diff_plans
from plan.engine import ProgramRun
from plan.model import build_plan
from policy.names import short_type
from tests.conftest import raw_config, run_stage
from tests.test_adoption import adopting
from tests.test_stage_tokens import project_run

CITATION = re.compile(r"^[a-z0-9_]+(/[a-z_]+)?\.go:\d+$")
UPSTREAM = {"random": "RANDOM_PROVIDER_SOURCE", "cloudflare": "CLOUDFLARE_PROVIDER_SOURCE"}


@pytest.fixture(scope="module")
def runs(stage_runs: dict[str, ProgramRun]) -> list[ProgramRun]:
    """Every committed stage, prod adopting everything it can (imports carry their own options), and the project
    stack (the one place Cloudflare tokens are minted)."""
    return [*stage_runs.values(), run_stage("prod", adopting(raw_config("prod"), "prod")), project_run()]


def _upstream_types(runs: list[ProgramRun]) -> set[str]:
    return {
        short_type(r.type)
        for run in runs
        for r in run.registrations
        if r.custom and r.type.split(":", 1)[0] in UPSTREAM
    }


def test_every_registered_upstream_type_has_a_row_and_every_row_is_registered(runs: list[ProgramRun]) -> None:
    assert _upstream_types(runs) == set(RULES)


@pytest.mark.parametrize("kind", sorted(RULES))
def test_every_replacement_fact_cites_file_and_line(kind: str) -> None:
    rules = RULES[kind]
    assert rules.replace_on, kind  # every type has at least the inputs that name it
    for prop, citation in rules.replace_on.items():
        assert CITATION.match(citation), (kind, prop, citation)
    for why in (*rules.kept_after_create.values(), *rules.not_read_back.values()):
        assert re.search(r"\.go:\d+", why), (kind, why)


def test_every_registration_carries_exactly_the_options_its_row_declares(runs: list[ProgramRun]) -> None:
    for run in runs:
        for registration in run.registrations:
            rules = RULES.get(short_type(registration.type))
            if rules is None:
                continue
            ignored = ignored_at_import(short_type(registration.type)) if registration.import_id else rules.write_once
            assert registration.delete_before_replace is rules.delete_before_replace, registration.name
            assert registration.replace_on_changes == list(rules.replace_on_changes), registration.name
            assert registration.ignore_changes == list(ignored), registration.name


def test_an_r2_location_edit_is_no_replacement() -> None:
    """Since v5.16.0 the provider keeps the stored location (r2_bucket/schema.go): an edit plans no change."""
    assert replaced_by("R2Bucket", {"location"}) == []
    base = build_plan(run_stage("prod"))
    raw = raw_config("prod")
    raw["r2"]["assets"]["location"] = "enam"
    diff = diff_plans(base, build_plan(run_stage("prod", raw)))
    assert diff.changes == [] and diff.destructive == []
    (note,) = diff.notes
    assert note.subject == "R2Bucket/r2-assets" and 'location: "weur" → "enam" changes nothing' in note.message


def test_a_new_rotation_period_mints_a_new_token_and_deletes_the_oldest() -> None:
    """In the project stack: each period's sync token is a resource of its own, so a new period creates one and
    drops the one before the previous (the previous stays: stages' connections hold it until their next deploy).
    Any change to a kept token would replace it (replace_on_changes, the table's AccountToken rule)."""
    diff = diff_plans(build_plan(project_run("2026-12-04")), build_plan(project_run("2027-01-02")))
    ops = {c.label: c.op for c in diff.changes}
    assert ops["AccountToken/sync-token-prod-20270102"] == CREATE
    assert ops["AccountToken/sync-token-prod-20261103"] == DELETE
    assert "AccountToken/sync-token-prod-20261203" not in ops  # the previous period's token is kept as it is
    assert RULES["AccountToken"].replace_on_changes == ("*",)


# --- against the provider's source (a checkout named by an environment variable) -------------------------------


def _attribute_at(lines: list[str], line: int) -> str | None:
    """The schema attribute whose block holds ``line``: the nearest ``"name": schema.`` line above it."""
    for text in reversed(lines[:line]):
        found = re.match(r'^\t{3}"([a-z_]+)": schema\.', text)
        if found:
            return found.group(1)
    return None


def _snake(prop: str) -> str:
    return re.sub(r"([A-Z0-9]+)", lambda m: "_" + m.group(1).lower(), prop)


def _checkout(kind: str) -> tuple[Path, str] | None:
    package = "random" if kind == "RandomPassword" else "cloudflare"
    root = os.environ.get(UPSTREAM[package])
    if not root:
        return None
    return Path(root), "internal/provider" if package == "random" else "internal/services"


@pytest.mark.parametrize("kind", sorted(RULES))
def test_each_cited_line_is_that_attributes_requires_replace(kind: str) -> None:
    checkout = _checkout(kind)
    if checkout is None:
        pytest.skip(f"set {UPSTREAM['random' if kind == 'RandomPassword' else 'cloudflare']} to a provider checkout")
    root, services = checkout
    for prop, citation in RULES[kind].replace_on.items():
        path, line = citation.rsplit(":", 1)
        lines = (root / services / path).read_text().splitlines()
        assert "RequiresReplace" in lines[int(line) - 1], (kind, prop, citation)
        assert _attribute_at(lines, int(line)) == _snake(prop), (kind, prop, citation)
    schema = (root / services / next(iter(RULES[kind].replace_on.values())).split(":")[0]).read_text().splitlines()
    forcing = {
        _attribute_at(schema, number)
        for number, text in enumerate(schema, start=1)
        if "RequiresReplace" in text and "func " not in text
    }
    inputs: Any = {_snake(prop) for prop in RULES[kind].replace_on} | {"id"}
    # Nothing upstream forces a replacement the row leaves out (R2 location: kept by the provider, see its row;
    # consumer_id and id: computed, never an input).
    assert forcing - inputs <= {"location", "consumer_id"}, (kind, forcing - inputs)


@pytest.mark.parametrize("kind", sorted(k for k, rules in RULES.items() if rules.kept_after_create))
def test_each_kept_input_cites_the_plan_modifier_that_keeps_the_stored_value(kind: str) -> None:
    checkout = _checkout(kind)
    if checkout is None:
        pytest.skip("set CLOUDFLARE_PROVIDER_SOURCE to a provider checkout")
    root, services = checkout
    for prop, why in RULES[kind].kept_after_create.items():
        path, first, last = re.search(r"([a-z0-9_]+/[a-z_]+\.go):(\d+)-(\d+)", why).groups()  # type: ignore[union-attr]
        cited = "\n".join((root / services / path).read_text().splitlines()[int(first) - 1 : int(last)])
        assert "resp.PlanValue = req.StateValue" in cited, (kind, prop)


def test_an_infisical_object_is_replaced_by_what_its_provider_declares() -> None:
    """The Infisical providers are this repository's: their ``prop(replace=True)`` inputs are the rule."""
    raw = raw_config("staging")
    raw["infisical"]["projectId"] = "00000000-0000-4000-8000-000000000000"
    diff = diff_plans(build_plan(run_stage("staging")), build_plan(run_stage("staging", raw)))
    folder = next(c for c in diff.changes if c.label == "infisical:SecretFolder/folder-cloudflare")
    assert folder.op == REPLACE
    assert folder.reasons == ["project_id forces replacement (components/infisical/folder.py)"]
