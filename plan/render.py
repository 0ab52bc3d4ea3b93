"""Render a plan (already redacted) as a terminal table, JSON, or Markdown for a pull-request comment."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Any

from plan.licence import HEADING, WAYS_OUT
from plan.tables import markdown_table, text_table

COLUMNS = ("#", "TYPE", "NAME", "PHYSICAL NAME", "PARENT", "DEPENDS ON", "FLAGS")
TERMINAL_WIDTH = 100


def _flags(resource: dict[str, Any], *, adopting: bool = True) -> list[str]:
    """protect / retainOnDelete, ``adopt <import id>`` for a resource imported instead of created, and
    ``adopts existing`` for an Infisical object taken over if it already exists (never modified or deleted
    by the stack)."""
    flags = [flag for flag in ("protect", "retainOnDelete") if resource[flag]]
    if resource.get("importId"):
        flags.append(f"adopt {resource['importId']}")
    if adopting and resource["inputs"].get("adopt_existing") is True:
        flags.append("adopts existing")
    return flags


def _adopting_lines(plan: dict[str, Any]) -> list[str]:
    adopting = [r["label"] for r in plan["resources"] if r["inputs"].get("adopt_existing") is True]
    if not adopting:
        return []
    heading = "Adopted if they already exist (then never modified or deleted by this stack)"
    return [heading, *(f"  {label}" for label in adopting), ""]


def _licence_rows(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(row["resource"], row["feature"], row["requestedBy"]) for row in plan.get("needsLicence") or []]


def _licence_lines(plan: dict[str, Any]) -> list[str]:
    rows = _licence_rows(plan)
    if not rows:
        return []
    return [HEADING, *text_table(rows, ("RESOURCE", "NEEDS", "ASKED FOR BY")), ""]


def _rows(plan: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for index, resource in enumerate(plan["resources"], start=1):
        flags = _flags(resource)
        rows.append(
            (
                str(index),
                resource["label"].split("/", 1)[0],
                resource["name"],
                resource["physicalName"] or "-",
                resource["parent"] or "-",
                ", ".join(resource["dependsOn"]) or "-",
                ", ".join(flags) or "-",
            )
        )
    return rows


def _tree(plan: dict[str, Any]) -> list[str]:
    """Resources under their components (as ``pulumi preview`` shows them), dependencies on a wrapped
    second line: the table fits a terminal however many edges a resource has."""
    depth: dict[str, int] = {}
    rows = []
    for resource in plan["resources"]:
        depth[resource["label"]] = depth.get(resource["parent"], -1) + 1
        flags = _flags(resource, adopting=False)  # the terminal table lists adoption in a section of its own
        label = "  " * depth[resource["label"]] + resource["label"]
        rows.append((label, resource["physicalName"] or "-", ", ".join(flags) or "-", resource["dependsOn"]))
    lines = text_table([row[:3] for row in rows], ("RESOURCE (BY COMPONENT)", "PHYSICAL NAME", "FLAGS"))
    out = lines[:2]
    for line, row in zip(lines[2:], rows, strict=True):
        out.append(line)
        if row[3]:
            pad = " " * (len(row[0]) - len(row[0].lstrip()) + 4)
            out += textwrap.wrap(
                "depends on " + ", ".join(row[3]), TERMINAL_WIDTH, initial_indent=pad, subsequent_indent=pad + "  "
            )
    return out


def _bindings(plan: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(script, binding, type, target) for every script binding: what each worker sees on `env`."""
    rows = []
    for resource in plan["resources"]:
        if resource["type"].endswith(":WorkersScript"):
            for binding in resource["inputs"].get("bindings") or []:
                target = next(
                    (
                        str(binding[k])
                        for k in ("id", "bucketName", "namespaceId", "queueName", "service", "text", "json")
                        if k in binding
                    ),
                    "",
                )
                rows.append((resource["physicalName"] or resource["name"], binding["name"], binding["type"], target))
    return rows


