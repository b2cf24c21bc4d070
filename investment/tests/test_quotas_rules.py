"""One condition per rule of the plan (``quotas``' big project, key industry, started, in
production; the reserves' pool): the report, the records behind a figure, the lists' flags
and the per-record model methods all give the same answer, and every figure of the year
costs a fixed number of queries."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment import quotas
from investment.choices import AttractionProjectStageChoices as Stage
from investment.models import AttractionProject
from investment.tests.test_models import BIG_PROJECT_AMOUNTS
from projects.choices import BondReserveStatusChoices as Status
from projects.models import BondReserve, YearPlan
from projects.querysets import BondReserveQuerySet

pytestmark = pytest.mark.django_db

D = Decimal
d = datetime.date
AS_OF = d(2023, 6, 30)
DAY = datetime.timedelta(days=1)

# (signed, started, in production): none, one day either side of the as-of day, on it.
DATES = [
    (d(2023, 3, 1), None, None),
    (d(2023, 3, 1), AS_OF, None),
    (d(2023, 3, 1), AS_OF + DAY, None),
    (d(2023, 3, 1), d(2023, 4, 1), AS_OF),
    (d(2023, 3, 1), d(2023, 4, 1), AS_OF + DAY),
    (AS_OF, AS_OF, None),
]

PLANS = [
    pytest.param(None, id="no-plan"),
    pytest.param({}, id="plan-with-the-defaults"),
    pytest.param(
        {"big_project_contract_min": D("20000.00"), "big_project_fixed_asset_min": D("15000.00")}, id="higher"
    ),
    pytest.param({"big_project_contract_min": D("6000.00"), "big_project_fixed_asset_min": D("5000.00")}, id="lower"),
]


@pytest.fixture
def projects(key_industry, other_industry, build_attraction_project):
    """Attraction projects of 2023 and 2024 at every amount around the minimums (those of
    ``test_models``, which holds ``with_big_project`` to the model), date and industry above,
    written at once (the model's checks are not the question here)."""
    rows = [
        build_attraction_project(
            year=year,
            contract_amount=contract,
            fixed_asset_investment=fixed_assets,
            industry=industry,
            signed_on=signed_on.replace(year=year),
            started_on=started_on,
            in_production_on=in_production_on,
        )
        for year, (contract, fixed_assets), industry, (signed_on, started_on, in_production_on) in itertools.product(
            (2023, 2024), BIG_PROJECT_AMOUNTS, (key_industry, other_industry), DATES
        )
    ]
    return AttractionProject.objects.bulk_create(rows)


def the_plan(make_year_plan, fields) -> YearPlan:
    return YearPlan.for_year(2023) if fields is None else make_year_plan(2023, **fields)


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


@pytest.mark.parametrize("plan_fields", PLANS)
def test_the_big_project_rule_is_the_same_in_the_report_the_records_the_flags_and_the_model(
    make_year_plan, projects, plan_fields
):
    plan = the_plan(make_year_plan, plan_fields)
    signed = [p for p in AttractionProject.objects.filter(year=2023) if p.signed_on <= AS_OF]
    by_model = {p.name for p in signed if p.is_big_project(plan)}
    assert by_model and by_model != {p.name for p in signed}, "the cases must fall on both sides"
    assert names(quotas.records(plan, AS_OF, "attraction_big_share")) == by_model
    flags = quotas.with_share_flags(quotas.signed_attraction_projects(plan, AS_OF), plan, AS_OF)
    assert names(flags.filter(share_big_project=True)) == by_model
    assert quotas.report(plan, AS_OF)["attraction_big_share"].numerator == len(by_model)


# rule → (the figure counted with it, the model's answer for one project on AS_OF)
PER_RECORD = {
    "key_industry": ("attraction_key_industry_share", lambda p: p.is_key_industry),
    "started": ("attraction_started_share", lambda p: p.stage_on(AS_OF) in (Stage.STARTED, Stage.IN_PRODUCTION)),
    "in_production": ("attraction_production_rate", lambda p: p.stage_on(AS_OF) == Stage.IN_PRODUCTION),
}


@pytest.mark.parametrize("rule", PER_RECORD)
def test_each_rule_counts_exactly_the_projects_the_model_accepts(make_year_plan, projects, rule):
    plan = make_year_plan(2023)
    key, accepts = PER_RECORD[rule]
    looked_at = quotas.records(plan, AS_OF, key, quotas.Part.ALL)
    by_model = {p.name for p in looked_at.select_related("industry") if accepts(p)}
    assert by_model and by_model != names(looked_at), "the cases must fall on both sides"
    assert names(quotas.records(plan, AS_OF, key)) == by_model
    assert names(quotas.records(plan, AS_OF, key, quotas.Part.NOT_COUNTED)) == names(looked_at) - by_model


def test_the_share_flags_add_up_to_the_reports_numerators(make_year_plan, projects):
    plan = make_year_plan(2023)
    report = quotas.report(plan, AS_OF)
    flags = quotas.with_share_flags(quotas.signed_attraction_projects(plan, AS_OF), plan, AS_OF)
    for key, flag in quotas.SHARE_FLAGS.items():
        assert flags.filter(**{flag: True}).count() == report[key].numerator, key


# --- the pool of bond reserves ------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    [d(2023, 2, 28), d(2023, 3, 1), d(2023, 5, 31), d(2023, 6, 1), d(2023, 9, 30), d(2023, 10, 1), d(2023, 12, 31)],
)
def test_the_pool_holds_exactly_the_reserves_the_model_gives_a_status_other_than_rejected(make_bond_reserve, as_of):
    steps = [
        {},
        {"submitted_on": d(2023, 6, 1)},
        {"submitted_on": d(2023, 4, 1), "approved_on": d(2023, 6, 1), "issued_on": d(2023, 10, 1)},
        {"submitted_on": d(2023, 4, 1), "rejected_on": d(2023, 6, 1)},
        {"submitted_on": d(2023, 9, 1), "rejected_on": d(2023, 10, 1)},
        {"reserved_on": d(2023, 6, 1)},
    ]
    for fields in steps:
        make_bond_reserve(**fields)
    by_model = {r.pk for r in BondReserve.objects.all() if r.status_on(as_of) not in (None, Status.REJECTED)}
    assert set(BondReserve.objects.in_pool(as_of).values_list("pk", flat=True)) == by_model
    in_pool = BondReserve.objects.filter(BondReserveQuerySet.pool_condition(as_of))
    assert set(in_pool.values_list("pk", flat=True)) == by_model
    plan = YearPlan.for_year(2023)
    assert quotas.report(plan, as_of)["bond_reserve_count"].numerator == len(by_model)


# --- a fixed number of queries ------------------------------------------------------------------


def every_figure(plan: YearPlan) -> None:
    quotas.report(plan, AS_OF)
    quotas.key_project_signals(plan, AS_OF)
    quotas.chain_conversion(plan, AS_OF)


def test_every_figure_of_the_year_costs_seven_queries_whatever_the_number_of_records(
    make_year_plan, make_listing, make_bond_reserve, make_target, build_attraction_project
):
    plan = make_year_plan(2023)
    make_listing()
    make_bond_reserve()
    make_target(contacted_on=d(2023, 2, 1))

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            every_figure(plan)
        return len(queries)

    AttractionProject.objects.bulk_create(build_attraction_project(signed_on=d(2023, 2, 1)) for _ in range(10))
    at_ten = count_queries()
    AttractionProject.objects.bulk_create(build_attraction_project(signed_on=d(2023, 2, 1)) for _ in range(500))
    for _ in range(5):
        make_listing()
        make_bond_reserve()
    # The report's four (key projects, their monthly progress, reserves, attraction projects),
    # the lights and spawned key projects, the spawned attraction projects, the chains.
    assert count_queries() == at_ten == 7
