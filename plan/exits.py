"""The exit codes of ``bin/plan``, one place for the CLI, its views and the workflows' docs."""

EXIT_INVALID_CONFIG = 2
"""The stage config is invalid: every problem is listed with its config path, no traceback."""
EXIT_POLICY = 3
"""A mandatory policy rule fails."""
