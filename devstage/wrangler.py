"""The project's pinned wrangler (``package.json``), run so that it never reaches the network.

Every run gets an environment without Cloudflare credentials or account ids and with wrangler's own
network features off: metrics and error reports, the banner's npm update check, and miniflare's download
of the ``Request.cf`` object. Commands always run ``--local``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from components.rules.stage_layout import PROJECT_ROOT

WRANGLER = Path("node_modules") / ".bin" / "wrangler"
OFFLINE = {
    "WRANGLER_SEND_METRICS": "false",
    "WRANGLER_SEND_ERROR_REPORTS": "false",
    "WRANGLER_HIDE_BANNER": "true",  # the banner asks the npm registry for a newer wrangler
    "CLOUDFLARE_CF_FETCH_ENABLED": "false",  # miniflare would download the Request.cf object
}
DROPPED_PREFIXES = ("CLOUDFLARE_", "CF_", "WRANGLER_", "INFISICAL_")
"""Credentials (Cloudflare, Infisical) and wrangler switches of the calling shell never reach wrangler."""


def wrangler_path(root: Path = PROJECT_ROOT) -> Path:
    return root / WRANGLER


def missing_tools(root: Path = PROJECT_ROOT) -> str | None:
    """Why wrangler cannot run here (None when it can)."""
    if shutil.which("node") is None:
        return "Node.js is not installed (bin/dev and the wrangler-backed tests need Node.js 20 or newer)"
    if not wrangler_path(root).exists():
        return "wrangler is not installed: run `npm ci` in the project root (bin/test and bin/dev do it)"
    return None


def environment(inherited: Mapping[str, str], log_dir: Path, keep: Iterable[str] | None = None) -> dict[str, str]:
    """The environment wrangler runs in: ``inherited`` (only the names in ``keep`` when given) made offline."""
    allowed = set(keep) if keep is not None else set(inherited)
    env = {
        name: value for name, value in inherited.items() if name in allowed and not name.startswith(DROPPED_PREFIXES)
    }
    env.update(OFFLINE)
    env["WRANGLER_LOG_PATH"] = str(log_dir)
    return env


def command(*args: str, root: Path = PROJECT_ROOT) -> list[str]:
    return [str(wrangler_path(root)), *args]
