"""The config's hostname checks: every custom domain and route of a stage is its own.

Within the stage: a hostname lies inside the zone, names no other stage, and (outside prod) carries the
stage as a DNS label, wildcard routes included (every host the pattern can match carries it). Across the
committed stages (`components.rules.stage_layout`): no domain or route pattern of this stage uses or could
match one that another stage uses (`components.rules.hostnames`), which also refuses a wildcard route
that would catch another stage's hostname. A ``pr-<number>`` stage is checked against every committed
stage, staging included, whose config it is made from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from components.config.fields import Loc
from components.rules.hostnames import Claim, carries_label, claims_of, conflicts
from components.rules.naming import stage_in_hostname
from components.rules.stage_layout import PROD, StageLayout

if TYPE_CHECKING:
    from components.config.stage_config import StageConfig

Problem = tuple[Loc, str]


def problems(config: StageConfig, layouts: Mapping[str, StageLayout] | None) -> Iterator[Problem]:
    """``layouts``: every stage's layout with this stage's own (None: the files are not at hand, or unreadable)."""
    claims = claims_of(config.stage, config.layout_values()["workers"])
    for claim in claims:
        yield from _within_stage(config, claim)
    if layouts is None:
        return
    others = {stage: list(layout.claims) for stage, layout in layouts.items() if stage != config.stage}
    for claim in claims:
        found = list(conflicts(claim, others))
        if found:
            listed = "; ".join(other.describe() for other in found[:3])
            yield (
                _loc(claim),
                f"{_noun(claim)} {claim.pattern!r} could serve requests that another stage serves ({listed}): "
                "stages never share a hostname, and a wildcard must not reach another stage's",
            )


def _loc(claim: Claim) -> Loc:
    return ("workers", claim.worker, claim.kind, claim.index)


def _noun(claim: Claim) -> str:
    return "hostname" if claim.kind == "domains" else "route"


def _within_stage(config: StageConfig, claim: Claim) -> Iterator[Problem]:
    zone, stage = config.zone, config.stage
    if claim.kind == "routes" and ("/" not in claim.pattern or not claim.host.lstrip("*.")):
        yield _loc(claim), "a route pattern is '<hostname>/<path>', e.g. api.example.com/v1/*"
        return
    host = claim.host.removeprefix("*.").removeprefix("*")
    named = "hostname" if claim.kind == "domains" else "route host"
    if owner := stage_in_hostname(claim.host, stage):
        yield (
            _loc(claim),
            f"{named} {host!r} names stage {owner!r}, not {stage!r}: stages never share a hostname "
            "(a pr-<number> stack, made from Pulumi.pr.template.yaml, needs domains of its own, or none)",
        )
    elif not zone.contains(host):
        yield (
            _loc(claim),
            f"{named} {host!r} is not inside the zone {zone.name!r}; use a name ending in "
            f"'.{zone.name}' or change zone.name" + ("; routes are zone-scoped" if claim.kind == "routes" else ""),
        )
    elif stage != PROD and not carries_label(claim.host, stage):
        example = f"api.{stage}.{zone.name}"
        yield (
            _loc(claim),
            f"{_noun(claim)} {claim.pattern!r} does not carry the stage label {stage!r}: outside prod every "
            f"hostname, and every host a wildcard can match, has the stage as a DNS label (e.g. {example}), so "
            "it can never be prod's or another stage's",
        )
