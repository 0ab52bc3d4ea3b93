"""Render a plan (already redacted) as a terminal table, JSON, or Markdown for a pull-request comment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

COLUMNS = ("#", "TYPE", "NAME", "PHYSICAL NAME", "PARENT", "DEPENDS ON", "FLAGS")


def _rows(plan: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for index, resource in enumerate(plan["resources"], start=1):
        flags = [flag for flag in ("protect", "retainOnDelete") if resource[flag]]
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


def _table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    line = "  ".join
    return [
        line(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        line("-" * w for w in widths),
        *(line(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows),
    ]


def _policy_lines(plan: dict[str, Any]) -> list[str]:
    results = plan.get("policy") or []
    if not results:
        return ["  all policy rules pass"]
    return [f"  [{v['enforcement']}] {v['rule']}: {v['resource']}: {v['message']}" for v in results]


def render_table(plan: dict[str, Any]) -> str:
    out = [
        f"Plan for stack {plan['stack']!r} of {plan['project']} — {plan['engine']}",
        _summary(plan),
        "",
        *_table(_rows(plan), COLUMNS),
        "",
        "Worker bindings",
        *_table(_bindings(plan), ("SCRIPT", "BINDING", "TYPE", "VALUE / TARGET")),
        "",
        "Policy",
        *_policy_lines(plan),
        "",
        "Stack outputs",
    ]
    for name, value in plan["outputs"].items():
        out.append(f"  {name}: {json.dumps(value, sort_keys=True)}")
    return "\n".join(out) + "\n"


def render_json(plan: dict[str, Any]) -> str:
    return json.dumps(plan, indent=2, sort_keys=True) + "\n"


def _md_cell(value: str) -> str:
    return value.replace("|", "\\|")


def render_markdown(plan: dict[str, Any]) -> str:
    def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
        return [
            "| " + " | ".join(headers) + " |",
            "|" + "---|" * len(headers),
            *("| " + " | ".join(_md_cell(str(c)) for c in row) + " |" for row in rows),
        ]

    violations = plan.get("policy") or []
    policy = (
        ["All policy rules pass."]
        if not violations
        else [f"- **{v['enforcement']}** `{v['rule']}` on `{v['resource']}`: {v['message']}" for v in violations]
    )
    out = [
        f"### Plan for `{plan['stack']}` ({plan['project']})",
        "",
        f"{_summary(plan)}. _{plan['engine']}; secret values are never shown._",
        "",
        *md_table(COLUMNS, _rows(plan)),
        "",
        "#### Worker bindings",
        "",
        *md_table(("Script", "Binding", "Type", "Value / target"), _bindings(plan)),
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


RENDERERS = {"table": render_table, "json": render_json, "markdown": render_markdown}
