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
    return all_of(length(low, high), matches(SLUG, "a slug: lowercase letters and digits joined by - or _"))


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
    """Trusted IPs as plain strings, whether given as strings or as Infisical's ``{ipAddress}`` objects."""
    if not isinstance(value, list):
        return value
    return [item.get("ipAddress") if isinstance(item, dict) else item for item in value]
