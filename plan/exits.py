"""The exit codes of ``bin/plan``, one place for the CLI, its views and the workflows' docs."""

EXIT_INVALID_CONFIG = 2
"""The stage config is invalid: every problem is listed with its config path, no traceback."""
EXIT_POLICY = 3
"""A mandatory policy rule fails."""
EXIT_DESTRUCTIVE_PROD = 4
"""``--against``: a change destroys data, breaks traffic or fails the up part-way in prod (a workflow wants a
label for it).
A refused edit (a create-only property changed on a live resource) exits EXIT_INVALID_CONFIG."""
EXIT_INFISICAL = 6
"""``--check-age`` could not read Infisical (credentials, network, or a folder it may not list)."""
EXIT_OVERDUE = 5
"""``--inventory --check-age`` found a secret overdue for rotation (or missing from Infisical)."""
