"""Which plain values have the shape of a credential, whatever they are called.

A plain var or a JSON binding is stored in clear in state, shown in every plan, preview and pull-request
comment, and written into the ``wranglerConfigs`` output. So a value that has the shape of a known
credential is refused under any name: a public name (``VITE_…``, ``PUBLISHABLE``) or ``publicVars``
exempts a var from the *name* check only, never from this one. Values are trimmed first (a leading space
hides nothing), and JSON is searched at every depth.

Shapes, each a format its issuer documents as secret: Stripe secret, restricted and webhook keys; GitHub
and GitLab tokens; Slack tokens; Resend, SendGrid, OpenAI, Anthropic, npm and PyPI API keys; Google API
keys; AWS access key ids; Shopify tokens; PEM private keys; and a URL carrying a password in its user-info
(``redis://:pw@host`` counts: the user may be empty) or a credential in its query string.

Pure standard library: config checks and the policy pack share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

_START = r"(?<![A-Za-z0-9_])"
"""A token starts at a word boundary: ``task-…`` never looks like ``sk-…``."""
_KNOWN_SECRET_SHAPES = re.compile(
    _START
    + r"""(
        sk_(live|test)_[A-Za-z0-9]{8,} | rk_(live|test)_[A-Za-z0-9]{8,} | whsec_[A-Za-z0-9]{8,}
      | gh[pousr]_[A-Za-z0-9]{20,} | github_pat_[A-Za-z0-9_]{20,} | glpat-[A-Za-z0-9_-]{20,}
      | xox[abposr]-[A-Za-z0-9-]{10,} | xapp-[A-Za-z0-9-]{10,}
      | re_[A-Za-z0-9_]{8,}
      | SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}
      | sk-(ant-|proj-)?[A-Za-z0-9_-]{20,}
      | AIza[0-9A-Za-z_-]{35}
      | (AKIA|ASIA)[0-9A-Z]{16}
      | npm_[A-Za-z0-9]{36} | pypi-AgE[A-Za-z0-9_-]{16,}
      | shp(at|ss|ca|pa)_[a-fA-F0-9]{32}
    )"""
    + r"|-----BEGIN[A-Z ]*PRIVATE\ KEY-----",
    re.VERBOSE,
)
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/@\s:]*:[^/@\s]+@", re.IGNORECASE)
"""``scheme://user:password@`` with any user, the empty one included."""
_URL_QUERY_CREDENTIAL = re.compile(
    r"[a-z][a-z0-9+.-]*://\S*[?&](password|passwd|pwd|token|access_token|api_key|apikey|secret|client_secret|sig)=[^&\s]",
    re.IGNORECASE,
)


def secret_value_reason(value: str) -> str | None:
    """Why a plain value has the shape of a credential, or None. Never repeats the value."""
    text = value.strip()
    if _KNOWN_SECRET_SHAPES.search(text):
        return "the value has the shape of a known API key, token or private key"
    if _URL_PASSWORD.search(text):
        return "the value is a URL with a password in its user-info"
    if _URL_QUERY_CREDENTIAL.search(text):
        return "the value is a URL with a credential in its query string"
    return None


Path = tuple[str | int, ...]


def secret_json_values(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """(path, reason) for every string in a JSON value (keys included) that has the shape of a credential."""
    if isinstance(value, str):
        reason = secret_value_reason(value)
        if reason:
            yield path, reason
    elif isinstance(value, Mapping):
        for key, item in value.items():
            key_reason = secret_value_reason(str(key))
            if key_reason:
                yield (*path, str(key)), f"a key: {key_reason.removeprefix('the value ')}"
            yield from secret_json_values(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from secret_json_values(item, (*path, index))


def dotted(path: Path) -> str:
    """``("a", 0, "b")`` → ``a[0].b``: a path inside a JSON value, as config paths are written."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path).lstrip(".")
