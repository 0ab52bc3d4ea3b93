"""The HTTP client: bounded retries that never duplicate a create, re-login once, typed scrubbed errors."""

from __future__ import annotations

import socket
import time
from email.utils import formatdate

import httpx
import pytest

from components.infisical import (
    Credentials,
    InfisicalAlreadyExistsError,
    InfisicalAuthenticationError,
    InfisicalClient,
    InfisicalConfigError,
    InfisicalNotFoundError,
    InfisicalServerError,
    InfisicalTokenError,
    InfisicalTransportError,
    InfisicalValidationError,
)
from components.infisical._retry import parse_rate_limit_reset, parse_retry_after, server_wait_hint
from tests.fakes.infisical import DropConnection, ErrorResponse, FakeInfisical, RateLimited, SlowResponse

PROJECTS = "/api/v1/projects"
LOGIN = "/api/v1/auth/universal-auth/login"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(fake_infisical: FakeInfisical, sleeps: Sleeps) -> InfisicalClient:
    return InfisicalClient(
        fake_infisical.url,
        Credentials.static_token(fake_infisical.admin_token),
        max_retries=3,
        max_wait=10,
        timeout=0.3,
        sleep=sleeps,
    )


def ua_client(fake: FakeInfisical, sleeps: Sleeps) -> InfisicalClient:
    client_id, client_secret = fake.add_universal_auth()
    return InfisicalClient(fake.url, Credentials.universal_auth(client_id, client_secret), max_retries=2, sleep=sleeps)


# -- rate limits --------------------------------------------------------------------------------------------


def test_retry_after_seconds_is_honoured(
    fake_infisical: FakeInfisical, client: InfisicalClient, sleeps: Sleeps
) -> None:
    fake_infisical.inject("GET", PROJECTS, RateLimited(retry_after="1"), times=2)
    assert client.get(PROJECTS) == {"projects": []}
    assert sleeps == [1.0, 1.0]
    assert fake_infisical.count("GET", PROJECTS) == 3


def test_retry_after_http_date(fake_infisical: FakeInfisical, client: InfisicalClient, sleeps: Sleeps) -> None:
    fake_infisical.inject("GET", PROJECTS, RateLimited(retry_after=formatdate(time.time() + 4, usegmt=True)))
    client.get(PROJECTS)
    assert len(sleeps) == 1
    assert 2.0 <= sleeps[0] <= 4.0


@pytest.mark.parametrize(("absolute", "expected"), [(False, (3.0, 3.0)), (True, (3.0, 5.0))])
def test_rate_limit_reset_header(
    fake_infisical: FakeInfisical,
    client: InfisicalClient,
    sleeps: Sleeps,
    absolute: bool,
    expected: tuple[float, float],
) -> None:
    """``X-RateLimit-Reset`` is a delta in seconds, or a unix timestamp when it is that large."""
    low, high = expected
    reset = str(int(time.time()) + 5) if absolute else "3"
    fake_infisical.inject("GET", PROJECTS, RateLimited(retry_after=None, reset=reset))
    client.get(PROJECTS)
    assert low <= sleeps[0] <= high


def test_server_wait_is_capped(fake_infisical: FakeInfisical, client: InfisicalClient, sleeps: Sleeps) -> None:
    fake_infisical.inject("GET", PROJECTS, RateLimited(retry_after="3600"))
    client.get(PROJECTS)
    assert sleeps == [10.0]


def test_without_hints_backoff_is_jittered_exponential(
    fake_infisical: FakeInfisical, client: InfisicalClient, sleeps: Sleeps
) -> None:
    fake_infisical.inject("GET", PROJECTS, RateLimited(retry_after=None), times=3)
    client.get(PROJECTS)
    assert len(sleeps) == 3
    assert all(0 <= s <= 10 for s in sleeps)


def test_a_rate_limited_post_is_retried_because_it_never_ran(
    fake_infisical: FakeInfisical, client: InfisicalClient
) -> None:
    fake_infisical.inject("POST", PROJECTS, RateLimited(retry_after="1"))
    client.post(PROJECTS, json={"projectName": "p", "shouldCreateDefaultEnvs": False})
    assert len(fake_infisical.table("projects")) == 1


