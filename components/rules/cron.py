"""Cloudflare's cron dialect: five fields, each checked against the values and characters Cloudflare accepts.

Cloudflare Workers cron triggers ("Supported cron expressions",
https://developers.cloudflare.com/workers/configuration/cron-triggers/) take five fields with Quartz-like
extensions: minute 0-59, hour 0-23 (``* , - /``); day of month 1-31 (also ``L`` and ``W``); month 1-12 or
JAN-DEC; day of week 1-7 with 1 = Sunday, or SUN-SAT (also ``L`` and ``#``). Names are case-insensitive. Its
examples: ``0 17 * * sun`` = ``0 17 * * 1``, ``10 7 * * mon-fri`` = ``10 7 * * 2-6``, ``0 18 * * 6L`` = ``0 18 *
* friL`` (the last Friday), ``59 23 LW * *`` (the last weekday of the month).

No library checks this dialect: the Python ones (croniter, cron-validator) read day of week as 0-6 with
0 = Sunday, so they would accept ``0`` and shift every named day. Hence one table of fields, below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True)
class CronField:
    """One field of a cron expression: its values, their names, and the special forms it accepts."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    """Names of the values from ``low`` on (``JAN`` is 1)."""
    special_forms: tuple[tuple[str, str], ...] = ()
    """Beyond ``* , - /``: (pattern of one list item, how to write it) for ``L``, ``W`` and ``#`` forms."""

    @property
    def span(self) -> str:
        named = f" or {self.names[0]}-{self.names[-1]}" if self.names else ""
        return f"{self.low}-{self.high}{named}"

    @property
    def marks(self) -> frozenset[str]:
        """The special characters this field accepts (from its forms)."""
        return frozenset(mark for pattern, _ in self.special_forms for mark in "LW#" if mark in pattern)


_DAY = r"(?P<day>\w+)"
FIELDS = (
    CronField("minute", 0, 59),
    CronField("hour", 0, 23),
    CronField(
        "day of month",
        1,
        31,
        special_forms=(("L", "L (the last day)"), ("LW", "LW (the last weekday)"), (f"{_DAY}W", "<day>W")),
    ),
    CronField("month", 1, 12, names=MONTHS),
    CronField(
        "day of week",
        1,
        7,
        names=WEEKDAYS,
        special_forms=(
            ("L", "L"),
            (f"{_DAY}L", "<day>L (the last such weekday)"),
            (f"{_DAY}#(?P<nth>[1-5])", "<day>#<1-5> (the nth such weekday of the month)"),
        ),
    ),
)
"""The five fields, in order (minute hour day-of-month month day-of-week): the one table of what each accepts."""

_RANGE = re.compile(r"^(?P<start>[^-]+)(?:-(?P<end>[^-]+))?$")


def cron_problems(expression: str) -> list[str]:
    """Everything wrong with ``expression`` in Cloudflare's dialect, one message per bad part (none: valid)."""
    parts = expression.split()
    if len(parts) != len(FIELDS):
        names = " ".join(f.name.replace(" ", "-") for f in FIELDS)
        return [f"expected a five-field cron expression ({names}), got {len(parts)} field(s)"]
    return [
        problem
        for cron_field, part in zip(FIELDS, parts, strict=True)
        for item in part.split(",")
        for problem in _item_problems(cron_field, item)[:1]
    ]


def check_cron(expression: str) -> str:
    """``expression`` if Cloudflare accepts it; otherwise ValueError naming every bad field."""
    problems = cron_problems(expression)
    if problems:
        raise ValueError(f"invalid cron {expression!r}: {'; '.join(problems)}")
    return expression


def _item_problems(cron_field: CronField, item: str) -> list[str]:
    """What is wrong with one list item (``5``, ``1-5``, ``*/15``, ``MON#2``), most telling first."""
    if not item:
        return [f"{cron_field.name} has an empty list item"]
    base, slash, step = item.partition("/")
    problems = _step_problems(cron_field, item, step) if slash else []
    upper = base.upper()
    bare = re.sub("|".join(cron_field.names), "", upper) if cron_field.names else upper  # JUL, WED: no L or W
    marks = {mark for mark in "LW#" if mark in bare}
    if marks:
        return [*_special_problems(cron_field, item, upper, marks), *problems]
    if base == "*":
        return problems
    match = _RANGE.match(base)
    if match is None:
        return [f"{cron_field.name} {item!r} is not a value, a range or a step", *problems]
    bounds = [_value(cron_field, token) for token in match.groups() if token is not None]
    problems = [bound for bound in bounds if isinstance(bound, str)] + problems
    if not problems and len(bounds) == 2 and bounds[1] < bounds[0]:  # type: ignore[operator]
        problems.append(f"{cron_field.name} {item!r}: the range runs backwards")
    return problems


def _step_problems(cron_field: CronField, item: str, step: str) -> list[str]:
    if not step.isdigit() or int(step) < 1:
        return [f"{cron_field.name} {item!r}: the step must be a whole number of 1 or more"]
    if int(step) > cron_field.high:
        return [f"{cron_field.name} {item!r}: the step {step} is larger than the field ({cron_field.span})"]
    return []


def _special_problems(cron_field: CronField, item: str, upper: str, marks: set[str]) -> list[str]:
    extra = marks - cron_field.marks
    if extra:
        return [
            f"{cron_field.name} {item!r}: {' or '.join(sorted(extra))} is not allowed in the {cron_field.name} field"
        ]
    for pattern, _ in cron_field.special_forms:
        match = re.fullmatch(pattern, upper)
        if match is not None:
            day = _value(cron_field, match.group("day")) if "day" in match.groupdict() else None
            return [day] if isinstance(day, str) else []
    forms = " or ".join(written for _, written in cron_field.special_forms)
    return [f"{cron_field.name} {item!r}: write {forms}"]


def _value(cron_field: CronField, token: str) -> int | str:
    """The number ``token`` stands for in this field, or why it is none."""
    upper = token.upper()
    if upper in cron_field.names:
        return cron_field.low + cron_field.names.index(upper)
    if not token.isdigit():
        return f"{cron_field.name} {token!r} is not a value of {cron_field.span}"
    number = int(token)
    if cron_field.low <= number <= cron_field.high:
        return number
    return f"{cron_field.name} {number} is outside {cron_field.span}"
