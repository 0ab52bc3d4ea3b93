"""The fake Infisical HTTP API: every area's routes (`routes`) served over one `Store`.

Covers the routes the provider package uses plus the lookups it recovers with. Each area module cites the
backend source it follows; shared behaviour (auth, error envelope, zod-like validation) lives in `routing`,
`errors` and `validation`. None of it is shared with the client under test.
"""

from __future__ import annotations

from starlette.applications import Starlette

from .routes import ALL
from .routing import build_app as build_routes
from .store import Store


def build_app(store: Store) -> Starlette:
    return build_routes(store, ALL)
