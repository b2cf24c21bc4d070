"""The rankings of the departments and the areas (issue 18 items 1 and 7): each indicator and its
direction on hand-built cases with ties and empty units, the 0–100 scale, the composite with the
year's weights, the 红榜 and the 黑榜 with ties, the weights' table, the query count whatever the
number of units, and the API's answers and 400s."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from investment import quotas, rankings
from investment.choices import RankingIndicatorChoices as I
from investment.models import RankingWeight
from investment.tests.helpers import reply
from projects.models import Problem
from projects.tests.helpers import approved_report

d = datetime.date
AS_OF = d(2023, 6, 30)  # time progress 0.5000; May's reports were due on 5 June
MAY = d(2023, 5, 1)
ON_TIME = datetime.datetime(2023, 6, 1, 12, tzinfo=datetime.UTC)


def figures(result: rankings.Rankings, indicator: str) -> dict[str, tuple]:
    """Each unit's (value, rank, score) on ``indicator``, by code."""
    return {
        unit.code: (unit.figures[indicator].value, unit.figures[indicator].rank, unit.figures[indicator].score)
        for unit in result.units
    }


NOTHING = (None, None, None)


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)


@pytest.fixture
def units(make_department):
    """Three departments, and a fourth with nothing at all (the empty unit)."""
    return {code: make_department(code=code, name=f"局{code}") for code in ("A", "B", "C", "EMPTY")}


@pytest.fixture
def listed(make_key_project, make_listing):
    """A key project of ``department`` listed for 2023 (10,000 planned), ``completed`` of it
    approved in May's report, on time unless ``report`` is False."""

    def make(department, completed: str | None = None, **fields):
        project = make_key_project(department=department, **fields)
        make_listing(project=project, planned_investment=Decimal("10000.00"))
        if completed is not None:
            approved_report(project, MAY, completed, at=ON_TIME)
        return project

    return make


def test_investment_progress_is_completion_minus_time_progress_higher_better_ties_share_a_rank(plan, units, listed):
    listed(units["A"], "5000")
    listed(units["A"], "5000")
    listed(units["B"], "5000")  # the same rate as A's: a tie
    listed(units["C"], "1000")  # 0.1 completed against 0.5 elapsed
    result = rankings.rankings(plan, AS_OF)
    assert figures(result, I.INVESTMENT_PROGRESS) == {
        "A": (Decimal("0.0000"), 1, Decimal("100.00")),
        "B": (Decimal("0.0000"), 1, Decimal("100.00")),
        # After a tie the next rank is skipped (RANK(), not DENSE_RANK()).
        "C": (Decimal("-0.4000"), 3, Decimal("0.00")),
        "EMPTY": NOTHING,
        **{code: NOTHING for code in figures(result, I.INVESTMENT_PROGRESS) if code.startswith("DEPT")},
    }


def test_a_unit_whose_projects_plan_nothing_has_no_investment_progress(plan, units, make_key_project, make_listing):
    make_listing(project=make_key_project(department=units["A"]), planned_investment=Decimal("0.00"))
    assert figures(rankings.rankings(plan, AS_OF), I.INVESTMENT_PROGRESS)["A"] == NOTHING


def test_red_light_share_lower_is_better(plan, units, listed):
    listed(units["A"], "5000")  # green
    listed(units["A"], None)  # nothing completed: half a year behind, red
    listed(units["B"], None)  # red
    listed(units["C"], "6000")  # green
    result = rankings.rankings(plan, AS_OF)
    red = figures(result, I.RED_LIGHT_SHARE)
    assert red["A"] == (Decimal("0.5000"), 2, Decimal("50.00"))
    assert red["B"] == (Decimal("1.0000"), 3, Decimal("0.00"))
    assert red["C"] == (Decimal("0.0000"), 1, Decimal("100.00"))
    assert red["EMPTY"] == NOTHING
    # The lights are those of quotas.red_light_projects.
    assert {p.department.code for p in quotas.red_light_projects(plan, AS_OF)} == {"A", "B"}


