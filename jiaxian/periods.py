"""Years, quarters and "as of" dates: the one place that says what a period is.

The fiscal year is the calendar year; quarters end on 03-31, 06-30, 09-30 and 12-31;
"today" is the calendar date in Asia/Shanghai (settings.TIME_ZONE), not UTC, so that a
record dated just after midnight in Jiaxian is not "in the future".
"""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext

# The years the ledgers hold: a plan's year, a listing's, a report's. Every year parameter and
# every date parameter (``as_of``) lies within them, so that the date arithmetic of a report
# (a month's end, a light's days late) never leaves what ``datetime.date`` can hold.
YEAR_MIN = 2000
YEAR_MAX = 2100


def today() -> datetime.date:
    """The current date in the county's time zone."""
    return timezone.localdate()


def known_by(on: datetime.date) -> datetime.datetime:
    """The first moment after ``on`` in the county's time zone: what was recorded before it was
    known on ``on`` ("as known on K" compares a time with ``known_by(K)``, which an index on the
    time serves)."""
    return timezone.make_aware(datetime.datetime.combine(on + datetime.timedelta(days=1), datetime.time.min))


def year_start(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def month_end(on: datetime.date) -> datetime.date:
    """The last day of ``on``'s month (computed from the calendar, never by adding a day, so
    that 9999-12-31 has one)."""
    return on.replace(day=calendar.monthrange(on.year, on.month)[1])


def days_before(on: datetime.date, days: int) -> datetime.date:
    """``on`` less ``days`` days, or the first date there is when that would be earlier."""
    if days >= (on - datetime.date.min).days:
        return datetime.date.min
    return on - datetime.timedelta(days=days)


def quarter_end(year: int, quarter: int) -> datetime.date:
    """Last day of ``quarter`` (1–4) of ``year``; any other quarter is a ValueError."""
    if type(quarter) is not int or quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1, 2, 3 or 4, not {quarter!r}")
    return month_end(datetime.date(year, quarter * 3, 1))


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
    return on == month_end(on)


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


# --- parameters ----------------------------------------------------------------------------------
# Every year, quarter and date that a request, an admin page or a command receives as text is
# read here, with one range, so that none of them can reach a report outside it.


class PeriodParameterError(ValueError):
    """A year, quarter or date parameter that cannot be read: ``name`` is the parameter's
    name, ``message`` says why, in the active language. The API answers a 400 with
    ``{name: [message]}``, an admin page shows it, a command raises a CommandError."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


def _text(raw) -> str:
    return raw.strip() if isinstance(raw, str) else str(raw)


def parse_year(raw: str | int, name: str = "year") -> int:
    """``raw`` (digits, or an int) as a year from YEAR_MIN to YEAR_MAX; anything else is a
    PeriodParameterError naming ``name``."""
    text = _text(raw)
    if isinstance(raw, bool) or not (text.isascii() and text.isdigit()) or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise PeriodParameterError(
            name,
            gettext("“%(value)s” is not a year from %(min)s to %(max)s.")
            % {"value": text, "min": YEAR_MIN, "max": YEAR_MAX},
        )
    return int(text)


def parse_quarter(raw: str | int, name: str = "quarter") -> int:
    """``raw`` (one digit, or an int) as a quarter, 1 to 4; anything else is a
    PeriodParameterError naming ``name``."""
    text = _text(raw)
    if isinstance(raw, bool) or text not in ("1", "2", "3", "4"):
        raise PeriodParameterError(name, gettext("“%(value)s” is not a quarter: 1, 2, 3 or 4.") % {"value": text})
    return int(text)


def parse_date(raw: str | datetime.date, name: str = "as_of") -> datetime.date:
    """``raw`` written YYYY-MM-DD (or a date) as a date of the years YEAR_MIN to YEAR_MAX;
    anything else is a PeriodParameterError naming ``name``."""
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, datetime.date):
        day = raw
    else:
        text = _text(raw)
        try:
            # fromisoformat alone would also take 20230630 and 2023-W26-5.
            if len(text) != 10 or not text.isascii():
                raise ValueError(text)
            day = datetime.datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            raise PeriodParameterError(
                name, gettext("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": text}
            ) from None
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise PeriodParameterError(
            name,
            gettext("%(value)s is outside the years %(min)s to %(max)s.")
            % {"value": day.isoformat(), "min": YEAR_MIN, "max": YEAR_MAX},
        )
    return day


def parse_moment(raw: str | datetime.datetime, name: str = "now") -> datetime.datetime:
    """``raw`` written YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (or a datetime) as an aware moment:
    a naive one is read in the county's time zone, a day alone is its first minute. Anything
    else is a PeriodParameterError naming ``name``."""
    if isinstance(raw, datetime.datetime):
        moment = raw
    else:
        text = _text(raw)
        if len(text) == 10:
            day = parse_date(text, name)
            moment = datetime.datetime.combine(day, datetime.time.min)
        else:
            try:
                if not text.isascii() or "T" not in text:
                    raise ValueError(text)
                moment = datetime.datetime.fromisoformat(text)
            except ValueError:
                raise PeriodParameterError(
                    name,
                    gettext("“%(value)s” is not a time written YYYY-MM-DDTHH:MM.") % {"value": text},
                ) from None
            parse_date(moment.date(), name)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
