"""``python -m plan <stage>`` (``bin/plan``): show what the program would build for a stage, with no credentials.

The command line is checked first (``plan/cli.py``, ``--help`` lists the exit codes); only a valid one imports
the program (``plan/commands.py``), so help and usage errors answer at once.
"""

from __future__ import annotations

import sys

from plan.cli import parse


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # Deferred on purpose: Pulumi, the Cloudflare SDK and the components take seconds to import.
    from plan.commands import run  # noqa: PLC0415

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
