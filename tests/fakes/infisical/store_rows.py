"""Small helpers every part of the fake uses to make and show rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


def new_id() -> str:
    return str(uuid.uuid4())


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def normal_path(path: str) -> str:
    return "/" + "/".join(part for part in path.split("/") if part)


def stored_value(value: str) -> str:
    """Infisical trims values, keeping one trailing newline if there was one."""
    return value.strip() + "\n" if value.endswith("\n") else value.strip()


def public(row: dict[str, Any]) -> dict[str, Any]:
    """A row without the fake's bookkeeping keys."""
    return {key: value for key, value in row.items() if not key.startswith("_")}
