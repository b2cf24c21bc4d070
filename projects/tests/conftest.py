"""Fixtures of the projects app's tests; the factories every app needs are in the
top-level ``conftest.py``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from projects.choices import BondReserveStatusChoices as Status
from projects.models import YearPlan


@pytest.fixture
def build_year_plan():
    """An unsaved plan (default thresholds unless overridden), for the tests of ``full_clean``."""

    def build(year: int = 2023, **fields) -> YearPlan:
        return YearPlan(year=year, **fields)

    return build


@pytest.fixture
def bond_reserves_by_status(today, make_bond_reserve):
    """One 2023 reserve at each status on the frozen ``today`` (2023-06-30), each reaching it
    on that very day, plus one entered after today, which has no status yet; keyed by
    status, None for the one not yet in the pool."""
    day = datetime.timedelta(days=1)
    earlier = today - 10 * day
    return {
        Status.RESERVED: make_bond_reserve(name="储备中", reserved_on=today),
        Status.SUBMITTED: make_bond_reserve(name="已申报", reserved_on=earlier, submitted_on=today),
        Status.APPROVED: make_bond_reserve(name="已审核", reserved_on=earlier, submitted_on=earlier, approved_on=today),
        Status.ISSUED: make_bond_reserve(
            name="已发行",
            reserved_on=earlier,
            submitted_on=earlier,
            approved_on=earlier,
            issued_on=today,
            issued_amount=Decimal("5000.00"),
        ),
        Status.REJECTED: make_bond_reserve(name="未通过", reserved_on=earlier, submitted_on=earlier, rejected_on=today),
        None: _reserve_entered_tomorrow(make_bond_reserve, today),
    }


def _reserve_entered_tomorrow(make_bond_reserve, today: datetime.date):
    """A reserve whose ``reserved_on`` is the day after ``today``. A clerk cannot enter one
    (future dates are refused), so it is made valid and then moved with ``update()``: what
    a reserve recorded later, looked at as of an earlier day, looks like."""
    reserve = make_bond_reserve(name="明日入库")
    type(reserve).objects.filter(pk=reserve.pk).update(reserved_on=today + datetime.timedelta(days=1))
    reserve.refresh_from_db()
    return reserve
