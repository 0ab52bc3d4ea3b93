"""How a route of the fake is declared and served: one `RouteTable` per Infisical area, one `Call` per request.

Every area module fills a table with plain functions ``handler(store, call) -> JSON``; `build_app` turns the
tables into a starlette app. Serving a call checks the bearer token (401 without one, 403 ``TokenError`` for
a bad or expired one, as ``verifyAuth`` in backend/src/server/plugins/auth/verify-auth.ts and
backend/src/server/plugins/auth/inject-identity.ts answer), counts it against the route's rate limit
(`rate_limits`; reads, writes or secrets), parses the JSON body, settles the secret-sync jobs that are due,
and runs the handler under the store's lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import sync_jobs
from .errors import ApiError, bad_request, handle_api_error, route_not_found, server_error
from .rate_limits import Category
from .store import Store


@dataclass(frozen=True)
class Call:
    path: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    actor: str | None = None  # the machine identity a login token belongs to; None for the admin token


Handler = Callable[[Store, Call], Any]


@dataclass(frozen=True)
class Entry:
    method: str
    path: str
    handler: Handler
    auth: bool
    limit: Category | None


@dataclass
class RouteTable:
    entries: list[Entry] = field(default_factory=list)
    limit: Category | None = None
    """The rate-limit category of every route of the table (default: reads for GET, writes otherwise)."""

    def route(
        self, method: str, path: str, *, auth: bool = True, limit: Category | Literal["default"] | None = "default"
    ) -> Callable[[Handler], Handler]:
        category = (self.limit or ("read" if method == "GET" else "write")) if limit == "default" else limit

        def register(handler: Handler) -> Handler:
            self.entries.append(Entry(method, path, handler, auth, category))
            return handler

        return register

    def get(self, path: str) -> Callable[[Handler], Handler]:
        return self.route("GET", path)

    def post(self, path: str, *, auth: bool = True) -> Callable[[Handler], Handler]:
        return self.route("POST", path, auth=auth)

    def patch(self, path: str) -> Callable[[Handler], Handler]:
        return self.route("PATCH", path)

    def delete(self, path: str) -> Callable[[Handler], Handler]:
        return self.route("DELETE", path)


def build_app(store: Store, tables: Iterable[RouteTable]) -> Starlette:
    routes = [
        Route(entry.path, _endpoint(store, entry), methods=[entry.method])
        for table in tables
        for entry in table.entries
    ]
    return Starlette(routes=routes, exception_handlers={ApiError: handle_api_error, 404: route_not_found})


def _endpoint(store: Store, entry: Entry) -> Callable[[Request], Any]:
    handler = entry.handler

    async def asgi(request: Request) -> JSONResponse:
        actor = _authenticate(request, store) if entry.auth else None
        raw = await request.body()
        limiter = store.rate_limiter
        if limiter is not None and entry.limit is not None:
            client = request.client.host if request.client else "unknown"
            identity = f"{client} {request.method} {request.url} {hashlib.sha256(raw).hexdigest()}"
            limiter.hit(client, entry.limit, identity)
        if not raw and request.method != "GET" and "json" in request.headers.get("content-type", ""):
            # Fastify refuses an empty JSON body (FST_ERR_CTP_EMPTY_JSON_BODY); the error handler
            # (backend/src/server/plugins/error-handler.ts) has no branch for it, so the answer is its
            # catch-all 500 "Something went wrong" (recorded).
            raise server_error()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise bad_request("Body is not valid JSON") from None
        call = Call(request.path_params, request.query_params, body, actor)
        with store.lock:
            sync_jobs.settle(store)
            result = handler(store, call)
        return JSONResponse(result)

    return asgi


def _authenticate(request: Request, store: Store) -> str | None:
    header = request.headers.get("authorization", "")
    if not header:
        raise ApiError(401, "Token missing", "UnauthorizedError")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        raise ApiError(401, "Invalid authorization header", "UnauthorizedError")
    with store.lock:
        return store.check_token(header[7:].strip())
