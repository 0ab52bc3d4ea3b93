"""The login actions, run for real: GitHub's OIDC token -> an Infisical access token, against the local
Infisical-compatible server that the committed stages were applied into.

The token goes to ``GITHUB_OUTPUT`` only, masked before it is written (and the JWT before the login); nothing goes
to ``GITHUB_ENV``. The identity each workflow job names gets exactly its own stage's folders.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import tests.workflow_tools as wf
from tests.fakes.infisical import FakeInfisical
from tests.fakes.infisical.fixtures import fake_infisical, fake_infisical_server
from tests.test_isolation_e2e import ISSUER, REPO, TOKEN_KEY, applied, read
from tests.workflow_steps import INFISICAL_RUN_STUB, run_step, stub_command, token_endpoint

__all__ = ["applied", "fake_infisical", "fake_infisical_server"]

AUDIENCE = "https://github.com/acme"
LOGIN, MASK = wf.action_steps("infisical-login")


def _login(fake: FakeInfisical, tmp_path: Path, identity_id: str, subject: str) -> Any:
    issued: list[str] = []

    def issue(audience: str) -> str:
        issued.append(ISSUER.token(subject=subject, audience=audience, claims={"repository": "acme/app"}))
        return issued[-1]

    inputs = {"inputs.identity-id": identity_id, "inputs.host": fake.url + "/", "inputs.audience": AUDIENCE}
    with token_endpoint(issue) as url:
        result = run_step(
            LOGIN,
            tmp_path,
            inputs,
            env={
                "ACTIONS_ID_TOKEN_REQUEST_URL": url,
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "actions-request-token",
            },
        )
    return result, issued


def test_the_staging_job_logs_in_to_a_masked_step_output_and_reads_only_staging(
    fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    result, (jwt,) = _login(fake_infisical, tmp_path, applied["staging"]["ciIdentityId"], f"{REPO}:environment:staging")
    assert result.returncode == 0, result.stdout + result.stderr
    token = result.outputs["token"]
    assert result.github_env == "", "nothing for later steps to inherit unasked"
    assert result.masked() == [jwt, token], "the JWT is masked before the login, the token before it is written"
    assert jwt not in result.stderr and token not in result.stderr
    assert read(fake_infisical, token, "staging", "/cloudflare") == 200
    assert read(fake_infisical, token, "prod", "/cloudflare") == 403


def test_a_subject_the_identity_does_not_bind_fails_with_infisicals_reason(
    fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """A pull request (the preview job's subject) never gets the staging deploy identity, nor prod's."""
    for stage in ("staging", "prod"):
        result, _ = _login(fake_infisical, tmp_path, applied[stage]["ciIdentityId"], f"{REPO}:pull_request")
        assert result.returncode == 1 and result.outputs == {} and result.github_env == ""
        assert (
            f"::error::Infisical OIDC login as identity {applied[stage]['ciIdentityId']} failed (HTTP 4"
            in result.stdout
        )
        assert "Access denied: OIDC" in result.stdout, "Infisical's own reason"


def test_the_pr_preview_identity_reads_the_preview_folder_and_masks_it_first(
    fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    result, _ = _login(fake_infisical, tmp_path, applied["staging"]["prPreviewIdentityId"], f"{REPO}:pull_request")
    assert result.returncode == 0, result.stdout + result.stderr
    token = result.outputs["token"]
    assert read(fake_infisical, token, "staging", "/preview") == 200
    assert read(fake_infisical, token, "staging", "/cloudflare") == 403
    assert read(fake_infisical, token, "prod", "/cloudflare") == 403
    project_id = fake_infisical.table("projects")[0]["id"]
    mask = {
        "inputs.host": fake_infisical.url,
        "inputs.project-id": project_id,
        "inputs.environment": "staging",
        "inputs.mask-paths": "/preview",
        "steps.login.outputs.token": token,
    }
    masked = run_step(MASK, tmp_path, mask)
    assert masked.returncode == 0, masked.stdout + masked.stderr
    assert masked.masked() == ["staging/preview"] and masked.github_env == ""
    forbidden = run_step(MASK, tmp_path, {**mask, "inputs.mask-paths": "/cloudflare"})
    assert forbidden.returncode != 0, "a folder the identity cannot read fails the job, it is never skipped"


def test_a_job_without_id_token_permission_says_so(tmp_path: Path) -> None:
    inputs = {"inputs.identity-id": "id", "inputs.host": "http://127.0.0.1:9", "inputs.audience": AUDIENCE}
    result = run_step(LOGIN, tmp_path, inputs)
    assert result.returncode == 1 and "the job needs permissions: id-token: write" in result.stderr


# --------------------------------------------------------------------------------------------------
# Pulumi Cloud: a team token, never an organization token
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def pulumi_cloud(tmp_path: Path) -> Any:
    """A loopback stand-in for Pulumi Cloud's token endpoint that records each exchange request."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    requests: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            requests.append({"path": self.path, **json.loads(self.rfile.read(int(self.headers["Content-Length"])))})
            body = b'{"access_token": "pul-team-token", "issued_token_type": "urn:pulumi:token-type:access_token:team"}'
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_the_pulumi_cloud_exchange_asks_for_the_stages_team_token(pulumi_cloud: Any, tmp_path: Path) -> None:
    url, requests = pulumi_cloud
    exchange = wf.action_steps("pulumi-state")[1]
    assert exchange["if"] == "steps.declared.outputs.backend == 'pulumi-cloud'", "R2 stages exchange nothing"
    outputs = {
        "steps.declared.outputs.url": url,
        "steps.declared.outputs.organization": "acme",
        "steps.declared.outputs.team": "acme-staging-deploy",
    }
    with token_endpoint(lambda audience: f"jwt-for-{audience}") as oidc:
        result = run_step(
            exchange,
            tmp_path,
            outputs,
            env={
                "ACTIONS_ID_TOKEN_REQUEST_URL": oidc,
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "actions-request-token",
            },
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs == {"access-token": "pul-team-token"} and result.github_env == ""
    assert result.masked() == ["jwt-for-urn:pulumi:org:acme", "pul-team-token"]
    assert requests == [
        {
            "path": "/api/oauth/token",
            "audience": "urn:pulumi:org:acme",
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "requested_token_type": "urn:pulumi:token-type:access_token:team",
            "scope": "team:acme-staging-deploy",
            "subject_token": "jwt-for-urn:pulumi:org:acme",
        }
    ]


def test_secret_values_of_the_fixture_are_what_the_mask_test_expects(
    fake_infisical: FakeInfisical, applied: dict[str, dict[str, Any]]
) -> None:
    """The seeded value of staging's /preview token is the text the mask test looks for."""
    assert TOKEN_KEY == "CLOUDFLARE_API_TOKEN"
    secrets = [s for s in fake_infisical.table("secrets") if s["key"] == TOKEN_KEY]
    assert len(secrets) == 3


# --------------------------------------------------------------------------------------------------
# select-stack: the stack's key material comes back from its own state
# --------------------------------------------------------------------------------------------------

SELECT = wf.action_steps("select-stack")[0]
PULUMI_STUB = """echo "pulumi $*" >> "$CALLS"
case "$1 $2" in
  "stack select") [ "$STACK_EXISTS" = 1 ] ;;
  "stack export") echo "$EXPORT" ;;
  "stack init") echo "encryptionsalt: v1:new-stack" >> "Pulumi.${3##*/}.yaml" ;;
esac
"""


def _select(tmp_path: Path, provider: str, *, missing: str, exists: bool, export: object = None, file: str = "") -> Any:
    program = tmp_path / "program"
    program.mkdir(exist_ok=True)
    (program / "Pulumi.pr-7.yaml").write_text(file or "config:\n  workers-stage-platform:app: acme\n")
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    stub_command(tools, "infisical", INFISICAL_RUN_STUB)
    stub_command(tools, "pulumi", PULUMI_STUB)
    inputs = {
        "inputs.stack": "pr-7",
        "inputs.secrets-provider": provider,
        "inputs.backend-url": "s3://acme-preview-pulumi-state",
        "inputs.pulumi-access-token": "",
        "inputs.infisical-token": "infisical-token",
        "inputs.project-id": "project",
        "inputs.environment": "preview",
        "inputs.path": "/cloudflare",
        "inputs.missing": missing,
    }
    result = run_step(
        SELECT,
        tmp_path,
        inputs,
        cwd=program,
        env={
            "PATH": f"{tools}:{os.environ['PATH']}",
            "CALLS": str(tmp_path / "calls"),
            "STACK_EXISTS": "1" if exists else "0",
            "EXPORT": json.dumps(export or {}),
        },
    )
    calls = (tmp_path / "calls").read_text().splitlines() if (tmp_path / "calls").exists() else []
    return result, (program / "Pulumi.pr-7.yaml").read_text(), calls


def test_a_fresh_stack_file_gets_its_passphrase_salt_back_from_the_state(tmp_path: Path) -> None:
    export = {"deployment": {"secrets_providers": {"type": "passphrase", "state": {"salt": "v1:abc=:v1:def"}}}}
    result, file, calls = _select(tmp_path, "passphrase", missing="create", exists=True, export=export)
    assert result.returncode == 0 and result.outputs == {"exists": "true"}, result.stdout + result.stderr
    assert file.endswith("encryptionsalt: v1:abc=:v1:def\n")
    assert calls == ["pulumi stack select pr-7", "pulumi stack export --stack pr-7"], "never --show-secrets"


def test_a_kms_stack_gets_its_provider_and_encrypted_key_back(tmp_path: Path) -> None:
    url = "awskms://alias/acme-preview?region=auto"
    export = {"deployment": {"secrets_providers": {"type": "cloud", "state": {"url": url, "encryptedkey": "a2V5"}}}}
    _, file, _ = _select(tmp_path, url, missing="fail", exists=True, export=export)
    assert file.endswith(f"secretsprovider: {url}\nencryptedkey: a2V5\n")


def test_a_stack_file_with_its_key_material_is_left_alone(tmp_path: Path) -> None:
    committed = "encryptionsalt: v1:committed\nconfig: {}\n"
    result, file, calls = _select(tmp_path, "passphrase", missing="create", exists=True, file=committed)
    assert result.returncode == 0 and file == committed and calls == ["pulumi stack select pr-7"]


@pytest.mark.parametrize(
    ("provider", "missing", "expected"),
    [
        ("passphrase", "create", (0, "true", "pulumi stack init pr-7 --secrets-provider passphrase")),
        ("default", "create", (0, "true", "pulumi stack init pr-7")),
        ("passphrase", "skip", (0, "false", None)),
        ("passphrase", "fail", (1, None, None)),
    ],
)
def test_a_missing_stack_is_created_skipped_or_refused(
    tmp_path: Path, provider: str, missing: str, expected: tuple[int, str | None, str | None]
) -> None:
    code, exists, init = expected
    result, _, calls = _select(tmp_path, provider, missing=missing, exists=False)
    assert result.returncode == code and result.outputs.get("exists") == exists, result.stdout + result.stderr
    assert calls[1:] == ([init] if init else [])
    if code:
        assert "::error::stack pr-7 does not exist on its backend" in result.stdout
