"""A small synchronous Infisical REST client: bounded retries, one re-login, typed and scrubbed errors.

Dynamic providers are synchronous and short-lived, so each provider operation builds a client from the
environment, makes a few calls and closes it. Retries follow one rule: a request is sent again only when
doing so cannot create a second object. Rate limits (rejected before any handler runs), refused
connections and idempotent methods are retried; a POST whose request may have reached the server (a read
timeout, a dropped connection, a 5xx) is not, and its error says ``may_have_succeeded`` so the caller can
look the object up by its natural key instead.
"""

from __future__ import annotations

import functools
import logging
import os
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from ._retry import RetryWait
from ._scrub import Scrubber
from .auth import TOKEN_VAR, Credentials, access_token, credentials_from_env, host_from_env, normalise_host
from .errors import (
    InfisicalApiError,
    InfisicalConfigError,
    InfisicalRateLimitError,
    InfisicalRequestError,
    InfisicalServerError,
    InfisicalTokenError,
    InfisicalTransportError,
    api_error,
    decode,
)

_log = logging.getLogger(__name__)

MAX_RETRIES_VAR = "INFISICAL_MAX_RETRIES"
RETRY_MAX_WAIT_VAR = "INFISICAL_RETRY_MAX_WAIT"
HTTP_TIMEOUT_VAR = "INFISICAL_HTTP_TIMEOUT"

DEFAULT_MAX_RETRIES = 5
DEFAULT_RETRY_MAX_WAIT = 60.0
DEFAULT_TIMEOUT = 30.0
_CONNECT_TIMEOUT = 10.0
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
USER_AGENT = "pulumi-infisical-dynamic/0.1"


def env_number(name: str, default: float, environ: Mapping[str, str]) -> float:
    """A non-negative number (seconds or attempts) from ``environ[name]``, ``default`` when unset."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InfisicalConfigError(f"{name} must be a number of seconds or attempts") from None
    if value < 0:
        raise InfisicalConfigError(f"{name} must not be negative")
    return value


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Built once per process: loading the CA bundle costs more than a whole call to Infisical.

    Honours ``SSL_CERT_FILE``/``SSL_CERT_DIR`` (e.g. a self-hosted Infisical behind a private CA).
    """
    return httpx.create_ssl_context()


@dataclass
class _Call:
    """One logical request, possibly sent several times."""

    method: str
    template: str
    url: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    idempotent: bool = True
    relogged: bool = False


