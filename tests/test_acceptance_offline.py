"""The acceptance suite, run as against a real Infisical: over HTTP, at a URL, with no internet.

The fake server is served on loopback as a server without internet access that runs with
``ALLOW_INTERNAL_IP_CONNECTIONS=true``; ``pytest tests/acceptance -m acceptance`` runs in its own process
with only the URL, the admin token, the organization and dummy Cloudflare values, exactly as
docs/infisical-provider.md tells a user to run it against their own server. Every OIDC identity is bound
to the suite's own loopback issuer, which the server fetches at attach and login. Everything must pass,
and only the two tests that need real people's user and group names may skip.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.fakes.infisical import FakeInfisical

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_SKIPS = {"INFISICAL_ACCEPTANCE_USERNAME", "INFISICAL_ACCEPTANCE_GROUP"}


def test_the_acceptance_suite_passes_against_a_server_at_a_loopback_url() -> None:
    with FakeInfisical(internet=False, allow_internal_ip_connections=True) as fake:
        environment = {k: v for k, v in os.environ.items() if not k.startswith(("INFISICAL_", "CLOUDFLARE_"))}
        environment |= {
            "INFISICAL_ACCEPTANCE": "1",
            "INFISICAL_SITE_URL": fake.url,
            "INFISICAL_TOKEN": fake.admin_token,
            "INFISICAL_ORGANIZATION_ID": fake.org_id,
            "CLOUDFLARE_API_TOKEN": "acceptance-cloudflare-token",
            "CLOUDFLARE_ACCOUNT_ID": "0123456789abcdef0123456789abcdef",
            "CLOUDFLARE_WORKER_SCRIPT": "acme-acceptance",
        }
        command = [sys.executable, "-m", "pytest", "tests/acceptance", "-m", "acceptance", "-q", "-rs"]
        result = subprocess.run(
            [*command, "-p", "no:cacheprovider"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    output = result.stdout
    assert result.returncode == 0, output[-4000:] + result.stderr[-2000:]
    counts = {word: int(number) for number, word in re.findall(r"(\d+) (passed|skipped|failed|errors?)", output)}
    skipped = [line for line in output.splitlines() if line.startswith("SKIPPED")]
    assert {name for name in EXPECTED_SKIPS if any(f"set {name} " in line for line in skipped)} == EXPECTED_SKIPS
    assert counts.get("skipped") == len(EXPECTED_SKIPS), skipped
    assert counts.get("passed", 0) >= 17 and "failed" not in counts, output[-2000:]
