"""Typed failures of the Infisical provider package.

Every error that leaves this package is an `InfisicalError`, so a Pulumi program (or a test) can catch one
type. Errors about an HTTP call carry the method and the *path template* (``/api/v1/projects/{projectId}``)
rather than the concrete URL: ids and query strings stay out of messages, and the same failure reads the
same in every log. `api_error` maps an error response to its type, and runs every text it takes from the
response through the caller's scrubber first, so no token, client secret, JWT or secret value that
Infisical echoes ever reaches a message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from ._retry import server_wait_hint

_MAX_MESSAGE = 600
# Infisical answers a duplicate with 400 and one of these phrases (never 409): "… already exists" for most
# objects, "Identity is already a member" for a project membership (membership-identity-service.ts).
_ALREADY_EXISTS = ("already exist", "already a member")


class InfisicalError(Exception):
    """Root of everything the package raises."""


class InfisicalConfigError(InfisicalError):
    """The environment does not say where Infisical is or how to log in."""


class InfisicalRequestError(InfisicalError):
    """A call to Infisical failed.

    ``may_have_succeeded`` is True when the request could have reached the server before the failure (a read
    timeout, a dropped connection, a 5xx): a non-idempotent create must then look for the object it may have
    created instead of blindly sending the request again.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        endpoint: str,
        may_have_succeeded: bool = False,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.endpoint = endpoint
        self.may_have_succeeded = may_have_succeeded
        self.attempts = attempts

    def _where(self) -> str:
        tries = f" after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.method} {self.endpoint}{tries}"

    def __str__(self) -> str:
        return f"Infisical request {self._where()} failed: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class InfisicalTransportError(InfisicalRequestError):
    """No HTTP response arrived: connection refused or dropped, or a timeout."""

    def __init__(
        self,
        message: str,
        *,
        method: str,
        endpoint: str,
        request_sent: bool,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, method=method, endpoint=endpoint, may_have_succeeded=request_sent, attempts=attempts)
        self.request_sent = request_sent


