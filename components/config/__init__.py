"""Stage configuration: models, the secret-name rules and the loader (the only place config is checked)."""

from components.config.load import StageConfigError, load_stage_config, parse_stage_config, project_config
from components.config.models import *  # noqa: F403  (the models are this package's public surface)
from components.config.models import __all__ as _models

__all__ = ["StageConfigError", "load_stage_config", "parse_stage_config", "project_config", *_models]