class InfisicalClient:
    """Calls Infisical's REST API with a bearer token obtained from `Credentials`.

    ``max_retries`` (env ``INFISICAL_MAX_RETRIES``, default 5) bounds the retries after the first attempt,
    ``max_wait`` (env ``INFISICAL_RETRY_MAX_WAIT``, default 60 s) caps each wait, and ``timeout`` (env
    ``INFISICAL_HTTP_TIMEOUT``, default 30 s) bounds each HTTP exchange. ``sleep`` and ``transport`` exist so
    tests can observe waits and substitute the network.
    """

    def __init__(
        self,
        host: str | None = None,
        credentials: Credentials | None = None,
        *,
        max_retries: int | None = None,
        max_wait: float | None = None,
        timeout: float | httpx.Timeout | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.host = normalise_host(host) if host else host_from_env(env)
        self.credentials = credentials if credentials is not None else credentials_from_env(env)
        retries = max_retries if max_retries is not None else env_number(MAX_RETRIES_VAR, DEFAULT_MAX_RETRIES, env)
        self.max_retries = max(0, int(retries))
        self.max_wait = (
            max_wait if max_wait is not None else env_number(RETRY_MAX_WAIT_VAR, DEFAULT_RETRY_MAX_WAIT, env)
        )
        if timeout is None:
            timeout = env_number(HTTP_TIMEOUT_VAR, DEFAULT_TIMEOUT, env)
            if timeout <= 0:
                raise InfisicalConfigError(f"{HTTP_TIMEOUT_VAR} must be a positive number of seconds")
        if not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(timeout, connect=min(timeout, _CONNECT_TIMEOUT))
        self._sleep = sleep
        self._scrub = Scrubber(self.credentials.secrets())
        self._http = httpx.Client(
            base_url=self.host,
            timeout=timeout,
            verify=_tls_context(),
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )

    @property
    def max_attempts(self) -> int:
        return self.max_retries + 1

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"InfisicalClient(host={self.host!r}, credentials={self.credentials!r})"

    def __reduce__(self) -> Any:
        raise TypeError("an InfisicalClient holds credentials and must never be pickled")

    def scrub(self, text: str) -> str:
        """``text`` without any secret this client knows (for messages built from Infisical's answers)."""
        return self._scrub(text)

    def remember_secret(self, *values: str | None) -> None:
        """Make sure ``values`` are scrubbed from any later error, even if Infisical echoes them."""
        self._scrub.add(*values)

    # -- public calls ----

    def get(
        self, template: str, *, path: Mapping[str, str] | None = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        return self.request("GET", template, path=path, params=params)

    def post(
        self,
        template: str,
        *,
        path: Mapping[str, str] | None = None,
        json: Any = None,
        idempotent: bool = False,
    ) -> Any:
        return self.request("POST", template, path=path, json=json, idempotent=idempotent)

    def patch(self, template: str, *, path: Mapping[str, str] | None = None, json: Any = None) -> Any:
        return self.request("PATCH", template, path=path, json=json)

    def delete(
        self,
        template: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        return self.request("DELETE", template, path=path, params=params, json=json)

    def request(
        self,
        method: str,
        template: str,
        *,
        path: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one logical request (with retries) and return the decoded JSON body.

        ``template`` is a path such as ``/api/v1/projects/{projectId}``; ``path`` fills it (values are
        URL-quoted). Errors name the template, never the filled path.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS
        url = template.format(**{key: quote(str(value), safe="") for key, value in (path or {}).items()})
        self._scrub.add_from_body(json)
        call = _Call(method, template, url, params, json, idempotent)

        def retryable(error: BaseException) -> bool:
            return _should_retry(error, idempotent=call.idempotent)

        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=RetryWait(self.max_wait),
            retry=retry_if_exception(retryable),
            sleep=self._sleep,
            before_sleep=self._log_retry(method, template),
            reraise=True,
        )
        result: Any = None
        try:
            for attempt in retrying:
                with attempt:
                    result = self._attempt(call)
        except InfisicalRequestError as error:
            error.attempts = retrying.statistics.get("attempt_number", 1)
            raise
        return result

    # -- one attempt ----

    def _attempt(self, call: _Call) -> Any:
        method, template = call.method, call.template
        response = self._send(call, self._token())
        if _is_token_error(response):
            if not self.credentials.can_login:
                raise InfisicalTokenError(
                    f"the access token from {TOKEN_VAR} was rejected (expired, revoked or malformed); "
                    "a static token cannot be renewed: provide a fresh one or use universal auth / OIDC auth",
                    status=response.status_code,
                    method=method,
                    endpoint=template,
                    error="TokenError",
                )
            if not call.relogged:
                call.relogged = True
                _log.info("Infisical rejected the access token; logging in again")
                response = self._send(call, self._token(refresh=True))
        if response.is_error:
            raise self._api_error(method, template, response, may_have_succeeded=not call.idempotent)
        return decode(response, method, template)

    def _send(self, call: _Call, token: str | None, *, counts_as_sent: bool = True) -> httpx.Response:
        method, template = call.method, call.template
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self._http.request(method, call.url, params=call.params, json=call.json, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise InfisicalTransportError(
                self._describe(error), method=method, endpoint=template, request_sent=False
            ) from None
        except httpx.TransportError as error:
            raise InfisicalTransportError(
                self._describe(error), method=method, endpoint=template, request_sent=counts_as_sent
            ) from None
        _log.debug("Infisical %s %s -> %d", method, template, response.status_code)
        return response

    def _describe(self, error: httpx.TransportError) -> str:
        detail = self._scrub(str(error)) or "no detail"
        return f"no response ({type(error).__name__}: {detail})"

    # -- authentication ----

    def _token(self, *, refresh: bool = False) -> str:
        def send_login(endpoint: str, body: dict[str, str]) -> httpx.Response:
            # A failed login never means the caller's request reached the server: it was not sent yet.
            return self._send(_Call("POST", endpoint, endpoint, json=body), None, counts_as_sent=False)

        return access_token(self.credentials, self.host, send_login, self._scrub, refresh=refresh)

    def _api_error(
        self, method: str, template: str, response: httpx.Response, *, may_have_succeeded: bool
    ) -> InfisicalApiError:
        return api_error(method, template, response, self._scrub, may_have_succeeded=may_have_succeeded)

    def _log_retry(self, method: str, template: str) -> Callable[[RetryCallState], None]:
        def log(state: RetryCallState) -> None:
            outcome = state.outcome
            error = outcome.exception() if outcome is not None else None
            reason = f"HTTP {error.status}" if isinstance(error, InfisicalApiError) else type(error).__name__
            wait = state.next_action.sleep if state.next_action is not None else 0.0
            _log.info(
                "Infisical %s %s: %s, retrying in %.2fs (attempt %d of %d)",
                method,
                template,
                reason,
                wait,
                state.attempt_number + 1,
                self.max_attempts,
            )

        return log


def _should_retry(error: BaseException, *, idempotent: bool) -> bool:
    if isinstance(error, InfisicalRateLimitError):
        return True
    if isinstance(error, InfisicalServerError):
        return idempotent
    if isinstance(error, InfisicalTransportError):
        return idempotent or not error.request_sent
    return False


def _is_token_error(response: httpx.Response) -> bool:
    if response.status_code != 403:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == "TokenError"