class InfisicalApiError(InfisicalRequestError):
    """Infisical answered with an error status.

    ``message`` is Infisical's own message (scrubbed), ``error`` its error name (``TokenError``,
    ``PermissionDenied``, ``ValidationFailure`` …).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        method: str,
        endpoint: str,
        error: str = "",
        may_have_succeeded: bool = False,
        attempts: int = 1,
    ) -> None:
        super().__init__(
            message,
            method=method,
            endpoint=endpoint,
            may_have_succeeded=may_have_succeeded,
            attempts=attempts,
        )
        self.status = status
        self.error = error

    def __str__(self) -> str:
        name = f" {self.error}" if self.error else ""
        return f"Infisical API {self._where()} returned HTTP {self.status}{name}: {self.message}"


class InfisicalBadRequestError(InfisicalApiError):
    """400: Infisical refused the request (service-level validation, plan limits, conflicts)."""


class InfisicalAlreadyExistsError(InfisicalBadRequestError):
    """400 whose message says the object already exists, or the identity is already a member (never 409)."""


class InfisicalAuthenticationError(InfisicalApiError):
    """401, or a login that failed: Infisical does not know who is calling."""


class InfisicalTokenError(InfisicalAuthenticationError):
    """403 ``TokenError``: the access token is expired, malformed or revoked."""


class InfisicalPermissionError(InfisicalApiError):
    """403 other than ``TokenError``: the identity lacks a permission."""


class InfisicalNotFoundError(InfisicalApiError):
    """404: the object (or its project, environment, folder) does not exist."""


class InfisicalValidationError(InfisicalApiError):
    """422 ``ValidationFailure``: the request body failed Infisical's schema; ``issues`` lists where."""

    def __init__(self, message: str, *, issues: Sequence[dict[str, Any]] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.issues = list(issues)


class InfisicalRateLimitError(InfisicalApiError):
    """429; ``retry_after`` is the server's hint in seconds, if it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InfisicalServerError(InfisicalApiError):
    """5xx: something broke on Infisical's side."""


class InfisicalCreateUncertainError(InfisicalError):
    """A create may or may not have happened and the object could not be found by its natural key.

    Raised instead of sending the create again, which could leave a duplicate that Pulumi does not track.
    """

    def __init__(self, kind: str, key: str, cause: InfisicalRequestError) -> None:
        message = (
            f"creating the Infisical {kind} {key} may have succeeded on the server ({cause}); it could not "
            f"be confirmed, so it was not retried. Check Infisical for the {kind}: import it with "
            "`pulumi import` if it exists, or run `pulumi up` again if it does not."
        )
        super().__init__(message)
        self.kind = kind
        self.key = key
        self.cause = cause


class InfisicalCreateFailedError(InfisicalError):
    """A create failed in a way that could have created the object (a 5xx, a lost answer), and reading it
    back showed it was not: certainly nothing was made. ``explanation`` says why, where the kind knows."""

    def __init__(self, kind: str, key: str, cause: InfisicalRequestError, explanation: str | None = None) -> None:
        why = f" {explanation}" if explanation else ""
        message = (
            f"creating the Infisical {kind} {key} failed ({cause}); reading it back finds no {kind} matching it, "
            f"so it was not created.{why}"
        )
        super().__init__(message)
        self.kind = kind
        self.key = key
        self.cause = cause
        self.explanation = explanation


class InfisicalSyncFailedError(InfisicalError):
    """A secret sync's job failed in Infisical (its message says why, from Cloudflare), or did not finish."""


class InfisicalApprovalRequiredError(InfisicalError):
    """The change went to a change-approval policy instead of being applied; Pulumi cannot wait for it."""


STATUS_ERRORS: dict[int, type[InfisicalApiError]] = {
    400: InfisicalBadRequestError,
    401: InfisicalAuthenticationError,
    403: InfisicalPermissionError,
    404: InfisicalNotFoundError,
    422: InfisicalValidationError,
    429: InfisicalRateLimitError,
}


def api_error(
    method: str, template: str, response: httpx.Response, scrub: Callable[[str], str], *, may_have_succeeded: bool
) -> InfisicalApiError:
    """The typed error for an error response; every text taken from the response is scrubbed first."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    error_name = ""
    issues: list[dict[str, Any]] = []
    raw: Any = None
    if isinstance(body, dict):
        error_name = str(body.get("error") or "")
        raw = body.get("message")
    if isinstance(raw, list):
        issues = [_issue(item, scrub) for item in raw if isinstance(item, dict)]
        message = "; ".join(f"{issue['path'] or '(body)'}: {issue['message']}" for issue in issues)
    elif isinstance(raw, str) and raw:
        message = scrub(raw)
    else:
        message = response.reason_phrase or "no message"
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "…"
    common: dict[str, Any] = {"status": status, "method": method, "endpoint": template, "error": scrub(error_name)}
    if status == 429:
        return InfisicalRateLimitError(message, retry_after=server_wait_hint(response.headers), **common)
    if status == 422:
        return InfisicalValidationError(message, issues=issues, **common)
    if status >= 500:
        return InfisicalServerError(message, may_have_succeeded=may_have_succeeded, **common)
    if status == 403 and error_name == "TokenError":
        return InfisicalTokenError(message, **common)
    if status == 400 and any(phrase in message.lower() for phrase in _ALREADY_EXISTS):
        return InfisicalAlreadyExistsError(message, **common)
    return STATUS_ERRORS.get(status, InfisicalApiError)(message, **common)


def _issue(item: Mapping[str, Any], scrub: Callable[[str], str]) -> dict[str, Any]:
    path = ".".join(str(part) for part in item.get("path") or [])
    return {
        "path": scrub(path),
        "code": str(item.get("code", "")),
        "message": scrub(str(item.get("message", "invalid"))),
    }


def decode(response: httpx.Response, method: str, template: str) -> Any:
    """The JSON body of a successful response (``{}`` when empty)."""
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        raise InfisicalApiError(
            "the response was not JSON", status=response.status_code, method=method, endpoint=template
        ) from None
