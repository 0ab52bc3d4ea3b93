"""``python -m devstage.relay <slot> <KEY,KEY> -- <command…>``: one link of the ``infisical run`` chain.

``infisical run`` puts every secret of its folder into the environment under its own name. The relay moves
the keys this folder is read for to ``DEVSTAGE_SLOT_<slot>_<KEY>`` and execs the next link, so the next
folder's ``infisical run`` cannot shadow them, and the launcher at the end knows which folder each value
came from. Values only move between process environments.
"""

from __future__ import annotations

import os
import sys

from devstage.sources import slot_variable


def main(argv: list[str]) -> None:
    if len(argv) < 4 or argv[2] != "--":
        raise SystemExit("usage: python -m devstage.relay <slot> <KEY,KEY> -- <command…>")
    slot, keys, command = int(argv[0]), [k for k in argv[1].split(",") if k], argv[3:]
    environment = dict(os.environ)
    for key in keys:
        variable = slot_variable(slot, key)
        environment.pop(variable, None)  # never a stale value from an outer process
        if key in environment:
            environment[variable] = environment.pop(key)
    os.execvpe(command[0], command, environment)  # noqa: S606 (the chain's next link, built by bin/dev)


if __name__ == "__main__":
    main(sys.argv[1:])
