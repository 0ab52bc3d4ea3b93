"""Each stage's Infisical side under the mock engine: graph, isolation, secrets, sync safety."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from plan.engine import ProgramRun, Registration
from plan.model import is_secret
from tests.conftest import STAGES, raw_config, run_stage

DYNAMIC = "pulumi-python:dynamic/infisical:"


def infisical(run: ProgramRun, kind: str) -> list[Registration]:
    return [r for r in run.registrations if r.type == DYNAMIC + kind]


def only(run: ProgramRun, kind: str) -> Registration:
    found = infisical(run, kind)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def script(run: ProgramRun, name: str) -> Registration:
    return next(r for r in run.by_type("WorkersScript") if r.name == name)


@pytest.mark.parametrize("stage", STAGES)
def test_environment_and_folders(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs[stage]
    environment = only(run, "ProjectEnvironment")
    assert environment.inputs["slug"] == stage
    folders = {(f.inputs["parent_path"], f.inputs["name"]): f for f in infisical(run, "SecretFolder")}
    preview = {("/", "preview")} if stage == "staging" else set()
    assert set(folders) == {
        ("/", "cloudflare"),
        ("/", "email"),
        ("/", "oauth"),
        ("/", "generated"),  # declared, so the stack owns it rather than Infisical creating it on the way
        ("/generated", "api"),
        *preview,
    }
    for folder in folders.values():
        assert environment.urn in folder.dependencies  # folders after their environment
        assert folder.inputs["environment"] == stage
        assert folder.inputs["adopt_existing"] is True  # a folder people made before the first up is adopted
    assert folders["/", "generated"].urn in folders["/generated", "api"].dependencies  # a child after its parent
    assert environment.inputs["adopt_existing"] is True  # the UI's default environments are adopted


@pytest.mark.parametrize("stage", STAGES)
def test_sync_after_script_and_connection(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs[stage]
    sync = only(run, "CloudflareWorkersSecretSync")
    connection = only(run, "CloudflareAppConnection")
    api = script(run, "api")
    oauth = next(f for f in infisical(run, "SecretFolder") if f.inputs["name"] == "oauth")
    assert {api.urn, connection.urn, oauth.urn} <= set(sync.dependencies)
    assert sync.inputs["script_id"] == f"acme-{stage}-api"
    assert sync.inputs["secret_path"] == "/oauth"  # only this worker's folder, never the whole project
    assert sync.inputs["environment"] == stage
    assert sync.inputs["initial_sync_behavior"] == "overwrite-destination"
    assert sync.inputs["auto_sync_enabled"] is True  # sent explicitly
    assert sync.inputs["disable_secret_deletion"] is True  # Pulumi binds secrets to this script too
    inherited = sorted(b["name"] for b in api.inputs["bindings"]["value"] if b["type"] == "inherit")
    assert inherited == ["GITHUB_CLIENT_SECRET", "GOOGLE_CLIENT_SECRET"]  # deploys never wipe synced secrets


def test_sync_may_delete_when_it_owns_every_secret() -> None:
    raw = raw_config("dev")
    raw["workers"]["jobs"]["secrets"] = {"WEBHOOK_SIGNING_SECRET": {"owner": "sync"}}
    run = run_stage("dev", raw)
    syncs = {s.inputs["script_id"]: s for s in infisical(run, "CloudflareWorkersSecretSync")}
    assert syncs["acme-dev-jobs"].inputs["disable_secret_deletion"] is False
    assert syncs["acme-dev-jobs"].inputs["secret_path"] == "/cloudflare/jobs"
    assert syncs["acme-dev-api"].inputs["disable_secret_deletion"] is True


@pytest.mark.parametrize("stage", STAGES)
def test_at_most_one_sync_per_script(stage: str, stage_runs: dict[str, ProgramRun]) -> None:
    targets = [s.inputs["script_id"] for s in infisical(stage_runs[stage], "CloudflareWorkersSecretSync")]
    assert len(targets) == len(set(targets))


def test_two_workers_may_not_sync_from_one_folder() -> None:
    from components.config import StageConfigError

    raw = raw_config("dev")
    raw["workers"]["jobs"]["secrets"] = {"WEBHOOK_SIGNING_SECRET": {"owner": "sync"}}
    raw["workers"]["jobs"]["secretsFolder"] = "/oauth"
    with pytest.raises(StageConfigError, match="each worker syncs only its own secrets"):
        run_stage("dev", raw)


@pytest.mark.parametrize("folder", ["/cloudflare", "/generated", "/generated/api"])
def test_sync_folder_may_not_hold_another_owners_secrets(folder: str) -> None:
    from components.config import StageConfigError

    raw = raw_config("dev")
    raw["workers"]["api"]["secretsFolder"] = folder
    with pytest.raises(StageConfigError, match="give this worker a folder of its own"):
        run_stage("dev", raw)


def _names(run: ProgramRun) -> set[str]:
    values: set[str] = set()
    for registration in run.registrations:
        if registration.type.startswith(DYNAMIC) and not registration.type.endswith(":Project"):
            values |= {registration.inputs[k] for k in ("name", "slug", "script_id") if k in registration.inputs}
            values.add(registration.id or "")
    return values - {"cloudflare", "email", "oauth", "generated", "api", ""}  # folder names repeat by design


def test_no_infisical_object_is_shared_across_stages_except_the_project(stage_runs: dict[str, ProgramRun]) -> None:
    names = {stage: _names(run) for stage, run in stage_runs.items()}
    for stage in STAGES:
        for other in STAGES:
            if stage != other:
                assert not names[stage] & names[other], (stage, other)
    projects = {only(run, "Project").inputs["project_id"] for run in stage_runs.values()}
    assert len(projects) == 1
    assert all(only(run, "Project").inputs["adopt"] is True for run in stage_runs.values())


def test_secrets_only_as_secrets(stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs["prod"]
    connection = only(run, "CloudflareAppConnection")
    assert is_secret(connection.inputs["api_token"])
    assert "api_token" in connection.additional_secret_outputs
    generated = only(run, "Secret")
    assert is_secret(generated.inputs["value"])
    assert "value" in generated.additional_secret_outputs
    assert generated.inputs["key"] == "BETTER_AUTH_SECRET"
    assert generated.inputs["secret_path"] == "/generated/api"
    password = run.by_type("RandomPassword")[0]
    assert password.urn in generated.dependencies  # the same value the worker binds
    for registration in run.registrations:
        if registration.type.startswith(DYNAMIC):
            # The provider is pickled by reference: a class name, no captured state, so no credential.
            serialized = base64.b64decode(registration.inputs["__provider"])
            assert len(serialized) < 120, registration.name
            assert b"components.infisical" in serialized


def named(run: ProgramRun, kind: str, name: str) -> Registration:
    return next(r for r in infisical(run, kind) if r.name == name)


def test_ci_identity_per_stage(stage_runs: dict[str, ProgramRun]) -> None:
    expected = {
        "dev": "repo:acme/app:environment:dev",
        "staging": "repo:acme/app:environment:staging",
        "prod": "repo:acme/app:environment:production",
    }
    for stage, run in stage_runs.items():
        identity = named(run, "Identity", "ci-identity")
        oidc = named(run, "IdentityOidcAuth", "ci-identity-oidc")
        role = named(run, "ProjectRole", "ci-identity-role")
        membership = named(run, "ProjectIdentityMembership", "ci-identity-membership")
        assert identity.inputs["name"] == f"acme-{stage}-ci"
        assert oidc.inputs["bound_issuer"] == "https://token.actions.githubusercontent.com"
        assert oidc.inputs["oidc_discovery_url"] == "https://token.actions.githubusercontent.com"
        assert oidc.inputs["bound_audiences"] == "https://github.com/acme"
        assert oidc.inputs["bound_claims"] == {"repository": "acme/app", "sub": expected[stage]}
        assert identity.urn in oidc.dependencies and identity.urn in membership.dependencies
        assert role.inputs["slug"] == f"acme-{stage}-ci"
        assert membership.inputs["role"] == f"acme-{stage}-ci"
        assert role.urn in membership.dependencies  # assigned after it exists, removed before it goes
        assert run.outputs["infisical"].value["ciIdentityId"] == identity.id


def test_pr_preview_identity_only_in_staging(stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs["staging"]
    identity = named(run, "Identity", "pr-preview-identity")
    oidc = named(run, "IdentityOidcAuth", "pr-preview-identity-oidc")
    role = named(run, "ProjectRole", "pr-preview-identity-role")
    membership = named(run, "ProjectIdentityMembership", "pr-preview-identity-membership")
    assert identity.inputs["name"] == "acme-staging-pr-preview"
    assert oidc.inputs["bound_claims"] == {"repository": "acme/app", "sub": "repo:acme/app:pull_request"}
    assert membership.inputs["role"] == role.inputs["slug"] == "acme-staging-pr-preview"
    assert role.inputs["permissions"] == [
        {
            "subject": "secrets",
            "action": ["describeSecret", "readValue"],
            "conditions": {"environment": {"$eq": "staging"}, "secretPath": {"$eq": "/preview"}},
        }
    ]
    assert run.outputs["infisical"].value["prPreviewIdentityId"] == identity.id
    for stage in ("dev", "prod"):
        assert len(infisical(stage_runs[stage], "Identity")) == 1
        assert stage_runs[stage].outputs["infisical"].value["prPreviewIdentityId"] is None


def test_prod_environment_and_folders_are_protected(stage_runs: dict[str, ProgramRun]) -> None:
    """Except each worker's folder of generated copies: the up writes them again, and a renamed worker moves it."""
    folders = infisical(stage_runs["prod"], "SecretFolder")
    copies = [r for r in folders if r.inputs["parent_path"] == "/generated"]
    kept = infisical(stage_runs["prod"], "ProjectEnvironment") + [r for r in folders if r not in copies]
    assert kept and all(r.protect and r.retain_on_delete for r in kept)
    assert copies and not any(r.protect or r.retain_on_delete for r in copies)
    assert not any(r.protect for r in infisical(stage_runs["staging"], "ProjectEnvironment"))


