"""The exit codes of ``bin/plan``, one place for the CLI, its ``--help``, its views and the workflows' docs."""

EXIT_INVALID_CONFIG = 2
EXIT_POLICY = 3
EXIT_DESTRUCTIVE_PROD = 4
EXIT_OVERDUE = 5
EXIT_INFISICAL = 6

MEANINGS = {
    0: "the plan is valid",
    EXIT_INVALID_CONFIG: "bad usage or arguments, or invalid input: every problem listed with its file, line or config "
    "path, no traceback; with --against, also a refused edit (a create-only property changed on a live resource)",
    EXIT_POLICY: "a mandatory policy rule fails",
    EXIT_DESTRUCTIVE_PROD: "--against: a change destroys data, breaks traffic or fails the up part-way in prod (a "
    "workflow wants a label)",
    EXIT_OVERDUE: "--inventory --check-age: a secret is overdue for rotation (or missing from Infisical)",
    EXIT_INFISICAL: "--check-age could not read Infisical (credentials, network, or a folder it may not list)",
}
"""What each exit code means, as ``--help`` prints it."""
