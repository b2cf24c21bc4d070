"""Years, quarters and "as of" dates: the one place that says what a period is.

The fiscal year is the calendar year; quarters end on 03-31, 06-30, 09-30 and 12-31;
"today" is the calendar date in Asia/Shanghai (settings.TIME_ZONE), not UTC, so that a
record dated just after midnight in Jiaxian is not "in the future".
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

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


def quarter_start(year: int, quarter: int) -> datetime.date:
    """First day of ``quarter`` (1–4) of ``year``; any other quarter is a ValueError."""
    quarter_end(year, quarter)  # the same refusal of a bad quarter
    return datetime.date(year, 3 * quarter - 2, 1)


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


def is_month_end(on: datetime.date) -> bool:
    """Whether ``on`` is the last day of its month."""
    return (on + datetime.timedelta(days=1)).month != on.month


def months_elapsed(on: datetime.date) -> int:
    """Whole months of ``on``'s year that have elapsed by the end of ``on``: 0 to 12.

    A month counts as elapsed only on its last day, so that a quarter's end counts its whole
    quarter: 2023-01-01 → 0, 2023-01-31 → 1, 2023-06-29 → 5, 2023-06-30 → 6, 2023-12-31 → 12.
    """
    return on.month - 1 + (1 if is_month_end(on) else 0)


def time_progress(on: datetime.date) -> Decimal:
    """Time progress (时序进度) on ``on``: the share of its year elapsed, by months
    (``months_elapsed(on) / 12``), rounded half-up to four places: 2023-06-30 → 0.5000,
    2023-01-31 → 0.0833, 2023-01-01 → 0.0000, 2023-12-31 → 1.0000.

    Shown rounded; the warning light compares against the exact ``months_elapsed / 12``."""
    return (Decimal(months_elapsed(on)) / 12).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def month_start(on: datetime.date) -> datetime.date:
    """The first day of ``on``'s month: how a month is stored (a progress report's ``month``)."""
    return on.replace(day=1)
