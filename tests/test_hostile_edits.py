"""Hostile edits of the committed stage files, each refused by ``bin/plan`` itself: exit 2 (config) or 3 (policy).

Every case edits a copy of the repository's ``Pulumi.<stage>.yaml`` the way a pull request would, then runs
the real CLI on that copy (`tests.plan_runner`, one process for all cases) and checks the exit code and that
the refusal names where the problem is. The variants are the ones a reviewer would try: every glob form
Infisical's matcher accepts, folders by another spelling, hostnames of prod by route, wildcard or upper case,
secret formats behind public names, in JSON or with a leading space, and prod sharing an account either way.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.rules.terminal import MAX_WIDTH

ROOT = Path(__file__).resolve().parents[1]
NS = "workers-stage-platform"
PROD_ACCOUNT = "fedcba9876543210fedcba9876543210"
NON_PROD_ACCOUNT = "0123456789abcdef0123456789abcdef"
PROD_ZONE = {"name": "example.com", "id": "023e105f4ecef8ad9ca31a8372d0c353"}

Edit = Callable[[dict[str, Any]], None]


TEMPLATE = "pr-template"
"""``edited(TEMPLATE, ...)`` edits the pr stages' template, Pulumi.pr.template.yaml."""


def file_of(stage: str) -> str:
    return "Pulumi.pr.template.yaml" if stage == TEMPLATE else f"Pulumi.{stage}.yaml"


def values(stage: str) -> dict[str, Any]:
    document = yaml.safe_load((ROOT / file_of(stage)).read_text())
    return {key.split(":", 1)[1]: value for key, value in document["config"].items()}


def edited(stage: str, *edits: Edit) -> dict[str, str]:
    config = values(stage)
    for edit in edits:
        edit(config)
    text = yaml.safe_dump({"config": {f"{NS}:{key}": value for key, value in config.items()}}, sort_keys=False)
    return {file_of(stage): text}


def subjects(*listed: str) -> Edit:
    return lambda c: c["infisical"]["ciIdentity"].update(subjects=list(listed))


def preview_folder(folder: str) -> Edit:
    return lambda c: c["infisical"]["ciIdentity"].update(previewFolder=folder)


def api(**changes: Any) -> Edit:
    return lambda c: c["workers"]["api"].update(changes)


def var(name: str, value: str, *, public: bool = False) -> Edit:
    def edit(config: dict[str, Any]) -> None:
        config["workers"]["api"]["vars"][name] = value
        if public:
            config["workers"]["api"]["publicVars"].append(name)

    return edit


def json_binding(value: Any) -> Edit:
    return lambda c: c["workers"]["api"]["bindings"].update(FLAGS={"type": "json", "value": value})


def in_prods_zone(config: dict[str, Any]) -> None:
    """The non-prod stage moved into prod's zone (what a hostile edit would do too, to pass the zone check)."""
    config["zone"] = dict(PROD_ZONE)


def account(account_id: str) -> Edit:
    return lambda c: c.update(accountId=account_id)


def acknowledge(*names: str) -> Edit:
    return lambda c: c.update(acknowledge=list(names))


