"""User and group project memberships against a real Infisical.

A username that is not yet in the organization would be invited (and mailed), so these tests take an
existing member and an existing group from the environment: ``INFISICAL_ACCEPTANCE_USERNAME`` (lowercase)
and ``INFISICAL_ACCEPTANCE_GROUP`` (a group slug or id; needs a plan with groups). Each is skipped
without its variable.
"""

from __future__ import annotations

import os

import pytest

from components.infisical import ProjectGroupMembershipProvider, ProjectUserMembershipProvider
from tests.infisical.engine import Engine, plain

from .test_live_roundtrips import Cleanup, delete_and_confirm, lifecycle, new_project

pytestmark = pytest.mark.acceptance


def _needed(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.skip(f"set {name} to run this acceptance test")
    return value


def test_user_membership(live_infisical: None, run_id: str, cleanup: Cleanup) -> None:
    username = _needed("INFISICAL_ACCEPTANCE_USERNAME")
    project_id = new_project(run_id, cleanup)
    engine = Engine(ProjectUserMembershipProvider())
    base = {"project_id": project_id, "username": username}
    id_, outs = lifecycle(engine, cleanup, {**base, "role": "viewer"}, {**base, "role": "member"})
    assert plain(outs)["role"] == "member"
    delete_and_confirm(engine, id_, outs)


def test_group_membership(live_infisical: None, run_id: str, cleanup: Cleanup) -> None:
    group = _needed("INFISICAL_ACCEPTANCE_GROUP")
    project_id = new_project(run_id, cleanup)
    engine = Engine(ProjectGroupMembershipProvider())
    base = {"project_id": project_id, "group": group}
    id_, outs = lifecycle(engine, cleanup, {**base, "role": "viewer"}, {**base, "role": "member"})
    assert plain(outs)["role"] == "member"
    delete_and_confirm(engine, id_, outs)
