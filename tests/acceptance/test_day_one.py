"""Day one, as docs/infisical.md tells it, from a project made in the Infisical UI to a converged stage.

The Infisical CLI cannot run here (it is a native binary fetched from the internet), so each command
``bin/plan <stage> --bootstrap`` prints is carried out by `CliStandIn`, which accepts only the CLI's real
command forms and flags and makes the API call that command makes. Anything else fails the test, so the
printed commands cannot drift from what the CLI offers. ``infisical run`` injects the folder's secrets
into the command's environment; the stand-in reads the ones the stage needs by name, then runs the
stage's whole Infisical side as ``pulumi up`` would (Cloudflare mocked). Runs in both folder behaviours.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from components.config import parse_stage_config
from components.infisical import InfisicalClient
from components.secrets.deploy_inputs import minted_variables
from plan.backend import environment_lines
from plan.bootstrap import bootstrap_commands, deploy_secret_names, stage_config, state_backend
from tests.conftest import PROJECT, STAGES, raw_config
from tests.fakes.infisical import FakeInfisical
from tests.infisical.conftest import fake_infisical, fake_infisical_both_folder_modes, fake_infisical_server

from .stage_side import StageSide, project_up

__all__ = ["fake_infisical", "fake_infisical_both_folder_modes", "fake_infisical_server"]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "infisical.md"
# The flags each command takes, as `infisical <command> --help` lists them (only those used here).
FLAGS = {
    ("secrets", "folders", "create"): {"--projectId", "--env", "--path", "--name"},
    ("secrets", "set"): {"--projectId", "--env", "--path"},
    ("run",): {"--projectId", "--env", "--path"},
}


def shell_lines(lines: list[str]) -> list[str]:
    """The lines as the shell reads them: one ending in a backslash continues on the next."""
    return "\n".join(lines).replace("\\\n", " ").splitlines()


class CliStandIn:
    """Carries out ``infisical`` command lines against the server the environment points at."""

    def __init__(self, shell: Mapping[str, str], raw: dict[str, Any], stage: str) -> None:
        self.shell: Mapping[str, str] = shell
        self.raw = raw
        self.project_id = raw["infisical"]["projectId"]
        self.stage = stage
        self.side: StageSide | None = None

    def run(self, line: str) -> None:
        if line.startswith("#") and "`pulumi up -s project`" in line:
            # The admin's step the sequence names here: the project stack writes the sync token into the folder.
            project_up(self.project_id, [self.stage])
        words = [self._expand(word) for word in shlex.split(line, comments=True)]
        if words[:1] == ["eval"]:  # eval "$(bin/plan <stage> --backend)": the backend's assignments, as bash makes them
            assert words == ["eval", f"$(bin/plan {self.stage} --backend)"], line
            self._eval_backend()
            return
        if not words:
            return
        if len(words) == 1 and re.fullmatch(r"\w+=.*", words[0]):  # a shell variable, such as project=<id>
            name, _, value = words[0].partition("=")
            self.shell = {**self.shell, name: value}
            return
        assert words[0] == "infisical", line
        if words[1:] == ["login"]:
            return  # the environment already holds credentials for the server
        command = next((c for c in FLAGS if tuple(words[1 : 1 + len(c)]) == c), None)
        assert command is not None, f"not an Infisical CLI command: {line}"
        flags, rest = self._flags(words[1 + len(command) :], FLAGS[command])
        assert flags["--projectId"] == self.project_id
        with InfisicalClient() as client:
            if command == ("secrets", "folders", "create"):
                body = {"projectId": self.project_id, "environment": flags["--env"], "path": flags["--path"]}
                client.post("/api/v2/folders", json={**body, "name": flags["--name"]})
            elif command == ("secrets", "set"):
                for assignment in rest:
                    name, _, value = assignment.partition("=")
                    body = {"projectId": self.project_id, "environment": flags["--env"], "secretPath": flags["--path"]}
                    client.post(
                        "/api/v4/secrets/{secretName}", path={"secretName": name}, json={**body, "secretValue": value}
                    )
            elif rest[:3] == ["--", "pulumi", "up"]:
                assert rest == ["--", "pulumi", "up", "-s", self.stage], line
                self._pulumi_up(client, flags)
            else:  # the stage's own state backend: `pulumi login <url>`, `pulumi stack select <stack> --create ...`
                backend = state_backend(parse_stage_config(self.raw, stage=self.stage, namespace=PROJECT))
                assert rest in (
                    ["--", "pulumi", "login", backend.url],
                    ["--", "pulumi", "stack", "select", self.stage, "--create", "--secrets-provider", "passphrase"],
                ), line

    def _eval_backend(self) -> None:
        config = parse_stage_config(self.raw, stage=self.stage, namespace=PROJECT)
        printed = "\n".join(environment_lines(state_backend(config)))
        names = ("PULUMI_BACKEND_URL", "PULUMI_STACK", "PULUMI_SECRETS_PROVIDER")
        show = "".join(f'printf "%s\\n" "${name}";' for name in names)
        script = ["bash", "-c", f'eval "$1"; {show}', "_", printed]
        done = subprocess.run(script, capture_output=True, text=True, check=True)
        self.shell = {**self.shell, **dict(zip(names, done.stdout.splitlines(), strict=True))}

    def _expand(self, word: str) -> str:
        """What the shell makes of ``$NAME`` in a word (the values come from the shell, never from the lines)."""
        return re.sub(r"\$(\w+)", lambda m: self.shell.get(m.group(1), ""), word)

    @staticmethod
    def _flags(words: list[str], known: set[str]) -> tuple[dict[str, str], list[str]]:
        flags: dict[str, str] = {}
        while words and words[0] in known:
            flags[words[0]], words = words[1], words[2:]
        assert not words or not words[0].startswith("--") or words[0] == "--", f"unknown flag {words[0]}"
        return flags, words

    def _pulumi_up(self, client: InfisicalClient, flags: Mapping[str, str]) -> None:
        injected = {}
        config = parse_stage_config(self.raw, stage=self.stage, namespace=PROJECT)
        for name in [*deploy_secret_names(config), *minted_variables(config)]:
            params = {"projectId": self.project_id, "environment": flags["--env"], "secretPath": flags["--path"]}
            secret = client.get("/api/v4/secrets/{secretName}", path={"secretName": name}, params=params)["secret"]
            injected[name] = secret["secretValue"]
        self.side = StageSide(self.stage, self.raw, injected)
        self.side.up()


@pytest.mark.parametrize("stage", STAGES)
def test_day_one_from_a_ui_project_to_a_converged_stage(
    stage: str, fake_infisical_both_folder_modes: FakeInfisical
) -> None:
    fake = fake_infisical_both_folder_modes
    with InfisicalClient() as client:  # step 1: a project made in the Infisical UI, with its default environments
        body = {"projectName": "acme", "shouldCreateDefaultEnvs": True}
        project_id = client.post("/api/v1/projects", json=body)["project"]["id"]
    raw = raw_config(stage)
    raw["infisical"]["projectId"] = project_id
    raw["infisical"]["organizationId"] = fake.org_id
    config = parse_stage_config(raw, stage=stage, namespace=PROJECT)

    shell = {name: f"value-of-{name.lower()}" for name in deploy_secret_names(config)}
    cli = CliStandIn(shell, raw, stage)
    for line in shell_lines(bootstrap_commands(config)):
        cli.run(line)

    side = cli.side
    assert side is not None, "the sequence ends with the first deploy"
    assert sorted(a.name for a in side.adopted()) == ["environment", "folder-cloudflare"]
    # Step 4: synced secrets go into each worker's folder, which the first deploy made.
    for name, worker in sorted(config.workers.items()):
        folder = worker.synced_secrets_folder(name)
        for secret in sorted(worker.synced_secret_names()):
            cli.shell = {**shell, secret: f"synced-{secret.lower()}"}
            env = config.infisical_environment_slug
            cli.run(f'infisical secrets set --projectId {project_id} --env {env} --path {folder} {secret}="${secret}"')
    assert side.refresh() == []
    assert side.diff() == [], "converged: a preview shows no changes"
    second, _ = side.up()
    assert second.changed == []
    stored = {s["key"]: s["value"] for s in fake.table("secrets")}
    assert {name: stored[name] for name in shell} == shell, "the deploy secrets were set by name, from the shell"


def test_the_docs_day_one_is_what_bootstrap_prints() -> None:
    """docs/infisical.md shows `bin/plan dev --bootstrap` verbatim, so the tested commands are the documented ones."""
    text = DOCS.read_text()
    block = text.split("<!-- bootstrap dev -->", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    assert block.splitlines() == bootstrap_commands(stage_config("dev"))


def test_bootstrap_prints_names_never_values(monkeypatch: pytest.MonkeyPatch) -> None:
    config = stage_config("staging")
    for name in deploy_secret_names(config):
        monkeypatch.setenv(name, f"CANARY-{name}")
    text = "\n".join(bootstrap_commands(config))
    assert "CANARY" not in text
    for name in deploy_secret_names(config):
        assert f'{name}="${name}"' in text
    assert max(len(line) for line in text.splitlines()) <= 120
    assert "infisical secrets folders create --projectId" in text
    assert text.index("folders create") < text.index("secrets set") < text.index("infisical run")


def test_bootstrap_reads_the_project_id_from_the_project_stack_when_the_stage_has_none() -> None:
    raw = raw_config("dev")
    del raw["infisical"]["projectId"]
    lines = bootstrap_commands(parse_stage_config(raw, stage="dev", namespace=PROJECT))
    assert 'project="$(pulumi stack output projectId --stack project)"' in lines
    folder_create = next(line for line in lines if "folders create" in line)
    assert '--projectId "$project"' in folder_create
