"""Years, quarters and "as of" dates."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

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
