"""The "as of a date" questions of the projects app asked in the database agree with the
same questions asked of one record in Python."""

from __future__ import annotations

import datetime

import pytest

from projects.choices import BondReserveStatusChoices as Status
from projects.models import BondReserve, KeyProject
from projects.tests.helpers import RESERVES, as_of_dates

pytestmark = pytest.mark.django_db

d = datetime.date
DAY = datetime.timedelta(days=1)

AS_OF_DATES = as_of_dates(RESERVES)

# That the database agrees with ``status_on`` over these reserves, and that they reach every
# status: investment/tests/test_querysets_steps.py, with the attraction projects.


@pytest.fixture
def reserves(make_bond_reserve) -> list[BondReserve]:
    return [make_bond_reserve(name=name, **dates) for name, dates in RESERVES.items()]


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_in_pool_returns_the_reserves_with_a_status_other_than_rejected(reserves, as_of):
    found = set(BondReserve.objects.in_pool(as_of).values_list("name", flat=True))
    assert found == {reserve.name for reserve in reserves if reserve.status_on(as_of) not in (None, Status.REJECTED)}


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
