"""pytest fixtures for the fake Infisical; import them into any conftest that needs them.

``fake_infisical_server`` runs one server per test session (per xdist worker). ``fake_infisical`` gives
each test an empty server and an environment that points the provider package at it: every other
``INFISICAL_*`` variable is removed, ``INFISICAL_TOKEN`` is the admin token, and retries are fast.
The server behaves as today's backend does (``folder_behaviour`` ``"current"``).

``fake_infisical_both_folder_modes`` is ``fake_infisical`` run twice, once per folder behaviour
(``"current"`` and ``"legacy"``, where older backends answer 200 with the existing folder); the test id
names the mode and ``fake.folder_behaviour`` tells the test which one it runs under.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from components.infisical import clear_token_cache

from .server import FakeInfisical
from .store import FOLDER_BEHAVIOURS

FAST_RETRIES = {
    "INFISICAL_MAX_RETRIES": "3",
    "INFISICAL_RETRY_MAX_WAIT": "0.01",
    "INFISICAL_HTTP_TIMEOUT": "5",
}


def point_environment_at(fake: FakeInfisical, monkeypatch: pytest.MonkeyPatch, **extra: str) -> None:
    """Replace every ``INFISICAL_*`` variable with ones that target ``fake`` (``extra`` wins)."""
    for name in list(os.environ):
        if name.startswith("INFISICAL_"):
            monkeypatch.delenv(name)
    for name, value in {**fake.environment(), **FAST_RETRIES, **extra}.items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def fake_infisical_server() -> Iterator[FakeInfisical]:
    with FakeInfisical() as fake:
        yield fake


@pytest.fixture
def fake_infisical(fake_infisical_server: FakeInfisical, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeInfisical]:
    fake_infisical_server.reset()
    clear_token_cache()
    point_environment_at(fake_infisical_server, monkeypatch)
    yield fake_infisical_server
    clear_token_cache()


@pytest.fixture(params=FOLDER_BEHAVIOURS)
def fake_infisical_both_folder_modes(fake_infisical: FakeInfisical, request: pytest.FixtureRequest) -> FakeInfisical:
    fake_infisical.folder_behaviour = request.param
    return fake_infisical
