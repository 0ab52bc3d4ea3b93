"""Serve the fake Infisical on 127.0.0.1 until interrupted, as a stand-in for a real server's URL.

    python -m tests.fakes.infisical [--allow-internal-ip-connections] [--no-internet]

Prints the shell exports that point a client (or ``pytest tests/acceptance``) at it: INFISICAL_SITE_URL,
INFISICAL_TOKEN (its admin token) and INFISICAL_ORGANIZATION_ID. Exit codes: 0 after Ctrl-C, 2 for bad
arguments.
"""

from __future__ import annotations

import argparse
import threading

from .server import FakeInfisical


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.infisical", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--allow-internal-ip-connections",
        action="store_true",
        help="as a server run with ALLOW_INTERNAL_IP_CONNECTIONS=true: OIDC issuers on 127.0.0.1 are reachable",
    )
    parser.add_argument(
        "--no-internet", action="store_true", help="as a server without internet: GitHub's OIDC issuer is unreachable"
    )
    args = parser.parse_args(argv)
    fake = FakeInfisical(
        internet=not args.no_internet, allow_internal_ip_connections=args.allow_internal_ip_connections
    )
    with fake:
        print(f"export INFISICAL_SITE_URL={fake.url}")
        print(f"export INFISICAL_TOKEN={fake.admin_token}")
        print(f"export INFISICAL_ORGANIZATION_ID={fake.org_id}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
