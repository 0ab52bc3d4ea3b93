"""The one terminal rule every command line of this project keeps: nothing it prints is wider than 120 columns.

argparse fills the terminal it finds (``COLUMNS``), so a wide terminal got help lines of 150 columns; its
formatter here is capped. Tables and prose of ``bin/plan`` wrap to the same width (``plan/tables.py``).
"""

from __future__ import annotations

import argparse
import shutil
import textwrap

MAX_WIDTH = 120


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help as written (descriptions keep their line breaks), never wider than :data:`MAX_WIDTH`."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=min(shutil.get_terminal_size().columns, MAX_WIDTH))


def fit(text: str, width: int = MAX_WIDTH) -> str:
    """``text`` with every line wider than ``width`` wrapped at spaces, continuation lines indented under it.

    A list item (``  - path: message``) continues under its text; words (paths, URLs) are never split.
    """
    fitted: list[str] = []
    for line in text.splitlines():
        if len(line) <= width:
            fitted.append(line)
            continue
        body = line.lstrip(" ")
        indent = " " * (len(line) - len(body))
        hanging = indent + ("  " if body.startswith("- ") else "    ")
        fitted += textwrap.wrap(
            line, width, subsequent_indent=hanging, break_long_words=False, break_on_hyphens=False
        ) or [line]
    return "\n".join(fitted)
