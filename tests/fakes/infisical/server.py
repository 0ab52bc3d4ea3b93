"""`FakeInfisical`: the fake API served by uvicorn on 127.0.0.1 (OS-chosen port) in a background thread.

Tests drive it through Python: reset state, arm faults, expire tokens, create login credentials, trust an
OIDC issuer, and count the requests the client made. Behaviours that differ between Infisical versions,
plans or deployments are switches (``folder_behaviour``, ``ip_allowlisting``, ``rate_limits``,
``allow_internal_ip_connections``, ``internet``); the simulated Cloudflare account behind the secret syncs
is a control (``unknown_scripts``, ``rejected_tokens``, ``sync_job_seconds``).
"""

from __future__ import annotations

import fnmatch
import socket
import threading
import time
from types import TracebackType
from typing import Any, Self

import uvicorn

from .app import build_app
from .faults import Fault, FaultInjector, FaultPlan, RecordedRequest
from .oidc import GITHUB_ISSUER, OidcIssuer
from .rate_limits import RateLimiter, RateLimits
from .store import FOLDER_BEHAVIOURS, FolderBehaviour, Store, new_id


class FakeInfisical:
    """The fake server.

    ``folder_behaviour`` picks how a create of an existing folder is answered: ``"current"`` (the default,
    today's backend) answers 400 ``Folder with name '<n>' already exists in path '<p>'``; ``"legacy"`` (older
    backends) answers 200 with the existing folder. Settable per test; `reset` restores the constructor's value.

    ``internet``: whether the server reaches GitHub's OIDC issuer, as a server with internet access does
    (default); without it, attaching OIDC auth bound to GitHub answers 500, as the recorded server did.
    ``allow_internal_ip_connections``: the server's ``ALLOW_INTERNAL_IP_CONNECTIONS``, which a loopback
    OIDC issuer needs (`discovery`).
    """

    def __init__(
        self,
        admin_token: str = "fake-admin-token",
        folder_behaviour: FolderBehaviour = "current",
        *,
        internet: bool = True,
        allow_internal_ip_connections: bool = False,
    ) -> None:
        if folder_behaviour not in FOLDER_BEHAVIOURS:
            raise ValueError(f"folder_behaviour must be one of {FOLDER_BEHAVIOURS}, not {folder_behaviour!r}")
        self._default_folder_behaviour: FolderBehaviour = folder_behaviour
        self._internet = internet
        self._allow_internal_ip_connections = allow_internal_ip_connections
        self.github = OidcIssuer(GITHUB_ISSUER, kid="fake-github")
        """GitHub's issuer as the fake sees it; `trust_issuer` with a test's own replaces it."""
        self.store = Store(admin_token=admin_token)
        self._restore_switches()
        self.faults = FaultPlan()
        self.app = FaultInjector(build_app(self.store), self.faults)
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----

    def start(self, timeout: float = 10.0) -> Self:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # accepted sockets inherit it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_config=None,
            log_level="critical",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="fake-infisical", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Infisical server did not start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Empty every table, disarm every fault, forget recorded requests, restore every switch."""
        self.store.reset()
        self._restore_switches()
        self.faults.clear()

    def _restore_switches(self) -> None:
        with self.store.lock:
            self.store.folder_behaviour = self._default_folder_behaviour
            self.store.ip_allowlisting = False
            self.store.sync_job_seconds = 0.0
            self.store.rate_limiter = None
            self.store.allow_internal_ip_connections = self._allow_internal_ip_connections
            if self._internet:
                self.store.oidc_keys[GITHUB_ISSUER] = self.github.public_key

    @property
    def allow_internal_ip_connections(self) -> bool:
        """The server's ``ALLOW_INTERNAL_IP_CONNECTIONS``: may it fetch OIDC documents from 127.0.0.1?"""
        return self.store.allow_internal_ip_connections

    @allow_internal_ip_connections.setter
    def allow_internal_ip_connections(self, value: bool) -> None:
        with self.store.lock:
            self.store.allow_internal_ip_connections = value

    @property
    def rate_limits(self) -> RateLimits | None:
        """Rate limits per client IP (off by default); `rate_limited` and `early_retries` count what happened."""
        limiter = self.store.rate_limiter
        return limiter.limits if limiter else None

    @rate_limits.setter
    def rate_limits(self, value: RateLimits | None) -> None:
        with self.store.lock:
            self.store.rate_limiter = RateLimiter(value) if value else None

    @property
    def rate_limited(self) -> int:
        """429s answered since `rate_limits` was set."""
        return self.store.rate_limiter.refused if self.store.rate_limiter else 0

    @property
    def early_retries(self) -> int:
        """Requests that came back before the ``Retry-After`` of their 429 had passed."""
        return self.store.rate_limiter.early if self.store.rate_limiter else 0

    # -- behaviour switches ----

    @property
    def folder_behaviour(self) -> FolderBehaviour:
        return self.store.folder_behaviour

    @folder_behaviour.setter
    def folder_behaviour(self, value: FolderBehaviour) -> None:
        if value not in FOLDER_BEHAVIOURS:
            raise ValueError(f"folder_behaviour must be one of {FOLDER_BEHAVIOURS}, not {value!r}")
        with self.store.lock:
            self.store.folder_behaviour = value

    @property
    def ip_allowlisting(self) -> bool:
        """Whether the organisation's plan allows trusted IP ranges other than 0.0.0.0/0 and ::/0 (default no)."""
        return self.store.ip_allowlisting

    @ip_allowlisting.setter
    def ip_allowlisting(self, value: bool) -> None:
        with self.store.lock:
            self.store.ip_allowlisting = value

    # -- the simulated Cloudflare account behind secret syncs ----

    @property
    def sync_job_seconds(self) -> float:
        """How long a queued sync or remove job runs (0: it has finished by the next request)."""
        return self.store.sync_job_seconds

    @sync_job_seconds.setter
    def sync_job_seconds(self, value: float) -> None:
        with self.store.lock:
            self.store.sync_job_seconds = value

    @property
    def unknown_scripts(self) -> set[str]:
        """Worker script ids Cloudflare does not know: a sync job against one fails (error 10007)."""
        return self.store.unknown_scripts

    @property
    def rejected_tokens(self) -> set[str]:
        """Cloudflare API tokens Cloudflare refuses (error 10000): connection creates and sync jobs fail."""
        return self.store.rejected_tokens

    # -- test controls ----

    @property
    def admin_token(self) -> str:
        return self.store.admin_token

    @property
    def org_id(self) -> str:
        return self.store.org_id

    def environment(self, **extra: str) -> dict[str, str]:
        """Environment variables that point the provider package at this server with the admin token."""
        return {"INFISICAL_HOST": self.url, "INFISICAL_TOKEN": self.admin_token, **extra}

    def inject(self, method: str, path: str, fault: Fault, times: int = 1) -> None:
        """Apply ``fault`` to the next ``times`` requests matching ``method`` and the ``path`` pattern."""
        self.faults.add(method, path, fault, times)

    def expire_tokens(self) -> None:
        """Every token issued by a login so far now answers 403 TokenError (the admin token stays valid)."""
        self.store.expire_tokens()

    def add_universal_auth(
        self, identity_id: str | None = None, client_id: str | None = None, client_secret: str | None = None
    ) -> tuple[str, str]:
        """Client id and secret that log in as ``identity_id`` (new random values unless given)."""
        client_id = client_id or new_id()
        client_secret = client_secret or f"ua-secret-{new_id()}"
        with self.store.lock:
            self.store.universal_auth[client_id] = (client_secret, identity_id or new_id())
        return client_id, client_secret

    def trust_issuer(self, issuer: OidcIssuer) -> None:
        """Make ``issuer.discovery_url`` reachable without the network (it stands for a public issuer such as
        GitHub's): OIDC auth can be attached to it, and logins verify the tokens ``issuer`` signs."""
        with self.store.lock:
            self.store.oidc_keys[issuer.discovery_url] = issuer.public_key

    def requests(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        with self.faults.lock:
            recorded = list(self.faults.requests)
        return [
            r
            for r in recorded
            if (method is None or r.method == method.upper()) and (path is None or fnmatch.fnmatchcase(r.path, path))
        ]

    def count(self, method: str | None = None, path: str | None = None) -> int:
        return len(self.requests(method, path))

    def clear_requests(self) -> None:
        with self.faults.lock:
            self.faults.requests.clear()

    # -- direct state access ----

    def table(self, name: str) -> list[dict[str, Any]]:
        """A snapshot of one table (``projects``, ``environments``, ``secrets`` …) for assertions."""
        with self.store.lock:
            rows = getattr(self.store, name)
            return [dict(row) for row in rows.values()]
