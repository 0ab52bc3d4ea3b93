"""Fault injection and request recording, as an ASGI layer in front of the fake's routes.

Tests arm faults from Python (`FaultPlan.add`), never over HTTP. Each fault applies to the next ``times``
requests whose method and path match (path patterns use shell wildcards). Slow responses and dropped
connections can happen *after* the request was processed, which is the case that matters for creates:
the object exists but the client never hears about it.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from .errors import error_body

Scope = dict[str, Any]
Message = dict[str, Any]


@dataclass(frozen=True)
class RateLimited:
    """429 before any processing, with ``Retry-After`` and/or ``X-RateLimit-Reset`` headers."""

    retry_after: str | None = "1"
    reset: str | None = None


@dataclass(frozen=True)
class ErrorResponse:
    """An error answer before any processing: a 500 by default, or e.g. a 403 ``TokenError``."""

    status: int = 500
    message: str = "Something went wrong"
    error: str = "InternalServerError"


@dataclass(frozen=True)
class SlowResponse:
    """Delay the response by ``seconds``; with ``process`` the request takes effect before the delay."""

    seconds: float
    process: bool = True


@dataclass(frozen=True)
class DropConnection:
    """Close the socket without any response; with ``process`` the request takes effect first."""

    process: bool = True


@dataclass(frozen=True)
class EchoError:
    """An error whose message quotes the request body and ``Authorization`` header, as careless servers do."""

    status: int = 400


Fault = RateLimited | ErrorResponse | SlowResponse | DropConnection | EchoError


@dataclass
class _Armed:
    method: str
    path: str
    fault: Fault
    remaining: int


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    authorized: bool
    raw_path: str = ""


@dataclass
class FaultPlan:
    lock: threading.Lock = field(default_factory=threading.Lock)
    armed: list[_Armed] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)

    def add(self, method: str, path: str, fault: Fault, times: int = 1) -> None:
        with self.lock:
            self.armed.append(_Armed(method.upper(), path, fault, times))

    def clear(self) -> None:
        with self.lock:
            self.armed.clear()
            self.requests.clear()

    def record(self, method: str, path: str, authorized: bool, raw_path: str = "") -> Fault | None:
        with self.lock:
            self.requests.append(RecordedRequest(method, path, authorized, raw_path or path))
            for armed in self.armed:
                if armed.remaining > 0 and armed.method in (method, "*") and fnmatch.fnmatchcase(path, armed.path):
                    armed.remaining -= 1
                    return armed.fault
        return None


class FaultInjector:
    """ASGI middleware: records every request, then either serves it or applies the armed fault."""

    def __init__(self, app: Any, plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        headers = dict(scope.get("headers") or [])
        raw_path = (scope.get("raw_path") or b"").decode("ascii", errors="replace")
        fault = self.plan.record(scope["method"], scope["path"], b"authorization" in headers, raw_path)

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        match fault:
            case None:
                await self.app(scope, replay, send)
            case RateLimited(retry_after=retry_after, reset=reset):
                extra = {"retry-after": retry_after, "x-ratelimit-reset": reset}
                message = f"Rate limit exceeded. Please try again in {retry_after or reset or 60} seconds"
                await _send_json(send, 429, error_body(429, message, "RateLimitExceeded"), extra)
            case ErrorResponse(status=status, message=message, error=error):
                await _send_json(send, status, error_body(status, message, error))
            case EchoError(status=status):
                authorization = headers.get(b"authorization", b"").decode(errors="replace")
                message = f"Invalid request body: {body.decode(errors='replace')} (sent with {authorization!r})"
                await _send_json(send, status, error_body(status, message, "BadRequest"))
            case SlowResponse(seconds=seconds, process=True):
                held = await _capture(self.app, scope, replay)
                await asyncio.sleep(seconds)
                for message_ in held:
                    await send(message_)
            case SlowResponse(seconds=seconds, process=False):
                await asyncio.sleep(seconds)
                await self.app(scope, replay, send)
            case DropConnection(process=process):
                if process:
                    await _capture(self.app, scope, replay)
                await _drop(send)


async def _read_body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _capture(app: Any, scope: Scope, receive: Any) -> list[Message]:
    held: list[Message] = []

    async def keep(message: Message) -> None:
        held.append(message)

    await app(scope, receive, keep)
    return held


async def _send_json(send: Any, status: int, body: Any, headers: dict[str, str | None] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.encode(), val.encode()) for k, val in (headers or {}).items() if val is not None]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload, "more_body": False})


async def _drop(send: Any) -> None:
    """Abort the TCP connection with nothing sent.

    uvicorn's ``send`` is a bound method of the request cycle that owns the transport; aborting it is a
    real drop (the client sees the connection close with no response). If that internal changes, fall back
    to promising a body and never sending it, which uvicorn answers by closing the connection.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None:
        transport.abort()
        await asyncio.sleep(0)  # let uvicorn see the disconnect so it does not try to answer
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
    raise ConnectionAbortedError("dropping the connection")
