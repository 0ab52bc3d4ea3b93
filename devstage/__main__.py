"""``bin/dev``: ``python -m devstage [WORKER...] [--stage dev]`` (``bin/dev --help`` says what it does)."""

import sys

from devstage.cli import main

sys.exit(main())
