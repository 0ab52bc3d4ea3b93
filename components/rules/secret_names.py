"""Which plain variables look like secrets.

API keys pasted into plain ``vars`` are a common way secrets leak from Workers projects:
a plain var is stored in clear in state, shown in every preview and written into wrangler configs.
So a plain var whose *name* or *value shape* says "credential" is refused, unless the name is public
by convention or allow-listed in config. The policy pack and the config models share these rules.
"""

from __future__ import annotations

import re

_SECRET_NAME = re.compile(
    r"""(
        (^|_)(SECRET|SECRETS|TOKEN|PASSWORD|PASSWD|PASS|PWD|PRIVATE|CREDENTIALS?|APIKEY)(_|$)
      | _KEY$ | ^KEY$ | _KEY_
      | PASSWORD
      | ^(DATABASE|DB|REDIS|POSTGRES|MYSQL|MONGO(DB)?|AMQP|RABBITMQ|KAFKA)_URL$
      | ^(SESSION|COOKIE|JWT|SIGNING|ENCRYPTION|WEBHOOK)_
    )""",
    re.VERBOSE,
)
"""Names that conventionally hold credentials: ``*_SECRET``, ``*_TOKEN``, ``*_KEY``, ``*PASSWORD*``,
connection URLs such as ``DATABASE_URL`` and ``REDIS_URL``."""

_PUBLIC_NAME = re.compile(r"^(VITE_|PUBLIC_|NEXT_PUBLIC_|NUXT_PUBLIC_|EXPO_PUBLIC_)|PUBLISHABLE")
"""Names that frameworks ship to browsers on purpose, so they are public by nature."""

_URL_WITH_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]+:[^/@\s]+@", re.IGNORECASE)
_KNOWN_SECRET_SHAPES = re.compile(
    r"^(sk_(live|test)_|rk_(live|test)_|whsec_|ghp_|gho_|ghs_|github_pat_|xox[abpr]-|re_[A-Za-z0-9]{8,}|"
    r"AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----)"
)
"""Well-known credential formats (Stripe, GitHub, Slack, Resend, AWS, PEM keys)."""


def public_name_reason(name: str) -> str | None:
    """Why a var's name says it is public by convention (``public prefix PUBLIC_``), or None."""
    match = _PUBLIC_NAME.search(name)
    if match is None:
        return None
    found = match.group(0)
    return f"public prefix {found}" if found.endswith("_") else f"{found} in its name"


def secret_looking_reason(name: str, value: str) -> str | None:
    """Why a plain var ``name=value`` looks secret, or None. Never repeats the value."""
    if _PUBLIC_NAME.search(name):
        return None
    if _SECRET_NAME.search(name):
        return f"its name {name!r} is the name of a credential"
    if _URL_WITH_CREDENTIALS.match(value):
        return f"the value of {name!r} is a URL with a user name and password in it"
    if _KNOWN_SECRET_SHAPES.match(value):
        return f"the value of {name!r} has the shape of a known API key or private key"
    return None
