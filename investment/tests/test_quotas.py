"""The quota engine: every target of the quota report on hand-built cases, at its boundaries,
recomputed as of past dates, in a fixed number of queries, with the records behind it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from investment import quotas
from investment.models import AttractionProject
from investment.quotas import Kind, Part
from investment.tests.helpers import CONTRACT_TARGETS
from projects.tests.helpers import AT_THE_DEFAULT_BIG_PROJECT_MINIMUMS

pytestmark = pytest.mark.django_db

D = Decimal
d = datetime.date
AS_OF = d(2023, 6, 30)
SIGNED_ON = d(2023, 3, 1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)


@pytest.fixture
def signed(make_attraction_project):
    """An attraction project of 2023 signed on ``signed_on`` (default 2023-03-01)."""

    def make(signed_on=SIGNED_ON, **fields):
        return make_attraction_project(signed_on=signed_on, **fields)

    return make


def figures(plan, as_of=AS_OF):
    return quotas.report(plan, as_of)


# --- attraction projects ------------------------------------------------------------------


@pytest.mark.parametrize(
    "contract, fixed_assets, big",
    [*AT_THE_DEFAULT_BIG_PROJECT_MINIMUMS, (D("250000.00"), D("200000.00"), True)],
)
def test_big_share_counts_a_project_at_exactly_both_minimums_and_not_a_cent_below(
    plan, signed, contract, fixed_assets, big
):
    signed(contract_amount=contract, fixed_asset_investment=fixed_assets)
    signed(contract_amount=D("5000.00"), fixed_asset_investment=D("1000.00"))
    target = figures(plan)["attraction_big_share"]
    assert (target.numerator, target.denominator) == (1 if big else 0, 2)
    assert target.value == (D("0.5000") if big else D("0.0000"))


def test_big_share_follows_the_minimums_of_the_plan(make_year_plan, signed):
    plan = make_year_plan(2023, big_project_contract_min=D("5000.00"), big_project_fixed_asset_min=D("1000.00"))
    signed(contract_amount=D("5000.00"), fixed_asset_investment=D("1000.00"))
    signed(contract_amount=D("4999.99"), fixed_asset_investment=D("1000.00"))
    assert figures(plan)["attraction_big_share"].numerator == 1


def test_a_project_signed_on_the_as_of_date_counts_and_one_signed_the_day_after_does_not(plan, signed):
    signed(signed_on=AS_OF)
    signed(signed_on=AS_OF - DAY)
    signed(signed_on=AS_OF + DAY)
    target = figures(plan)["attraction_count"]
    assert target.numerator == 2
    assert target.value == D("2")


def test_negotiating_projects_and_projects_of_other_years_are_not_counted(plan, signed, make_attraction_project):
    signed()
    make_attraction_project()  # negotiating: no signing date
    make_attraction_project(year=2022, signed_on=d(2022, 5, 1))
    make_attraction_project(year=2024, signed_on=d(2023, 5, 1))  # signed early for next year's plan
    report = figures(plan)
    assert report["attraction_count"].numerator == 1
    assert report["attraction_big_share"].denominator == 1


def test_key_industry_share_counts_projects_in_an_industry_marked_key(plan, signed, key_industry, other_industry):
    signed(industry=key_industry)
    signed(industry=key_industry)
    signed(industry=other_industry)
    target = figures(plan)["attraction_key_industry_share"]
    assert (target.numerator, target.denominator, target.value) == (2, 3, D("0.6667"))
    assert target.met is False


def test_started_share_counts_a_start_on_the_as_of_date_but_not_the_day_after(plan, signed):
    signed(started_on=AS_OF)
    signed(started_on=AS_OF - DAY, in_production_on=AS_OF)
    signed()
    report = figures(plan)
    assert report["attraction_started_share"].numerator == 2
    assert report["attraction_production_rate"].numerator == 1
    assert report["attraction_production_rate"].denominator == 2
    # The day before, the project that starts on the as-of date has not started yet.
    earlier = quotas.report(plan, AS_OF - DAY)
    assert earlier["attraction_started_share"].numerator == 1
    assert earlier["attraction_production_rate"].numerator == 0


def test_a_project_started_after_the_as_of_date_counts_only_from_its_start(plan, signed):
    project = signed(signed_on=d(2023, 2, 1), started_on=d(2023, 6, 1))
    assert quotas.report(plan, d(2023, 5, 31))["attraction_started_share"].numerator == 0
    assert quotas.report(plan, d(2023, 6, 1))["attraction_started_share"].numerator == 1
    # Recomputing a past date later, with more projects signed since, gives the same figure.
    signed(signed_on=d(2023, 6, 20), started_on=d(2023, 6, 25))
    assert quotas.report(plan, d(2023, 5, 31))["attraction_started_share"].denominator == 1
    assert project.stage_on(d(2023, 5, 31)) == "signed"


def test_shares_without_signed_projects_are_none_and_not_met(plan, make_attraction_project):
    make_attraction_project()  # negotiating only
    report = figures(plan)
    for key in ("attraction_big_share", "attraction_key_industry_share", "attraction_started_share"):
        target = report[key]
        assert (target.numerator, target.denominator, target.value, target.met) == (0, 0, None, False), key
    assert report["attraction_production_rate"].value is None
    assert report["attraction_funds_in_place_rate"].value is None


def test_a_share_exactly_at_its_threshold_is_met(make_year_plan, signed, other_industry):
    plan = make_year_plan(2023, attraction_key_industry_share_target=D("0.7500"))
    for _ in range(3):
        signed()
    signed(industry=other_industry)
    target = figures(plan)["attraction_key_industry_share"]
    assert target.value == D("0.7500")
    assert target.met is True


def test_ratios_round_half_up_to_four_places():
    assert quotas.ratio(D(1), D(32)) == D("0.0313")  # 0.03125: half-up, not to even
    assert quotas.ratio(D(2), D(3)) == D("0.6667")
    assert quotas.ratio(D(1), D(0)) is None


def test_funds_in_place_rate_is_funds_over_contract_amount_of_the_signed_projects(
    plan, signed, make_attraction_project
):
    signed(contract_amount=D("10000.00"), fixed_asset_investment=D("8000.00"), funds_in_place=D("2500.00"))
    signed(contract_amount=D("30000.00"), fixed_asset_investment=D("8000.00"), funds_in_place=D("7500.00"))
    make_attraction_project(contract_amount=D("50000.00"), funds_in_place=D("0.00"))  # negotiating
    target = figures(plan)["attraction_funds_in_place_rate"]
    assert target.value == D("0.2500")
    assert (target.threshold, target.met) == (None, None)


def test_attraction_count_is_met_at_its_threshold(make_year_plan, signed):
    plan = make_year_plan(2023, attraction_count_target=2)
    signed()
    assert figures(plan)["attraction_count"].met is False
    signed()
    target = figures(plan)["attraction_count"]
    assert (target.value, target.threshold, target.met) == (D("2"), D("2"), True)


# --- key projects -------------------------------------------------------------------------


def test_key_projects_count_those_listed_for_the_year_by_the_as_of_date(plan, make_key_project, make_listing):
    listed = make_key_project(total_investment=D("1000000.00"))
    make_listing(project=listed, year=2023, listed_on=AS_OF, planned_investment=D("100.00"))
    late = make_key_project(total_investment=D("7.00"))
    make_listing(project=late, year=2023, listed_on=d(2023, 2, 1), planned_investment=D("1.00"))
    late.listings.update(listed_on=AS_OF + DAY)
    other_year = make_key_project(total_investment=D("9.00"))
    make_listing(project=other_year, year=2022, listed_on=d(2022, 2, 1), planned_investment=D("1.00"))
    report = figures(plan)
    assert report["key_project_count"].numerator == 1
    total = report["key_project_total_investment"]
    assert (total.numerator, total.value, total.kind) == (1, D("1000000.00"), Kind.AMOUNT)


def test_total_investment_is_met_at_exactly_its_threshold(make_year_plan, make_listing, make_key_project):
    plan = make_year_plan(2023, key_project_investment_target=D("100000.01"))
    make_listing(project=make_key_project(total_investment=D("100000.00")))
    assert figures(plan)["key_project_total_investment"].met is False
    make_listing(project=make_key_project(total_investment=D("0.01")), planned_investment=D("0.01"))
    target = figures(plan)["key_project_total_investment"]
    assert (target.value, target.met) == (D("100000.01"), True)


def test_an_empty_ledger_gives_zero_amounts_and_unmet_counts(plan):
    report = figures(plan)
    assert report["key_project_total_investment"].value == D("0")
    assert report["bond_reserve_demand"].value == D("0")
    assert report["key_project_count"].met is False


# --- bond reserves ------------------------------------------------------------------------


def test_bond_reserves_in_the_pool_are_those_reserved_by_then_and_not_rejected_by_then(plan, make_bond_reserve):
    make_bond_reserve(reserved_on=AS_OF, bond_demand=D("100.00"))
    make_bond_reserve(reserved_on=d(2023, 1, 5), submitted_on=d(2023, 2, 1), rejected_on=AS_OF, bond_demand=D("200.00"))
    make_bond_reserve(
        reserved_on=d(2023, 1, 5), submitted_on=d(2023, 2, 1), rejected_on=d(2023, 7, 1), bond_demand=D("400.00")
    )
    make_bond_reserve(reserved_on=d(2023, 7, 1), bond_demand=D("800.00"))
    make_bond_reserve(year=2022, reserved_on=d(2022, 7, 1), bond_demand=D("1600.00"))
    report = figures(plan)
    assert report["bond_reserve_count"].numerator == 2
    assert report["bond_reserve_demand"].value == D("500.00")
    year_end = quotas.report(plan, d(2023, 12, 31))
    assert year_end["bond_reserve_count"].numerator == 2  # the July one in, the July rejection out
    assert year_end["bond_reserve_demand"].value == D("900.00")


# --- the report as a whole ----------------------------------------------------------------


def test_the_report_lists_every_target_of_the_contract_in_order(plan):
    assert [target.key for target in figures(plan).targets] == CONTRACT_TARGETS
    assert all(target.threshold is not None for target in figures(plan).targets)
    assert all(line.threshold is None and line.met is None for line in figures(plan).indicators)


def test_thresholds_come_from_the_plan(make_year_plan):
    plan = make_year_plan(2023, bond_reserve_count_target=5, attraction_started_share_target=D("0.9000"))
    report = figures(plan)
    assert report["bond_reserve_count"].threshold == D("5")
    assert report["attraction_started_share"].threshold == D("0.9000")


def test_progress_is_the_share_of_the_threshold_reached_capped_at_one(make_year_plan, signed):
    plan = make_year_plan(2023, attraction_count_target=4)
    signed()
    assert figures(plan)["attraction_count"].progress == D("0.2500")
    for _ in range(5):
        signed()
    assert figures(plan)["attraction_count"].progress == D("1")


def _fill(count, industry, department, area):
    AttractionProject.objects.bulk_create(
        AttractionProject(
            year=2023,
            name=f"批量项目{n}",
            investor="投资方",
            industry=industry,
            contract_amount=D("12000.00"),
            fixed_asset_investment=D("9000.00") if n % 2 else D("100.00"),
            signed_on=d(2023, 1, 1) + DAY * (n % 180),
            started_on=d(2023, 3, 1) if n % 3 else None,
        )
        for n in range(count)
    )


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_report_costs_four_queries_whatever_the_number_of_records(
    plan, key_industry, department, area, make_listing, make_bond_reserve, rows, django_assert_num_queries
):
    _fill(rows, key_industry, department, area)
    make_listing()
    make_bond_reserve()
    # 1. key projects listed for the year: count and sums (total, planned this year); 2. their
    # progress reports of the year: the completed sum; 3. bond reserves in the pool: count and
    # sum; 4. attraction projects signed by then: every count and sum in one pass.
    with django_assert_num_queries(4):
        report = quotas.report(plan, AS_OF)
    assert report["attraction_count"].numerator == sum(
        1 for n in range(rows) if d(2023, 1, 1) + DAY * (n % 180) <= AS_OF
    )


# --- the records behind each figure ------------------------------------------------------


@pytest.fixture
def mixed_year(plan, signed, make_attraction_project, key_industry, other_industry, make_bond_reserve, make_listing):
    signed(name="大项目已开工", started_on=d(2023, 4, 1))
    signed(name="小项目", contract_amount=D("9999.99"), industry=other_industry)
    signed(name="六月底签约", signed_on=AS_OF, started_on=AS_OF)
    make_attraction_project(name="洽谈中")
    make_bond_reserve(name="在库")
    make_bond_reserve(name="七月入库", reserved_on=d(2023, 7, 1))
    make_listing()
    return plan


@pytest.mark.parametrize("key", quotas.KEYS)
def test_counted_records_are_as_many_as_the_numerator(mixed_year, key):
    line = quotas.report(mixed_year, AS_OF)[key]
    assert quotas.records(mixed_year, AS_OF, key, Part.COUNTED).count() == line.numerator


@pytest.mark.parametrize("key", [line for line in quotas.KEYS if line.endswith(("_share", "_rate"))])
def test_a_shares_counted_and_not_counted_records_make_up_its_denominator(mixed_year, key):
    line = quotas.report(mixed_year, AS_OF)[key]
    counted = set(quotas.records(mixed_year, AS_OF, key, Part.COUNTED).values_list("pk", flat=True))
    rest = set(quotas.records(mixed_year, AS_OF, key, "not_counted").values_list("pk", flat=True))
    everything = set(quotas.records(mixed_year, AS_OF, key, Part.ALL).values_list("pk", flat=True))
    assert not counted & rest
    assert counted | rest == everything
    if line.denominator is not None:
        assert len(everything) == line.denominator


def test_records_not_in_the_big_share_are_the_signed_projects_below_the_rule(mixed_year):
    names = quotas.records(mixed_year, AS_OF, "attraction_big_share", Part.NOT_COUNTED).values_list("name", flat=True)
    assert list(names) == ["小项目"]


def test_records_not_started_leave_out_the_negotiating_project(mixed_year):
    names = set(
        quotas.records(mixed_year, AS_OF, "attraction_started_share", Part.NOT_COUNTED).values_list("name", flat=True)
    )
    assert names == {"小项目"}


def test_records_not_counted_by_a_count_are_the_years_records_it_leaves_out(mixed_year):
    assert list(
        quotas.records(mixed_year, AS_OF, "attraction_count", Part.NOT_COUNTED).values_list("name", flat=True)
    ) == ["洽谈中"]
    assert list(
        quotas.records(mixed_year, AS_OF, "bond_reserve_count", Part.NOT_COUNTED).values_list("name", flat=True)
    ) == ["七月入库"]
    assert not quotas.records(mixed_year, AS_OF, "key_project_count", Part.NOT_COUNTED).exists()


def test_an_unknown_figure_or_part_is_refused(plan):
    with pytest.raises(ValueError, match="unknown figure"):
        quotas.records(plan, AS_OF, "nonsense")
    with pytest.raises(ValueError):
        quotas.records(plan, AS_OF, "attraction_count", "some")
