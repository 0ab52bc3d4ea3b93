"""Which hostnames a stage serves, and when two stages' hostnames or route patterns meet.

A stage serves traffic in two ways: a custom domain (``workers.<w>.domains``) takes every path of one
hostname, and a route (``workers.<w>.routes``) takes what its pattern ``<host>/<path>`` matches, where
``*`` is a wildcard (Cloudflare allows it at the start of the host and in the path; any ``*`` is read as
"any text, dots and slashes included", which can only widen what a pattern is thought to match).

Stages never share traffic, so three rules hold between the committed stages:

* a stage uses no hostname or route that another stage uses or could match (`overlaps`);
* a non-prod hostname carries its stage as a DNS label (``api.staging.example.com``), so every host a
  non-prod pattern can match is visibly that stage's (`carries_label`);
* consequently a wildcard route that could match another stage's hostname is refused.

Two patterns overlap when some request could match both: their hosts (case-insensitively) and their
paths each have a common match (`globs_meet`, exact for ``*``-only globs).

Pure standard library: the config check and the policy pack share it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

WILDCARD = "*"
ALL_PATHS = "*"
"""A custom domain serves every path of its hostname."""


@dataclass(frozen=True)
class Claim:
    """One hostname or route pattern a stage uses, with where it is configured."""

    stage: str
    worker: str
    kind: Literal["domains", "routes"]
    index: int
    pattern: str

    @property
    def host(self) -> str:
        return self.pattern.split("/", 1)[0].lower()

    @property
    def path(self) -> str:
        if self.kind == "domains":
            return ALL_PATHS
        return self.pattern.split("/", 1)[1] if "/" in self.pattern else ""

    @property
    def where(self) -> str:
        """The config path, as ``pulumi config set --path`` takes it."""
        return f"workers.{self.worker}.{self.kind}[{self.index}]"

    def describe(self) -> str:
        noun = "hostname" if self.kind == "domains" else "route"
        return f"{noun} {self.pattern!r} ({self.where} in Pulumi.{self.stage}.yaml)"


def claims_of(stage: str, workers: Any) -> list[Claim]:
    """Every domain and route of a stage, from its ``workers`` config value (camelCase, as in YAML)."""
    claims: list[Claim] = []
    if not isinstance(workers, Mapping):
        return claims
    for worker, settings in sorted(workers.items()):
        if not isinstance(settings, Mapping):
            continue
        for kind in ("domains", "routes"):
            values = settings.get(kind)
            if isinstance(values, list):
                claims += [
                    Claim(stage, str(worker), kind, index, value)
                    for index, value in enumerate(values)
                    if isinstance(value, str)
                ]
    return claims


def globs_meet(first: str, second: str) -> bool:
    """Whether some string matches both ``*``-wildcard globs (every other character is literal)."""

    @functools.cache
    def meet(i: int, j: int) -> bool:
        if i == len(first) and j == len(second):
            return True
        if i < len(first) and first[i] == WILDCARD:
            # The star matches nothing, or takes the other side's next character (or star).
            return meet(i + 1, j) or (j < len(second) and meet(i, j + 1))
        if j < len(second) and second[j] == WILDCARD:
            return meet(i, j + 1) or (i < len(first) and meet(i + 1, j))
        return i < len(first) and j < len(second) and first[i] == second[j] and meet(i + 1, j + 1)

    return meet(0, 0)


def overlaps(first: Claim, second: Claim) -> bool:
    """Whether one request could be served by both claims."""
    return globs_meet(first.host, second.host) and globs_meet(first.path, second.path)


def fixed_labels(host: str) -> list[str]:
    """The labels every host the pattern can match ends with: those after the last label with a wildcard."""
    labels = host.lower().split(".")
    wild = [index for index, label in enumerate(labels) if WILDCARD in label]
    return labels[wild[-1] + 1 :] if wild else labels


def carries_label(host: str, stage: str) -> bool:
    """Whether every host ``host`` can match has ``stage`` as one of its DNS labels."""
    return stage in fixed_labels(host)


def conflicts(claim: Claim, others: Mapping[str, list[Claim]]) -> Iterator[Claim]:
    """The other stages' claims that ``claim`` overlaps (``others``: stage → its claims)."""
    for stage, claims in sorted(others.items()):
        if stage == claim.stage:
            continue
        yield from (other for other in claims if overlaps(claim, other))
