"""The program itself: read the stage config, build the Stage, export its outputs.

``__main__.py`` calls :func:`main`; the credential-free plan and the tests call the same function
under Pulumi's mock engine, so what they show is what ``pulumi up`` registers.
"""

from __future__ import annotations

import pulumi

from components.config import load_stage_config
from components.secrets import DeployEnvironment
from components.stage import Stage, StageArgs


def main(deploy_environment: DeployEnvironment | None = None) -> Stage:
    deploy_environment = deploy_environment or DeployEnvironment()
    config = load_stage_config()
    deploy_environment.check(config)  # missing injected secrets stop here, before any resource exists
    stage = Stage(config.stage, StageArgs(config=config, deploy_environment=deploy_environment))
    for name, value in stage.outputs.items():
        pulumi.export(name, value)
    return stage
