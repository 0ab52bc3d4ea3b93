"""docs/infisical.md states each Cloudflare token's permission groups exactly as the program declares them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.cloudflare import tokens as cloudflare_tokens

DOC = Path(__file__).resolve().parents[1] / "docs" / "infisical.md"
HEADINGS = {
    "deploy": "**Deploy token**",
    "preview": "**Preview token**",
    "drift": "**Drift token**",
    "sync": "**Sync token**",
    "project": "**Project token**",
}


def documented(token: str) -> list[tuple[str, str]]:
    text = DOC.read_text()
    start = text.index(HEADINGS[token])
    rows: list[tuple[str, str]] = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        match = re.match(r"^\| `([^`]+)` \| (account|zone) \|", line)
        if match:
            rows.append((match.group(1), match.group(2)))
    return rows


@pytest.mark.parametrize("token", sorted(cloudflare_tokens.TOKENS))
def test_the_docs_list_exactly_the_declared_permission_groups(token: str) -> None:
    declared = [(group.name, group.scope) for group in cloudflare_tokens.TOKENS[token]]
    assert documented(token) == declared


def test_the_sync_token_holds_one_permission_and_the_preview_token_only_reads() -> None:
    assert [group.name for group in cloudflare_tokens.SYNC] == ["Workers Scripts Write"]
    assert all(group.name.endswith(" Read") for group in cloudflare_tokens.PREVIEW)
    assert all(group.name.endswith(" Read") for group in cloudflare_tokens.DRIFT)
