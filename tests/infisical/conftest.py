"""Fixtures for the Infisical provider tests: the fake server and small builders for the objects most tests need.

The providers handle what today's Infisical does (a create of an existing folder answers 400, trusted IPs
come back split into address, type and prefix), so the session server here runs with the fake's real
defaults rather than the compatibility switches of `tests.fakes.infisical.fixtures`. Tests that need the
older folder behaviour use ``fake_infisical_both_folder_modes``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_both_folder_modes

from .engine import seed_environment, seed_project

__all__ = ["fake_infisical", "fake_infisical_both_folder_modes", "fake_infisical_server"]


@pytest.fixture(scope="session")
def fake_infisical_server() -> Iterator[FakeInfisical]:
    """The fake as today's backend behaves: folder creates of existing folders 400, trusted IPs split."""
    with FakeInfisical(folder_behaviour="current", split_trusted_ips=True) as fake:
        yield fake


@pytest.fixture
def project_id(fake_infisical: FakeInfisical) -> str:
    return seed_project()


@pytest.fixture
def env_slug(project_id: str) -> str:
    return seed_environment(project_id, "dev")