def test_overdue_orders_lower_is_better_a_closed_or_not_yet_due_order_is_not_overdue(plan, units, make_order):
    make_order(department=units["A"])  # due 31 March, no reply: overdue
    make_order(department=units["A"])
    make_order(department=units["B"])
    closed = make_order(department=units["B"])
    reply(closed, d(2023, 3, 20), "accepted", d(2023, 3, 25))
    make_order(department=units["C"], due_on=d(2023, 7, 31))  # not due yet
    make_order(department=units["EMPTY"], issued_on=d(2023, 7, 1), due_on=d(2023, 7, 31))  # issued after D
    result = rankings.rankings(plan, AS_OF)
    assert figures(result, I.OVERDUE_ORDERS) == {
        "A": (Decimal("2"), 3, Decimal("0.00")),
        "B": (Decimal("1"), 2, Decimal("50.00")),
        "C": (Decimal("0"), 1, Decimal("100.00")),
        "EMPTY": NOTHING,
        **{code: NOTHING for code in figures(result, I.OVERDUE_ORDERS) if code.startswith("DEPT")},
    }


def test_orders_rank_the_area_of_the_record_they_concern(
    plan, units, make_area, make_order, make_key_project, make_attraction_project
):
    east, west = make_area(code="EAST"), make_area(code="WEST")
    make_order(department=units["A"], key_project=make_key_project(department=units["A"], area=east))
    make_order(department=units["A"], attraction_project=make_attraction_project(area=west))
    make_order(
        department=units["B"],
        attraction_project=make_attraction_project(area=west),
        due_on=d(2023, 12, 31),
    )
    east_problem = Problem.objects.create(
        project=make_key_project(department=units["B"], area=east),
        description="征地",
        raised_on=d(2023, 2, 1),
        department=units["B"],
    )
    make_order(department=units["B"], problem=east_problem)
    result = rankings.rankings(plan, AS_OF, by="area")
    overdue = figures(result, I.OVERDUE_ORDERS)
    assert overdue["EAST"] == (Decimal("2"), 2, Decimal("0.00"))  # a key project's and a problem's
    assert overdue["WEST"] == (Decimal("1"), 1, Decimal("100.00"))  # an attraction project's
    # The default area of the factories' projects, with no order, has nothing to rank.
    assert all(overdue[code] == NOTHING for code in overdue if code not in ("EAST", "WEST"))


def test_overdue_orders_alone_all_equal_score_100(plan, units, make_order):
    make_order(department=units["A"])
    make_order(department=units["B"])
    overdue = figures(rankings.rankings(plan, AS_OF), I.OVERDUE_ORDERS)
    assert overdue["A"] == overdue["B"] == (Decimal("1"), 1, Decimal("100.00"))


def test_overdue_problems_lower_is_better_over_the_problems_of_the_year(plan, units, make_key_project):
    project = make_key_project(department=units["A"])

    def problem(department, **fields):
        fields.setdefault("raised_on", d(2023, 3, 1))
        return Problem.objects.create(project=project, description="征地", department=department, **fields)

    problem(units["A"], due_on=d(2023, 5, 1))  # open and past due: overdue
    problem(units["A"], due_on=d(2023, 6, 30))  # due on D itself: not overdue yet
    problem(units["B"], due_on=d(2023, 5, 1), resolved_on=d(2023, 5, 20))  # solved late, but solved by D
    problem(units["C"], raised_on=d(2022, 3, 1), due_on=d(2022, 5, 1), resolved_on=d(2022, 12, 1))  # last year's
    result = rankings.rankings(plan, AS_OF)
    overdue = figures(result, I.OVERDUE_PROBLEMS)
    assert overdue["A"] == (Decimal("1"), 2, Decimal("0.00"))
    assert overdue["B"] == (Decimal("0"), 1, Decimal("100.00"))
    assert overdue["C"] == NOTHING


