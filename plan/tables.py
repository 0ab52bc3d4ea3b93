"""Aligned text tables and Markdown tables, shared by every renderer of the plan."""

from __future__ import annotations

from collections.abc import Sequence


def text_table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> list[str]:
    """Columns padded to their widest cell, a dashed rule under the headers."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    line = "  ".join
    return [
        line(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        line("-" * w for w in widths),
        *(line(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows),
    ]


def markdown_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
        *("| " + " | ".join(markdown_cell(str(c)) for c in row) + " |" for row in rows),
    ]
