"""The "as of a date" questions of the projects app asked in the database agree with the
same questions asked of one record in Python."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from projects.choices import BondReserveStatusChoices as Status
from projects.models import BondReserve, KeyProject

pytestmark = pytest.mark.django_db

d = datetime.date
DAY = datetime.timedelta(days=1)

# Reserves of every shape a clerk can enter, by name: their step dates.
RESERVES = {
    "reserved": {"reserved_on": d(2023, 3, 1)},
    "submitted": {"reserved_on": d(2023, 3, 1), "submitted_on": d(2023, 3, 10)},
    "approved": {"reserved_on": d(2023, 3, 1), "submitted_on": d(2023, 3, 10), "approved_on": d(2023, 4, 1)},
    "issued": {
        "reserved_on": d(2023, 3, 1),
        "submitted_on": d(2023, 3, 10),
        "approved_on": d(2023, 4, 1),
        "issued_on": d(2023, 5, 1),
        "issued_amount": Decimal("8000.00"),
    },
    "rejected": {"reserved_on": d(2023, 3, 1), "submitted_on": d(2023, 3, 10), "rejected_on": d(2023, 4, 15)},
    "every-step-one-day": {
        "reserved_on": d(2023, 4, 1),
        "submitted_on": d(2023, 4, 1),
        "approved_on": d(2023, 4, 1),
        "issued_on": d(2023, 4, 1),
    },
    "rejected-the-day-it-came": {
        "reserved_on": d(2023, 2, 1),
        "submitted_on": d(2023, 2, 1),
        "rejected_on": d(2023, 2, 1),
    },
    "next-year": {"reserved_on": d(2024, 1, 2)},
}

# Every step date, the day before it, and the day after the last one.
AS_OF_DATES = sorted(
    {
        day + offset
        for dates in RESERVES.values()
        for name, day in dates.items()
        if name.endswith("_on")
        for offset in (-DAY, datetime.timedelta(0))
    }
    | {d(2030, 1, 1)}
)


@pytest.fixture
def reserves(make_bond_reserve) -> list[BondReserve]:
    return [make_bond_reserve(name=name, **dates) for name, dates in RESERVES.items()]


def test_the_reserves_reach_every_status_over_the_dates(reserves):
    # Without this, the agreement tests below could pass on a set that never tests a status.
    seen = {reserve.status_on(as_of) for reserve in reserves for as_of in AS_OF_DATES}
    assert seen == {None, *Status.values}


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_with_status_annotation_equals_status_on(reserves, as_of):
    annotated = dict(BondReserve.objects.with_status(as_of).values_list("name", "status_as_of"))
    assert annotated == {reserve.name: reserve.status_on(as_of) for reserve in reserves}


def test_reserves_annotated_with_status_load_as_instances(reserves):
    as_of = d(2023, 3, 10)
    loaded = {reserve.name: reserve.status_as_of for reserve in BondReserve.objects.with_status(as_of)}
    assert loaded == {reserve.name: reserve.status_on(as_of) for reserve in reserves}


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_in_status_returns_exactly_the_reserves_whose_status_on_is_that_status(reserves, as_of):
    for status in Status.values:
        found = set(BondReserve.objects.in_status(status, as_of).values_list("name", flat=True))
        assert found == {reserve.name for reserve in reserves if reserve.status_on(as_of) == status}, status


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_in_pool_returns_the_reserves_with_a_status_other_than_rejected(reserves, as_of):
    found = set(BondReserve.objects.in_pool(as_of).values_list("name", flat=True))
    assert found == {reserve.name for reserve in reserves if reserve.status_on(as_of) not in (None, Status.REJECTED)}


def test_in_status_with_an_unknown_status_is_a_value_error(db):
    with pytest.raises(ValueError):
        BondReserve.objects.in_status("pending", d(2023, 6, 30))


# --- key projects listed for a year -------------------------------------------------------------


def test_listed_for_counts_a_listing_from_the_day_it_was_listed(make_listing):
    listed = make_listing(year=2023, listed_on=d(2023, 2, 15)).project
    assert list(KeyProject.objects.listed_for(2023, d(2023, 2, 14))) == []
    assert list(KeyProject.objects.listed_for(2023, d(2023, 2, 15))) == [listed]
    assert list(KeyProject.objects.listed_for(2023)) == [listed]


def test_listed_for_leaves_out_projects_listed_only_in_another_year(make_listing):
    make_listing(year=2022, listed_on=d(2022, 2, 1))
    in_2023 = make_listing(year=2023).project
    assert list(KeyProject.objects.listed_for(2023)) == [in_2023]
    assert list(KeyProject.objects.listed_for(2023, d(2023, 12, 31))) == [in_2023]


def test_listed_for_uses_the_listed_date_of_that_years_listing_not_of_another(make_key_project, make_listing):
    continuing = make_key_project()
    make_listing(project=continuing, year=2022, listed_on=d(2022, 2, 1))
    make_listing(project=continuing, year=2023, listed_on=d(2023, 2, 15))
    # On 2023-01-10 the 2023 list was not out yet, although the 2022 listing was.
    assert list(KeyProject.objects.listed_for(2023, d(2023, 1, 10))) == []
    assert list(KeyProject.objects.listed_for(2023, d(2023, 2, 15))) == [continuing]


def test_a_project_listed_in_several_years_appears_once(make_key_project, make_listing):
    continuing = make_key_project()
    for year in (2021, 2022, 2023):
        make_listing(project=continuing, year=year, listed_on=d(year, 2, 1))
    assert list(KeyProject.objects.listed_for(2022)) == [continuing]
    assert KeyProject.objects.listed_for(2022, d(2023, 12, 31)).count() == 1
