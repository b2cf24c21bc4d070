"""The quota line ``key_project_investment_progress`` (the year's completed ÷ planned
investment of the listed projects against the time progress) and the key projects' lights and
spawned projects that the dashboard counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment import quotas
from projects.models import AnnualListing, KeyProject, Milestone, ProgressReport
from projects.tests.helpers import approved_report

pytestmark = pytest.mark.django_db

d = datetime.date
D = Decimal
KEY = "key_project_investment_progress"


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)


@pytest.fixture
def listed(today, make_key_project, make_listing):
    """Two projects listed for 2023, 6,000 and 4,000 万元 planned (10,000 in all)."""
    projects = []
    for planned in ("6000.00", "4000.00"):
        project = make_key_project()
        make_listing(project=project, year=2023, planned_investment=D(planned))
        projects.append(project)
    return projects


def report(project, month, amount):
    approved_report(project, month, amount)


@pytest.mark.parametrize(
    ("completed", "value", "met"),
    [
        ("5000.00", "0.5000", True),
        ("4999.50", "0.5000", True),  # the value is rounded half-up first, as every share's
        ("4999.49", "0.4999", False),
        ("0.00", "0.0000", False),
    ],
)
def test_the_line_is_met_when_the_completed_share_reaches_the_time_progress(plan, listed, completed, value, met):
    report(listed[0], d(2023, 6, 1), completed)
    target = quotas.report(plan, d(2023, 6, 30))[KEY]
    assert (target.numerator, target.denominator) == (2, None)
    assert (target.value, target.threshold, target.met) == (D(value), D("0.5000"), met)


def test_reports_after_the_as_of_month_or_of_another_year_do_not_count(plan, listed):
    report(listed[0], d(2022, 12, 1), "9000.00")
    report(listed[0], d(2023, 3, 1), "1000.00")
    report(listed[1], d(2023, 4, 1), "1000.00")
    assert quotas.report(plan, d(2023, 3, 31))[KEY].value == D("0.1000")
    assert quotas.report(plan, d(2023, 4, 1))[KEY].value == D("0.2000")


def test_reports_of_projects_listed_after_the_date_or_for_another_year_only_do_not_count(
    plan, listed, make_key_project, make_listing
):
    later, other_year = make_key_project(), make_key_project()
    make_listing(project=later, year=2023, listed_on=d(2023, 6, 15))
    make_listing(project=other_year, year=2022, listed_on=d(2022, 2, 15))
    report(listed[0], d(2023, 6, 1), "1000.00")
    report(later, d(2023, 6, 1), "5000.00")
    report(other_year, d(2023, 6, 1), "5000.00")
    assert quotas.report(plan, d(2023, 6, 14))[KEY].value == D("0.1000")


def test_the_completed_investment_is_summed_from_the_listings_and_reports_alone(plan, listed):
    # The listed projects' ids from the listings (their index holds them), not through a join
    # of the projects' table: the reports and listings' indexes answer the sum.
    with CaptureQueriesContext(connection) as queries:
        quotas.report(plan, d(2023, 6, 30))
    (summed,) = [query["sql"] for query in queries.captured_queries if "approved_investment" in query["sql"]]
    assert ProgressReport._meta.db_table in summed and AnnualListing._meta.db_table in summed
    assert KeyProject._meta.db_table not in summed


def test_the_value_is_none_and_not_met_when_nothing_is_planned(plan, today):
    target = quotas.report(plan, d(2023, 6, 30))[KEY]
    assert (target.value, target.met, target.numerator) == (None, False, 0)


def test_on_january_first_the_threshold_is_zero_and_at_the_year_end_one(plan, today, make_listing):
    make_listing(year=2023, planned_investment=D("100.00"), listed_on=d(2023, 1, 1))
    target = quotas.report(plan, d(2023, 1, 1))[KEY]
    assert (target.value, target.threshold, target.met) == (D("0.0000"), D("0.0000"), True)
    assert quotas.report(plan, d(2023, 12, 31))[KEY].threshold == D("1.0000")


def test_the_records_are_the_listed_projects_and_those_behind_time_progress(plan, listed):
    report(listed[0], d(2023, 6, 1), "3000.00")  # 50% of its 6,000: on time
    report(listed[1], d(2023, 6, 1), "1999.99")  # just under 50% of its 4,000: behind
    as_of = d(2023, 6, 30)
    assert set(quotas.records(plan, as_of, KEY, "counted")) == set(listed)
    assert set(quotas.records(plan, as_of, KEY, "all")) == set(listed)
    assert list(quotas.records(plan, as_of, KEY, "not_counted")) == [listed[1]]


def test_the_signals_count_each_colour_and_the_projects_spawned(
    plan, listed, make_key_project, make_listing, make_attraction_project, django_assert_num_queries
):
    report(listed[0], d(2023, 6, 1), "3000.00")  # green
    report(listed[1], d(2023, 6, 1), "1000.00")  # 25% at 50%: 25 points behind, yellow
    second = make_key_project(predecessor=listed[0], nature="second_phase")  # nothing done: red
    make_listing(project=second, year=2023, planned_investment=D("1000.00"))
    continuing = make_key_project(predecessor=listed[0], nature="expansion")  # listed before: not spawned
    make_listing(project=continuing, year=2022, listed_on=d(2022, 2, 1))
    make_listing(project=continuing, year=2023, planned_investment=D("0.00"))
    Milestone.objects.filter(project=continuing, kind="approval").update(planned_on=d(2023, 6, 20))  # 10 days: yellow
    first = make_attraction_project(signed_on=d(2023, 3, 1))
    make_attraction_project(signed_on=d(2023, 4, 1), predecessor=first)
    make_attraction_project(signed_on=None, predecessor=first)  # not signed: not counted
    with django_assert_num_queries(2):
        signals = quotas.key_project_signals(plan, d(2023, 6, 30))
    assert (signals.green, signals.yellow, signals.red) == (1, 2, 1)
    assert (signals.spawned_key_projects, signals.spawned_attraction_projects, signals.spawned) == (1, 1, 2)
