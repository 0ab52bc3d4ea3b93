"""Which plain variables look like secrets.

API keys pasted into plain ``vars`` are a common way secrets leak from Workers projects:
a plain var is stored in clear in state, shown in every preview and written into wrangler configs.
So a plain var whose *name* says "credential" is refused unless the name is public by convention
(``VITE_…``, ``PUBLISHABLE``) or allow-listed in config (``publicVars``); and a var whose *value* has the
shape of a credential is refused whatever its name (:mod:`components.rules.secret_values`): a public name
exempts a var from the name check only. The policy pack and the config models share these rules.
"""

from __future__ import annotations

import re

from components.rules.secret_values import secret_value_reason

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


def public_name_reason(name: str) -> str | None:
    """Why a var's name says it is public by convention (``public prefix PUBLIC_``), or None."""
    match = _PUBLIC_NAME.search(name)
    if match is None:
        return None
    found = match.group(0)
    return f"public prefix {found}" if found.endswith("_") else f"{found} in its name"


def secret_name_reason(name: str) -> str | None:
    """Why a var's name says it holds a credential, or None (a public name never does)."""
    if _PUBLIC_NAME.search(name) or not _SECRET_NAME.search(name):
        return None
    return f"its name {name!r} is the name of a credential"


def secret_looking_reason(name: str, value: str, *, public: bool = False) -> str | None:
    """Why a plain var ``name=value`` looks secret, or None. Never repeats the value.

    ``public`` (the var is listed in ``publicVars``) exempts the name, never the value's shape.
    """
    value_reason = secret_value_reason(value)
    if value_reason:
        return f"{value_reason} (under any name: publicVars and public prefixes exempt names only)"
    return None if public else secret_name_reason(name)