def test_late_reports_lower_is_better_as_quotas_late_departments(plan, units, listed):
    listed(units["A"])  # no May report
    listed(units["A"])
    listed(units["B"], "5000")  # approved on 1 June: handed in before the due day
    listed(units["C"])
    listed(units["C"], "5000")
    result = rankings.rankings(plan, AS_OF)
    late = figures(result, I.LATE_REPORTS)
    assert late["A"] == (Decimal("2"), 3, Decimal("0.00"))
    assert late["B"] == (Decimal("0"), 1, Decimal("100.00"))
    assert late["C"] == (Decimal("1"), 2, Decimal("50.00"))
    assert late["EMPTY"] == NOTHING
    missing = {unit.name: unit.missing for unit in quotas.late_departments(plan, AS_OF).departments}
    assert missing == {"局A": 2, "局C": 1}


def test_no_report_is_late_before_januarys_are_due(plan, units, listed, django_assert_num_queries):
    listed(units["A"])
    with django_assert_num_queries(7):  # the late reports' and late indicator values' queries are not run
        result = rankings.rankings(plan, d(2023, 1, 31))
    assert figures(result, I.LATE_REPORTS)["A"] == NOTHING


@pytest.fixture
def signed(make_attraction_project, key_industry, other_industry):
    """An attraction project of ``department`` signed on 1 March (unless ``signed`` is False),
    a 100-million project in a key industry unless told otherwise."""

    def make(department, *, big=True, key=True, started=False, is_signed=True):
        return make_attraction_project(
            department=department,
            industry=key_industry if key else other_industry,
            contract_amount=Decimal("12000.00") if big else Decimal("500.00"),
            fixed_asset_investment=Decimal("9000.00") if big else Decimal("400.00"),
            signed_on=d(2023, 3, 1) if is_signed else None,
            started_on=d(2023, 4, 1) if started else None,
        )

    return make


@pytest.fixture
def attraction_case(units, signed):
    signed(units["A"], big=True, started=True)
    signed(units["A"], big=False)
    signed(units["A"], is_signed=False)
    signed(units["B"], big=True, started=True)
    signed(units["C"], is_signed=False)  # nothing signed: a count of 0, no shares


def test_attraction_signed_and_shares_higher_is_better(plan, units, attraction_case):
    result = rankings.rankings(plan, AS_OF)
    assert figures(result, I.ATTRACTION_SIGNED)["A"] == (Decimal("2"), 1, Decimal("100.00"))
    assert figures(result, I.ATTRACTION_SIGNED)["B"] == (Decimal("1"), 2, Decimal("50.00"))
    assert figures(result, I.ATTRACTION_SIGNED)["C"] == (Decimal("0"), 3, Decimal("0.00"))
    assert figures(result, I.ATTRACTION_SIGNED)["EMPTY"] == NOTHING
    big = figures(result, I.ATTRACTION_BIG_SHARE)
    assert big["A"] == (Decimal("0.5000"), 2, Decimal("0.00"))
    assert big["B"] == (Decimal("1.0000"), 1, Decimal("100.00"))
    assert big["C"] == NOTHING
    key = figures(result, I.ATTRACTION_KEY_INDUSTRY_SHARE)
    assert key["A"] == key["B"] == (Decimal("1.0000"), 1, Decimal("100.00"))
    started = figures(result, I.ATTRACTION_STARTED_SHARE)
    assert started["A"] == (Decimal("0.5000"), 2, Decimal("0.00"))
    assert started["B"] == (Decimal("1.0000"), 1, Decimal("100.00"))


