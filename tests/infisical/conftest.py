"""Fixtures for the Infisical provider tests: the fake server (shared with any other conftest that imports
them from tests.fakes.infisical.fixtures) and small builders for the objects most tests need."""

from __future__ import annotations

import pytest

from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_server

from .engine import seed_environment, seed_project

__all__ = ["fake_infisical", "fake_infisical_server"]


@pytest.fixture
def project_id(fake_infisical: FakeInfisical) -> str:
    return seed_project()


@pytest.fixture
def env_slug(project_id: str) -> str:
    return seed_environment(project_id, "dev")
