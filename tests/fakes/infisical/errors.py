"""Infisical's error envelope: ``{"reqId", "statusCode", "message", "error"}``, never a 409.

Modelled on backend/src/server/plugins/error-handler.ts: conflicts are 400 BadRequest, zod failures 422
``ValidationFailure`` with the issue array as ``message``, a bad or expired JWT 403 ``TokenError``, a CASL
refusal 403 ``PermissionDenied`` with the rules for the action in ``details``, and any error it has no
branch for 500 ``InternalServerError`` "Something went wrong".
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

ERROR_NAMES = {
    400: "BadRequest",
    401: "UnauthorizedError",
    403: "PermissionDenied",
    404: "NotFound",
    422: "ValidationFailure",
    429: "RateLimitExceeded",
    500: "InternalServerError",
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: Any,
        error: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.error = error or ERROR_NAMES.get(status, "Error")
        self.details = details
        self.headers = headers


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, "BadRequest")


def not_found(message: str) -> ApiError:
    return ApiError(404, message, "NotFound")


def server_error() -> ApiError:
    """What the error handler answers for any error it has no branch for (a database or network error)."""
    return ApiError(500, "Something went wrong", "InternalServerError")


def error_body(status: int, message: Any, error: str, details: Any = None) -> dict[str, Any]:
    body = {"reqId": f"req-{uuid.uuid4().hex[:12]}", "statusCode": status, "message": message, "error": error}
    if details is not None:
        body["details"] = details
    return body


def error_response(status: int, message: Any, error: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, error), status_code=status, headers=headers)


async def handle_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    body = error_body(exc.status, exc.message, exc.error, exc.details)
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


async def route_not_found(request: Request, _exc: Exception) -> JSONResponse:
    """Fastify's own answer for a path no route serves (it never reaches Infisical's error handler)."""
    message = f"Route {request.method}:{request.url.path} not found"
    return JSONResponse({"message": message, "error": "Not Found", "statusCode": 404}, status_code=404)