def test_the_composite_is_the_mean_of_the_scores_the_unit_has(plan, units, attraction_case):
    result = rankings.rankings(plan, AS_OF)
    by_code = {unit.code: unit for unit in result.units}
    # A: 100 (signed), 0 (big), 100 (key industry), 0 (started); B: 50, 100, 100, 100; C: 0.
    assert by_code["A"].composite == Decimal("50.00")
    assert by_code["B"].composite == Decimal("87.50")
    assert by_code["C"].composite == Decimal("0.00")
    assert by_code["EMPTY"].composite is None and by_code["EMPTY"].rank is None
    assert [unit.code for unit in result.units[:3]] == ["B", "A", "C"]
    assert [unit.rank for unit in result.units[:3]] == [1, 2, 3]


def test_the_composite_takes_the_years_weights_renormalised(plan, units, attraction_case):
    RankingWeight.objects.filter(plan=plan, indicator=I.ATTRACTION_SIGNED).update(weight=Decimal("3"))
    RankingWeight.objects.filter(plan=plan, indicator=I.ATTRACTION_STARTED_SHARE).update(weight=Decimal("0"))
    by_code = {unit.code: unit for unit in rankings.rankings(plan, AS_OF).units}
    assert by_code["A"].composite == Decimal("80.00")  # (3·100 + 0 + 100) / 5
    assert by_code["B"].composite == Decimal("70.00")  # (3·50 + 100 + 100) / 5
    assert by_code["C"].composite == Decimal("0.00")  # its one indicator, whatever its weight
    assert (by_code["A"].rank, by_code["B"].rank, by_code["C"].rank) == (1, 2, 3)


def test_a_unit_whose_indicators_all_weigh_nothing_has_no_composite(plan, units, attraction_case):
    RankingWeight.objects.filter(plan=plan, indicator=I.ATTRACTION_SIGNED).update(weight=Decimal("0"))
    by_code = {unit.code: unit for unit in rankings.rankings(plan, AS_OF).units}
    assert by_code["C"].composite is None
    assert by_code["A"].composite == Decimal("33.33")  # (0 + 100 + 0) / 3: big, key industry, started


def test_the_red_and_black_lists_take_ties(plan, make_department, signed):
    counts = {"U1": 6, "U2": 5, "U3": 4, "U4": 4, "U5": 3, "U6": 1, "U7": 1}
    for code, count in counts.items():
        department = make_department(code=code)
        for _ in range(count):
            signed(department)
    result = rankings.rankings(plan, AS_OF)
    assert [unit.code for unit in result.red_list] == ["U1", "U2", "U3", "U4"]  # U3 and U4 share the 3rd place
    assert [unit.code for unit in result.black_list] == ["U6", "U7", "U5"]  # worst first
    assert [unit.rank for unit in result.units if unit.code.startswith("U")] == [1, 2, 3, 3, 5, 6, 6]


def test_with_three_units_or_fewer_no_one_is_on_both_lists(plan, units, attraction_case):
    result = rankings.rankings(plan, AS_OF)
    assert {unit.code for unit in result.red_list} == {"A", "B", "C"}
    assert result.black_list == []


@pytest.mark.parametrize(
    ("values", "higher", "scores"),
    [
        ({}, True, {}),
        ({1: Decimal("3")}, True, {1: Decimal("100.00")}),
        ({1: Decimal("2"), 2: Decimal("2")}, False, {1: Decimal("100.00"), 2: Decimal("100.00")}),
        ({1: Decimal("0"), 2: Decimal("1"), 3: Decimal("3")}, True, {1: 0, 2: Decimal("33.33"), 3: 100}),
        ({1: Decimal("0"), 2: Decimal("1"), 3: Decimal("3")}, False, {1: 100, 2: Decimal("66.67"), 3: 0}),
    ],
)
def test_the_scale_is_min_max_flipped_where_lower_is_better(values, higher, scores):
    assert rankings.scale(values, higher) == scores


def test_competition_ranks_share_and_skip():
    values = {1: Decimal("5"), 2: Decimal("7"), 3: Decimal("5"), 4: Decimal("1")}
    assert rankings.competition_ranks(values) == {2: 1, 1: 2, 3: 2, 4: 4}
    assert rankings.competition_ranks(values, higher_is_better=False) == {4: 1, 1: 2, 3: 2, 2: 4}


