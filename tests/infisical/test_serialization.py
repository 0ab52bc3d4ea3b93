"""Providers are pickled into state: tiny, deterministic, credential-free; clients refuse to be pickled."""

from __future__ import annotations

import base64
import pickle

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.infisical import Credentials, InfisicalClient
from components.infisical._provider import InfisicalProvider

from .test_hygiene import PROVIDERS


@pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: type(p).__name__)
def test_serialized_provider_is_deterministic_and_small(provider: InfisicalProvider) -> None:
    first, second = serialize_provider(provider), serialize_provider(provider)
    assert first == second
    assert first == serialize_provider(type(provider)())
    raw = base64.b64decode(first)
    assert len(raw) < 200
    assert type(provider).__module__.encode() in raw, "pickled by reference to its importable module"
    revived = pickle.loads(raw)  # noqa: S301 - bytes this test just produced
    assert type(revived) is type(provider)
    assert vars(revived) == {}


def test_provider_is_not_a_secret_when_it_captures_none() -> None:
    assert all(p.serialize_as_secret_always is False for p in PROVIDERS)


def test_clients_and_credentials_refuse_pickling() -> None:
    client = InfisicalClient("http://127.0.0.1:9", Credentials.static_token("t"))
    with pytest.raises(TypeError):
        pickle.dumps(client)
    with pytest.raises(TypeError):
        pickle.dumps(Credentials.universal_auth("id", "secret"))
    client.close()
