"""Validation rules and normal forms shared by the providers, each taken from Infisical's own schemas.

A rule returns None when the value is fine, else a reason that says what is expected without quoting the
value. A normal form maps a value to what Infisical stores, so diffs ignore differences it would erase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

Rule = Callable[[Any], str | None]

SLUG = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
# `slugSchema` (backend/src/server/lib/schemas.ts) refines `slugify(v) === v`: lowercase letters and digits
# joined by single hyphens; `_` is refused. Environment slugs, connection and sync names use it.
STRICT_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FOLDER_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
SECRET_KEY = re.compile(r"^[^\s/]+$")
CLOUDFLARE_ACCOUNT_ID = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WORKER_SCRIPT_ID = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
KEY_SCHEMA_CHARS = re.compile(r"^[A-Za-z0-9_/-]*$")
TTL_MAX = 315_360_000


def all_of(*rules: Rule) -> Rule:
    def check(value: Any) -> str | None:
        for rule in rules:
            reason = rule(value)
            if reason is not None:
                return reason
        return None

    return check


def length(low: int, high: int) -> Rule:
    def check(value: Any) -> str | None:
        size = len(value.strip()) if isinstance(value, str) else len(value)
        if size < low or size > high:
            return f"must be {low} to {high} characters long" if low else f"must be at most {high} characters"
        return None

    return check


def matches(pattern: re.Pattern[str], expectation: str) -> Rule:
    def check(value: Any) -> str | None:
        return None if pattern.fullmatch(value) else f"must be {expectation}"

    return check


def slug(low: int, high: int) -> Rule:
    """A project slug (`projectSlugSchema`): ``_`` is allowed there."""
    return all_of(length(low, high), matches(SLUG, "a slug: lowercase letters and digits joined by - or _"))


def strict_slug(low: int, high: int) -> Rule:
    """A slug Infisical refines with ``slugify(v) === v``: no ``_``, no leading, trailing or double ``-``."""
    return all_of(length(low, high), matches(STRICT_SLUG, "a slug: lowercase letters and digits joined by single -"))


def one_of(choices: Collection[str]) -> Rule:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of: {', '.join(sorted(choices))}"

    return check


def int_range(low: int, high: int) -> Rule:
    def check(value: Any) -> str | None:
        return None if low <= value <= high else f"must be between {low} and {high}"

    return check


def folder_path(value: Any) -> str | None:
    if not value.startswith("/"):
        return "must be an absolute folder path starting with /"
    parts = [part for part in value.split("/") if part]
    if not all(FOLDER_NAME.fullmatch(part) for part in parts):
        return "must be made of folder names (letters, digits, - and _) separated by /"
    return None


def http_url(value: Any) -> str | None:
    return None if value.startswith(("https://", "http://")) else "must be an http(s) URL"


def string_map(value: Any) -> str | None:
    ok = all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    return None if ok else "must map strings to strings"


def string_list(value: Any) -> str | None:
    return None if all(isinstance(item, str) for item in value) else "must be a list of strings"


def key_schema(value: Any) -> str | None:
    if value == "":
        return None
    if len(value) > 255:
        return "must be at most 255 characters"
    if "{{secretKey}}" not in value:
        return "must contain {{secretKey}} (or be empty)"
    rest = value.replace("{{secretKey}}", "").replace("{{environment}}", "")
    if not KEY_SCHEMA_CHARS.fullmatch(rest):
        return "may only contain {{secretKey}}, {{environment}}, letters, digits, _, / and -"
    return None


# -- normal forms ----


def empty_if_none(value: Any) -> Any:
    return "" if value is None else value


def trimmed(value: Any) -> Any:
    """Names, descriptions, comments and ``caCert``: Infisical's request schemas ``.trim()`` them."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def normal_path(value: Any) -> Any:
    """``/a/b/`` and ``a//b`` are both ``/a/b``; the root stays ``/``."""
    if not isinstance(value, str):
        return value
    return "/" + "/".join(part for part in value.split("/") if part)


def stored_secret_value(value: Any) -> Any:
    """Infisical trims values but keeps one trailing newline if there was one."""
    if not isinstance(value, str):
        return value
    return value.strip() + "\n" if value.endswith("\n") else value.strip()


def comma_list(value: Any) -> Any:
    """``"a,b"``, ``"a, b"`` and ``["a", "b"]`` are the same list to Infisical."""
    if value is None:
        return ""
    items = value if isinstance(value, list) else str(value).split(",")
    return ", ".join(item.strip() for item in items if item.strip())


def claims(value: Any) -> Any:
    """Bound claims: each value is a comma list that Infisical rewrites with ``", "``."""
    if not isinstance(value, dict):
        return {} if value is None else value
    return {key: comma_list(item) for key, item in value.items()}


def ip_list(value: Any) -> Any:
    """Trusted IPs as strings (``0.0.0.0/0``), whether given as strings or as Infisical's stored objects.

    Infisical stores each entry split by `extractIPDetails` (backend/src/lib/ip/index.ts) into
    ``{ipAddress, type, prefix}``, the prefix only for a range; like the Terraform provider
    (internal/provider/resource/identity_oidc_auth.go) the string is rebuilt as ``ipAddress/prefix``.
    """
    if not isinstance(value, list):
        return value
    return [_ip_string(item) for item in value]


def _ip_string(item: Any) -> Any:
    if not isinstance(item, dict):
        return item.strip() if isinstance(item, str) else item
    address, prefix = item.get("ipAddress"), item.get("prefix")
    if isinstance(address, str) and "/" not in address and isinstance(prefix, (int, float)):
        return f"{address}/{int(prefix)}"
    return address