def test_the_query_count_does_not_grow_with_the_units(
    plan, make_department, make_area, listed, signed, make_order, django_assert_num_queries
):
    def add(n):
        for _ in range(n):
            department, area = make_department(), make_area()
            listed(department, "3000", area=area)
            listed(department, None, area=area)
            signed(department)
            make_order(department=department)

    add(2)
    # The departments' two more: the plan indicators' figures and their late values.
    for by, queries in (("department", 9), ("area", 7)):
        with django_assert_num_queries(queries):
            small = rankings.rankings(plan, AS_OF, by)
        add(5)
        with django_assert_num_queries(queries):
            large = rankings.rankings(plan, AS_OF, by)
        assert len([u for u in large.units if u.rank]) > len([u for u in small.units if u.rank])
    with django_assert_num_queries(10):  # the plan looked up by its year
        rankings.rankings(2023, AS_OF)


# --- the weights ------------------------------------------------------------------------------


def test_a_new_plan_gets_equal_weights(make_year_plan):
    plan = make_year_plan(2024)
    weights = dict(RankingWeight.objects.filter(plan=plan).values_list("indicator", "weight"))
    assert weights == {key: Decimal("1.00") for key in I.values}
    assert rankings.weights_of(plan) == weights


def test_the_migration_seeds_the_plans_without_weights(plan):
    RankingWeight.objects.filter(plan=plan).delete()
    first = importlib.import_module("investment.migrations.0012_ranking_weights")
    later = importlib.import_module("investment.migrations.0015_ranking_plan_indicators")
    first.seed(django_apps, None)
    later.seed(django_apps, None)
    assert RankingWeight.objects.filter(plan=plan, weight=Decimal("1.00")).count() == len(I.values)
    # Their lists of indicators are the code's, written out.
    assert {*first.INDICATORS, *later.INDICATORS} == set(I.values)


def test_a_negative_weight_is_refused(plan):
    weight = RankingWeight.objects.get(plan=plan, indicator=I.OVERDUE_ORDERS)
    weight.weight = Decimal("-1")
    with pytest.raises(ValidationError) as refused:
        weight.full_clean()
    assert "weight" in refused.value.message_dict


def test_the_weights_are_edited_in_the_admin(admin_client, plan):
    weight = RankingWeight.objects.get(plan=plan, indicator=I.OVERDUE_ORDERS)
    page = admin_client.get(f"/admin/investment/rankingweight/{weight.pk}/change/")
    assert page.status_code == 200
    answer = admin_client.post(
        f"/admin/investment/rankingweight/{weight.pk}/change/",
        {"plan": plan.pk, "indicator": I.OVERDUE_ORDERS, "weight": "-2"},
    )
    assert answer.status_code == 200  # the form again, with its error
    weight.refresh_from_db()
    assert weight.weight == Decimal("1.00")


def test_the_weights_are_listed_in_the_rankings_order(admin_client, plan):
    page = admin_client.get("/admin/investment/rankingweight/")
    listed = [weight.indicator for weight in page.context["cl"].result_list]
    assert listed == [spec.key for spec in rankings.INDICATORS]


# --- the API --------------------------------------------------------------------------------------


