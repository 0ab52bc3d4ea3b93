"""Provider operations under injected faults: no duplicate objects, bounded retries, one re-login."""

from __future__ import annotations

import pytest

from components.infisical import (
    InfisicalCreateUncertainError,
    InfisicalServerError,
    clear_token_cache,
)
from tests.fakes.infisical import DropConnection, ErrorResponse, FakeInfisical, RateLimited, SlowResponse

from . import scenarios
from .engine import Engine, plain


def _only_object(fake: FakeInfisical, table: str, id_: str) -> None:
    assert [row["id"] for row in fake.table(table)].count(id_) == 1


@pytest.mark.parametrize("name", scenarios.RECOVERABLE)
def test_lost_create_response_is_recovered_without_a_duplicate(fake_infisical: FakeInfisical, name: str) -> None:
    """The server creates the object, then the connection drops before the answer arrives."""
    scenario = scenarios.ALL[name](fake_infisical)
    before = len(fake_infisical.table(scenario.table))
    fake_infisical.inject("POST", scenario.create_path, DropConnection(process=True))
    id_, _ = scenario.engine.create(scenario.inputs)
    assert len(fake_infisical.table(scenario.table)) == before + 1
    _only_object(fake_infisical, scenario.table, id_)


@pytest.mark.parametrize("name", ["project", "secret", "secret_sync"])
def test_create_timeout_is_recovered_without_a_duplicate(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    scenario = scenarios.ALL[name](fake_infisical)
    before = len(fake_infisical.table(scenario.table))
    monkeypatch.setenv("INFISICAL_HTTP_TIMEOUT", "0.2")
    fake_infisical.inject("POST", scenario.create_path, SlowResponse(0.6, process=True))
    id_, outs = scenario.engine.create(scenario.inputs)
    assert len(fake_infisical.table(scenario.table)) == before + 1
    assert fake_infisical.count("POST", scenario.create_path) == 1
    assert scenario.engine.read(id_, outs).id == id_


@pytest.mark.parametrize("name", ["environment", "secret", "membership"])
def test_create_that_did_not_land_is_sent_again(fake_infisical: FakeInfisical, name: str) -> None:
    scenario = scenarios.ALL[name](fake_infisical)
    before = len(fake_infisical.table(scenario.table))
    fake_infisical.inject("POST", scenario.create_path, ErrorResponse(500))
    id_, _ = scenario.engine.create(scenario.inputs)
    assert fake_infisical.count("POST", scenario.create_path) == 2
    assert len(fake_infisical.table(scenario.table)) == before + 1
    _only_object(fake_infisical, scenario.table, id_)


def test_dropped_create_before_processing_is_sent_again(fake_infisical: FakeInfisical) -> None:
    scenario = scenarios.secret(fake_infisical)
    fake_infisical.inject("POST", scenario.create_path, DropConnection(process=False))
    id_, _ = scenario.engine.create(scenario.inputs)
    _only_object(fake_infisical, "secrets", id_)


def test_identity_create_with_unknown_outcome_fails_cleanly(fake_infisical: FakeInfisical) -> None:
    """On a server without the identity search (older versions), the tag cannot be looked up: reported."""
    scenario = scenarios.identity(fake_infisical)
    fake_infisical.inject("POST", "/api/v1/identities/search", ErrorResponse(404, "Not Found"), times=99)
    fake_infisical.inject("POST", scenario.create_path, DropConnection(process=True))
    with pytest.raises(InfisicalCreateUncertainError) as caught:
        scenario.engine.create(scenario.inputs)
    message = str(caught.value)
    assert "'ci'" in message
    assert "POST /api/v1/identities" in message
    assert fake_infisical.count("POST", scenario.create_path) == 1, "never sent twice"


def test_a_lost_identity_create_is_found_by_its_tag(fake_infisical: FakeInfisical) -> None:
    scenario = scenarios.identity(fake_infisical)
    Engine(scenario.engine.provider).create({**scenario.inputs, "organization_id": fake_infisical.org_id})
    untagged = next(iter(fake_infisical.store.identities.values()))
    untagged["metadata"] = []  # an identity of the same name that this stack did not make
    fake_infisical.inject("POST", scenario.create_path, DropConnection(process=True))
    id_, _ = scenario.engine.create(scenario.inputs)
    assert id_ != untagged["id"]
    assert fake_infisical.count("POST", scenario.create_path) == 2, "the first create, then the lost one"
    assert len(fake_infisical.table("identities")) == 2
    again, _ = scenario.engine.create(scenario.inputs)
    assert again == id_, "a rerun takes the tagged identity instead of making another"
    assert len(fake_infisical.table("identities")) == 2


@pytest.mark.parametrize("name", list(scenarios.ALL))
@pytest.mark.parametrize("fault", ["drop after processing", "500 before processing"])
def test_first_create_of_each_kind_under_a_fault_is_never_duplicated(
    fake_infisical: FakeInfisical, name: str, fault: str
) -> None:
    scenario = scenarios.ALL[name](fake_infisical)
    before = len(fake_infisical.table(scenario.table))
    failure = DropConnection(process=True) if fault.startswith("drop") else ErrorResponse(500)
    fake_infisical.inject("POST", scenario.create_path, failure)
    id_, _ = scenario.engine.create(scenario.inputs)
    assert len(fake_infisical.table(scenario.table)) == before + 1, "nothing duplicated"
    _only_object(fake_infisical, scenario.table, id_)


def test_rate_limited_create_is_retried(fake_infisical: FakeInfisical) -> None:
    scenario = scenarios.app_connection(fake_infisical)
    fake_infisical.inject("POST", scenario.create_path, RateLimited(retry_after="0"), times=2)
    id_, _ = scenario.engine.create(scenario.inputs)
    assert fake_infisical.count("POST", scenario.create_path) == 3
    _only_object(fake_infisical, "connections", id_)


def test_persistent_failure_gives_up(fake_infisical: FakeInfisical) -> None:
    scenario = scenarios.folder(fake_infisical)
    id_, outs = scenario.engine.create(scenario.inputs)
    fake_infisical.inject("GET", "/api/v2/folders/*", ErrorResponse(502, "bad gateway"), times=99)
    with pytest.raises(InfisicalServerError) as caught:
        scenario.engine.read(id_, outs)
    assert "GET /api/v2/folders/{folderId} after 4 attempts returned HTTP 502" in str(caught.value)
    assert fake_infisical.count("GET", "/api/v2/folders/*") == 4  # INFISICAL_MAX_RETRIES=3 in the fixture


@pytest.mark.parametrize("name", list(scenarios.ALL))
def test_read_is_exactly_one_get(fake_infisical: FakeInfisical, name: str) -> None:
    scenario = scenarios.ALL[name](fake_infisical)
    id_, outs = scenario.engine.create(scenario.inputs)
    fake_infisical.clear_requests()
    assert scenario.engine.read(id_, outs).id == id_
    assert [r.method for r in fake_infisical.requests()] == ["GET"]


def test_read_with_universal_auth_logs_in_once(fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = scenarios.secret(fake_infisical)
    id_, outs = scenario.engine.create(scenario.inputs)
    # The logged-in identity reads as Infisical requires: as a member whose role may read the secret.
    identity_id = scenarios.member(fake_infisical, scenario.inputs["project_id"], "viewer")
    client_id, client_secret = fake_infisical.add_universal_auth(identity_id)
    monkeypatch.delenv("INFISICAL_TOKEN")
    monkeypatch.setenv("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", client_id)
    monkeypatch.setenv("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", client_secret)
    clear_token_cache()
    fake_infisical.clear_requests()
    scenario.engine.read(id_, outs)
    scenario.engine.read(id_, outs)
    assert [(r.method, r.authorized) for r in fake_infisical.requests()] == [
        ("POST", False),
        ("GET", True),
        ("GET", True),
    ]


def test_expired_token_during_an_update_relogs_once(
    fake_infisical: FakeInfisical, monkeypatch: pytest.MonkeyPatch
) -> None:
    client_id, client_secret = fake_infisical.add_universal_auth()
    monkeypatch.delenv("INFISICAL_TOKEN")
    monkeypatch.setenv("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", client_id)
    monkeypatch.setenv("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", client_secret)
    scenario = scenarios.environment(fake_infisical)
    id_, outs = scenario.engine.create(scenario.inputs)
    logins = fake_infisical.count("POST", "/api/v1/auth/universal-auth/login")
    fake_infisical.expire_tokens()
    updated = scenario.engine.update(id_, outs, scenario.update)
    assert plain(updated)["name"] == "Prod"
    assert fake_infisical.count("POST", "/api/v1/auth/universal-auth/login") == logins + 1


def test_changing_only_delete_behaviour_calls_nothing(fake_infisical: FakeInfisical) -> None:
    scenario = scenarios.folder(fake_infisical)
    id_, outs = scenario.engine.create(scenario.inputs)
    fake_infisical.clear_requests()
    updated = scenario.engine.update(id_, outs, {**scenario.inputs, "force_delete": True})
    assert plain(updated)["force_delete"] is True
    assert plain(updated)["path"] == "/workers"
    assert fake_infisical.count() == 0


def test_out_of_band_deletion_reads_as_gone(fake_infisical: FakeInfisical) -> None:
    scenario = scenarios.secret_sync(fake_infisical)
    id_, outs = scenario.engine.create(scenario.inputs)
    fake_infisical.store.syncs.clear()
    assert scenario.engine.read(id_, outs).id is None
    scenario.engine.delete(id_, outs)


def test_out_of_band_change_is_drift(fake_infisical: FakeInfisical) -> None:
    scenario = scenarios.secret(fake_infisical)
    id_, outs = scenario.engine.create(scenario.inputs)
    next(iter(fake_infisical.store.secrets.values()))["value"] = "changed in the UI"
    refreshed = scenario.engine.read(id_, outs)
    assert plain(refreshed.outs or {})["value"] == "changed in the UI"
    diff = scenario.engine.diff(id_, refreshed.outs or {}, scenario.inputs)
    assert diff.changes
    assert not diff.replaces


def test_connection_token_rotated_outside_pulumi_is_sent_again(fake_infisical: FakeInfisical) -> None:
    scenario = scenarios.app_connection(fake_infisical)
    id_, outs = scenario.engine.create(scenario.inputs)
    next(iter(fake_infisical.store.connections.values()))["credentialsHash"] = "rotated-elsewhere"
    refreshed = scenario.engine.read(id_, outs).outs or {}
    assert "api_token" not in refreshed
    assert scenario.engine.diff(id_, refreshed, scenario.inputs).changes
    Engine(scenario.engine.provider).update(id_, refreshed, scenario.inputs)
    patch = fake_infisical.requests("PATCH")
    assert len(patch) == 1
