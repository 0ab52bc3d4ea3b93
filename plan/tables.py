"""Aligned text tables and Markdown tables, shared by every renderer of the plan.

A text table never runs past :data:`MAX_WIDTH` columns: when its cells do not fit side by side, the widest columns
are narrowed and their cells wrapped onto more lines, and a blank line then separates the rows.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from itertools import zip_longest

from components.rules.terminal import MAX_WIDTH

GAP = "  "
MIN_COLUMN = 10
"""A column is never narrowed below this (or its natural width, if smaller)."""


def text_table(rows: Sequence[Sequence[str]], headers: Sequence[str], width: int = MAX_WIDTH) -> list[str]:
    """Columns padded to their widest cell (narrowed and wrapped to fit ``width``), a dashed rule under the headers."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = _fit([max(len(c) for c in column) for column in zip(headers, *cells, strict=False)], width)
    wrapped = any(len(c) > w for row in [list(headers), *cells] for c, w in zip(row, widths, strict=True))
    lines = [*_row(headers, widths), GAP.join("-" * w for w in widths)]
    for index, row in enumerate(cells):
        if wrapped and index:
            lines.append("")
        lines += _row(row, widths)
    return lines


def text_cards(
    rows: Sequence[Sequence[str]], headers: Sequence[str], titles: int = 1, width: int = MAX_WIDTH
) -> list[str]:
    """One block per row, for rows too wide for a table: the first ``titles`` cells as its title, then one
    ``label  value`` line per other column, values wrapped under themselves."""
    labels = [header.lower() for header in headers[titles:]]
    indent = 2 + max((len(label) for label in labels), default=0) + len(GAP)
    lines: list[str] = []
    for row in rows:
        cells = [str(cell) for cell in row]
        lines += ["", "  ".join(cells[:titles])] if lines else ["  ".join(cells[:titles])]
        for label, value in zip(labels, cells[titles:], strict=True):
            head = f"  {label}".ljust(indent)
            lines += textwrap.wrap(value or "-", width, initial_indent=head, subsequent_indent=" " * indent) or [head]
    return lines


def wrap_prose(text: str, indent: str, hanging: str, width: int = MAX_WIDTH) -> list[str]:
    """A paragraph wrapped to ``width``: ``indent`` before its first line, ``hanging`` before the others."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=hanging, break_on_hyphens=False)


def _fit(widths: list[int], width: int) -> list[int]:
    budget = width - len(GAP) * (len(widths) - 1)
    fitted = list(widths)
    while sum(fitted) > budget:
        widest = max(range(len(fitted)), key=lambda i: fitted[i])
        if fitted[widest] <= min(MIN_COLUMN, widths[widest]):
            break  # too many columns to fit at all: use text_cards for such rows
        fitted[widest] -= 1
    return fitted


def _row(row: Sequence[str], widths: Sequence[int]) -> list[str]:
    parts = [textwrap.wrap(cell, w, break_on_hyphens=False) or [""] for cell, w in zip(row, widths, strict=True)]
    return [
        GAP.join(part.ljust(w) for part, w in zip(line, widths, strict=True)).rstrip()
        for line in zip_longest(*parts, fillvalue="")
    ]


def markdown_cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
        *("| " + " | ".join(markdown_cell(str(c)) for c in row) + " |" for row in rows),
    ]
