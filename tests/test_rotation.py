"""Rotation on a cadence: the period grid at its boundaries, the keepers the program registers, keepPrevious."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pulumi
import pytest

from components.rules.rotation import Period, RotationDateError, describe, parse_utc, rotation_date
from plan.engine import ProgramRun
from tests.canaries import CanaryMocks, canary
from tests.conftest import PROJECT, config_problems, full_environment, raw_config, run_stage


@pytest.mark.parametrize(
    ("cadence", "day", "start", "next_start"),
    [
        ("30d", "2026-11-02", "2026-10-04", "2026-11-03"),  # the last day of a period
        ("30d", "2026-11-03", "2026-11-03", "2026-12-03"),  # the first day of the next
        ("1d", "2026-12-31", "2026-12-31", "2027-01-01"),
        ("1w", "2026-12-06", "2026-11-30", "2026-12-07"),  # weeks start on Monday
        ("2w", "1970-01-05", "1970-01-05", "1970-01-19"),
        ("1mo", "2026-01-31", "2026-01-01", "2026-02-01"),  # month ends
        ("1mo", "2028-02-29", "2028-02-01", "2028-03-01"),  # leap day
        ("1mo", "2027-02-28", "2027-02-01", "2027-03-01"),
        ("1mo", "2026-12-31", "2026-12-01", "2027-01-01"),  # year end
        ("3mo", "2026-03-31", "2026-01-01", "2026-04-01"),  # quarters
        ("3mo", "2026-04-01", "2026-04-01", "2026-07-01"),
        ("1y", "2028-02-29", "2028-01-01", "2029-01-01"),
        ("2y", "2027-06-15", "2026-01-01", "2028-01-01"),
        ("30d", "1969-12-31", "1969-12-02", "1970-01-01"),  # before the grid's origin
    ],
)
def test_period_grid(cadence: str, day: str, start: str, next_start: str) -> None:
    period = Period.parse(cadence)
    assert period is not None
    today = date.fromisoformat(day)
    assert period.current_start(today).isoformat() == start
    assert period.next_start(today).isoformat() == next_start
    assert period.current_start(date.fromisoformat(next_start)).isoformat() == next_start
    assert period.current_start(date.fromordinal(date.fromisoformat(next_start).toordinal() - 1)).isoformat() == start


@pytest.mark.parametrize(
    ("cadence", "changed", "due"),
    [
        ("90d", "2026-01-01", "2026-04-01"),
        ("1mo", "2026-01-31", "2026-02-28"),  # clamped to the month's end
        ("1mo", "2028-01-31", "2028-02-29"),  # leap year
        ("1mo", "2026-12-15", "2027-01-15"),
        ("3mo", "2026-11-30", "2027-02-28"),
        ("1y", "2028-02-29", "2029-02-28"),
        ("1y", "2027-03-01", "2028-03-01"),
        ("2w", "2026-12-25", "2027-01-08"),
    ],
)
def test_one_period_after_a_change(cadence: str, changed: str, due: str) -> None:
    period = Period.parse(cadence)
    assert period is not None and period.after(date.fromisoformat(changed)).isoformat() == due


def test_events_have_no_period_and_read_as_words() -> None:
    assert Period.parse("on-compromise") is None and Period.parse(None) is None
    assert describe("on-staff-change") == "on staff change"
    assert describe("1w") == "every 1 week, or on compromise"
    assert describe(None) == "-"


def test_now_is_a_utc_date() -> None:
    assert parse_utc("2026-12-31T23:59:59Z") == date(2026, 12, 31)
    assert parse_utc("2027-01-01T00:00:00+00:00") == date(2027, 1, 1)
    assert parse_utc("2027-01-01T00:00:00.000Z") == date(2027, 1, 1)  # Infisical's updatedAt shape
    with pytest.raises(RotationDateError, match="not in UTC"):
        parse_utc("2027-01-01T00:30:00+01:00")  # still 2026-12-31 in UTC: refused, not guessed
    with pytest.raises(RotationDateError, match="not a date"):
        parse_utc("tomorrow")
    assert rotation_date({"ROTATION_DATE": "2028-02-29"}) == date(2028, 2, 29)
    before = datetime.now(UTC).date()
    assert rotation_date({}) in (before, datetime.now(UTC).date())


# -- through the program ---------------------------------------------------------------------------------


def run_on(day: str, raw: dict[str, Any] | None = None, stage: str = "dev") -> ProgramRun:
    raw = raw if raw is not None else raw_config(stage)
    environment = {**full_environment(stage, raw, canary), "ROTATION_DATE": day}
    return run_stage(stage, raw, environment=environment, resource_mocks=CanaryMocks(stage))


def keepers(run: ProgramRun) -> dict[str, dict[str, str]]:
    return {r.name: r.inputs["keepers"] for r in run.by_type("RandomPassword")}


def bound(run: ProgramRun) -> dict[str, str]:
    (api,) = [r for r in run.by_type(":WorkersScript") if r.name == "api"]
    return {b["name"]: b["text"] for b in api.inputs["bindings"]["value"] if b["type"] == "secret_text"}


def test_the_keeper_moves_on_the_first_day_after_the_period_and_never_earlier() -> None:
    """30-day periods: 2026-10-04 .. 2026-11-02, then 2026-11-03 .. 2026-12-02."""
    first, last = run_on("2026-10-04"), run_on("2026-11-02")
    assert keepers(first) == keepers(last) == {"api-BETTER_AUTH_SECRET": {"rotation": "0", "period": "2026-10-04"}}
    assert keepers(run_on("2026-11-03"))["api-BETTER_AUTH_SECRET"]["period"] == "2026-11-03"


def test_a_timestamp_is_taken_in_utc_for_the_keeper() -> None:
    assert keepers(run_on("2026-11-02T23:59:59Z")) == keepers(run_on("2026-11-02"))


def test_a_bad_rotation_date_is_a_clear_error() -> None:
    with pytest.raises(pulumi.RunError, match="ROTATION_DATE: '2026-11-02T10:00:00-05:00' is not in UTC"):
        run_on("2026-11-02T10:00:00-05:00")


def keep_previous(cadence: str = "1mo") -> dict[str, Any]:
    raw = raw_config("dev")
    raw["workers"]["api"]["secrets"]["BETTER_AUTH_SECRET"] |= {"rotateEvery": cadence, "keepPrevious": True}
    return raw


def test_keep_previous_binds_last_periods_value() -> None:
    """Monthly: January is an even period of the grid (1970-01 is 0), so the even slot is current."""
    january, february = run_on("2027-01-31", keep_previous()), run_on("2027-02-01", keep_previous())
    # February renews only the odd slot; the even slot (January's current value) is left as it was ...
    assert keepers(january)["api-BETTER_AUTH_SECRET-even"] == keepers(february)["api-BETTER_AUTH_SECRET-even"]
    assert keepers(january)["api-BETTER_AUTH_SECRET-even"]["period"] == "2027-01-01"
    assert keepers(february)["api-BETTER_AUTH_SECRET-odd"]["period"] == "2027-02-01"
    assert keepers(january)["api-BETTER_AUTH_SECRET-odd"]["period"] == "2026-12-01"
    # ... and is now bound as the previous value, the odd slot as the current one
    assert bound(january)["BETTER_AUTH_SECRET"] == canary("generated-api-BETTER_AUTH_SECRET-even")
    assert bound(february)["BETTER_AUTH_SECRET"] == canary("generated-api-BETTER_AUTH_SECRET-odd")
    assert bound(february)["BETTER_AUTH_SECRET_PREVIOUS"] == canary("generated-api-BETTER_AUTH_SECRET-even")
    copies = {r.inputs["key"] for r in february.by_type(":Secret")}
    assert {"BETTER_AUTH_SECRET", "BETTER_AUTH_SECRET_PREVIOUS"} <= copies
    wrangler = february.outputs["wranglerConfigs"].value["api"]["secrets"]["required"]
    assert "BETTER_AUTH_SECRET_PREVIOUS" in wrangler


def test_rotation_bump_renews_both_slots() -> None:
    raw = keep_previous()
    before = keepers(run_on("2027-02-10", raw))
    raw["workers"]["api"]["secrets"]["BETTER_AUTH_SECRET"]["rotation"] = 1
    after = keepers(run_on("2027-02-10", raw))
    assert all(before[slot] != after[slot] for slot in before) and len(after) == 2


def test_keep_previous_needs_a_period_and_a_free_name() -> None:
    raw = keep_previous("on-compromise")
    at = f"{PROJECT}:workers.api.secrets.BETTER_AUTH_SECRET.keepPrevious"
    assert "needs rotateEvery to be a period" in config_problems(raw, "dev")[at]
    raw = keep_previous()
    raw["workers"]["api"]["vars"]["BETTER_AUTH_SECRET_PREVIOUS"] = "x"
    assert "already defines" in config_problems(raw, "dev")[at]
