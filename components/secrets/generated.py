"""Generated secrets and their rotation: one RandomPassword, or two that take turns.

A RandomPassword makes a new value only when its ``keepers`` change. The keepers are

* ``rotation``: the config's counter; bumping it forces a new value now (and, with
  ``keepPrevious``, of both slots: a compromised value must not stay valid as the previous one);
* ``period``: with ``rotateEvery`` set to a period, the first day of the current period on the
  fixed grid of :mod:`components.rules.rotation`. It changes on the first run after a period ends, so the
  first ``pulumi up`` after the end rotates, and nothing rotates earlier. A secret without a period
  has no ``period`` keeper, so adding this feature rotated nothing that existed.

``keepPrevious: true`` keeps two slots, ``even`` and ``odd``; each is renewed at the start of the
periods of its parity. The slot renewed most recently is the current value; the other one holds the
value of the period before and is bound as ``<NAME>_PREVIOUS``, so what was signed with it stays
valid for one more period.
"""

from __future__ import annotations

from datetime import date

import pulumi
import pulumi_random as random

from components.config import GeneratedSecret
from components.rules.rotation import PREVIOUS_SUFFIX, Period


def keepers(secret: GeneratedSecret, today: date) -> dict[str, str]:
    """The keepers of a single-slot generated secret on ``today``."""
    period = Period.parse(secret.rotate_every)
    found = {"rotation": str(secret.rotation)}
    if period is not None:
        found["period"] = period.current_start(today).isoformat()
    return found


def slot_keepers(secret: GeneratedSecret, today: date) -> tuple[dict[str, str], dict[str, str], str]:
    """For ``keepPrevious``: the keepers of the even and odd slot, and which slot is current."""
    period = Period.parse(secret.rotate_every)
    if period is None:  # the config refuses keepPrevious without a period
        raise ValueError("keepPrevious needs rotateEvery to be a period")
    index = period.index(today)
    latest = {index % 2: index, (index - 1) % 2: index - 1}
    even, odd = ({"rotation": str(secret.rotation), "period": period.start(latest[p]).isoformat()} for p in (0, 1))
    return even, odd, "even" if index % 2 == 0 else "odd"


def generated_values(
    worker_name: str,
    name: str,
    secret: GeneratedSecret,
    today: date,
    parent: pulumi.Resource,
    *,
    renamed_from: str | None = None,
) -> dict[str, pulumi.Output[str]]:
    """``{NAME: value}`` (and ``NAME_PREVIOUS`` with keepPrevious), every value a Pulumi secret.

    A worker renamed from ``renamed_from`` keeps its values: the passwords carry aliases to their old names.
    """

    def password(suffix: str, found: dict[str, str]) -> pulumi.Output[str]:
        made = random.RandomPassword(
            f"{worker_name}-{name}{suffix}",
            random.RandomPasswordArgs(length=secret.length, special=secret.special, keepers=found),
            pulumi.ResourceOptions(
                parent=parent,
                aliases=[pulumi.Alias(name=f"{renamed_from}-{name}{suffix}")] if renamed_from else None,
            ),
        )
        return pulumi.Output.secret(made.result)

    if not secret.keep_previous:
        return {name: password("", keepers(secret, today))}
    even, odd, current = slot_keepers(secret, today)
    slots = {"even": password("-even", even), "odd": password("-odd", odd)}
    previous = "odd" if current == "even" else "even"
    return {name: slots[current], f"{name}{PREVIOUS_SUFFIX}": slots[previous]}
