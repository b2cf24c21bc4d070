"""The rules of one record of the projects app, at their boundaries, through ``full_clean()``
(what the admin, the API and the import all run), and the values derived from one record."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.choices import BondReserveStatusChoices as Status
from projects.models import AnnualListing, BondReserve, KeyProject, NoPlan, YearPlan
from projects.tests.helpers import (
    AT_THE_DEFAULT_BIG_PROJECT_MINIMUMS,
    CODE,
    assert_accepted,
    assert_refused_on,
    refusal,
)

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.timedelta(days=1)


def codes(exc: ValidationError, field: str) -> list:
    return [error.code for error in exc.error_dict.get(field, [])]


# --- amounts are never negative ------------------------------------------------------------

# (factory, field, other fields that keep a record with this field at zero valid)
ZERO_AMOUNTS = [
    ("build_key_project", "total_investment", {}),
    ("build_listing", "planned_investment", {}),
    ("build_bond_reserve", "total_investment", {"bond_demand": D("0")}),
    ("build_bond_reserve", "bond_demand", {}),
    ("build_bond_reserve", "capital_portion", {}),
    (
        "build_bond_reserve",
        "issued_amount",
        {
            "submitted_on": datetime.date(2023, 3, 2),
            "approved_on": datetime.date(2023, 3, 3),
            "issued_on": datetime.date(2023, 3, 4),
        },
    ),
    ("build_year_plan", "key_project_investment_target", {}),
    ("build_year_plan", "bond_reserve_demand_target", {}),
    ("build_year_plan", "big_project_contract_min", {}),
    ("build_year_plan", "big_project_fixed_asset_min", {}),
]
# Expected income of zero cannot be accepted (the coverage ratio would be 0): negative only.
NEGATIVE_AMOUNTS = [(factory, field) for factory, field, _fields in ZERO_AMOUNTS] + [
    ("build_bond_reserve", "expected_income"),
]


@pytest.mark.parametrize(
    ("factory", "field", "fields"), ZERO_AMOUNTS, ids=[f"{factory}-{field}" for factory, field, _f in ZERO_AMOUNTS]
)
def test_an_amount_of_zero_is_accepted(request, factory, field, fields):
    instance = request.getfixturevalue(factory)(**fields, **{field: D("0.00")})
    assert_accepted(instance)


@pytest.mark.parametrize(("factory", "field"), NEGATIVE_AMOUNTS)
def test_an_amount_one_cent_below_zero_is_refused_on_that_field(request, factory, field):
    instance = request.getfixturevalue(factory)(**{field: D("-0.01")})
    assert "min_value" in codes(refusal(instance), field)


# --- bond reserve amounts within each other -------------------------------------------------


@pytest.mark.parametrize(
    ("field", "limit"),
    [("bond_demand", "total_investment"), ("capital_portion", "bond_demand"), ("issued_amount", "bond_demand")],
)
@pytest.mark.parametrize("excess", [D("0.00"), D("0.01")], ids=["equal-to-its-limit", "one-cent-above"])
def test_bond_amount_up_to_its_limit_is_accepted_and_one_cent_above_is_refused_on_that_field(
    build_bond_reserve, field, limit, excess
):
    reserve = build_bond_reserve(
        total_investment=D("20000.00"),
        bond_demand=D("10000.00"),
        submitted_on=datetime.date(2023, 3, 2),
        approved_on=datetime.date(2023, 3, 3),
        issued_on=datetime.date(2023, 3, 4),
    )
    setattr(reserve, field, getattr(reserve, limit) + excess)
    assert_refused_on(reserve, field if excess else None)


def test_issued_amount_without_issued_date_is_refused_on_issued_on(build_bond_reserve):
    reserve = build_bond_reserve(issued_amount=D("5000.00"))
    assert "issued_on" in refusal(reserve).message_dict


# --- coverage ratio ---------------------------------------------------------------------------


def test_coverage_ratio_of_exactly_one_is_accepted(build_bond_reserve):
    reserve = build_bond_reserve(expected_income=D("10000.00"), principal_and_interest=D("10000.00"))
    assert reserve.coverage_ratio == D("1.0000")
    assert_accepted(reserve)


def test_expected_income_one_cent_short_of_a_coverage_of_one_is_refused_on_expected_income(build_bond_reserve):
    reserve = build_bond_reserve(expected_income=D("9999.99"), principal_and_interest=D("10000.00"))
    exc = refusal(reserve)
    assert list(exc.message_dict) == ["expected_income"]


@pytest.mark.parametrize(
    ("expected_income", "accepted"),
    [(D("11000.00"), True), (D("10999.99"), False), (D("10000.00"), False)],
)
def test_a_year_plan_with_refusal_ratio_1_1_moves_the_coverage_threshold(
    make_year_plan, build_bond_reserve, expected_income, accepted
):
    make_year_plan(2023, coverage_refusal_ratio=D("1.1000"), coverage_warning_ratio=D("1.2000"))
    reserve = build_bond_reserve(expected_income=expected_income, principal_and_interest=D("10000.00"))
    assert_refused_on(reserve, None if accepted else "expected_income")


def test_the_refusal_ratio_of_another_years_plan_does_not_apply(make_year_plan, build_bond_reserve):
    make_year_plan(2024, coverage_refusal_ratio=D("1.1000"), coverage_warning_ratio=D("1.2000"))
    reserve = build_bond_reserve(year=2023, expected_income=D("10000.00"), principal_and_interest=D("10000.00"))
    assert_accepted(reserve)


def test_principal_and_interest_of_zero_is_refused_on_principal_and_interest(build_bond_reserve):
    reserve = build_bond_reserve(principal_and_interest=D("0.00"))
    assert "min_value" in codes(refusal(reserve), "principal_and_interest")


# --- dates in order ---------------------------------------------------------------------------

# Each ledger's dates and the field refused (None: accepted). Reserved, submitted, approved,
# issued; a rejection after a submission:
R = datetime.date(2023, 3, 1)  # the builders' reserved_on

BOND_DATES = [
    pytest.param({"submitted_on": R, "approved_on": R, "issued_on": R}, None, id="every-step-on-the-same-day"),
    pytest.param({"submitted_on": R + DAY, "approved_on": R + 2 * DAY, "issued_on": R + 3 * DAY}, None, id="in-order"),
    pytest.param({"submitted_on": R - DAY}, "submitted_on", id="submitted-before-reserved"),
    pytest.param({"submitted_on": R + 2 * DAY, "approved_on": R + DAY}, "approved_on", id="approved-before-submitted"),
    pytest.param(
        {"submitted_on": R, "approved_on": R + 2 * DAY, "issued_on": R + DAY}, "issued_on", id="issued-before-approved"
    ),
    pytest.param({"approved_on": R}, "approved_on", id="approved-without-submitted"),
    pytest.param({"submitted_on": R, "issued_on": R}, "issued_on", id="issued-without-approved"),
    pytest.param({"rejected_on": R}, "rejected_on", id="rejected-without-submitted"),
    pytest.param({"submitted_on": R + DAY, "rejected_on": R}, "rejected_on", id="rejected-before-submitted"),
    pytest.param({"submitted_on": R, "rejected_on": R}, None, id="rejected-on-the-day-submitted"),
    pytest.param(
        {"submitted_on": R, "approved_on": R, "rejected_on": R + DAY}, "rejected_on", id="rejected-and-approved"
    ),
    pytest.param(
        {"submitted_on": R, "approved_on": R, "issued_on": R, "rejected_on": R + DAY},
        "rejected_on",
        id="rejected-and-issued",
    ),
]


# Started, completed (or planned to be):
S = datetime.date(2023, 4, 1)

KEY_PROJECT_DATES = [
    pytest.param({"started_on": S, "completed_on": S}, None, id="completed-on-the-day-it-started"),
    pytest.param({"started_on": S, "completed_on": S - DAY}, "completed_on", id="completed-before-started"),
    pytest.param({"completed_on": S}, "completed_on", id="completed-without-started"),
    pytest.param(
        {"started_on": S, "planned_completion_on": S - DAY}, "planned_completion_on", id="planned-before-started"
    ),
    pytest.param({"planned_completion_on": S}, None, id="planned-completion-before-the-start-is-known"),
]


# Signed, started, in production:
A = datetime.date(2023, 3, 1)  # any day: the attraction builder dates no stage

ATTRACTION_DATES = [
    pytest.param({"signed_on": A, "started_on": A, "in_production_on": A}, None, id="all-on-the-same-day"),
    pytest.param({"signed_on": A, "started_on": A + DAY, "in_production_on": A + 2 * DAY}, None, id="in-order"),
    pytest.param({"signed_on": A}, None, id="signed-only"),
    pytest.param({"started_on": A}, "started_on", id="started-without-signed"),
    pytest.param({"signed_on": A, "started_on": A - DAY}, "started_on", id="started-before-signed"),
    pytest.param({"signed_on": A, "in_production_on": A}, "in_production_on", id="in-production-without-started"),
    pytest.param(
        {"signed_on": A, "started_on": A + DAY, "in_production_on": A},
        "in_production_on",
        id="in-production-before-started",
    ),
]


def ledger_cases(factory: str, cases: list) -> list:
    """``cases`` (the dates, the field refused) of the ledger that the fixture ``factory`` builds."""
    ledger = factory.removeprefix("build_").replace("_", "-")
    return [pytest.param(factory, *case.values, id=f"{ledger}-{case.id}") for case in cases]


@pytest.mark.parametrize(
    ("factory", "dates", "error_field"),
    [
        *ledger_cases("build_bond_reserve", BOND_DATES),
        *ledger_cases("build_key_project", KEY_PROJECT_DATES),
        *ledger_cases("build_attraction_project", ATTRACTION_DATES),
    ],
)
def test_the_step_dates_go_in_order_and_a_rejection_follows_a_submission(request, factory, dates, error_field):
    assert_refused_on(request.getfixturevalue(factory)(**dates), error_field)


# --- no stage date after today ------------------------------------------------------------------

# (factory, the date field, the earlier steps it needs) — every one of them set to "today".
STAGE_DATES = [
    ("build_key_project", "started_on", []),
    ("build_key_project", "completed_on", ["started_on"]),
    ("build_listing", "listed_on", []),
    ("build_bond_reserve", "reserved_on", []),
    ("build_bond_reserve", "submitted_on", ["reserved_on"]),
    ("build_bond_reserve", "approved_on", ["reserved_on", "submitted_on"]),
    ("build_bond_reserve", "issued_on", ["reserved_on", "submitted_on", "approved_on"]),
    ("build_bond_reserve", "rejected_on", ["reserved_on", "submitted_on"]),
    ("build_attraction_project", "signed_on", []),
    ("build_attraction_project", "started_on", ["signed_on"]),
    ("build_attraction_project", "in_production_on", ["signed_on", "started_on"]),
]


@pytest.mark.parametrize(("factory", "field", "earlier"), STAGE_DATES)
def test_a_stage_date_of_today_is_accepted(request, today, factory, field, earlier):
    instance = request.getfixturevalue(factory)(**{name: today for name in [*earlier, field]})
    assert_accepted(instance)


@pytest.mark.parametrize(("factory", "field", "earlier"), STAGE_DATES)
def test_a_stage_date_of_tomorrow_is_refused_on_that_field(request, today, factory, field, earlier):
    instance = request.getfixturevalue(factory)(**{name: today for name in earlier}, **{field: today + DAY})
    assert list(refusal(instance).message_dict) == [field]


# --- the national project code ---------------------------------------------------------------

CODED_LEDGERS = ["build_key_project", "build_bond_reserve"]


@pytest.mark.parametrize("factory", CODED_LEDGERS)
def test_a_project_code_of_the_national_shape_is_accepted(request, factory):
    instance = request.getfixturevalue(factory)(project_code=CODE)
    assert_accepted(instance)
    assert instance.project_code == CODE


@pytest.mark.parametrize("factory", CODED_LEDGERS)
@pytest.mark.parametrize(
    "code",
    [
        pytest.param(CODE[:-1], id="23-characters"),
        pytest.param("2023-41O425-30-03-01234X", id="letter-O-among-the-digits"),
        pytest.param("2023-410425-3A-03-01234X", id="letter-in-the-sector"),
        pytest.param("2023-410425-30-03-01234-", id="check-character-not-a-letter-or-digit"),
        pytest.param("2023/410425/30/03/01234X", id="slashes-for-dashes"),
        pytest.param(CODE + "1", id="25-characters"),
    ],
)
def test_a_project_code_of_another_shape_is_refused_on_project_code(request, factory, code):
    instance = request.getfixturevalue(factory)(project_code=code)
    assert "project_code" in refusal(instance).message_dict


def test_a_project_code_with_full_width_digits_is_refused(build_key_project):
    project = build_key_project(project_code="２０２３-410425-30-03-01234X")
    assert "project_code" in refusal(project).message_dict


@pytest.mark.parametrize("factory", CODED_LEDGERS)
@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_project_code_is_stored_as_null(request, factory, blank):
    instance = request.getfixturevalue(factory)(project_code=blank)
    assert_accepted(instance)
    instance.save()
    assert type(instance).objects.filter(pk=instance.pk, project_code__isnull=True).exists()


@pytest.mark.parametrize("factory", CODED_LEDGERS)
def test_two_records_without_a_code_are_allowed(request, factory):
    build = request.getfixturevalue(factory)
    first = build(project_code="")
    first.full_clean()
    first.save()
    second = build(project_code=None)
    assert_accepted(second)
    second.save()
    assert type(first).objects.filter(project_code__isnull=True).count() == 2


@pytest.mark.parametrize("factory", CODED_LEDGERS)
@pytest.mark.parametrize("duplicate", [CODE, CODE.lower()], ids=["same", "lowercase-check-letter"])
def test_a_duplicate_project_code_is_refused_on_project_code(request, factory, duplicate):
    build = request.getfixturevalue(factory)
    first = build(project_code=CODE)
    first.full_clean()
    first.save()
    assert "project_code" in refusal(build(project_code=duplicate)).message_dict


@pytest.mark.parametrize("factory", CODED_LEDGERS)
def test_a_lowercase_check_letter_is_stored_in_upper_case(request, factory):
    instance = request.getfixturevalue(factory)(project_code=" 2023-410425-30-03-01234x ")
    assert_accepted(instance)
    instance.save()
    instance.refresh_from_db()
    assert instance.project_code == CODE


# --- predecessors -----------------------------------------------------------------------------


# The rule is ``projects.validation.lineage_errors``; attraction projects have phases too.
PHASED_LEDGERS = ["make_key_project", "make_attraction_project"]


@pytest.mark.parametrize("factory", PHASED_LEDGERS)
def test_a_project_cannot_be_its_own_predecessor(request, factory):
    project = request.getfixturevalue(factory)()
    project.predecessor = project
    assert "predecessor" in refusal(project).message_dict


@pytest.mark.parametrize("factory", PHASED_LEDGERS)
def test_a_project_cannot_be_its_own_predecessor_through_a_two_step_cycle(request, factory):
    make = request.getfixturevalue(factory)
    first = make()
    second = make(predecessor=first)
    first.predecessor = second
    assert "predecessor" in refusal(first).message_dict


def test_a_chain_of_phases_is_accepted(make_key_project, build_key_project):
    first = make_key_project()
    second = make_key_project(predecessor=first)
    assert_accepted(build_key_project(predecessor=second))


# --- annual listings --------------------------------------------------------------------------


def test_planned_investment_equal_to_total_investment_is_accepted(make_key_project, build_listing):
    project = make_key_project(total_investment=D("50000.00"))
    assert_accepted(build_listing(project=project, planned_investment=D("50000.00")))


def test_planned_investment_one_cent_above_total_investment_is_refused_on_planned_investment(
    make_key_project, build_listing
):
    project = make_key_project(total_investment=D("50000.00"))
    listing = build_listing(project=project, planned_investment=D("50000.01"))
    assert "planned_investment" in refusal(listing).message_dict


def test_lowering_total_investment_below_a_listings_planned_investment_is_refused(make_key_project, make_listing):
    project = make_key_project(total_investment=D("50000.00"))
    make_listing(project=project, planned_investment=D("40000.00"))
    project.total_investment = D("39999.99")
    assert "total_investment" in refusal(project).message_dict


def test_a_second_listing_of_a_project_for_the_same_year_is_refused_on_year(make_listing, build_listing):
    first = make_listing(year=2023)
    assert "year" in refusal(build_listing(project=first.project, year=2023)).message_dict


def test_a_project_listed_again_next_year_is_accepted(make_listing, build_listing):
    first = make_listing(year=2022)
    assert_accepted(build_listing(project=first.project, year=2023))


def test_saving_a_listing_again_does_not_clash_with_itself(make_listing):
    listing = make_listing()
    listing.planned_investment = D("1.00")
    assert_accepted(listing)


# --- names unique per year --------------------------------------------------------------------


def test_a_bond_reserve_name_already_used_that_year_is_refused_on_name(make_bond_reserve, build_bond_reserve):
    make_bond_reserve(year=2023, name="县城污水处理厂")
    assert "name" in refusal(build_bond_reserve(year=2023, name="县城污水处理厂")).message_dict


def test_a_bond_reserve_name_used_in_another_year_is_accepted(make_bond_reserve, build_bond_reserve):
    make_bond_reserve(year=2022, name="县城污水处理厂", reserved_on=datetime.date(2022, 3, 1))
    assert_accepted(build_bond_reserve(year=2023, name="县城污水处理厂"))


def test_a_key_project_name_already_used_is_refused_on_name(make_key_project, build_key_project):
    make_key_project(name="硅基负极材料产业园")
    assert "name" in refusal(build_key_project(name="硅基负极材料产业园")).message_dict


# --- the year plan ----------------------------------------------------------------------------


# Two pairs of thresholds of the plan that must come in order (the red gap no smaller than the yellow,
# the refusal ratio no larger than the warning), at the boundary and a step past it: the values,
# then the field refused (None: accepted).
THRESHOLD_PAIRS = [
    pytest.param(
        {"investment_yellow_gap": D("0.1000"), "investment_red_gap": D("0.1000")}, None, id="red-gap-equal-yellow"
    ),
    pytest.param(
        {"investment_yellow_gap": D("0.1000"), "investment_red_gap": D("0.0999")},
        "investment_red_gap",
        id="red-gap-smaller",
    ),
    pytest.param(
        {"coverage_refusal_ratio": D("1.2000"), "coverage_warning_ratio": D("1.2000")},
        None,
        id="refusal-ratio-equal-warning",
    ),
    pytest.param(
        {"coverage_refusal_ratio": D("1.2001"), "coverage_warning_ratio": D("1.2000")},
        "coverage_refusal_ratio",
        id="refusal-ratio-above",
    ),
]


@pytest.mark.parametrize(("values", "refused_on"), THRESHOLD_PAIRS)
def test_year_plan_red_gap_below_the_yellow_and_refusal_ratio_above_the_warning_are_refused(
    build_year_plan, values, refused_on
):
    plan = build_year_plan(**values)
    assert_refused_on(plan, refused_on)


def test_a_second_plan_for_the_same_year_is_refused_on_year(make_year_plan, build_year_plan):
    make_year_plan(2023)
    assert "year" in refusal(build_year_plan(2023)).message_dict


def test_for_year_without_a_plan_gives_an_unsaved_plan_with_the_defaults(db):
    plan = YearPlan.for_year(2031)
    assert plan.pk is None
    assert plan.year == 2031
    assert plan.key_project_count_target == 60
    assert plan.key_project_investment_target == D("3000000")
    assert plan.bond_reserve_count_target == 80
    assert plan.bond_reserve_demand_target == D("700000")
    assert plan.attraction_count_target == 60
    assert plan.big_project_contract_min == D("10000")
    assert plan.big_project_fixed_asset_min == D("8000")
    assert plan.attraction_big_share_target == D("0.7000")
    assert plan.attraction_key_industry_share_target == D("0.8000")
    assert plan.attraction_started_share_target == D("0.8000")
    assert plan.coverage_warning_ratio == D("1.2000")
    assert plan.coverage_refusal_ratio == D("1.0000")
    assert not YearPlan.objects.exists()


def test_for_year_with_a_plan_gives_that_plan(make_year_plan):
    make_year_plan(2022)
    plan = make_year_plan(2023, attraction_count_target=65)
    assert YearPlan.for_year(2023) == plan
    assert YearPlan.for_year(2023).attraction_count_target == 65


def test_saved_gives_the_saved_plan_and_no_plan_otherwise_saying_which_year(make_year_plan):
    plan = make_year_plan(2023)
    assert YearPlan.objects.saved(2023) == plan
    with pytest.raises(NoPlan, match="2031") as missing:
        YearPlan.objects.saved(2031)
    assert missing.value.year == 2031
    assert isinstance(missing.value, LookupError)


@pytest.mark.parametrize(
    ("contract", "fixed_assets", "big"),
    [*AT_THE_DEFAULT_BIG_PROJECT_MINIMUMS, (None, D("8000.00"), False), (D("10000.00"), None, False)],
)
def test_year_plan_big_project_rule_counts_equal_to_the_minimums(contract, fixed_assets, big):
    assert YearPlan(year=2023).is_big_project(contract, fixed_assets) is big


# --- bond reserve: derived values -------------------------------------------------------------


def test_bond_status_on_each_boundary_day(build_bond_reserve):
    reserve = build_bond_reserve(
        reserved_on=datetime.date(2023, 3, 1),
        submitted_on=datetime.date(2023, 3, 10),
        approved_on=datetime.date(2023, 4, 1),
        issued_on=datetime.date(2023, 5, 1),
    )
    expected = {
        datetime.date(2023, 2, 28): None,
        datetime.date(2023, 3, 1): Status.RESERVED,
        datetime.date(2023, 3, 9): Status.RESERVED,
        datetime.date(2023, 3, 10): Status.SUBMITTED,
        datetime.date(2023, 3, 31): Status.SUBMITTED,
        datetime.date(2023, 4, 1): Status.APPROVED,
        datetime.date(2023, 4, 30): Status.APPROVED,
        datetime.date(2023, 5, 1): Status.ISSUED,
        datetime.date(2024, 1, 1): Status.ISSUED,
    }
    assert {day: reserve.status_on(day) for day in expected} == expected


def test_bond_status_on_a_rejected_reserve_turns_rejected_on_the_rejection_day(build_bond_reserve):
    reserve = build_bond_reserve(
        reserved_on=datetime.date(2023, 3, 1),
        submitted_on=datetime.date(2023, 3, 10),
        rejected_on=datetime.date(2023, 4, 15),
    )
    assert reserve.status_on(datetime.date(2023, 4, 14)) == Status.SUBMITTED
    assert reserve.status_on(datetime.date(2023, 4, 15)) == Status.REJECTED


def test_bond_status_is_the_status_today(today, build_bond_reserve):
    reserve = build_bond_reserve(reserved_on=today - DAY, submitted_on=today)
    assert reserve.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("income", "principal", "ratio"),
    [
        (D("10000.00"), D("10000.00"), D("1.0000")),
        (D("2.00"), D("3.00"), D("0.6667")),
        # 1 / 32 = 0.03125: half-up gives 0.0313 (half-even would give 0.0312).
        (D("1.00"), D("32.00"), D("0.0313")),
        # 15 / 12.8 = 1.171875 -> 1.1719
        (D("15.00"), D("12.80"), D("1.1719")),
    ],
)
def test_coverage_ratio_is_rounded_half_up_to_four_places(income, principal, ratio):
    reserve = BondReserve(expected_income=income, principal_and_interest=principal)
    assert reserve.coverage_ratio == ratio
    assert reserve.coverage_ratio.as_tuple().exponent == -4


@pytest.mark.parametrize(("income", "principal"), [(D("100.00"), D("0")), (D("100.00"), None), (None, D("100.00"))])
def test_coverage_ratio_is_none_without_principal_and_interest_or_income(income, principal):
    assert BondReserve(expected_income=income, principal_and_interest=principal).coverage_ratio is None


@pytest.mark.parametrize(
    ("income", "principal", "warning"),
    [
        pytest.param(D("12000.00"), D("10000.00"), False, id="exactly-1.2"),
        pytest.param(D("119.99"), D("100.00"), True, id="1.1999"),
        pytest.param(D("15000.00"), D("10000.00"), False, id="1.5"),
        # 1.199999 shows as 1.2000 but is below 1.2: compared exactly, like the refusal.
        pytest.param(D("11999.99"), D("10000.00"), True, id="one-cent-short-of-1.2"),
    ],
)
def test_coverage_warning_below_the_warning_ratio(db, income, principal, warning):
    reserve = BondReserve(year=2023, expected_income=income, principal_and_interest=principal)
    assert reserve.coverage_warning() is warning


def test_coverage_warning_follows_the_plan_of_the_reserves_year(make_year_plan):
    make_year_plan(2023, coverage_warning_ratio=D("1.5000"))
    reserve = BondReserve(year=2023, expected_income=D("14990.00"), principal_and_interest=D("10000.00"))
    assert reserve.coverage_warning() is True
    other_year = BondReserve(year=2024, expected_income=D("14990.00"), principal_and_interest=D("10000.00"))
    assert other_year.coverage_warning() is False


def test_the_coverage_refusal_message_does_not_show_a_ratio_equal_to_the_threshold(build_bond_reserve):
    reserve = build_bond_reserve(expected_income=D("9999.99"), principal_and_interest=D("10000.00"))
    message = refusal(reserve).message_dict["expected_income"][0]
    assert "1.0000" not in message


# --- version and history ----------------------------------------------------------------------

# (factory, a field to change, its new value)
LEDGERS = [
    ("make_key_project", "leader", "王县长"),
    ("make_listing", "planned_investment", D("12345.00")),
    ("make_bond_reserve", "owner", "县城投公司"),
    ("make_year_plan", "attraction_count_target", 65),
    ("make_industry", "name", "铸铁炊具"),
    ("make_area", "name", "产业集聚区"),
    ("make_department", "name", "县商务局"),
    ("make_sector", "name", "新型基础设施"),
]


@pytest.mark.parametrize(("factory", "field", "value"), LEDGERS)
def test_version_starts_at_one_and_rises_by_one_per_save(request, factory, field, value):
    obj = request.getfixturevalue(factory)()
    assert obj.version == 1
    setattr(obj, field, value)
    obj.save()
    obj.save(update_fields=[field])
    obj.refresh_from_db()
    assert obj.version == 3
    assert getattr(obj, field) == value


@pytest.mark.parametrize(("factory", "field", "value"), LEDGERS)
def test_every_ledger_keeps_history_of_its_changes(request, factory, field, value):
    obj = request.getfixturevalue(factory)()
    setattr(obj, field, value)
    obj.save()
    assert obj.history.count() == 2
    assert getattr(obj.history.earliest(), field) != value
    assert getattr(obj.history.latest(), field) == value
    assert [record.history_type for record in obj.history.order_by("history_date")] == ["+", "~"]


def test_version_is_not_editable(db):
    assert not KeyProject._meta.get_field("version").editable
    assert not AnnualListing._meta.get_field("version").editable


# --- the database constraints, the last guard behind clean() -----------------------------------


def test_the_database_refuses_a_key_project_completed_before_it_started(make_key_project):
    project = make_key_project(started_on=datetime.date(2023, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyProject.objects.filter(pk=project.pk).update(completed_on=datetime.date(2023, 3, 31))


def test_the_database_refuses_a_key_project_completed_without_a_start(make_key_project):
    project = make_key_project()
    with pytest.raises(IntegrityError), transaction.atomic():
        KeyProject.objects.filter(pk=project.pk).update(completed_on=datetime.date(2023, 3, 31))


@pytest.mark.parametrize(
    ("field", "value"),
    [("bond_demand", D("20000.01")), ("capital_portion", D("10000.01")), ("total_investment", D("-0.01"))],
)
def test_the_database_refuses_bond_amounts_out_of_bounds(make_bond_reserve, field, value):
    reserve = make_bond_reserve(total_investment=D("20000.00"), bond_demand=D("10000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        BondReserve.objects.filter(pk=reserve.pk).update(**{field: value})
