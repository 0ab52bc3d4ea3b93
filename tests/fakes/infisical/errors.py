"""Infisical's error envelope: ``{"reqId", "statusCode", "message", "error"}``, never a 409.

Modelled on backend/src/server/plugins/error-handler.ts: conflicts are 400 BadRequest, zod failures 422
``ValidationFailure`` with the issue array as ``message``, a bad or expired JWT 403 ``TokenError``.
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
    def __init__(self, status: int, message: Any, error: str | None = None) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.error = error or ERROR_NAMES.get(status, "Error")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, "BadRequest")


def not_found(message: str) -> ApiError:
    return ApiError(404, message, "NotFound")


def error_body(status: int, message: Any, error: str) -> dict[str, Any]:
    return {"reqId": f"req-{uuid.uuid4().hex[:12]}", "statusCode": status, "message": message, "error": error}


def error_response(status: int, message: Any, error: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, message, error), status_code=status, headers=headers)


async def handle_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.error)