def test_rate_limit_really_waits(fake_infisical: FakeInfisical) -> None:
    """One test with a real clock: Retry-After: 1 costs about a second."""
    fake_infisical.inject("GET", PROJECTS, RateLimited(retry_after="1"))
    client = InfisicalClient(fake_infisical.url, Credentials.static_token(fake_infisical.admin_token), max_wait=2)
    started = time.monotonic()
    client.get(PROJECTS)
    assert 0.9 <= time.monotonic() - started < 2.5


def test_retry_after_parsing() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now) == pytest.approx(30, abs=1)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_rate_limit_reset("12", now) == 12.0
    assert parse_rate_limit_reset(str(int(now) + 9), now) == 9.0
    assert parse_rate_limit_reset("-1", now) is None
    assert server_wait_hint(httpx.Headers({"Retry-After": "bad", "X-RateLimit-Reset": "4"}), now) == 4.0
    assert server_wait_hint(httpx.Headers({}), now) is None


# -- server errors and the network ----------------------------------------------------------------------------


def test_500_then_success(fake_infisical: FakeInfisical, client: InfisicalClient, sleeps: Sleeps) -> None:
    fake_infisical.inject("GET", PROJECTS, ErrorResponse(500))
    assert client.get(PROJECTS) == {"projects": []}
    assert fake_infisical.count("GET", PROJECTS) == 2
    assert len(sleeps) == 1


def test_persistent_failure_gives_up_with_status_and_endpoint(
    fake_infisical: FakeInfisical, client: InfisicalClient, sleeps: Sleeps
) -> None:
    fake_infisical.inject("GET", "/api/v1/projects/*", ErrorResponse(503, "down for maintenance"), times=99)
    with pytest.raises(InfisicalServerError) as caught:
        client.get(PROJECTS + "/{projectId}", path={"projectId": "abc-123"})
    error = caught.value
    assert (error.status, error.method, error.endpoint, error.attempts) == (503, "GET", PROJECTS + "/{projectId}", 4)
    assert "HTTP 503" in str(error)
    assert "GET /api/v1/projects/{projectId}" in str(error)
    assert "after 4 attempts" in str(error)
    assert "abc-123" not in str(error), "errors name the path template, not the ids"
    assert fake_infisical.count("GET") == 4
    assert len(sleeps) == 3


def test_timeout_on_a_read_is_retried(fake_infisical: FakeInfisical, client: InfisicalClient) -> None:
    fake_infisical.inject("GET", PROJECTS, SlowResponse(1.0, process=False))
    assert client.get(PROJECTS) == {"projects": []}
    assert fake_infisical.count("GET", PROJECTS) == 2


def test_dropped_connection_on_a_read_is_retried(fake_infisical: FakeInfisical, client: InfisicalClient) -> None:
    fake_infisical.inject("GET", PROJECTS, DropConnection(process=False))
    assert client.get(PROJECTS) == {"projects": []}
    assert fake_infisical.count("GET", PROJECTS) == 2


@pytest.mark.parametrize("fault", [ErrorResponse(500), DropConnection(process=True), SlowResponse(1.0)])
def test_a_post_that_may_have_landed_is_not_resent(
    fake_infisical: FakeInfisical, client: InfisicalClient, sleeps: Sleeps, fault: object
) -> None:
    fake_infisical.inject("POST", PROJECTS, fault)  # type: ignore[arg-type]
    with pytest.raises((InfisicalServerError, InfisicalTransportError)) as caught:
        client.post(PROJECTS, json={"projectName": "p", "shouldCreateDefaultEnvs": False})
    assert caught.value.may_have_succeeded
    assert fake_infisical.count("POST", PROJECTS) == 1
    assert sleeps == []


def test_connection_refused_is_retried_then_reported(sleeps: Sleeps) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = InfisicalClient(f"http://127.0.0.1:{port}", Credentials.static_token("t"), max_retries=2, sleep=sleeps)
    with pytest.raises(InfisicalTransportError) as caught:
        client.post(PROJECTS, json={})
    assert not caught.value.request_sent
    assert caught.value.attempts == 3
    assert len(sleeps) == 2


# -- authentication -----------------------------------------------------------------------------------------


def test_missing_and_unknown_tokens(fake_infisical: FakeInfisical) -> None:
    missing = httpx.get(fake_infisical.url + PROJECTS)
    assert missing.status_code == 401
    unknown = httpx.get(fake_infisical.url + PROJECTS, headers={"Authorization": "Bearer nope"})
    assert (unknown.status_code, unknown.json()["error"]) == (403, "TokenError")


