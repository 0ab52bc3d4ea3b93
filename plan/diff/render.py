"""Render a plan diff for a terminal (a tree like ``pulumi preview``), a pull request, or a machine.

The terminal form fits a terminal: one line per resource, grouped under its components, with
changed paths and flags wrapped below it instead of a wide table. Words are never broken: a URL or
a command longer than the line stays whole on a line of its own (the CLI's 120 columns still hold).
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from plan.diff.model import OP_NAMES, OPS, Change, PlanDiff
from plan.tables import markdown_cell

WIDTH = 100
ACK_LABEL = "destructive-change-acknowledged"
"""The pull-request label that acknowledges a destructive prod change (docs/review.md, "Reviewing a change")."""

_FLAG_MARK = {"data": "!! data", "traffic": "!! traffic", "fails": "!! fails", "note": "note"}


def _summary(diff: PlanDiff) -> str:
    counts = diff.counts()
    parts = [f"{counts[OP_NAMES[op]]} to {OP_NAMES[op]}" for op in OPS if counts[OP_NAMES[op]]]
    return ", ".join(parts) if parts else "no changes"


def _ordered(diff: PlanDiff) -> list[Change]:
    """Components first, in the order the plan lists them; deletes after what stays."""
    return sorted(diff.changes, key=lambda c: (c.parents, c.op == "-", c.label))


def _wrap(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=pad,
        subsequent_indent=pad + "  ",
        break_on_hyphens=False,
        break_long_words=False,
    )


def render_terminal(diff: PlanDiff) -> str:
    out = [*_wrap(f"Changes to stack {diff.stack!r} of {diff.project} against {diff.base}:", 0), _summary(diff), ""]
    printed: list[str] = []
    for change in _ordered(diff):
        for depth, parent in enumerate(change.parents):
            if len(printed) <= depth or printed[depth] != parent:
                del printed[depth:]
                printed.append(parent)
                out.append("  " * (depth + 1) + parent)
        del printed[len(change.parents) :]
        indent = 2 * (len(change.parents) + 1)
        head = f"{change.op:<2} {change.label}"
        if change.physical_name:
            head += f"  ({change.physical_name})"
        out += _wrap(head, indent)
        if change.import_id:
            out += _wrap(f"import {change.import_id}", indent + 4)
        for reason in change.reasons:
            out += _wrap(f"because {reason}", indent + 4)
        for path in change.paths:
            out += _wrap(path, indent + 4)
        for flag in change.flags:
            out += _wrap(f"{_FLAG_MARK[flag.kind]}: {flag.message}", indent + 4)
    if diff.outputs:
        out += ["", "Stack outputs"]
        for output in diff.outputs:
            out += _wrap(f"{output.path}: {output.what}", 2)
            if output.warning:
                out += _wrap(f"!! pipelines: {output.warning}", 6)
    if diff.notes:
        out += ["", "Notes"]
        out += [line for note in diff.notes for line in _wrap(f"{note.subject}: {note.message}", 2)]
    out += ["", *_verdict(diff)]
    return "\n".join(out) + "\n"


def _verdict(diff: PlanDiff) -> list[str]:
    lines = []
    for refusal in diff.refusals:
        lines += _wrap(f"refused: {refusal.path}: {refusal.message}", 0)
    for why in diff.partway:
        lines += _wrap(f"this up fails part-way: {why}", 0)
    destructive = diff.destructive
    if destructive:
        where = "prod: bin/plan exits 4" if diff.is_prod else f"stage {diff.stack}"
        labels = ", ".join(c.label for c in destructive)
        lines += _wrap(f"{len(destructive)} destructive change(s) ({where}): {labels}", 0)
    elif not diff.refusals:
        lines.append("no change destroys data or breaks traffic")
    return lines


def render_json(diff: PlanDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, sort_keys=True) + "\n"


def render_markdown(diff: PlanDiff) -> str:
    out = [f"### Changes to `{diff.stack}` against `{diff.base}`", ""]
    out += [f"**{_summary(diff)}.** _Secret values are never shown._", ""]
    destructive = diff.destructive
    if destructive and diff.is_prod:
        out += [
            "> [!CAUTION]",
            f"> {len(destructive)} change(s) destroy data, break traffic or fail the up **in prod**. The required "
            f"check fails until a maintainer adds the `{ACK_LABEL}` label.",
            "",
        ]
    elif destructive:
        out += [
            "> [!WARNING]",
            f"> {len(destructive)} change(s) destroy data, break traffic or fail the up in `{diff.stack}`.",
            "",
        ]
    if diff.partway:
        out += ["#### This up fails part-way", ""]
        out += [f"- {markdown_cell(why)}" for why in diff.partway]
        out.append("")
    if diff.refusals:
        out += ["#### Refused", ""]
        out += [f"- `{r.path}`: {r.message}" for r in diff.refusals]
        out.append("")
    if diff.changes:
        out += ["| | Resource | Physical name | What changes |", "|---|---|---|---|"]
        for change in _ordered(diff):
            detail = [*(f"because {r}" for r in change.reasons), *change.paths]
            if change.import_id:
                detail.insert(0, f"import `{change.import_id}`")
            what = "<br>".join(map(markdown_cell, detail))
            cells = [f"`{change.op}`", f"`{change.label}`", change.physical_name or "", what]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    flagged = [(change, flag) for change in _ordered(diff) for flag in change.flags]
    if flagged:
        out += ["#### Flags", ""]
        out += [f"- **{flag.kind}** `{change.label}`: {markdown_cell(flag.message)}" for change, flag in flagged]
        out.append("")
    if diff.outputs:
        out += ["#### Stack outputs", ""]
        for output in diff.outputs:
            warning = f" **pipelines:** {markdown_cell(output.warning)}" if output.warning else ""
            out.append(f"- `{output.path}`: {markdown_cell(output.what)}{warning}")
        out.append("")
    if diff.notes:
        out += ["#### Notes", ""]
        out += [f"- **{note.subject}**: {markdown_cell(note.message)}" for note in diff.notes]
        out.append("")
    return "\n".join(out) + "\n"


RENDERERS: dict[str, Any] = {"table": render_terminal, "json": render_json, "markdown": render_markdown}
