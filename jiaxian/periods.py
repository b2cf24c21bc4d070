"""Years, quarters and "as of" dates: the one place that says what a period is.

The fiscal year is the calendar year; quarters end on 03-31, 06-30, 09-30 and 12-31;
"today" is the calendar date in Asia/Shanghai (settings.TIME_ZONE), not UTC, so that a
record dated just after midnight in Jiaxian is not "in the future".
"""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """The current date in the county's time zone."""
    return timezone.localdate()


def year_start(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def quarter_end(year: int, quarter: int) -> datetime.date:
    """Last day of ``quarter`` (1–4) of ``year``; any other quarter is a ValueError."""
    if type(quarter) is not int or quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1, 2, 3 or 4, not {quarter!r}")
    month = quarter * 3
    next_month_start = datetime.date(year + month // 12, month % 12 + 1, 1)
    return next_month_start - datetime.timedelta(days=1)


def quarter_ends(year: int) -> list[datetime.date]:
    """The four quarter ends of ``year``, in order."""
    return [quarter_end(year, q) for q in (1, 2, 3, 4)]


def default_as_of(year: int, on: datetime.date | None = None) -> datetime.date:
    """The date a report for ``year`` is computed at when none is given.

    Today (or ``on``) while the year runs or before it starts; the year's last day once
    the year is past.
    """
    on = on or today()
    return min(on, year_end(year))
