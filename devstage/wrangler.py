"""The project's pinned wrangler (``package.json``), run offline in an allowlisted environment.

wrangler, and the workerd and esbuild processes it starts, inherit the environment they are given. So they get
an allowlist, not the developer's shell minus a few names: ``PATH``, ``HOME``, the locale, ``TMPDIR``, the
terminal, the proxies, and wrangler's own settings below. Credentials of any kind (``PULUMI_ACCESS_TOKEN``,
``AWS_SECRET_ACCESS_KEY``, Cloudflare and Infisical tokens, ...) and switches such as ``NODE_OPTIONS`` never
reach them, whatever the shell holds. wrangler's network features are off: metrics and error reports, the
banner's npm update check, and miniflare's download of the ``Request.cf`` object. It loads no ``.env`` or
``.dev.vars`` file for secrets: bin/dev hands it the values itself (``devstage.launch``).
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from components.rules.stage_layout import PROJECT_ROOT

WRANGLER = Path("node_modules") / ".bin" / "wrangler"
WRANGLER_PACKAGE = Path("node_modules") / "wrangler"
PASSED = frozenset(
    {
        "PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "TZ",
        "TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR",
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
        "NODE_EXTRA_CA_CERTS",  # the CA of a TLS-intercepting proxy: a path, read by Node.js for every request
        "XDG_CONFIG_HOME", "XDG_CACHE_HOME",  # where wrangler keeps its own settings and caches
    }
)  # fmt: skip
"""The variables of the caller's environment that reach wrangler (with every ``LC_*`` locale variable)."""
PASSED_PREFIXES = ("LC_",)
OFFLINE = {
    "WRANGLER_SEND_METRICS": "false",
    "WRANGLER_SEND_ERROR_REPORTS": "false",
    "WRANGLER_HIDE_BANNER": "true",  # the banner asks the npm registry for a newer wrangler
    "CLOUDFLARE_CF_FETCH_ENABLED": "false",  # miniflare would download the Request.cf object
}
"""wrangler's network features, off (every wrangler run of this project, bin/migrate's too)."""
SETTINGS = {**OFFLINE, "CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV": "false"}  # getVarsForDev reads no .env for secrets
"""What a local run sets for wrangler itself."""
LOG_PATH = "WRANGLER_LOG_PATH"


def wrangler_path(root: Path = PROJECT_ROOT) -> Path:
    return root / WRANGLER


def missing_tools(root: Path = PROJECT_ROOT) -> str | None:
    """Why wrangler cannot run here (None when it can)."""
    if shutil.which("node") is None:
        return "Node.js is not installed (bin/dev and the wrangler-backed tests need Node.js 20 or newer)"
    if not wrangler_path(root).exists():
        return "wrangler is not installed: run `npm ci` in the project root (bin/test and bin/dev do it)"
    return None


def passed(inherited: Mapping[str, str], also: frozenset[str] = frozenset()) -> dict[str, str]:
    """The allowlisted part of ``inherited``: :data:`PASSED`, every ``LC_*`` variable, and ``also``."""
    return {
        name: value
        for name, value in inherited.items()
        if name in PASSED or name in also or name.startswith(PASSED_PREFIXES)
    }


def environment(inherited: Mapping[str, str], log_dir: Path) -> dict[str, str]:
    """The environment wrangler runs in: the allowlisted part of ``inherited``, offline, logging to ``log_dir``."""
    return {**passed(inherited), **SETTINGS, LOG_PATH: str(log_dir)}


def command(*args: str, root: Path = PROJECT_ROOT) -> list[str]:
    return [str(wrangler_path(root)), *args]
