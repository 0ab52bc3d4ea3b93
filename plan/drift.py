"""``python -m plan.drift PREVIEW.json --stage S``: name what a refreshed preview found drifted, never a value.

The scheduled drift check (.github/workflows/drift.yml) runs ``pulumi preview --refresh --expect-no-changes
--json`` and hands its document here. That document is Pulumi's ``PreviewDigest``
(sdk/go/common/display/json.go in pulumi/pulumi): ``steps`` of ``{op, urn, diffReasons, replaceReasons,
oldState, newState, …}``, ``diagnostics`` of ``{urn, message, severity}`` and ``changeSummary``. After a
refresh, every step that is not ``same`` is a resource the live stage no longer has as the program declares
it: changed (``update``), gone (``create``), or needing a new one (``replace``). Each is named by its type,
its name, the operation and the names of the properties that differ. The states, which hold the values, are
never shown, nor are diagnostic messages (the preview's own log has them).

Exit codes: :data:`MEANINGS` (``--help`` lists them, and docs/drift.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.rules.terminal import HelpFormatter

EXIT_DRIFT = 1
EXIT_FAILED = 2
MEANINGS = {
    0: "no drift: the live stage matches the program",
    EXIT_DRIFT: "drift: each drifted resource is named, with the properties that differ (never a value)",
    EXIT_FAILED: "the preview failed, or wrote nothing readable (the job log has its errors)",
}
UNCHANGED = frozenset({"same", "read", "refresh"})
"""Steps that leave a resource as it is (``refresh`` steps only bring the state up to date)."""
REPLACEMENT = frozenset({"replace", "create-replacement", "delete-replaced"})
"""One resource's replacement shows as several steps; the report names it once, as ``replace``."""


@dataclass(frozen=True)
class Drifted:
    type: str
    name: str
    op: str
    properties: tuple[str, ...]


def _split(urn: str) -> tuple[str, str]:
    """A URN's resource type (the last in its parent chain) and name."""
    parts = urn.split("::")
    if len(parts) < 4:
        return "unknown", urn
    return parts[2].split("$")[-1], "::".join(parts[3:])


def drifted(digest: dict[str, Any]) -> list[Drifted]:
    ops: dict[str, list[str]] = {}
    properties: dict[str, set[str]] = {}
    for step in digest.get("steps") or []:
        op, urn = str(step.get("op", "")), str(step.get("urn", ""))
        if op in UNCHANGED or not urn:
            continue
        ops.setdefault(urn, []).append(op)
        properties.setdefault(urn, set()).update(step.get("diffReasons") or [], step.get("replaceReasons") or [])
    found = []
    for urn, seen in ops.items():
        kind, name = _split(urn)
        op = "replace" if any(o in REPLACEMENT for o in seen) else seen[0]
        found.append(Drifted(kind, name, op, tuple(sorted(properties[urn]))))
    return sorted(found, key=lambda d: (d.type, d.name))


def failed_on(digest: dict[str, Any]) -> list[str]:
    """The resources the preview reported errors for (names only; the log has the messages)."""
    names = {
        _split(str(d.get("urn")))[1] if d.get("urn") else "the stack"
        for d in digest.get("diagnostics") or []
        if d.get("severity") == "error"
    }
    return sorted(names)


def markdown(stage: str, found: list[Drifted], failures: list[str]) -> str:
    lines = [f"### Drift check ({stage})", ""]
    if found:
        lines += [
            f"`pulumi preview --refresh` found {len(found)} resource(s) that no longer match the program "
            "(names only, never values):",
            "",
            "| resource | type | change | properties |",
            "|---|---|---|---|",
            *(
                f"| `{d.name}` | `{d.type}` | {d.op} | {', '.join(f'`{p}`' for p in d.properties) or '—'} |"
                for d in found
            ),
            "",
            "What to do: docs/drift.md (adopt the change in code, or `pulumi up` to put the stage back).",
        ]
    elif failures:
        lines.append(f"The preview failed (on: {', '.join(failures)}); the job log has the errors.")
    else:
        lines.append("No drift: the live stage matches the program.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m plan.drift",
        description=__doc__.split("\n\n")[0],
        epilog="exit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in MEANINGS.items()),
        formatter_class=HelpFormatter,
    )
    parser.add_argument("preview", type=Path, help="the output of `pulumi preview --refresh --json`")
    parser.add_argument("--stage", required=True)
    parser.add_argument("--preview-exit-code", type=int, default=0, help="pulumi preview's exit code")
    parser.add_argument("--summary", type=Path, help="append the Markdown report to this file (job summary)")
    parser.add_argument("--annotate", action="store_true", help="also print GitHub ::error:: annotations")
    args = parser.parse_args(argv)
    try:
        digest = json.loads(args.preview.read_text())
        if not isinstance(digest, dict):
            raise ValueError
    except (OSError, ValueError):
        digest = None
    found = drifted(digest) if digest else []
    failures = failed_on(digest) if digest else ["the stack (no readable preview output)"]
    if args.summary is not None:
        with args.summary.open("a") as handle:
            handle.write(markdown(args.stage, found, failures))
    for d in found:
        print(f"drift in {args.stage}: {d.type} {d.name}: {d.op} ({', '.join(d.properties) or 'whole resource'})")
    if found:
        if args.annotate:
            names = ", ".join(f"{d.name} ({d.op})" for d in found)
            print(f"::error title=Drift in {args.stage}::{len(found)} resource(s) drifted: {names}. See docs/drift.md")
        return EXIT_DRIFT
    if args.preview_exit_code != 0 or digest is None:
        print(f"the drift check of {args.stage} could not finish: {', '.join(failures) or 'see the log'}")
        if args.annotate:
            print(f"::error title=Drift check failed ({args.stage})::the preview failed; the job log has the errors")
        return EXIT_FAILED
    print(f"no drift in {args.stage}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
