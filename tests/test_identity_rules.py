"""Who may log in, and what a pull request may read: literal OIDC bindings, and a preview folder of its own.

Infisical matches every bound subject, claim and audience with picomatch (``doesFieldValueMatchOidcPolicy``,
backend/src/services/identity-oidc-auth/identity-oidc-auth-fns.ts), so each must be literal: the config check
refuses a glob at its config path, and the policy rule refuses one on any OIDC auth the program registers, the
PR preview identity's included.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StageConfigError, parse_stage_config
from components.rules.oidc_subjects import GLOB_METACHARACTERS, bound_parts, is_literal
from plan.engine import ProgramRun
from plan.policy import check
from plan.stack_files import stack_config
from tests.conftest import PROJECT, STAGES, raw_config
from tests.policy_tools import analyzer, deploy_environment, found, replace

__all__ = ["analyzer"]

MEASURED = [  # each admitted `repo:acme/app:pull_request` on a real Infisical
    "repo:acme/app:pull_*",
    "repo:acme/*",
    "repo:acme/app:**",
    "repo:acme/app:?ull_request",
    "repo:acme/app:{pull_request,environment:staging}",
]
MORE = [
    "repo:acme/app:[p]ull_request",
    "!repo:acme/app:environment:production",
    "repo:acme/app:@(pull_request|push)",
    "repo:acme/app:+(x)",
    "repo:acme/app:pull\\_request",
    "repo:acme/app:environment:staging, repo:acme/app:pull_request",
    " repo:acme/app:environment:staging",
]


def test_the_refused_characters_are_picomatchs_syntax() -> None:
    assert set("*?[]{}()!@+|\\") == GLOB_METACHARACTERS
    for literal in ("repo:acme/app:environment:production", "https://github.com/acme", "repo:a.b/c-d:ref:refs/x$^"):
        assert is_literal(literal)
    assert bound_parts("a, b") == ["a", "b"]


@pytest.mark.parametrize("subject", MEASURED + MORE)
def test_a_glob_subject_is_refused_at_its_path(subject: str) -> None:
    raw = raw_config("staging")
    raw["infisical"]["ciIdentity"]["subjects"] = ["repo:acme/app:environment:staging", subject]
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    assert "must be literal" in dict(caught.value.problems)[f"{PROJECT}:infisical.ciIdentity.subjects[1]"]


def test_a_glob_audience_is_refused() -> None:
    raw = raw_config("prod")
    raw["infisical"]["ciIdentity"]["audience"] = "https://github.com/*"
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="prod", namespace=PROJECT)
    assert "literal" in dict(caught.value.problems)[f"{PROJECT}:infisical.ciIdentity.audience"]


@pytest.mark.parametrize("stage", STAGES)
def test_every_registered_binding_is_literal(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    for oidc in stage_runs[stage].by_type("infisical:IdentityOidcAuth"):
        values = [oidc.inputs["bound_audiences"], *oidc.inputs["bound_claims"].values()]
        assert all(is_literal(part) for value in values for part in bound_parts(value)), oidc.name


@pytest.mark.parametrize("identity", ["ci-identity-oidc", "pr-preview-identity-oidc"])
def test_the_policy_refuses_a_glob_on_any_identity(
    identity: str, stage_runs: dict[str, ProgramRun], analyzer: Any
) -> None:
    oidc = next(r for r in stage_runs["staging"].registrations if r.name == identity)
    claims = {**oidc.inputs["bound_claims"], "sub": "repo:acme/app:environment:stag*"}
    run = replace(stage_runs["staging"], identity, inputs={**oidc.inputs, "bound_claims": claims})
    expected = [("oidc-bindings-are-literal", f"infisical:IdentityOidcAuth/{identity}")]
    if identity == "ci-identity-oidc":  # a glob may admit pull requests: the deploy identity's rule says so too
        expected.append(("only-pr-preview-identity-trusts-pull-requests", f"infisical:IdentityOidcAuth/{identity}"))
    assert found(check(run)) == sorted(expected)
    config, _ = stack_config("staging")
    assert analyzer(run, config, deploy_environment("staging")) == sorted(expected)


# --- the preview folder ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "said"),
    [
        ("/", "may not be '/'"),
        ("/cloudflare", "the same folder as '/cloudflare'"),
        ("/CloudFlare", "the same folder as '/cloudflare'"),
        ("/cloudflare/preview", "inside '/cloudflare'"),
        ("/generated", "the same folder as '/generated'"),
        ("/generated/api", "inside '/generated'"),
        ("/oauth", "'/oauth'"),  # api's synced secrets
        ("/email", "one of the stage's folders"),
        ("/drift", "drift check"),
    ],
)
def test_the_preview_folder_holds_nothing_else(folder: str, said: str) -> None:
    raw = raw_config("staging")
    raw["infisical"]["ciIdentity"]["previewFolder"] = folder
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    assert said in dict(caught.value.problems)[f"{PROJECT}:infisical.ciIdentity.previewFolder"]


def test_a_parent_of_a_workers_folder_is_refused() -> None:
    raw = raw_config("staging")
    raw["workers"]["api"]["secretsFolder"] = "/pr/oauth"
    raw["infisical"]["ciIdentity"]["previewFolder"] = "/pr"
    with pytest.raises(StageConfigError) as caught:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    assert "a parent of '/pr/oauth'" in dict(caught.value.problems)[f"{PROJECT}:infisical.ciIdentity.previewFolder"]


@pytest.mark.parametrize("folder", ["/preview", "/pr-preview", "/cloudflare-preview", "/previews/staging"])
def test_a_folder_of_its_own_is_accepted(folder: str) -> None:
    raw = raw_config("staging")
    raw["infisical"]["ciIdentity"]["previewFolder"] = folder
    assert parse_stage_config(raw, stage="staging", namespace=PROJECT).infisical is not None
