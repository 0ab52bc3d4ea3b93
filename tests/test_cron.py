"""Cron fields checked against the ranges Cloudflare accepts, with the error at the config path of the cron."""

from __future__ import annotations

import pytest

from components.config import StageConfigError, parse_stage_config
from components.rules.cron import FIELDS, cron_problems
from tests.conftest import PROJECT, raw_config

CLOUDFLARE_EXAMPLES = (
    "* * * * *",
    "*/30 * * * *",
    "45 * * * *",
    "0 17 * * sun",
    "0 17 * * 1",
    "10 7 * * mon-fri",
    "10 7 * * 2-6",
    "0 15 1 * *",
    "0 18 * * 6L",
    "0 18 * * friL",
    "59 23 LW * *",
)
"""The examples of Cloudflare's cron trigger documentation (with the minute and hour of the last in order)."""


@pytest.mark.parametrize(
    "cron",
    [*CLOUDFLARE_EXAMPLES, "0 9 L * *", "0 10 * * MON#2", "0 0 15W * *", "0 0 1,15 JAN-jun *", "*/10 9-17 * * *"],
)
def test_what_cloudflare_accepts_is_accepted(cron: str) -> None:
    assert cron_problems(cron) == []


@pytest.mark.parametrize(
    ("cron", "problems"),
    [
        ("0 25 * * *", ["hour 25 is outside 0-23"]),
        ("61 * * * *", ["minute 61 is outside 0-59"]),
        ("0 0 32 * *", ["day of month 32 is outside 1-31"]),
        ("*/0 * * * *", ["minute '*/0': the step must be a whole number of 1 or more"]),
        ("0 3 * * 8", ["day of week 8 is outside 1-7 or SUN-SAT"]),
        ("0 3 * * 0", ["day of week 0 is outside 1-7 or SUN-SAT"]),  # Sunday is 1 (or SUN) in Cloudflare's cron
        (
            "99 99 99 99 99",
            [
                "minute 99 is outside 0-59",
                "hour 99 is outside 0-23",
                "day of month 99 is outside 1-31",
                "month 99 is outside 1-12 or JAN-DEC",
                "day of week 99 is outside 1-7 or SUN-SAT",
            ],
        ),
        ("0 L * * *", ["hour 'L': L is not allowed in the hour field"]),
        (
            "0 0 * * MON#6",
            [
                "day of week 'MON#6': write L or <day>L (the last such weekday) or <day>#<1-5> (the nth such "
                "weekday of the month)"
            ],
        ),
        ("0 0 5-2 * *", ["day of month '5-2': the range runs backwards"]),
        ("0 0 * FOO *", ["month 'FOO' is not a value of 1-12 or JAN-DEC"]),
        (
            "@daily",
            ["expected a five-field cron expression (minute hour day-of-month month day-of-week), got 1 field(s)"],
        ),
    ],
)
def test_each_bad_field_is_named(cron: str, problems: list[str]) -> None:
    assert cron_problems(cron) == problems


def test_one_table_of_fields() -> None:
    assert [(f.name, f.low, f.high) for f in FIELDS] == [
        ("minute", 0, 59),
        ("hour", 0, 23),
        ("day of month", 1, 31),
        ("month", 1, 12),
        ("day of week", 1, 7),
    ]


@pytest.mark.parametrize(
    "cron", ["0 25 * * *", "61 * * * *", "0 0 32 * *", "*/0 * * * *", "0 3 * * 8", "99 99 99 99 99"]
)
def test_a_bad_cron_is_a_config_error_at_its_path(cron: str) -> None:
    raw = raw_config("staging")
    raw["workers"]["jobs"]["crons"] = ["*/30 * * * *", cron]
    with pytest.raises(StageConfigError) as error:
        parse_stage_config(raw, stage="staging", namespace=PROJECT)
    ((path, message),) = error.value.problems
    assert path == f"{PROJECT}:workers.jobs.crons[1]"
    assert message.startswith(f"invalid cron {cron!r}: ")
