"""Fixtures for the Infisical provider tests: the fake server and small builders for the objects most tests need.

The fake behaves as today's Infisical does (a create of an existing folder answers 400, trusted IPs come
back split into address, type and prefix). Tests that need the older folder behaviour too use
``fake_infisical_both_folder_modes``.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.infisical._provider import InfisicalProvider
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_both_folder_modes, fake_infisical_server

from .engine import seed_environment, seed_project

__all__ = ["fake_infisical", "fake_infisical_both_folder_modes", "fake_infisical_server"]


@pytest.fixture
def project_id(fake_infisical: FakeInfisical) -> str:
    return seed_project()


@pytest.fixture
def env_slug(project_id: str) -> str:
    return seed_environment(project_id, "dev")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """check and diff must never build a client, let alone call Infisical."""

    def refuse(self: InfisicalProvider) -> Any:
        raise AssertionError("check/diff must not create an Infisical client")

    monkeypatch.setattr(InfisicalProvider, "_client", refuse)