def test_static_token_rejected_is_a_clear_error(fake_infisical: FakeInfisical, sleeps: Sleeps) -> None:
    client = InfisicalClient(fake_infisical.url, Credentials.static_token("expired-token"), sleep=sleeps)
    with pytest.raises(InfisicalTokenError) as caught:
        client.get(PROJECTS)
    assert "INFISICAL_TOKEN" in str(caught.value)
    assert "cannot be renewed" in str(caught.value)
    assert fake_infisical.count("GET") == 1
    assert fake_infisical.count("POST") == 0


def test_expired_token_triggers_one_login(fake_infisical: FakeInfisical, sleeps: Sleeps) -> None:
    client = ua_client(fake_infisical, sleeps)
    client.get(PROJECTS)
    assert fake_infisical.count("POST", LOGIN) == 1
    client.get(PROJECTS)
    assert fake_infisical.count("POST", LOGIN) == 1, "the token is reused"
    fake_infisical.expire_tokens()
    assert client.get(PROJECTS) == {"projects": []}
    assert fake_infisical.count("POST", LOGIN) == 2
    assert fake_infisical.count("GET", PROJECTS) == 4


def test_relogin_happens_only_once(fake_infisical: FakeInfisical, sleeps: Sleeps) -> None:
    client = ua_client(fake_infisical, sleeps)
    fake_infisical.inject("GET", PROJECTS, ErrorResponse(403, "Token expired", "TokenError"), times=5)
    with pytest.raises(InfisicalTokenError):
        client.get(PROJECTS)
    assert fake_infisical.count("POST", LOGIN) == 2
    assert fake_infisical.count("GET", PROJECTS) == 2


def test_failed_login_is_an_authentication_error(fake_infisical: FakeInfisical) -> None:
    client = InfisicalClient(fake_infisical.url, Credentials.universal_auth("who", "wrong-secret-123"))
    with pytest.raises(InfisicalAuthenticationError) as caught:
        client.get(PROJECTS)
    assert caught.value.status == 401
    assert "login failed" in str(caught.value)
    assert "wrong-secret-123" not in str(caught.value)


# -- error mapping ------------------------------------------------------------------------------------------


def test_validation_failure_lists_the_fields(client: InfisicalClient) -> None:
    with pytest.raises(InfisicalValidationError) as caught:
        client.post(PROJECTS, json={"slug": "UPPER"})
    paths = {issue["path"] for issue in caught.value.issues}
    assert {"projectName", "slug"} <= paths
    assert "projectName: Required" in str(caught.value)
    assert caught.value.error == "ValidationFailure"


def test_not_found_and_already_exists(fake_infisical: FakeInfisical, client: InfisicalClient) -> None:
    with pytest.raises(InfisicalNotFoundError) as missing:
        client.get(PROJECTS + "/{projectId}", path={"projectId": "nope"})
    assert missing.value.status == 404
    body = {"projectName": "p", "slug": "taken-slug", "shouldCreateDefaultEnvs": False}
    client.post(PROJECTS, json=body)
    with pytest.raises(InfisicalAlreadyExistsError) as duplicate:
        client.post(PROJECTS, json=body)
    assert duplicate.value.status == 400
    assert not duplicate.value.may_have_succeeded


def test_path_values_are_quoted(client: InfisicalClient, fake_infisical: FakeInfisical) -> None:
    with pytest.raises(InfisicalNotFoundError):
        client.get(PROJECTS + "/slug/{slug}", path={"slug": "a/b?c"})
    assert fake_infisical.requests()[-1].raw_path == "/api/v1/projects/slug/a%2Fb%3Fc"


def test_retry_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"INFISICAL_TOKEN": "t", "INFISICAL_MAX_RETRIES": "7", "INFISICAL_RETRY_MAX_WAIT": "2.5"}
    client = InfisicalClient(environ=env)
    assert (client.max_retries, client.max_attempts, client.max_wait) == (7, 8, 2.5)
    assert client.host == "https://app.infisical.com"
    with pytest.raises(InfisicalConfigError, match="INFISICAL_MAX_RETRIES"):
        InfisicalClient(environ={**env, "INFISICAL_MAX_RETRIES": "many"})