STAGING = "repo:acme/app:environment:staging"
FOLDERS_A_PREVIEW_MAY_NOT_BE = (
    *("/", "/cloudflare", "/Cloudflare", "/cloudflare/preview", "/generated", "/generated/api"),
    *("/oauth", "/email", "/drift"),
)
# case id → (files, stage planned, exit code, text the output must contain)
CASES: dict[str, tuple[dict[str, str], str, int, str]] = {
    # --- OIDC subjects: literal, and only the preview identity trusts pull requests -----------------------
    **{
        f"subject-glob-{index}": (edited("staging", subjects(STAGING, subject)), "staging", 2, "subjects[1]")
        for index, subject in enumerate(
            [
                "repo:acme/app:pull_*",
                "repo:acme/*",
                "repo:acme/app:**",
                "repo:acme/app:?ull_request",
                "repo:acme/app:{pull_request,environment:staging}",
                "repo:acme/app:[p]ull_request",
                "!repo:acme/app:environment:production",
                "repo:acme/app:@(pull_request)",
                "repo:acme/app:+(pull_request)",
                "repo:acme/app:pull\\_request",
                "repo:acme/app:environment:staging, repo:acme/app:pull_request",
                "repo:acme/app:pull_request",
            ]
        )
    },
    "prod-subject-glob": (
        edited("prod", subjects("repo:acme/app:environment:prod*")),
        "prod",
        2,
        "infisical.ciIdentity.subjects[0]",
    ),
    "audience-glob": (
        edited("staging", lambda c: c["infisical"]["ciIdentity"].update(audience="https://github.com/*")),
        "staging",
        2,
        "infisical.ciIdentity.audience",
    ),
    # --- the preview folder ----------------------------------------------------------------------------
    **{
        f"preview-folder-{folder}": (edited("staging", preview_folder(folder)), "staging", 2, "previewFolder")
        for folder in FOLDERS_A_PREVIEW_MAY_NOT_BE
    },
    # --- hostnames and routes of another stage -----------------------------------------------------------
    "dev-route-on-prods-host": (edited("dev", api(routes=["api.example.com/v1/*"])), "dev", 2, "routes[0]"),
    "dev-route-on-prods-host-same-zone": (
        edited("dev", in_prods_zone, api(routes=["api.example.com/v1/*"])),
        "dev",
        2,
        "Pulumi.prod.yaml",
    ),
    "staging-wildcard-routes": (
        edited("staging", in_prods_zone, api(domains=[], routes=["example.com/*", "*.example.com/admin*"])),
        "staging",
        2,
        "routes[1]",
    ),
    "staging-apex-route": (
        edited("staging", in_prods_zone, api(domains=[], routes=["example.com/*"])),
        "staging",
        2,
        "does not carry the stage label 'staging'",
    ),
    "staging-partial-wildcard": (
        edited("staging", in_prods_zone, api(domains=[], routes=["*example.com/*"])),
        "staging",
        2,
        "Pulumi.prod.yaml",
    ),
    "staging-uppercase-route": (
        edited("staging", in_prods_zone, api(domains=[], routes=["API.EXAMPLE.COM/*"])),
        "staging",
        2,
        "Pulumi.prod.yaml",
    ),
    "staging-prods-domain": (edited("staging", api(domains=["api.example.com"])), "staging", 2, "domains[0]"),
    "staging-prods-domain-same-zone": (
        edited("staging", in_prods_zone, api(domains=["api.example.com"])),
        "staging",
        2,
        "Pulumi.prod.yaml",
    ),
    "staging-uses-devs-host": (
        edited("staging", api(domains=["api.staging.example.net"], routes=["api.dev.example.net/*"])),
        "staging",
        2,
        "names stage 'dev'",
    ),
    # --- secret formats behind public names, in JSON, padded ------------------------------------------------
    "public-prefix-stripe-key": (edited("dev", var("VITE_STRIPE_KEY", "sk_live_" + "a1" * 12)), "dev", 2, "vars"),
    "publishable-name-secret-key": (
        edited("dev", var("STRIPE_PUBLISHABLE_KEY", "sk_live_" + "b2" * 12)),
        "dev",
        2,
        "STRIPE_PUBLISHABLE_KEY",
    ),
    "public-var-listed-github-token": (
        edited("dev", var("PUBLIC_DEPLOY_HINT", "ghp_" + "c3" * 15, public=True)),
        "dev",
        2,
        "PUBLIC_DEPLOY_HINT",
    ),
    "leading-space": (edited("dev", var("NEXT_PUBLIC_KEY", "  sk_test_" + "d4" * 12)), "dev", 2, "vars"),
    "empty-user-url": (edited("dev", var("PUBLIC_CACHE", "redis://:hunter2@cache.internal:6379")), "dev", 2, "vars"),
    "json-nested-secret": (
        edited("dev", json_binding({"billing": {"keys": ["x", "sk_live_" + "e5" * 12]}})),
        "dev",
        2,
        "bindings.FLAGS.value.billing.keys[1]",
    ),
    "json-url-password": (
        edited("dev", json_binding({"cache": "redis://:pw@cache.internal"})),
        "dev",
        2,
        "bindings.FLAGS.value.cache",
    ),
    "json-private-key": (
        edited("dev", json_binding(["-----BEGIN RSA PRIVATE KEY-----\nMII\n-----END RSA PRIVATE KEY-----"])),
        "dev",
        2,
        "bindings.FLAGS.value[0]",
    ),
    # --- prod sharing its Cloudflare account ------------------------------------------------------------------
    "prod-in-the-non-prod-account": (edited("prod", account(NON_PROD_ACCOUNT)), "prod", 3, "prod-has-its-own"),
    "staging-in-prods-account": (edited("staging", account(PROD_ACCOUNT)), "staging", 3, "prod-has-its-own"),
    "staging-in-prods-account-seen-from-prod": (
        edited("staging", account(PROD_ACCOUNT)),
        "prod",
        3,
        "'staging'",
    ),
    "pr-stages-in-prods-account-seen-from-prod": (
        edited(TEMPLATE, account(PROD_ACCOUNT)),
        "prod",
        3,
        "'pr-<number>'",
    ),
    "pr-stages-in-prods-account": (edited(TEMPLATE, account(PROD_ACCOUNT)), "pr-77", 3, "prod-has-its-own"),
    "acknowledgement-outside-prod": (
        edited("staging", acknowledge("prod-shares-cloudflare-account")),
        "staging",
        2,
        "acknowledge[0]",
    ),
    "unknown-acknowledgement": (
        edited("prod", account(NON_PROD_ACCOUNT), acknowledge("prod-shares-cloudflare-acount")),
        "prod",
        2,
        "unknown acknowledgement",
    ),
    # ...and the one way past: prod's acknowledgement, shown in red by every plan it concerns (not refused: exit 0).
    "prod-shares-acknowledged": (
        edited("prod", account(NON_PROD_ACCOUNT), acknowledge("prod-shares-cloudflare-account")),
        "prod",
        0,
        "\x1b[31m  [acknowledged] acknowledged-shared-cloudflare-account",
    ),
    "prod-shares-acknowledged-seen-from-staging": (
        edited("prod", account(NON_PROD_ACCOUNT), acknowledge("prod-shares-cloudflare-account")),
        "staging",
        0,
        "ACKNOWLEDGED RISK",
    ),
    # --- state kept where another stage keeps its own -----------------------------------------------------------
    "staging-state-in-prods-bucket": (
        edited("staging", lambda c: c.update(state={"bucket": "acme-prod-pulumi-state", "accountId": PROD_ACCOUNT})),
        "staging",
        2,
        f"{NS}:state",
    ),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every case run by the real CLI in a copy of the repository (tracked and new files, no .venv)."""
    copy = tmp_path_factory.mktemp("repo")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\n")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    cases = [{"files": files, "args": [stage]} for files, stage, _, _ in CASES.values()]
    cases_file = copy / "cases.json"
    cases_file.write_text(json.dumps(cases))
    done = subprocess.run(
        [sys.executable, "-m", "tests.plan_runner", str(cases_file)],
        cwd=copy, capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(copy)},
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(zip(CASES, json.loads(done.stdout), strict=True))


@pytest.mark.parametrize("case", sorted(CASES))
def test_bin_plan_refuses_the_hostile_edit(case: str, results: dict[str, dict[str, Any]]) -> None:
    _, _, code, said = CASES[case]
    result = results[case]
    output = result["stdout"] + result["stderr"]
    assert result["code"] == code, output[-2000:]
    assert " ".join(said.split()) in " ".join(output.split()), output[-2000:]  # the words, however lines wrap
    assert "Traceback" not in output
    visible = re.sub(r"\x1b\[[0-9;]*m", "", output)  # colour codes take no column
    wide = [line for line in visible.splitlines() if len(line) > MAX_WIDTH and " " in line.strip()]
    assert wide == [], "every line of bin/plan fits 120 columns (a single word, such as a URL, is never split)"


def test_the_committed_files_pass_in_the_copy(tmp_path: Path) -> None:
    """The same runner on the unedited files: every committed stage plans cleanly (so a refusal is the edit's)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.plan_runner", "/dev/stdin"],
        cwd=ROOT, input=json.dumps([{"files": {}, "args": [s]} for s in ("dev", "staging", "prod", "project")]),
        capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert [result["code"] for result in json.loads(done.stdout)] == [0, 0, 0, 0]
