"""The attraction ledger in the admin: page in Chinese, a fixed number of queries, the
year, stage and 100-million filters, and the add form's validation."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from investment.choices import AttractionProjectStageChoices as Stage
from investment.models import AttractionProject

pytestmark = pytest.mark.django_db

d = datetime.date
D = Decimal
DAY = datetime.timedelta(days=1)
CHANGELIST = "admin:investment_attractionproject_changelist"
ADD = "admin:investment_attractionproject_add"


def changelist_names(client, **params) -> set[str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200, response.get("Location")
    return {obj.name for obj in response.context["cl"].queryset}


def test_changelist_renders_in_chinese_for_a_superuser(zh_admin_client, make_attraction_project):
    make_attraction_project(signed_on=d(2023, 3, 1))
    response = zh_admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    content = response.content.decode()
    assert "增加" in content
    assert "选择" in content


# Our own label, from locale/zh_Hans: passes once the catalogue is compiled.
def test_changelist_title_names_the_ledger_in_chinese(zh_admin_client):
    assert "选择 招商引资项目 来修改" in zh_admin_client.get(reverse(CHANGELIST)).content.decode()


@pytest.fixture
def make_row(make_attraction_project, key_industry, other_industry, make_year_plan):
    """The i-th row of the changelist: rows in each stage, in key and other industries, of
    two years (one with a plan, one without), some 100-million projects, some not."""
    make_year_plan(2023)

    def make(i: int):
        stage_dates = [("signed_on", d(2023, 3, 1)), ("started_on", d(2023, 4, 1)), ("in_production_on", d(2023, 5, 1))]
        make_attraction_project(
            year=2023 + i % 2,
            industry=key_industry if i % 3 else other_industry,
            contract_amount=D("12000.00") if i % 2 else D("9999.99"),
            **dict(stage_dates[: i % 4]),
        )

    return make


# The queries of the changelist page, whatever the number of rows (8): session; user; the
# years of the year filter (the first and the last); the choices of the industry, area and
# department filters (3); the count of the filtered rows (no count of all: LedgerAdmin); the
# page of projects joined to their industry, with the 100-million flag from two subqueries on
# the year plan in the same query. No date hierarchy (its distinct dates scanned a city's
# table). The stage comes from the row's own dates.
QUERIES = 8


def test_changelist_costs_the_same_queries_at_10_and_at_100_rows(zh_admin_client, make_row, django_assert_num_queries):
    for i in range(10):
        make_row(i)
    zh_admin_client.get(reverse(CHANGELIST))  # warm up: the session and caches of a first request

    with CaptureQueriesContext(connection) as at_10:
        response = zh_admin_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 10
    assert len(at_10) == QUERIES, "\n".join(query["sql"] for query in at_10.captured_queries)

    for i in range(10, 100):
        make_row(i)
    with django_assert_num_queries(len(at_10)):
        response = zh_admin_client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 100


# --- filters ------------------------------------------------------------------------------------


def test_year_filter_selects_that_years_projects(zh_admin_client, make_attraction_project):
    make_attraction_project(year=2022, name="二二年项目")
    make_attraction_project(year=2023, name="二三年项目")
    assert changelist_names(zh_admin_client, year="2022") == {"二二年项目"}
    assert changelist_names(zh_admin_client, year="2023") == {"二三年项目"}
    assert changelist_names(zh_admin_client) == {"二二年项目", "二三年项目"}


def test_a_year_filter_value_that_is_not_a_year_does_not_break_the_changelist(zh_admin_client, make_attraction_project):
    make_attraction_project()
    zh_admin_client.raise_request_exception = False
    response = zh_admin_client.get(reverse(CHANGELIST), {"year": "x"})
    assert response.status_code in (200, 302)


def test_unknown_stage_and_100_million_values_are_ignored(zh_admin_client, make_attraction_project):
    make_attraction_project(name="招商项目")
    assert changelist_names(zh_admin_client, stage="abandoned", big="7") == {"招商项目"}


@pytest.fixture
def projects_by_stage(today, make_attraction_project):
    """One project in each stage on the frozen today, each reaching it that very day, and
    one signed only on the day after today (negotiating today)."""
    earlier = today - 10 * DAY
    projects = {
        Stage.NEGOTIATING: make_attraction_project(name="洽谈中"),
        Stage.SIGNED: make_attraction_project(name="已签约", signed_on=today),
        Stage.STARTED: make_attraction_project(name="已开工", signed_on=earlier, started_on=today),
        Stage.IN_PRODUCTION: make_attraction_project(
            name="已投产", signed_on=earlier, started_on=earlier, in_production_on=today
        ),
    }
    signed_tomorrow = make_attraction_project(name="明日签约")
    AttractionProject.objects.filter(pk=signed_tomorrow.pk).update(signed_on=today + DAY)
    return projects


@pytest.mark.parametrize(
    ("stage", "names"),
    [
        (Stage.NEGOTIATING, {"洽谈中", "明日签约"}),
        (Stage.SIGNED, {"已签约"}),
        (Stage.STARTED, {"已开工"}),
        (Stage.IN_PRODUCTION, {"已投产"}),
    ],
)
def test_stage_filter_selects_the_projects_at_that_stage_today(zh_admin_client, projects_by_stage, stage, names):
    assert changelist_names(zh_admin_client, stage=stage) == names


def test_changelist_shows_each_projects_stage_today(zh_admin_client, projects_by_stage):
    content = zh_admin_client.get(reverse(CHANGELIST)).content.decode()
    row = r'<th class="field-name"><a [^>]*>(.*?)</a></th>.*?<td class="field-stage_today">(.*?)</td>'
    shown = dict(re.findall(row, content))
    with translation.override("zh-hans"):
        expected = {project.name: str(Stage(stage).label) for stage, project in projects_by_stage.items()}
        expected["明日签约"] = str(Stage.NEGOTIATING.label)
    assert shown == expected


@pytest.fixture
def big_and_small(make_year_plan, make_attraction_project):
    """Projects at the default minimums' edges in 2024 (no plan), and in 2023, whose plan
    asks for 20,000 and 15,000."""
    make_year_plan(2023, big_project_contract_min=D("20000.00"), big_project_fixed_asset_min=D("15000.00"))
    make_attraction_project(
        year=2024, name="恰好亿元", contract_amount=D("10000.00"), fixed_asset_investment=D("8000.00")
    )
    make_attraction_project(year=2024, name="差一分", contract_amount=D("9999.99"), fixed_asset_investment=D("8000.00"))
    make_attraction_project(
        year=2024, name="固投差一分", contract_amount=D("10000.00"), fixed_asset_investment=D("7999.99")
    )
    make_attraction_project(
        year=2023, name="新标准达标", contract_amount=D("20000.00"), fixed_asset_investment=D("15000.00")
    )
    make_attraction_project(
        year=2023, name="旧标准达标", contract_amount=D("10000.00"), fixed_asset_investment=D("8000.00")
    )


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"big": "1"}, {"恰好亿元", "新标准达标"}),
        ({"big": "0"}, {"差一分", "固投差一分", "旧标准达标"}),
        ({"big": "1", "year": "2023"}, {"新标准达标"}),
        ({}, {"恰好亿元", "差一分", "固投差一分", "新标准达标", "旧标准达标"}),
    ],
    ids=["big", "not-big", "big-in-2023", "no-filter"],
)
def test_big_project_filter_applies_the_rule_of_each_projects_year(zh_admin_client, big_and_small, params, names):
    assert changelist_names(zh_admin_client, **params) == names


# --- add form -----------------------------------------------------------------------------------


@pytest.fixture
def attraction_form(key_industry, area, department):
    """The POST of a valid signed and started 100-million project, as the add page sends it."""
    return {
        "year": "2023",
        "name": "硅基负极材料项目",
        "project_code": "",
        "investor": "某新能源科技有限公司",
        "investor_origin": "out_of_province",
        "predecessor": "",
        "key_project": "",
        "industry": key_industry.pk,
        "area": area.pk,
        "department": department.pk,
        "leader": "",
        "contract_amount": "12000.00",
        "fixed_asset_investment": "12000.00",
        "funds_in_place": "3000.00",
        "signed_on": "2023-03-01",
        "started_on": "2023-05-01",
        "in_production_on": "",
        "notes": "",
    }


def test_add_form_saves_a_valid_project(today, zh_admin_client, attraction_form):
    response = zh_admin_client.post(reverse(ADD), attraction_form)
    assert response.status_code == 302
    project = AttractionProject.objects.get()
    assert project.name == "硅基负极材料项目"
    assert project.fixed_asset_investment == D("12000.00")
    assert project.stage == Stage.STARTED
    assert project.is_big_project() is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"fixed_asset_investment": "12000.01"}, "fixed_asset_investment"),
        ({"contract_amount": "-0.01", "fixed_asset_investment": "0"}, "contract_amount"),
        ({"signed_on": ""}, "started_on"),
        ({"started_on": "2023-07-01"}, "started_on"),
        ({"project_code": "2023-410425-30-03-01234"}, "project_code"),
    ],
)
def test_add_form_shows_the_error_next_to_the_field_and_saves_nothing(
    today, zh_admin_client, attraction_form, changes, field
):
    attraction_form.update(changes)
    response = zh_admin_client.post(reverse(ADD), attraction_form)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert field in form.errors
    match = re.search(
        rf'<div class="form-row errors field-{field}">\s*<ul class="errorlist"[^>]*>\s*<li>(.*?)</li>',
        response.content.decode(),
    )
    assert match, f"no error shown next to {field}"
    assert match.group(1) == form.errors[field][0]
    assert not AttractionProject.objects.exists()
