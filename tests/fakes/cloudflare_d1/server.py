"""`StandInCloudflare`: the D1 endpoints of Cloudflare's API that wrangler calls, served on 127.0.0.1.

wrangler 4.86.0 takes its API base from ``CLOUDFLARE_API_BASE_URL`` (``getCloudflareApiBaseUrl`` in
node_modules/wrangler/wrangler-dist/cli.js), so pointing that variable at :attr:`StandInCloudflare.api` sends
every call here. The endpoints and the response shapes wrangler parses, from the same file:

* ``POST /accounts/{account}/d1/database/{id}/query`` with ``{"sql": …}`` (``d1ApiPost`` in
  src/d1/execute.ts: ``d1 execute --remote``, and ``d1 migrations list|apply --remote``, which send their
  ledger reads and each migration through it): ``result`` is one ``{results, success, meta}`` per statement;
* ``GET /accounts/{account}/d1/database/{id}`` (``getDatabaseInfoFromIdOrName``, src/d1/utils.ts): the
  ``version`` field, which ``time-travel`` refuses when it is ``alpha``;
* ``GET /accounts/{account}/d1/database/{id}/time_travel/bookmark[?timestamp=]``
  (``getBookmarkIdFromTimestamp``, src/d1/timeTravel/utils.ts): ``result.bookmark``;
* ``POST /accounts/{account}/d1/database/{id}/time_travel/restore?bookmark=`` (``handleRestore``,
  src/d1/timeTravel/restore.ts): ``result.bookmark`` and ``result.previous_bookmark``;
* ``GET /accounts/{account}/d1/database?per_page=&page=`` (``listDatabases``, src/d1/list.ts): a restore
  run outside a wrangler config finds the database by name here.

Every answer uses Cloudflare's envelope (``success``, ``errors`` of ``{code, message}``, ``messages``,
``result``), which ``fetchResult`` (src/cfetch/internal.ts in the bundle) unwraps. Anything else answers 404
and is recorded, so an unexpected call fails loudly.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.loopback import LoopbackServer

from .store import Account, Call, Database, QueryError

PREFIX = "/client/v4"
DATABASE = PREFIX + "/accounts/{account}/d1/database/{uuid}"


def _envelope(result: Any, status: int = 200, errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    body = {"result": result, "success": not errors, "errors": errors or [], "messages": []}
    return JSONResponse(body, status_code=status)


def _error(status: int, code: int, message: str) -> JSONResponse:
    return _envelope(None, status, [{"code": code, "message": message}])


def build_app(account: Account) -> Starlette:
    def info(db: Database, request: Request, call: Call, body: Any) -> JSONResponse:
        return _envelope(db.info())

    def query(db: Database, request: Request, call: Call, body: Any) -> JSONResponse:
        try:
            results, call.wrote = db.query(str((body or {}).get("sql", "")))
        except QueryError as error:
            call.wrote = False
            return _error(400, 7500, str(error))
        return _envelope(results)

    def bookmark(db: Database, request: Request, call: Call, body: Any) -> JSONResponse:
        if not account.time_travel_available:
            return _error(400, 7500, "Time Travel is not available for this database")
        return _envelope({"bookmark": db.mark()})

    def restore(db: Database, request: Request, call: Call, body: Any) -> JSONResponse:
        wanted = request.query_params.get("bookmark", "")
        if wanted not in db.snapshots:
            return _error(400, 7500, "Unknown bookmark")
        previous = db.restore(wanted)
        return _envelope({"bookmark": wanted, "previous_bookmark": previous, "message": "Restored"})

    def database_route(path: str, method: str, handler: Any) -> Route:
        async def endpoint(request: Request) -> JSONResponse:
            call = Call(request.method, request.url.path)
            account.record(call)
            body = await request.json() if method == "POST" and await request.body() else None
            if request.headers.get("authorization") != f"Bearer {account.token}":
                return _error(401, 10000, "Authentication error")
            with account.lock:
                db = account.databases.get(request.path_params["uuid"])
                if db is None or request.path_params["account"] != account.account_id:
                    return _error(404, 7404, "The database could not be found")
                response: JSONResponse = handler(db, request, call, body)
                return response

        return Route(path, endpoint, methods=[method])

    async def listing(request: Request) -> JSONResponse:
        account.record(Call(request.method, request.url.path))
        if request.headers.get("authorization") != f"Bearer {account.token}":
            return _error(401, 10000, "Authentication error")
        if request.path_params["account"] != account.account_id:
            return _error(403, 10000, "Authentication error")
        size = int(request.query_params.get("per_page", "10"))
        page = int(request.query_params.get("page", "1"))
        with account.lock:
            listed = [db.info() for db in account.databases.values()]
        return _envelope(listed[(page - 1) * size : page * size])

    async def unknown(request: Request) -> JSONResponse:
        account.record(Call(request.method, request.url.path))
        return _error(404, 7003, f"No route for {request.method} {request.url.path}")

    return Starlette(
        routes=[
            Route(PREFIX + "/accounts/{account}/d1/database", listing, methods=["GET"]),
            database_route(DATABASE, "GET", info),
            database_route(DATABASE + "/query", "POST", query),
            database_route(DATABASE + "/time_travel/bookmark", "GET", bookmark),
            database_route(DATABASE + "/time_travel/restore", "POST", restore),
            Route("/{path:path}", unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]
    )


class StandInCloudflare(LoopbackServer):
    """The stand-in API, served by uvicorn in a background thread on an OS-chosen port."""

    name = "stand-in Cloudflare API"

    def __init__(self, account_id: str, token: str = "stand-in-cloudflare-token") -> None:
        self.account = Account(account_id, token)
        super().__init__(build_app(self.account))

    @property
    def api(self) -> str:
        """The value for ``CLOUDFLARE_API_BASE_URL``."""
        return self.url + PREFIX

    def environment(self) -> dict[str, str]:
        """What points wrangler here: the API base and the accepted token."""
        return {"CLOUDFLARE_API_BASE_URL": self.api, "CLOUDFLARE_API_TOKEN": self.account.token}

    def calls(self) -> list[Call]:
        return self.account.log()

    def describe_calls(self) -> str:
        """The call log as text, for assertion messages."""
        return json.dumps([call.__dict__ for call in self.calls()], indent=1)
