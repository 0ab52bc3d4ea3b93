"""``GET /api/status``: the unauthenticated health answer, on the rate limiters' allow list
(``allowList`` in backend/src/server/config/rateLimiter.ts).

The values are those of a self-hosted server with Redis and no email or secret scanning configured, as
recorded.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.infisical.routing import Call, RouteTable
from tests.fakes.infisical.store import Store, now

routes = RouteTable()


@routes.route("GET", "/api/status", auth=False, limit=None)
def status(_store: Store, _call: Call) -> Any:
    return {
        "date": now(),
        "message": "Ok",
        "emailConfigured": False,
        "inviteOnlySignup": True,
        "redisConfigured": True,
        "secretScanningConfigured": False,
        "auditLogStorageDisabled": False,
        "maxIdentityAccessTokenTTL": 7_776_000,
    }
