"""Rotation cadences and their calendar arithmetic, in UTC dates only.

A cadence is either a period (``30d``, ``2w``, ``3mo``, ``1y``) or an event (``on-compromise``,
``on-staff-change``, ``on-demand``) that no clock can see. Periods are laid on a fixed grid, so the
period a date falls in depends only on the date and the cadence, never on state or on when a stack
was created:

* days count from 1970-01-01, weeks from Monday 1970-01-05;
* months count from January 1970, so ``3mo`` periods are the calendar quarters and ``1mo`` periods
  start on the first of each month, whatever the month's length;
* years start on the first of January.

That grid is what makes a generated secret's keeper (the start of its current period) the same in
``bin/plan``, ``pulumi preview`` and ``pulumi up``, and what makes rotation happen on the first
``pulumi up`` after a period ends and never earlier. The first value of a new secret may live less
than one period (it starts mid-period); every later value lives exactly one.

"Now" is a UTC date, read once per run by :func:`rotation_date`: ``ROTATION_DATE`` from the deploy
environment when set (CI sets it once per job so the preview and the update agree, and tests set it
to walk across boundaries), else today's date in UTC. Nothing here depends on the machine's time zone.

This module depends only on the standard library, so config, program, plan and tests share it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CADENCE_PATTERN = r"^([1-9][0-9]{0,3}(d|w|mo|y)|on-compromise|on-staff-change|on-demand)$"
"""What ``rotateEvery`` accepts: a period of days, weeks, months or years, or an event."""

CADENCE_DESCRIPTION = (
    "A rotation cadence: a period such as 30d, 90d, 2w, 3mo or 1y, or one of on-compromise, on-staff-change, on-demand."
)

PREVIOUS_SUFFIX = "_PREVIOUS"
"""``<NAME>_PREVIOUS``: the binding of last period's value of a generated secret with ``keepPrevious``."""

ROTATION_DATE_ENV = "ROTATION_DATE"
"""The variable that fixes "today" for rotation (``YYYY-MM-DD`` or an ISO timestamp in UTC)."""

_PERIOD = re.compile(r"^([1-9][0-9]*)(d|w|mo|y)$")
_DAY_ZERO = date(1970, 1, 1)
_MONDAY_ZERO = date(1970, 1, 5)
_UNIT_WORDS = {"d": "day", "w": "week", "mo": "month", "y": "year"}
_EVENT_WORDS = {
    "on-compromise": "on compromise",
    "on-staff-change": "on staff change",
    "on-demand": "on demand",
}


class RotationDateError(ValueError):
    """``ROTATION_DATE`` is not a UTC date or timestamp."""


@dataclass(frozen=True)
class Period:
    """A rotation period on the fixed grid: ``count`` days, weeks, months or years."""

    count: int
    unit: str

    @classmethod
    def parse(cls, cadence: str | None) -> Period | None:
        """The period of a cadence, or None for an event cadence (or none at all)."""
        match = _PERIOD.match(cadence or "")
        return cls(int(match.group(1)), match.group(2)) if match else None

    def index(self, day: date) -> int:
        """Which period of the grid ``day`` falls in (periods before 1970 are negative)."""
        match self.unit:
            case "d":
                return (day - _DAY_ZERO).days // self.count
            case "w":
                return (day - _MONDAY_ZERO).days // (7 * self.count)
            case "mo":
                return ((day.year - 1970) * 12 + day.month - 1) // self.count
            case _:
                return (day.year - 1970) // self.count

    def start(self, index: int) -> date:
        """The first day of period ``index``."""
        match self.unit:
            case "d":
                return _DAY_ZERO + timedelta(days=index * self.count)
            case "w":
                return _MONDAY_ZERO + timedelta(weeks=index * self.count)
            case "mo":
                years, month = divmod(index * self.count, 12)
                return date(1970 + years, month + 1, 1)
            case _:
                return date(1970 + index * self.count, 1, 1)

    def current_start(self, day: date) -> date:
        """The start of the period ``day`` is in: a generated secret's keeper."""
        return self.start(self.index(day))

    def next_start(self, day: date) -> date:
        """When the period ``day`` is in ends: the first date a new value is due."""
        return self.start(self.index(day) + 1)

    def after(self, day: date) -> date:
        """``day`` plus one period, for the age of a value set by hand on ``day``.

        A month later than January 31 is the last day of February (28 or 29); a year after
        February 29 is February 28.
        """
        match self.unit:
            case "d":
                return day + timedelta(days=self.count)
            case "w":
                return day + timedelta(weeks=self.count)
            case "mo":
                years, month = divmod(day.month - 1 + self.count, 12)
                year = day.year + years
            case _:
                year, month = day.year + self.count, day.month - 1
        last = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(day.day, last))

    def words(self) -> str:
        unit = _UNIT_WORDS[self.unit]
        return f"every {self.count} {unit}{'s' if self.count != 1 else ''}"


def describe(cadence: str | None) -> str:
    """A cadence in words: ``every 90 days, or on compromise``; ``on staff change``; ``-``."""
    if cadence is None:
        return "-"
    period = Period.parse(cadence)
    return f"{period.words()}, or on compromise" if period else _EVENT_WORDS[cadence]


def parse_utc(text: str) -> date:
    """A UTC date from ``YYYY-MM-DD`` or an ISO timestamp with a ``Z`` or ``+00:00`` offset.

    Any other offset is refused rather than converted: a period boundary must not move with the
    time zone of whoever runs the deploy.
    """
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RotationDateError(f"{text!r} is not a date (YYYY-MM-DD) or an ISO timestamp") from None
    if moment.utcoffset() != timedelta(0):
        raise RotationDateError(f"{text!r} is not in UTC; write it with 'Z' or '+00:00' (rotation is UTC only)")
    return moment.date()


def rotation_date(variables: Mapping[str, str]) -> date:
    """Today for rotation: ``ROTATION_DATE`` if set (a UTC date), else the current date in UTC."""
    fixed = variables.get(ROTATION_DATE_ENV)
    return parse_utc(fixed) if fixed else datetime.now(UTC).date()