def test_pr_stage_uses_the_shared_preview_environment() -> None:
    raw = raw_config("staging")
    raw["workers"]["api"]["domains"] = ["api.pr-7.example.net"]
    run = run_stage("pr-7", raw)
    assert infisical(run, "ProjectEnvironment") == []  # owned elsewhere, never destroyed with a PR
    assert infisical(run, "Identity") == []  # the shared preview identity logs CI in
    assert only(run, "CloudflareWorkersSecretSync").inputs["environment"] == "preview"
    assert only(run, "CloudflareWorkersSecretSync").inputs["name"] == "acme-pr-7-api"
    assert run.outputs["infisical"].value["environment"] == "preview"


def test_infisical_outputs(stage_runs: dict[str, ProgramRun]) -> None:
    run = stage_runs["staging"]
    out: dict[str, Any] = run.outputs["infisical"].value
    assert out["projectId"] == "3f8e6c2a-1b4d-4e7f-9a0b-5c6d7e8f9a01"
    assert out["environment"] == "staging"
    assert out["folders"] == ["/cloudflare", "/email", "/generated", "/generated/api", "/oauth", "/preview"]
    assert out["syncs"] == {"api": only(run, "CloudflareWorkersSecretSync").id}
    assert not run.outputs["infisical"].secret


