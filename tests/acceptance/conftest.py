"""Acceptance tests talk to a real Infisical; they skip (with the reason) unless explicitly enabled.

Enable with ``INFISICAL_ACCEPTANCE=1`` plus ``INFISICAL_SITE_URL`` (or ``INFISICAL_HOST``) and either
``INFISICAL_TOKEN`` or universal-auth credentials. Identity tests also need ``INFISICAL_ORGANIZATION_ID``;
Cloudflare tests need ``CLOUDFLARE_API_TOKEN``, ``CLOUDFLARE_ACCOUNT_ID`` and ``CLOUDFLARE_WORKER_SCRIPT``
(an existing, deployed Worker whose secrets may be overwritten). See docs/infisical-provider.md.

OIDC identities are bound to `oidc_issuer`, an issuer these tests serve on 127.0.0.1 and whose tokens
they mint, so OIDC logins need no internet: the Infisical server must run on this machine with
``ALLOW_INTERNAL_IP_CONNECTIONS=true``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from components.infisical import InfisicalError, InfisicalNotFoundError, clear_token_cache

from .oidc_issuer import LoopbackIssuer


def _missing(*groups: tuple[str, ...]) -> list[str]:
    """For each group of alternatives, the group if none of its variables is set."""
    return [" or ".join(group) for group in groups if not any(os.environ.get(name) for name in group)]


@pytest.fixture(scope="session")
def live_infisical() -> None:
    if os.environ.get("INFISICAL_ACCEPTANCE") != "1":
        pytest.skip("acceptance tests are off: set INFISICAL_ACCEPTANCE=1 to run them against a real Infisical")
    has_ua = os.environ.get("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID") and os.environ.get(
        "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET"
    )
    missing = _missing(("INFISICAL_SITE_URL", "INFISICAL_HOST"))
    if not (os.environ.get("INFISICAL_TOKEN") or has_ua):
        missing.append("INFISICAL_TOKEN or INFISICAL_UNIVERSAL_AUTH_CLIENT_ID + INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET")
    if missing:
        pytest.skip(f"acceptance tests need: {'; '.join(missing)}")
    clear_token_cache()


@pytest.fixture(scope="session")
def organization_id(live_infisical: None) -> str:
    value = os.environ.get("INFISICAL_ORGANIZATION_ID", "")
    if not value:
        pytest.skip("identity tests need INFISICAL_ORGANIZATION_ID (the organization the identity is created in)")
    return value


@dataclass(frozen=True)
class CloudflareTarget:
    account_id: str
    api_token: str = field(repr=False)
    script: str


@pytest.fixture(scope="session")
def cloudflare(live_infisical: None) -> CloudflareTarget:
    missing = _missing(("CLOUDFLARE_API_TOKEN",), ("CLOUDFLARE_ACCOUNT_ID",), ("CLOUDFLARE_WORKER_SCRIPT",))
    if missing:
        pytest.skip(f"Cloudflare connection/sync tests need: {', '.join(missing)}")
    return CloudflareTarget(
        os.environ["CLOUDFLARE_ACCOUNT_ID"], os.environ["CLOUDFLARE_API_TOKEN"], os.environ["CLOUDFLARE_WORKER_SCRIPT"]
    )


@pytest.fixture(scope="session")
def oidc_issuer(live_infisical: None) -> Iterator[LoopbackIssuer]:
    """The OIDC issuer the identities under test are bound to, served on 127.0.0.1 for the whole session.

    ``INFISICAL_ACCEPTANCE_ISSUER_URL`` (with ``INFISICAL_ACCEPTANCE_ISSUER_PORT``) serves it behind a
    tunnel for a server that is not on this machine, such as Infisical Cloud.
    """
    public_url = os.environ.get("INFISICAL_ACCEPTANCE_ISSUER_URL") or None
    port = int(os.environ.get("INFISICAL_ACCEPTANCE_ISSUER_PORT") or 0)
    with LoopbackIssuer(port=port, public_url=public_url) as issuer:
        yield issuer


@pytest.fixture(scope="session")
def run_id() -> str:
    """Unique per run, so parallel or aborted runs never collide; lowercase for slugs."""
    return f"pa{uuid.uuid4().hex[:8]}"


@pytest.fixture
def cleanup() -> Iterator[Callable[[Callable[[], None]], None]]:
    """Register deletions; they run in reverse order even when the test fails. 404s are fine."""
    actions: list[Callable[[], None]] = []
    yield actions.append
    errors: list[BaseException] = []
    for action in reversed(actions):
        try:
            action()
        except InfisicalNotFoundError:
            pass
        except InfisicalError as error:
            errors.append(error)
    if errors:
        raise AssertionError(f"cleanup left objects behind: {errors}")
