"""The plan indicators in the admin (issue 20): inline on the year plan's page, their own list
and the monthly values' review list (the progress reports' ``ReviewedAdmin``), in Chinese, at a
fixed number of queries, with the review actions and the department rule."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.choices import ReviewStageChoices as Stage
from projects.models import IndicatorValue, PlanIndicator
from projects.tests.helpers import approved_value

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

d = datetime.date
INDICATORS = "/admin/projects/planindicator/"
VALUES = "/admin/projects/indicatorvalue/"


def fill(make_indicator, make_department, size: int) -> None:
    while PlanIndicator.objects.count() < size:
        indicator = make_indicator(department=make_department())
        IndicatorValue.objects.create(indicator=indicator, month=d(2023, 1, 1), value=D("3"))


@pytest.mark.parametrize("url", [INDICATORS, VALUES])
def test_the_lists_render_in_chinese_at_the_same_queries_for_10_and_100_rows(
    zh_admin_client, make_indicator, make_department, django_assert_num_queries, url
):
    fill(make_indicator, make_department, 10)
    zh_admin_client.get(url)  # warm up
    with CaptureQueriesContext(connection) as at_10:
        response = zh_admin_client.get(url)
    assert len(response.context["cl"].result_list) == 10
    content = response.content.decode()
    assert "年度目标指标" in content or "指标月度值" in content
    fill(make_indicator, make_department, 100)
    with django_assert_num_queries(len(at_10)):
        response = zh_admin_client.get(url)
    assert len(response.context["cl"].result_list) == 100


def test_the_year_plan_s_page_lists_its_indicators(zh_admin_client, make_indicator):
    indicator = make_indicator(name="新增技能人才", unit="人", target=D("8000"))
    response = zh_admin_client.get(f"/admin/projects/yearplan/{indicator.plan.pk}/change/")
    assert response.status_code == 200
    assert "新增技能人才" in response.content.decode()


def test_an_indicator_links_to_its_monthly_values(zh_admin_client, make_indicator):
    indicator = make_indicator()
    approved_value(indicator, d(2023, 1, 1), "12")
    content = zh_admin_client.get(INDICATORS).content.decode()
    link = f"{VALUES}?indicator__id__exact={indicator.pk}"
    assert link in content
    assert zh_admin_client.get(link).status_code == 200


def test_bureau_staff_approve_and_return_in_the_list(make_persona, client, make_indicator, dept_a):
    value = IndicatorValue.objects.create(
        indicator=make_indicator(department=dept_a), month=d(2023, 1, 1), value=D("3")
    )
    clerk = make_persona("clerk of A")
    client.force_login(clerk)
    client.post(VALUES, {"action": "submit_selected", "_selected_action": [value.pk]})
    value.refresh_from_db()
    assert value.stage == Stage.SUBMITTED
    # The clerk is offered no approval.
    assert "approve_selected" not in client.get(VALUES).content.decode()
    client.force_login(make_persona("bureau staff"))
    client.post(VALUES, {"action": "approve_selected", "_selected_action": [value.pk]})
    value.refresh_from_db()
    assert (value.stage, value.approved_value) == (Stage.APPROVED, D("3"))
    client.post(VALUES, {"action": "return_selected", "_selected_action": [value.pk], "reason": "重报"})
    value.refresh_from_db()
    assert (value.stage, value.return_reason) == (Stage.RETURNED, "重报")


def test_another_unit_s_value_opens_read_only(make_persona, client, make_indicator, dept_b):
    value = IndicatorValue.objects.create(
        indicator=make_indicator(department=dept_b), month=d(2023, 1, 1), value=D("3")
    )
    client.force_login(make_persona("clerk of A"))
    page = client.get(f"{VALUES}{value.pk}/change/")
    assert page.status_code == 200
    assert 'name="value"' not in page.content.decode()


def test_a_clerk_adds_a_value_for_their_own_unit_only(make_persona, client, make_indicator, dept_a, dept_b):
    own, other = make_indicator(department=dept_a), make_indicator(department=dept_b)
    client.force_login(make_persona("clerk of A"))
    page = client.get(f"{VALUES}add/")
    assert page.status_code == 200
    for indicator, saved in ((own, True), (other, False)):
        body = {"indicator": indicator.pk, "month": "2023-05-01", "value": "7", "note": ""}
        client.post(f"{VALUES}add/", body)
        assert IndicatorValue.objects.filter(indicator=indicator).exists() is saved
    assert IndicatorValue.objects.get(indicator=own).stage == Stage.DRAFT