def test_any_folder_layout_is_expressible() -> None:
    """A project that keeps secrets by team: /backend, /frontend, /ops (nested folders too)."""
    raw = raw_config("dev")
    raw["infisical"]["folders"] = ["/backend", "/frontend", "/ops", "/ops/ci"]
    raw["workers"]["api"]["secretsFolder"] = "/backend/api"
    run = run_stage("dev", raw)
    paths = {f"{f.inputs['parent_path'].rstrip('/')}/{f.inputs['name']}" for f in infisical(run, "SecretFolder")}
    assert paths == {"/backend", "/frontend", "/ops", "/ops/ci", "/backend/api", "/generated", "/generated/api"}
    assert only(run, "CloudflareWorkersSecretSync").inputs["secret_path"] == "/backend/api"


def test_the_plan_says_which_objects_are_adopted_when_they_exist(stage_runs: dict[str, ProgramRun]) -> None:
    from plan.model import build_plan
    from plan.render import render_markdown, render_table

    plan = build_plan(stage_runs["dev"])
    adopting = sorted(r["label"] for r in plan["resources"] if r["inputs"].get("adopt_existing") is True)
    assert adopting == sorted(
        ["infisical:ProjectEnvironment/environment"]
        + [
            f"infisical:SecretFolder/folder-{name}"
            for name in ("cloudflare", "email", "generated", "generated-api", "oauth")
        ]
    )
    section = render_table(plan).split("Adopted if they already exist", 1)[1].split("\n\n", 1)[0]
    assert [line.strip() for line in section.splitlines()[1:]] == sorted(adopting)
    flagged = [line for line in render_markdown(plan).splitlines() if "adopts existing" in line]
    assert len(flagged) == len(adopting)
    assert not any("CloudflareAppConnection" in line or "Identity" in line for line in flagged)
