"""Fixtures of the projects app's tests; the factories every app needs are in the
top-level ``conftest.py``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User

from projects import access
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


# --- departments and the groups of issue 7 (projects.access) ---------------------------------


@pytest.fixture
def dept_a(make_department):
    return make_department(name="县工业和信息化局")


@pytest.fixture
def dept_b(make_department):
    return make_department(name="县住房和城乡建设局")


# The personas of the department matrix: None for anonymous, else (group, member of dept A?).
PERSONAS = {
    "anonymous": None,
    "leader": (access.LEADERS_GROUP, False),
    "bureau staff": (access.BUREAU_STAFF_GROUP, False),
    "clerk of A": (access.DEPARTMENT_STAFF_GROUP, True),
    "clerk without department": (access.DEPARTMENT_STAFF_GROUP, False),
    "superuser": "superuser",
}


def may_write(persona: str, owner: str | None) -> bool:
    """The rule the matrix expects: who may create, change or delete a record of ``owner``
    ("A", "B", or None for a record without a department)."""
    if persona in ("bureau staff", "superuser"):
        return True
    return persona == "clerk of A" and owner == "A"


@pytest.fixture
def make_persona(db, dept_a):
    """A staff user of ``PERSONAS[name]`` (in the group the data migration made, with dept A
    for the clerk of A), the same one on each call of a test; None for anonymous."""

    made: dict[str, User] = {}

    def make(name: str) -> User | None:
        spec = PERSONAS[name]
        username = name.replace(" ", "-")
        if spec is None:
            return None
        if name in made:
            return made[name]
        if spec == "superuser":
            made[name] = User.objects.create_superuser(username, f"{username}@example.invalid", "pw")
            return made[name]
        group, in_a = spec
        user = User.objects.create_user(username, password="pw", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        if in_a:
            user.departments.add(dept_a)
        made[name] = user
        return user

    return make


# --- OC4IDS (projects/oc4ids.py) ----------------------------------------------------------


@pytest.fixture(scope="session")
def oc4ids_standard():
    """The base URL of the OC4IDS schema and codelists copied into the tests, served on the
    loopback address for the session (``oc4ids_check``)."""
    from .oc4ids_check import serve_standard

    with serve_standard() as base_url:
        yield base_url
