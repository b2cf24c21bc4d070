"""Years, quarters and "as of" dates."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from jiaxian import periods

d = datetime.date


@pytest.mark.parametrize(
    ("quarter", "end"),
    [(1, d(2023, 3, 31)), (2, d(2023, 6, 30)), (3, d(2023, 9, 30)), (4, d(2023, 12, 31))],
)
def test_quarter_end_is_the_quarters_last_day(quarter, end):
    assert periods.quarter_end(2023, quarter) == end


def test_the_first_quarter_of_a_leap_year_still_ends_on_march_31():
    assert periods.quarter_end(2024, 1) == d(2024, 3, 31)


def test_the_fourth_quarter_ends_in_its_own_year_and_the_next_day_starts_the_next_year():
    end = periods.quarter_end(2023, 4)
    assert end == d(2023, 12, 31)
    assert end + datetime.timedelta(days=1) == periods.year_start(2024)


@pytest.mark.parametrize("quarter", [0, 5, -1, None, "1"])
def test_quarter_end_refuses_any_other_quarter_with_a_value_error(quarter):
    with pytest.raises(ValueError, match="quarter must be 1, 2, 3 or 4"):
        periods.quarter_end(2023, quarter)


def test_quarter_ends_lists_the_four_ends_in_order():
    assert periods.quarter_ends(2023) == [d(2023, 3, 31), d(2023, 6, 30), d(2023, 9, 30), d(2023, 12, 31)]


def test_year_start_and_year_end_are_january_1_and_december_31():
    assert (periods.year_start(2023), periods.year_end(2023)) == (d(2023, 1, 1), d(2023, 12, 31))


def test_default_as_of_for_a_past_year_is_its_december_31(today):
    assert periods.default_as_of(2022) == d(2022, 12, 31)


def test_default_as_of_for_the_current_year_is_today(today):
    assert periods.default_as_of(today.year) == today


def test_default_as_of_for_a_year_not_yet_begun_is_today(today):
    assert periods.default_as_of(today.year + 1) == today


@pytest.mark.parametrize(
    ("year", "on", "as_of"),
    [
        (2023, d(2023, 3, 31), d(2023, 3, 31)),
        (2023, d(2023, 12, 31), d(2023, 12, 31)),
        (2023, d(2024, 1, 1), d(2023, 12, 31)),
        (2022, d(2023, 6, 30), d(2022, 12, 31)),
        (2024, d(2023, 6, 30), d(2023, 6, 30)),
    ],
)
def test_default_as_of_with_on_given_uses_that_day_instead_of_today(today, year, on, as_of):
    assert periods.default_as_of(year, on=on) == as_of


def test_today_is_the_date_in_asia_shanghai_not_in_utc(monkeypatch, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    # 16:30 UTC on June 30 is 00:30 on July 1 in Jiaxian.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 6, 30, 16, 30, tzinfo=datetime.UTC))
    assert periods.today() == d(2023, 7, 1)
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2023, 6, 30, 15, 59, tzinfo=datetime.UTC))
    assert periods.today() == d(2023, 6, 30)


# --- date arithmetic that cannot overflow ------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "end"),
    [(d(9999, 12, 31), d(9999, 12, 31)), (d(9999, 12, 1), d(9999, 12, 31)), (d(2024, 2, 10), d(2024, 2, 29))],
)
def test_month_end_is_computed_without_adding_a_day(on, end):
    assert periods.month_end(on) == end


def test_the_last_date_there_is_is_a_month_end_and_its_whole_year_elapsed():
    assert periods.is_month_end(datetime.date.max)
    assert periods.months_elapsed(datetime.date.max) == 12
    assert periods.quarter_end(9999, 4) == datetime.date.max


@pytest.mark.parametrize(
    ("on", "days", "before"),
    [
        (d(2023, 6, 30), 30, d(2023, 5, 31)),
        (d(1, 1, 31), 30, d(1, 1, 1)),
        (d(1, 1, 31), 31, datetime.date.min),  # would be before year 1
        (d(2000, 1, 1), 10**9, datetime.date.min),
    ],
)
def test_days_before_stops_at_the_first_date_there_is(on, days, before):
    assert periods.days_before(on, days) == before


# --- the one parser of year, quarter and date parameters ----------------------------------------


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_the_bounds_of_a_year_are_2000_and_2100():
    assert (periods.YEAR_MIN, periods.YEAR_MAX) == (2000, 2100)


@pytest.mark.parametrize(("raw", "year"), [("2000", 2000), ("2100", 2100), (" 2023 ", 2023), (2023, 2023)])
def test_parse_year_reads_a_year_of_the_range(raw, year):
    assert periods.parse_year(raw) == year


@pytest.mark.parametrize("raw", ["1999", "2101", "9999", "0", "-2023", "2023.0", "２０２３", "", "abc", True, 1999])
def test_parse_year_refuses_anything_else_naming_the_parameter(english, raw):
    with pytest.raises(periods.PeriodParameterError) as caught:
        periods.parse_year(raw, "pool_year")
    assert caught.value.name == "pool_year"
    assert "is not a year from 2000 to 2100" in caught.value.message


@pytest.mark.parametrize(("raw", "quarter"), [("1", 1), ("4", 4), (3, 3)])
def test_parse_quarter_reads_1_to_4(raw, quarter):
    assert periods.parse_quarter(raw) == quarter


@pytest.mark.parametrize("raw", ["0", "5", "01", "1.0", "", "x", True])
def test_parse_quarter_refuses_anything_else(raw):
    with pytest.raises(periods.PeriodParameterError) as caught:
        periods.parse_quarter(raw)
    assert caught.value.name == "quarter"


@pytest.mark.parametrize(
    ("raw", "day"),
    [("2000-01-01", d(2000, 1, 1)), ("2100-12-31", d(2100, 12, 31)), ("2024-02-29", d(2024, 2, 29))],
)
def test_parse_date_reads_a_date_of_the_range(raw, day):
    assert periods.parse_date(raw) == day


@pytest.mark.parametrize(
    "raw", ["2023-02-29", "20230630", "2023-6-30", "2023-W26-5", "30.06.2023", "２０２３-06-30", ""]
)
def test_parse_date_refuses_what_is_not_written_yyyy_mm_dd(english, raw):
    with pytest.raises(periods.PeriodParameterError, match="is not a date written YYYY-MM-DD") as caught:
        periods.parse_date(raw)
    assert caught.value.name == "as_of"


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", d(9999, 12, 31)])
def test_parse_date_refuses_a_date_outside_the_years_2000_to_2100(english, raw):
    with pytest.raises(periods.PeriodParameterError, match="is outside the years 2000 to 2100") as caught:
        periods.parse_date(raw, "valid_on")
    assert caught.value.name == "valid_on"


@pytest.mark.parametrize(
    ("raw", "local"),
    [
        ("2023-07-06", datetime.datetime(2023, 7, 6, 0, 0)),
        ("2023-07-06T09:30", datetime.datetime(2023, 7, 6, 9, 30)),
        ("2023-07-06T09:30:15", datetime.datetime(2023, 7, 6, 9, 30, 15)),
    ],
)
def test_parse_moment_reads_a_naive_time_in_the_countys_zone(raw, local):
    moment = periods.parse_moment(raw)
    assert timezone.is_aware(moment)
    assert timezone.localtime(moment).replace(tzinfo=None) == local


def test_parse_moment_keeps_an_explicit_offset():
    moment = periods.parse_moment("2023-07-06T01:30+00:00")
    assert timezone.localtime(moment).replace(tzinfo=None) == datetime.datetime(2023, 7, 6, 9, 30)


@pytest.mark.parametrize("raw", ["2023-07-06 09:30", "2023-07-06T25:00", "tomorrow", "2023-7-6T09:30", ""])
def test_parse_moment_refuses_what_is_not_a_time(english, raw):
    with pytest.raises(periods.PeriodParameterError) as caught:
        periods.parse_moment(raw)
    assert caught.value.name == "now"


def test_parse_moment_refuses_a_time_outside_the_years(english):
    with pytest.raises(periods.PeriodParameterError, match="is outside the years 2000 to 2100"):
        periods.parse_moment("2101-01-01T00:00")
