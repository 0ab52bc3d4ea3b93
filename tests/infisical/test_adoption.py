"""Adoption: an environment or folder that already exists is taken over, recorded as adopted, never deleted.

A project made in the Infisical UI has ``dev``, ``staging`` and ``prod``; the deploy secrets live in
``/cloudflare`` before the first ``pulumi up``. Folder creates of an existing folder answer 400 on today's
backend and 200 on older ones, so the folder tests run under both.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.infisical import (
    InfisicalAlreadyExistsError,
    InfisicalClient,
    ProjectEnvironmentProvider,
    SecretFolderProvider,
    SecretProvider,
)
from tests.fakes.infisical import FakeInfisical

from .engine import Engine, plain, seed_environment, seed_project


def ui_project() -> str:
    """A project as the Infisical UI makes it: with its default environments."""
    with InfisicalClient() as client:
        data = client.post("/api/v1/projects", json={"projectName": "Made in the UI", "shouldCreateDefaultEnvs": True})
    return str(data["project"]["id"])


def test_an_existing_environment_is_adopted_and_survives_delete(fake_infisical: FakeInfisical) -> None:
    project_id = ui_project()
    (before,) = [e for e in fake_infisical.table("environments") if e["slug"] == "staging"]
    engine = Engine(ProjectEnvironmentProvider())
    inputs = {"project_id": project_id, "name": "staging", "slug": "staging", "adopt_existing": True}
    fake_infisical.clear_requests()
    id_, outs = engine.create(inputs)
    assert id_ == before["id"]
    assert plain(outs)["adopted"] is True
    assert plain(outs)["name"] == before["name"], "nothing overwritten"
    assert fake_infisical.count("POST") == 0, "nothing created"

    read = engine.read(id_, outs)
    assert plain(read.outs or {})["adopted"] is True, "a refresh keeps the record"
    assert not engine.diff(id_, read.outs or {}, inputs).changes, "its own name and position are not a change"
    assert engine.update(id_, read.outs or {}, {**inputs, "name": "Renamed"}) and fake_infisical.count("PATCH") == 0

    Engine(SecretProvider()).create({"project_id": project_id, "environment": "staging", "key": "K", "value": "v"})
    engine.delete(id_, read.outs or {})
    assert [e["id"] for e in fake_infisical.table("environments") if e["slug"] == "staging"] == [id_]
    assert len(fake_infisical.table("secrets")) == 1, "the secrets people put there survive"


def test_adopting_another_slug_replaces_instead_of_renaming(fake_infisical: FakeInfisical) -> None:
    project_id = ui_project()
    engine = Engine(ProjectEnvironmentProvider())
    inputs = {"project_id": project_id, "name": "dev", "slug": "dev"}
    id_, outs = engine.create(inputs)
    assert engine.diff(id_, outs, {**inputs, "slug": "qa"}).replaces == ["slug"]


def test_a_new_environment_is_created_and_deleted(fake_infisical: FakeInfisical) -> None:
    project_id = ui_project()
    engine = Engine(ProjectEnvironmentProvider())
    id_, outs = engine.create({"project_id": project_id, "name": "pr-7", "slug": "pr-7", "adopt_existing": True})
    assert plain(outs)["adopted"] is False
    engine.delete(id_, outs)
    assert fake_infisical.requests("DELETE")[-1].path.startswith("/api/v1/workspace/"), "the hard-delete route"
    assert not engine.read(id_, outs).id
    assert sorted(e["slug"] for e in fake_infisical.table("environments")) == ["dev", "prod", "staging"]


def test_adoption_can_be_refused(fake_infisical: FakeInfisical) -> None:
    project_id = ui_project()
    with pytest.raises(InfisicalAlreadyExistsError):
        Engine(ProjectEnvironmentProvider()).create(
            {"project_id": project_id, "name": "dev", "slug": "dev", "adopt_existing": False}
        )


def _folder(project_id: str, **extra: Any) -> dict[str, Any]:
    return {"project_id": project_id, "environment": "dev", "name": "cloudflare", "parent_path": "/", **extra}


def test_an_existing_folder_with_secrets_is_adopted_and_survives_delete(
    fake_infisical_both_folder_modes: FakeInfisical,
) -> None:
    fake = fake_infisical_both_folder_modes
    project_id = seed_project()
    seed_environment(project_id, "dev")
    with InfisicalClient() as client:
        body = {"projectId": project_id, "environment": "dev", "name": "cloudflare", "path": "/"}
        existing = client.post("/api/v2/folders", json=body)["folder"]
    Engine(SecretProvider()).create(
        {"project_id": project_id, "environment": "dev", "secret_path": "/cloudflare", "key": "TOKEN", "value": "t"}
    )
    engine = Engine(SecretFolderProvider())
    fake.clear_requests()
    id_, outs = engine.create(_folder(project_id, adopt_existing=True, description="ours"))
    assert id_ == existing["id"]
    assert plain(outs)["adopted"] is True
    assert plain(outs)["path"] == "/cloudflare"
    assert fake.count("POST") == 0
    read = engine.read(id_, outs)
    assert not engine.diff(id_, read.outs or {}, _folder(project_id, adopt_existing=True, description="ours")).changes
    engine.delete(id_, read.outs or {})
    assert existing["id"] in {f["id"] for f in fake.table("folders")}
    assert [s["key"] for s in fake.table("secrets")] == ["TOKEN"]


def test_a_new_folder_is_created_and_deleted_on_both_backends(fake_infisical_both_folder_modes: FakeInfisical) -> None:
    fake = fake_infisical_both_folder_modes
    project_id = seed_project()
    seed_environment(project_id, "dev")
    engine = Engine(SecretFolderProvider())
    id_, outs = engine.create(_folder(project_id))
    assert plain(outs)["adopted"] is False
    again, again_outs = engine.create(_folder(project_id))
    assert again == id_ and plain(again_outs)["adopted"] is True, "a second declaration adopts, never duplicates"
    engine.delete(id_, outs)
    assert not engine.read(id_, outs).id
    assert {fake.store.path_of(f) for f in fake.table("folders")} == {"/"}


@pytest.mark.parametrize("kind", ["environment", "folder"])
def test_a_lost_create_answer_is_not_mistaken_for_adoption(fake_infisical: FakeInfisical, kind: str) -> None:
    from tests.fakes.infisical import DropConnection

    project_id = seed_project()
    seed_environment(project_id, "dev")
    if kind == "environment":
        engine, inputs, route = (
            Engine(ProjectEnvironmentProvider()),
            {"project_id": project_id, "name": "QA", "slug": "qa"},
            "/api/v1/workspace/*/environments",
        )
    else:
        engine, inputs, route = Engine(SecretFolderProvider()), _folder(project_id), "/api/v2/folders"
    fake_infisical.inject("POST", route, DropConnection(process=True))
    _, outs = engine.create(inputs)
    assert plain(outs)["adopted"] is False, "the stack created it: destroy must delete it"
