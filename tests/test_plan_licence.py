"""The credential-free plan warns before an apply meets the refusal of a server without an Infisical licence.

Custom roles and groups need a licence (plan/licence.py cites the refusals); `bin/plan` lists each planned
custom role and group membership with the config path that asked for it, in every format.
"""

from __future__ import annotations

import json

import pytest

from plan.__main__ import main as plan_main
from plan.licence import HEADING
from plan.model import build_plan
from plan.render import render_markdown, render_table
from tests.conftest import raw_config, run_stage


def test_the_plan_names_what_needs_a_licence_and_who_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan_main(["staging"]) == 0
    table = capsys.readouterr().out
    section = table.split(HEADING, 1)[1].split("\n\n", 1)[0]
    assert "ProjectRole/ci-identity-role" in section and "infisical.ciIdentity in Pulumi.staging.yaml" in section
    assert "infisical.ciIdentity.previewFolder in Pulumi.staging.yaml" in section
    assert all(len(line) <= 120 for line in table.splitlines())
    assert plan_main(["project", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)["needsLicence"]
    needs = {(row["resource"], row["feature"]) for row in listed}
    assert ("ProjectGroupMembership/group-platform-team", "group") in needs
    assert ("ProjectRole/role-developer", "custom role") in needs
    asked = {row["requestedBy"] for row in listed}
    assert 'workers-stage-platform:access.users["alice@example.com"]' in asked


def test_markdown_shows_the_warning() -> None:
    markdown = render_markdown(build_plan(run_stage("dev")))
    assert "**Needs an Infisical licence**" in markdown
    assert "infisical.ciIdentity in Pulumi.dev.yaml" in markdown


def test_a_stage_with_built_in_roles_needs_no_licence() -> None:
    raw = raw_config("staging")
    raw["infisical"]["ciIdentity"]["role"] = "viewer"
    raw["infisical"]["ciIdentity"].pop("previewFolder")
    raw["infisical"]["projectId"] = "0f0f0f0f-1b4d-4e7f-9a0b-5c6d7e8f9a01"  # its own project: no prod in reach
    plan = build_plan(run_stage("staging", raw))
    assert plan["needsLicence"] == []
    assert HEADING not in render_table(plan)
