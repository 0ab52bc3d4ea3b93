"""The program itself: for a stage, read its config, build the Stage, export its outputs; for the stack
named ``project``, build the project stack that every stage shares.

``__main__.py`` calls :func:`run`; the credential-free plan and the tests call the same function
under Pulumi's mock engine, so what they show is what ``pulumi up`` registers.
"""

from __future__ import annotations

import pulumi

from components.config import load_stage_config
from components.config.committed import committed_stage_configs
from components.config.project_config import load_project_config
from components.infisical_side.project_stack import ProjectStack, ProjectStackArgs
from components.rules.naming import PROJECT_STACK
from components.secrets.deploy_inputs import DeployEnvironment
from components.stage import Stage, StageArgs


def run(deploy_environment: DeployEnvironment | None = None) -> Stage | ProjectStack:
    """The whole program: the project stack for the stack named ``project``, else the stage."""
    return project_main(deploy_environment) if pulumi.get_stack() == PROJECT_STACK else main(deploy_environment)


def project_main(deploy_environment: DeployEnvironment | None = None) -> ProjectStack:
    """What every stage shares: the Infisical project, the preview environment, team access, and the one place
    Cloudflare tokens are minted (each stage's sync token, handed over through its Infisical environment)."""
    namespace = pulumi.get_project()
    config = load_project_config(namespace)
    stages = committed_stage_configs(config.project.stages, namespace)
    deploy_inputs = (deploy_environment or DeployEnvironment()).read_for_project()
    project = ProjectStack("project", ProjectStackArgs(config, namespace, stages, deploy_inputs))
    for name, value in project.outputs.items():
        pulumi.export(name, value)
    return project


def main(deploy_environment: DeployEnvironment | None = None) -> Stage:
    """One stage: check its config and secrets, build the Stage, export its outputs."""
    config = load_stage_config()
    # The one read of the deploy environment: missing injected secrets stop here, before any resource exists.
    deploy_inputs = (deploy_environment or DeployEnvironment()).read(config)
    stage = Stage(config.stage, StageArgs(config=config, deploy_inputs=deploy_inputs))
    for name, value in stage.outputs.items():
        pulumi.export(name, value)
    return stage
