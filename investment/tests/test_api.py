"""The REST quota report and the first resources it needs: industries, plans,
attraction projects; token authentication; field-level 400s."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from investment.models import AttractionProject
from investment.tests.helpers import CONTRACT_TARGETS
from jiaxian import periods
from jiaxian.tests.users import client_for, user_with
from projects.models import Industry, YearPlan

pytestmark = pytest.mark.django_db

D = Decimal
d = datetime.date
REPORT = "/api/reports/quotas/"


@pytest.fixture
def reader() -> APIClient:
    client = client_for(user_with("view_industry", "view_yearplan", "view_attractionproject", username="reader"))
    return client


@pytest.fixture
def editor() -> APIClient:
    perms = [
        f"{action}_{model}"
        for action in ("view", "add", "change", "delete")
        for model in ("industry", "yearplan", "attractionproject")
    ]
    # Bureau staff: reference data and records without a department need it (projects.access).
    perms.append("edit_all_departments")
    client = client_for(user_with(*perms, username="editor"))
    return client


@pytest.fixture
def year_2023(make_year_plan, make_attraction_project, other_industry):
    plan = make_year_plan(2023)
    make_attraction_project(name="达标", signed_on=d(2023, 3, 1), started_on=d(2023, 4, 1))
    make_attraction_project(
        name="未达标", signed_on=d(2023, 5, 1), contract_amount=D("9999.99"), industry=other_industry
    )
    make_attraction_project(name="洽谈")
    return plan


# --- the report ---------------------------------------------------------------------------


def test_the_report_answers_in_the_shape_of_the_contract(reader, year_2023):
    response = reader.get(REPORT, {"year": 2023, "as_of": "2023-06-30"})
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["as_of"]) == (2023, "2023-06-30")
    lines = {line["key"]: line for line in body["targets"]}
    assert list(lines) == CONTRACT_TARGETS
    assert lines["attraction_big_share"] == {
        "key": "attraction_big_share",
        "label": lines["attraction_big_share"]["label"],
        "numerator": 1,
        "denominator": 2,
        "value": "0.5000",
        "threshold": "0.7000",
        "met": False,
    }
    assert lines["attraction_count"] | {"label": ""} == {
        "key": "attraction_count",
        "label": "",
        "numerator": 2,
        "denominator": None,
        "value": "2",
        "threshold": "60",
        "met": False,
    }
    assert lines["key_project_total_investment"]["value"] == "0.00"
    assert lines["key_project_total_investment"]["threshold"] == "3000000.00"
    assert all(isinstance(line["label"], str) and line["label"] for line in body["targets"])
    assert {line["key"] for line in body["indicators"]} == {
        "attraction_start_rate",
        "attraction_production_rate",
        "attraction_funds_in_place_rate",
    }


def test_a_share_of_nothing_is_null_and_not_met(reader, make_year_plan):
    make_year_plan(2023)
    lines = {line["key"]: line for line in reader.get(REPORT, {"year": 2023}).json()["targets"]}
    assert lines["attraction_started_share"]["value"] is None
    assert lines["attraction_started_share"]["met"] is False
    assert lines["attraction_started_share"]["denominator"] == 0


def test_the_report_recomputes_a_past_date(reader, year_2023):
    lines = {line["key"]: line for line in reader.get(REPORT, {"year": 2023, "as_of": "2023-03-31"}).json()["targets"]}
    assert lines["attraction_count"]["numerator"] == 1
    assert lines["attraction_started_share"]["numerator"] == 0


def test_a_past_year_defaults_to_its_last_day(reader, year_2023):
    assert reader.get(REPORT, {"year": 2023}).json()["as_of"] == "2023-12-31"


def test_the_current_year_defaults_to_today(reader, make_year_plan, monkeypatch):
    monkeypatch.setattr(periods, "today", lambda: d(2024, 5, 6))
    make_year_plan(2024)
    assert reader.get(REPORT, {"year": 2024}).json()["as_of"] == "2024-05-06"


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "year"),
        ({"year": "abc"}, "year"),
        ({"year": "1999"}, "year"),
        ({"year": "2023", "as_of": "2023-02-30"}, "as_of"),
        ({"year": "2023", "as_of": "yesterday"}, "as_of"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(reader, year_2023, params, field):
    response = reader.get(REPORT, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_year_without_a_plan_is_a_404_that_says_so(reader, year_2023):
    response = reader.get(REPORT, {"year": 2031})
    assert response.status_code == 404
    assert "2031" in response.json()["detail"]


def test_anonymous_gets_no_report(year_2023):
    response = APIClient().get(REPORT, {"year": 2023})
    assert response.status_code in (401, 403)
    assert "targets" not in response.json()


def test_a_token_made_with_drf_create_token_opens_the_report(year_2023):
    User.objects.create_user("robot", password="pw")
    call_command("drf_create_token", "robot", stdout=StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user__username='robot').key}")
    assert client.get(REPORT, {"year": 2023}).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(REPORT, {"year": 2023}).status_code == 401


def test_the_report_costs_the_same_queries_at_10_and_100_projects(reader, year_2023, make_attraction_project):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert reader.get(REPORT, {"year": 2023}).status_code == 200
        return len(queries)

    for _ in range(7):
        make_attraction_project(signed_on=d(2023, 2, 1))
    at_ten = count_queries()
    AttractionProject.objects.bulk_create(
        AttractionProject(
            year=2023,
            name=f"批量{n}",
            investor="某",
            industry_id=Industry.objects.first().pk,
            contract_amount=D("1"),
            fixed_asset_investment=D("1"),
            signed_on=d(2023, 2, 1),
        )
        for n in range(90)
    )
    # The plan, then one aggregate per ledger and one of the key projects' monthly progress:
    # five, with force_authenticate adding none.
    assert count_queries() == at_ten == 5


# --- industries, plans, attraction projects ---------------------------------------------


def test_an_industry_is_created_with_code_name_and_key_flag(editor):
    response = editor.post("/api/industries/", {"code": "GJFJ", "name": "硅基负极材料", "is_key": True}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == 1
    assert Industry.objects.get(code="GJFJ").is_key is True


def test_a_duplicate_industry_code_is_a_400_naming_code(editor, key_industry):
    response = editor.post("/api/industries/", {"code": key_industry.code, "name": "x"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["code"]


def test_a_plan_posted_with_its_year_alone_takes_the_seeds_figures(editor):
    response = editor.post("/api/plans/", {"year": 2024}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["key_project_count_target"] == 60
    assert body["key_project_investment_target"] == "3000000.00"
    assert body["bond_reserve_demand_target"] == "700000.00"
    assert body["attraction_big_share_target"] == "0.7000"
    assert body["progress_due_day"] == 5
    assert editor.get("/api/plans/2024/").json()["year"] == 2024


def test_a_second_plan_for_the_same_year_is_a_400_naming_year(editor, make_year_plan):
    make_year_plan(2024)
    response = editor.post("/api/plans/", {"year": 2024}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["year"]
    assert YearPlan.objects.count() == 1


def test_a_plan_with_the_red_gap_below_the_yellow_gap_is_refused_on_the_field(editor):
    response = editor.post(
        "/api/plans/", {"year": 2025, "investment_yellow_gap": "0.3000", "investment_red_gap": "0.1000"}, format="json"
    )
    assert response.status_code == 400
    assert "investment_red_gap" in response.json()


def attraction_payload(key_industry, **fields):
    payload = {
        "year": 2023,
        "name": "新签约项目",
        "investor": "深圳某科技有限公司",
        "industry": key_industry.pk,
        "contract_amount": "10000.00",
        "fixed_asset_investment": "8000.00",
        "signed_on": "2023-03-01",
        "started_on": "2023-04-01",
        "in_production_on": None,
    }
    return payload | fields


def test_an_attraction_project_is_created_from_the_fields_the_report_needs(editor, key_industry, make_year_plan):
    make_year_plan(2023)
    response = editor.post("/api/attraction-projects/", attraction_payload(key_industry), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["stage"], body["is_big_project"], body["is_key_industry"]) == ("started", True, True)
    assert body["contract_amount"] == "10000.00"
    listed = editor.get("/api/attraction-projects/").json()["results"][0]
    assert listed["is_big_project"] is True


def test_an_attraction_project_below_the_rule_is_not_big(editor, key_industry):
    payload = attraction_payload(key_industry, fixed_asset_investment="7999.99")
    assert editor.post("/api/attraction-projects/", payload, format="json").json()["is_big_project"] is False


@pytest.mark.parametrize(
    "fields, bad",
    [
        ({"fixed_asset_investment": "10000.01"}, "fixed_asset_investment"),
        ({"started_on": "2023-02-28"}, "started_on"),
        ({"signed_on": None}, "started_on"),
        ({"contract_amount": "-1.00", "fixed_asset_investment": "0.00"}, "contract_amount"),
        ({"signed_on": "2999-01-01", "started_on": None}, "signed_on"),
        ({"industry": 999999}, "industry"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_a_bad_attraction_project_is_a_400_naming_the_field_and_nothing_is_saved(editor, key_industry, fields, bad):
    response = editor.post("/api/attraction-projects/", attraction_payload(key_industry, **fields), format="json")
    assert response.status_code == 400
    assert bad in response.json()
    assert not AttractionProject.objects.exists()


def test_a_refused_update_leaves_the_record_as_it_was(editor, make_attraction_project):
    project = make_attraction_project(signed_on=d(2023, 3, 1))
    response = editor.patch(
        f"/api/attraction-projects/{project.pk}/", {"fixed_asset_investment": "99999.00"}, format="json"
    )
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.fixed_asset_investment == D("9000.00")
    assert project.version == 1


def test_a_reader_cannot_write_and_a_user_without_view_permission_cannot_read(reader, key_industry):
    assert reader.post("/api/industries/", {"code": "X", "name": "X"}, format="json").status_code == 403
    nobody = client_for(user_with(username="nobody"))
    assert nobody.get("/api/industries/").status_code == 403
    assert reader.get("/api/industries/").status_code == 200


def test_attraction_projects_filter_by_key_industry_and_stage(reader, year_2023):
    names = {p["name"] for p in reader.get("/api/attraction-projects/", {"is_key_industry": "true"}).json()["results"]}
    assert names == {"达标", "洽谈"}
    names = {p["name"] for p in reader.get("/api/attraction-projects/", {"stage": "negotiating"}).json()["results"]}
    assert names == {"洽谈"}