@pytest.fixture
def api(admin_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


URL = "/api/reports/rankings/"


def test_the_api_answers_the_rankings(api, plan, units, attraction_case):
    answer = api.get(URL, {"year": 2023, "as_of": "2023-06-30", "by": "department"})
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert (data["year"], data["as_of"], data["by"]) == (2023, "2023-06-30", "department")
    assert [line["key"] for line in data["indicators"]] == [spec.key for spec in rankings.INDICATORS]
    assert {line["direction"] for line in data["indicators"]} == {"higher", "lower"}
    by_code = {unit["code"]: unit for unit in data["units"]}
    assert by_code["B"]["composite"] == "87.50" and by_code["B"]["rank"] == 1 and by_code["B"]["red"]
    signed_a = next(f for f in by_code["A"]["figures"] if f["indicator"] == I.ATTRACTION_SIGNED)
    assert signed_a == {"indicator": I.ATTRACTION_SIGNED, "value": "2", "rank": 1, "score": "100.00"}
    empty = by_code["EMPTY"]
    assert empty["composite"] is None and all(f["value"] is None for f in empty["figures"])
    assert by_code["B"]["id"] in data["red_list"]


def test_the_api_ranks_the_areas(api, plan, make_area, listed, department):
    area = make_area(code="HDZ")
    listed(department, "5000", area=area)
    data = api.get(URL, {"year": 2023, "as_of": "2023-06-30", "by": "area"}).json()
    assert data["by"] == "area"
    by_code = {unit["code"]: unit for unit in data["units"]}
    assert by_code["HDZ"]["rank"] == 1
    assert by_code["HDZ"]["figures"][0] == {
        "indicator": I.INVESTMENT_PROGRESS,
        "value": "0.0000",
        "rank": 1,
        "score": "100.00",
    }


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({}, "year"),
        ({"year": "20x3"}, "year"),
        ({"year": "1999"}, "year"),
        ({"year": "2023", "as_of": "2023-02-30"}, "as_of"),
        ({"year": "2023", "as_of": "30/06/2023"}, "as_of"),
        ({"year": "2023", "by": "town"}, "by"),
    ],
)
def test_the_api_refuses_a_bad_parameter_naming_it(api, plan, query, name):
    answer = api.get(URL, query)
    assert answer.status_code == 400
    assert list(answer.json()) == [name]


def test_the_api_needs_a_plan_and_a_login(api, plan):
    assert api.get(URL, {"year": 2030}).status_code == 404
    assert APIClient().get(URL, {"year": 2023}).status_code in (401, 403)


def test_the_plan_indicators_rank_their_units_on_track_and_late(plan, units, make_indicator):
    from projects.tests.helpers import approved_value

    # A: one level indicator met, one cumulative behind the time progress (red), May's value
    # of both handed in on time; B: one cumulative ahead of it (green), May's value late.
    met = make_indicator(plan=plan, department=units["A"], accumulation="level", target=Decimal("5"))
    approved_value(met, MAY, "6", at=ON_TIME)
    behind = make_indicator(plan=plan, department=units["A"], target=Decimal("100"))
    approved_value(behind, MAY, "10", at=ON_TIME)
    ahead = make_indicator(plan=plan, department=units["B"], target=Decimal("100"))
    approved_value(ahead, d(2023, 4, 1), "80", at=ON_TIME)
    # A quarterly indicator of C has no value known in May: not late with it.
    make_indicator(plan=plan, department=units["C"], frequency="quarterly", target=Decimal("3"))
    result = rankings.rankings(plan, AS_OF)
    on_track = figures(result, I.PLAN_INDICATORS_ON_TRACK)
    assert {code: on_track[code][:2] for code in "ABC"} == {
        "A": (Decimal("0.5000"), 2),
        "B": (Decimal("1.0000"), 1),
        "C": (Decimal("0.0000"), 3),
    }
    late = figures(result, I.LATE_INDICATOR_VALUES)
    # C's indicator is not known in May: nothing to be late with, no figure.
    assert {code: late[code][:2] for code in "ABC"} == {
        "A": (Decimal("0"), 1),
        "B": (Decimal("1"), 2),
        "C": (None, None),
    }
    assert on_track["EMPTY"] == late["EMPTY"] == NOTHING
    # An area has no plan indicators.
    assert all(
        unit.figures[I.PLAN_INDICATORS_ON_TRACK].value is None for unit in rankings.rankings(plan, AS_OF, "area").units
    )