def _summary(plan: dict[str, Any]) -> str:
    resources = plan["resources"]
    custom = sum(1 for r in resources if r["custom"])
    protected = sum(1 for r in resources if r["protect"])
    return (
        f"{len(resources)} registrations ({custom} resources, {len(resources) - custom} components), "
        f"{protected} protected"
    )


RED, RESET = "\x1b[31m", "\x1b[0m"
ACKNOWLEDGED = "acknowledged"
"""Findings a named acknowledgement let through: never blocking, always shown in red."""


def _policy_lines(plan: dict[str, Any]) -> list[str]:
    results = plan.get("policy") or []
    if not results:
        return ["  all policy rules pass"]
    lines = []
    for v in results:
        line = f"  [{v['enforcement']}] {v['rule']}: {v['resource']}: {v['message']}"
        lines.append(f"{RED}{line}{RESET}" if v["enforcement"] == ACKNOWLEDGED else line)
    return lines


def _markdown_policy(violations: Sequence[dict[str, Any]]) -> list[str]:
    if not violations:
        return ["All policy rules pass."]
    lines = [
        f"- **{v['enforcement']}** `{v['rule']}` on `{v['resource']}`: {v['message']}"
        for v in violations
        if v["enforcement"] != ACKNOWLEDGED
    ]
    acknowledged = [v for v in violations if v["enforcement"] == ACKNOWLEDGED]
    if acknowledged:  # a diff block's "-" lines are the red GitHub renders
        lines += ["", "```diff", *(f"- {v['rule']} on {v['resource']}: {v['message']}" for v in acknowledged), "```"]
    return lines


def render_table(plan: dict[str, Any]) -> str:
    out = [
        f"Plan for stack {plan['stack']!r} of {plan['project']}",
        plan["engine"],
        _summary(plan),
        "",
        *_tree(plan),
        "",
        *_adopting_lines(plan),
        *_licence_lines(plan),
        "Worker bindings",
        *text_table(_bindings(plan), ("SCRIPT", "BINDING", "TYPE", "VALUE / TARGET")),
        "",
        "Policy",
        *_policy_lines(plan),
        "",
        "Stack outputs",
    ]
    for name, value in plan["outputs"].items():
        line = f"  {name}: {json.dumps(value, sort_keys=True)}"
        out.append(line if len(line) <= TERMINAL_WIDTH else line[: TERMINAL_WIDTH - 27] + " … (in full: --format json)")
    return "\n".join(out) + "\n"


def render_json(plan: dict[str, Any]) -> str:
    return json.dumps(plan, indent=2, sort_keys=True) + "\n"


def render_markdown(plan: dict[str, Any]) -> str:
    policy = _markdown_policy(plan.get("policy") or [])
    out = [
        f"### Plan for `{plan['stack']}` ({plan['project']})",
        "",
        f"{_summary(plan)}. _{plan['engine']}; secret values are never shown._",
        "",
        *markdown_table(COLUMNS, _rows(plan)),
        "",
        *_markdown_licence(plan),
        "#### Worker bindings",
        "",
        *markdown_table(("Script", "Binding", "Type", "Value / target"), _bindings(plan)),
        "",
        "#### Policy",
        "",
        *policy,
        "",
        "<details><summary>Stack outputs</summary>",
        "",
        "```json",
        json.dumps(plan["outputs"], indent=2, sort_keys=True),
        "```",
        "",
        "</details>",
    ]
    return "\n".join(out) + "\n"


def _markdown_licence(plan: dict[str, Any]) -> list[str]:
    rows = _licence_rows(plan)
    if not rows:
        return []
    heading = f"> **Needs an Infisical licence**: a server without one refuses these (see {WAYS_OUT})."
    return [heading, "", *markdown_table(("Resource", "Needs", "Asked for by"), rows), ""]


RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}
