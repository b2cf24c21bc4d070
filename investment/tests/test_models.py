"""Attraction projects: the rules of one record at their boundaries through ``full_clean()``,
the values derived from one record, and the querysets that must give the same answers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from investment import quotas
from investment.choices import AttractionProjectStageChoices as Stage
from investment.models import AttractionProject
from projects.models import YearPlan
from projects.tests.helpers import (
    AT_THE_DEFAULT_BIG_PROJECT_MINIMUMS,
    CODE,
    assert_accepted,
    refusal,
)

pytestmark = pytest.mark.django_db

d = datetime.date
D = Decimal
DAY = datetime.timedelta(days=1)


# --- amounts ------------------------------------------------------------------------------------

# (field, other amounts that keep the record valid with this field at zero)
AMOUNTS = [
    ("contract_amount", {"fixed_asset_investment": D("0.00")}),
    ("fixed_asset_investment", {}),
    ("funds_in_place", {}),
]


@pytest.mark.parametrize(("field", "fields"), AMOUNTS, ids=[field for field, _f in AMOUNTS])
def test_an_amount_of_zero_is_accepted(build_attraction_project, field, fields):
    assert_accepted(build_attraction_project(**fields, **{field: D("0.00")}))


@pytest.mark.parametrize("field", [field for field, _f in AMOUNTS])
def test_an_amount_one_cent_below_zero_is_refused_on_that_field(build_attraction_project, field):
    exc = refusal(build_attraction_project(**{field: D("-0.01")}))
    assert "min_value" in [error.code for error in exc.error_dict[field]]


def test_fixed_asset_investment_equal_to_contract_amount_is_accepted(build_attraction_project):
    assert_accepted(build_attraction_project(contract_amount=D("12000.00"), fixed_asset_investment=D("12000.00")))


def test_fixed_asset_investment_one_cent_above_contract_amount_is_refused_on_fixed_asset_investment(
    build_attraction_project,
):
    project = build_attraction_project(contract_amount=D("12000.00"), fixed_asset_investment=D("12000.01"))
    assert "fixed_asset_investment" in refusal(project).message_dict


# --- dates --------------------------------------------------------------------------------------

# The stage dates go signed, started, in production, none after today: the rules of
# ``projects.validation`` that every ledger runs, tested with the other ledgers' dates in
# projects/tests/test_models.py.


# --- project code, predecessor, name --------------------------------------------------------------


def test_an_attraction_project_code_of_the_national_shape_is_stored_in_upper_case(build_attraction_project):
    project = build_attraction_project(project_code=CODE.lower())
    assert_accepted(project)
    project.save()
    project.refresh_from_db()
    assert project.project_code == CODE


def test_an_attraction_project_code_of_23_characters_is_refused_on_project_code(build_attraction_project):
    assert "project_code" in refusal(build_attraction_project(project_code=CODE[:-1])).message_dict


def test_a_duplicate_attraction_project_code_is_refused_but_two_blank_codes_are_allowed(
    make_attraction_project, build_attraction_project
):
    make_attraction_project(project_code=CODE)
    make_attraction_project(project_code="")
    assert_accepted(build_attraction_project(project_code=""))
    assert "project_code" in refusal(build_attraction_project(project_code=CODE)).message_dict


# That a project cannot be its own predecessor, directly or through a cycle:
# projects/tests/test_models.py, for key projects and attraction projects alike.


def test_a_second_phase_of_an_attraction_project_is_accepted(make_attraction_project, build_attraction_project):
    first = make_attraction_project(name="一期")
    assert_accepted(build_attraction_project(name="二期", predecessor=first))


def test_an_attraction_project_name_already_used_that_year_is_refused_on_name(
    make_attraction_project, build_attraction_project
):
    make_attraction_project(year=2023, name="铸铁炊具产业园")
    assert "name" in refusal(build_attraction_project(year=2023, name="铸铁炊具产业园")).message_dict


def test_an_attraction_project_name_used_in_another_year_is_accepted(make_attraction_project, build_attraction_project):
    make_attraction_project(year=2022, name="铸铁炊具产业园")
    assert_accepted(build_attraction_project(year=2023, name="铸铁炊具产业园"))


def test_saving_an_attraction_project_again_does_not_clash_with_its_own_name(make_attraction_project):
    project = make_attraction_project(name="铸铁炊具产业园")
    project.notes = "已签约"
    assert_accepted(project)


# --- derived: stage -----------------------------------------------------------------------------


def test_stage_on_each_boundary_day(build_attraction_project):
    project = build_attraction_project(
        signed_on=d(2023, 3, 1), started_on=d(2023, 5, 1), in_production_on=d(2023, 9, 1)
    )
    expected = {
        d(2023, 2, 28): Stage.NEGOTIATING,
        d(2023, 3, 1): Stage.SIGNED,
        d(2023, 4, 30): Stage.SIGNED,
        d(2023, 5, 1): Stage.STARTED,
        d(2023, 8, 31): Stage.STARTED,
        d(2023, 9, 1): Stage.IN_PRODUCTION,
        d(2030, 1, 1): Stage.IN_PRODUCTION,
    }
    assert {day: project.stage_on(day) for day in expected} == expected


def test_stage_on_without_any_date_is_negotiating(build_attraction_project):
    assert build_attraction_project().stage_on(d(2030, 1, 1)) == Stage.NEGOTIATING


def test_stage_is_the_stage_today(today, build_attraction_project):
    assert build_attraction_project(signed_on=today - DAY, started_on=today).stage == Stage.STARTED
    assert build_attraction_project(signed_on=today).stage == Stage.SIGNED


# --- derived: the 100-million-yuan rule ----------------------------------------------------------


@pytest.mark.parametrize(
    ("contract", "fixed_assets", "big"),
    [*AT_THE_DEFAULT_BIG_PROJECT_MINIMUMS, (D("9999.99"), D("7999.99"), False), (D("50000.00"), D("40000.00"), True)],
)
def test_is_big_project_under_the_default_minimums(build_attraction_project, contract, fixed_assets, big):
    project = build_attraction_project(contract_amount=contract, fixed_asset_investment=fixed_assets)
    assert project.is_big_project() is big


@pytest.mark.parametrize(
    ("contract", "fixed_assets", "big"),
    [
        (D("20000.00"), D("15000.00"), True),
        (D("19999.99"), D("15000.00"), False),
        (D("20000.00"), D("14999.99"), False),
        (D("10000.00"), D("8000.00"), False),
    ],
)
def test_is_big_project_follows_the_minimums_of_the_projects_year_plan(
    make_year_plan, build_attraction_project, contract, fixed_assets, big
):
    make_year_plan(2023, big_project_contract_min=D("20000.00"), big_project_fixed_asset_min=D("15000.00"))
    project = build_attraction_project(year=2023, contract_amount=contract, fixed_asset_investment=fixed_assets)
    assert project.is_big_project() is big


def test_is_big_project_with_a_plan_given_uses_that_plan(build_attraction_project):
    project = build_attraction_project(contract_amount=D("6000.00"), fixed_asset_investment=D("5000.00"))
    assert project.is_big_project() is False
    lower = YearPlan(year=2023, big_project_contract_min=D("6000.00"), big_project_fixed_asset_min=D("5000.00"))
    assert project.is_big_project(lower) is True


def test_is_key_industry_follows_the_industry(build_attraction_project, key_industry, other_industry):
    assert build_attraction_project(industry=key_industry).is_key_industry is True
    assert build_attraction_project(industry=other_industry).is_key_industry is False


# --- version and history ------------------------------------------------------------------------


def test_attraction_project_version_starts_at_one_and_rises_by_one_per_save(make_attraction_project):
    project = make_attraction_project()
    assert project.version == 1
    project.notes = "已签约"
    project.save()
    project.save(update_fields=["notes"])
    project.refresh_from_db()
    assert project.version == 3


def test_attraction_project_keeps_history_of_its_changes(make_attraction_project):
    project = make_attraction_project(funds_in_place=D("0.00"))
    project.funds_in_place = D("3000.00")
    project.save()
    assert project.history.count() == 2
    assert [record.funds_in_place for record in project.history.order_by("history_date")] == [D("0.00"), D("3000.00")]


# --- the querysets agree with the model ----------------------------------------------------------

# That the database agrees with ``stage_on`` over projects of every stage, by name:
# test_querysets_steps.py, with the bond reserves.


def test_signed_by_counts_a_project_signed_on_that_day(make_attraction_project):
    make_attraction_project(name="签约项目", signed_on=d(2023, 3, 1))
    make_attraction_project(name="洽谈项目")
    assert list(AttractionProject.objects.signed_by(d(2023, 2, 28))) == []
    assert [p.name for p in AttractionProject.objects.signed_by(d(2023, 3, 1))] == ["签约项目"]


BIG_PROJECT_AMOUNTS = [
    (D("10000.00"), D("8000.00")),
    (D("9999.99"), D("8000.00")),
    (D("10000.00"), D("7999.99")),
    (D("20000.00"), D("15000.00")),
    (D("19999.99"), D("15000.00")),
    (D("20000.00"), D("14999.99")),
    (D("6000.00"), D("5000.00")),
    (D("5999.99"), D("5000.00")),
    (D("0.00"), D("0.00")),
    (D("123456789.12"), D("123456789.12")),
]


@pytest.mark.parametrize(
    "plan_2023",
    [
        pytest.param(None, id="no-plan"),
        pytest.param({}, id="plan-with-the-defaults"),
        pytest.param(
            {"big_project_contract_min": D("20000.00"), "big_project_fixed_asset_min": D("15000.00")}, id="higher"
        ),
        pytest.param(
            {"big_project_contract_min": D("6000.00"), "big_project_fixed_asset_min": D("5000.00")}, id="lower"
        ),
    ],
)
def test_with_big_project_annotation_equals_is_big_project(make_year_plan, make_attraction_project, plan_2023):
    # 2023 has the plan of the case; 2024 never has one (the default minimums).
    if plan_2023 is not None:
        make_year_plan(2023, **plan_2023)
    projects = [
        make_attraction_project(year=year, contract_amount=contract, fixed_asset_investment=fixed_assets)
        for year in (2023, 2024)
        for contract, fixed_assets in BIG_PROJECT_AMOUNTS
    ]
    annotated = dict(quotas.with_big_project(AttractionProject.objects.all()).values_list("name", "big_project"))
    expected = {project.name: project.is_big_project() for project in projects}
    assert annotated == expected
    assert True in expected.values() and False in expected.values()
