"""The plan indicators and their monthly values in the API (issue 20): the department rule by
persona, the review actions (as the progress reports'), the strict filters, the version's 412,
the history and the list's queries at two sizes. (The figures' report is investment's:
``investment/tests/test_indicator_report.py``.)"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from projects.models import IndicatorValue
from projects.tests.helpers import approved_value

from .conftest import PERSONAS, may_write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

d = datetime.date
VALUES = "/api/indicator-values/"
INDICATORS = "/api/plan-indicators/"


def client_of(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def indicators(make_indicator, dept_a, dept_b):
    return {"A": make_indicator(department=dept_a, name="新增市场主体"), "B": make_indicator(department=dept_b)}


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("owner", ["A", "B"])
def test_a_value_is_written_by_its_indicator_s_unit_only(make_persona, indicators, persona, owner):
    client = client_of(make_persona(persona))
    body = {"indicator": indicators[owner].pk, "month": "2023-05-01", "value": "420"}
    created = client.post(VALUES, body, format="json")
    if persona == "anonymous":
        assert created.status_code in (401, 403)
    elif persona == "leader":
        assert created.status_code == 403
    else:
        assert created.status_code == (201 if may_write(persona, owner) else 403), created.content
    if created.status_code == 201:
        stage = created.json()["stage"]
        # Bureau staff's entry is approved as it saves; a clerk's is a draft.
        assert stage == ("approved" if persona in ("bureau staff", "superuser") else "draft")


def test_the_review_actions_and_the_lock(make_persona, indicators):
    clerk, staff = client_of(make_persona("clerk of A")), client_of(make_persona("bureau staff"))
    body = {"indicator": indicators["A"].pk, "month": "2023-04-01", "value": "400"}
    value = clerk.post(VALUES, body, format="json").json()
    url = f"{VALUES}{value['id']}/"
    assert clerk.post(f"{url}approve/", {}, format="json").status_code == 403
    assert clerk.post(f"{url}submit/", {}, format="json", HTTP_IF_MATCH='"9"').status_code == 412
    submitted = clerk.post(f"{url}submit/", {}, format="json")
    assert submitted.json()["stage"] == "submitted"
    assert staff.post(f"{url}return/", {"reason": " "}, format="json").status_code == 400
    approved = staff.post(f"{url}approve/", {}, format="json").json()
    assert (approved["stage"], approved["approved_value"]) == ("approved", "400.00")
    assert staff.post(f"{url}approve/", {}, format="json").status_code == 409
    # Approved: locked for the clerk, not for bureau staff.
    assert clerk.patch(url, {"value": "401"}, format="json").status_code == 403
    changed = staff.patch(url, {"value": "401"}, format="json", HTTP_IF_MATCH=f'"{approved["version"]}"')
    assert changed.status_code == 200 and changed.json()["approved_value"] == "401.00"
    stale = staff.patch(url, {"value": "402"}, format="json", HTTP_IF_MATCH=f'"{approved["version"]}"')
    assert stale.status_code == 412
    history = staff.get(f"{url}history/").json()
    assert history["count"] >= 3


def test_the_batch_actions_act_on_all_or_none(make_persona, indicators):
    staff = client_of(make_persona("bureau staff"))
    rows = [
        IndicatorValue.objects.create(indicator=indicators["A"], month=d(2023, m, 1), value=D("1"), submitted_at=None)
        for m in (1, 2)
    ]
    refused = staff.post(f"{VALUES}approve/", {"ids": [row.pk for row in rows]}, format="json")
    assert refused.status_code == 409  # drafts
    clerk = client_of(make_persona("clerk of A"))
    assert clerk.post(f"{VALUES}submit/", {"ids": [row.pk for row in rows]}, format="json").status_code == 200
    approved = staff.post(f"{VALUES}approve/", {"ids": [row.pk for row in rows]}, format="json")
    assert [row["stage"] for row in approved.json()] == ["approved", "approved"]


def test_a_refused_value_names_its_field(make_persona, indicators):
    staff = client_of(make_persona("bureau staff"))
    answer = staff.post(VALUES, {"indicator": indicators["A"].pk, "month": "2023-05-01", "value": "1.5"}, format="json")
    assert answer.status_code == 400 and "value" in answer.json()
    answer = staff.post(VALUES, {"indicator": indicators["A"].pk, "month": "2024-01-01", "value": "1"}, format="json")
    assert answer.status_code == 400 and "month" in answer.json()


def test_the_filters_are_strict(make_persona, indicators, make_indicator, dept_a):
    reader = client_of(make_persona("leader"))
    make_indicator(department=dept_a, area="innovation", name="高新技术企业")
    approved_value(indicators["A"], d(2023, 1, 1), "10")
    IndicatorValue.objects.create(indicator=indicators["B"], month=d(2023, 2, 1), value=D("3"))
    names = lambda **q: sorted(r["name"] for r in reader.get(INDICATORS, q).json()["results"])  # noqa: E731
    assert names(area="innovation") == ["高新技术企业"]
    assert len(names(department=dept_a.pk)) == 2
    assert len(names(year=2023)) == 3 and names(year=2022) == []
    months = lambda **q: [r["month"] for r in reader.get(VALUES, q).json()["results"]]  # noqa: E731
    assert months(stage="approved") == ["2023-01-01"]
    assert months(stage="draft") == ["2023-02-01"]
    assert months(department=dept_a.pk) == ["2023-01-01"]
    assert months(area="market_entities", year=2023) == ["2023-01-01", "2023-02-01"]
    for url, query in [
        (INDICATORS, {"area": "nowhere"}),
        (INDICATORS, {"year": "twenty"}),
        (INDICATORS, {"department": "x"}),
        (VALUES, {"stage": "done"}),
        (VALUES, {"month": "13"}),
    ]:
        answer = reader.get(url, query)
        assert answer.status_code == 400 and set(query) <= set(answer.json()), (url, query)


def test_an_indicator_is_written_by_its_unit_and_versioned(make_persona, indicators, dept_a):
    clerk = client_of(make_persona("clerk of A"))
    url = f"{INDICATORS}{indicators['A'].pk}/"
    assert clerk.patch(url, {"leader": "张县长"}, format="json").status_code == 200
    assert clerk.patch(f"{INDICATORS}{indicators['B'].pk}/", {"leader": "x"}, format="json").status_code == 403
    assert clerk.patch(url, {"leader": "李县长"}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
    assert clerk.get(url).json()["target"] == "5000.00"


def test_the_lists_cost_the_same_queries_at_two_sizes(make_persona, make_indicator, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reader = client_of(make_persona("leader"))
    counts = []
    for size in (3, 12):
        for _ in range(size):
            indicator = make_indicator()
            approved_value(indicator, d(2023, 1, 1), "1")
        for url in (INDICATORS, VALUES):
            reader.get(url)  # warm up: the user's permissions, read once
            with CaptureQueriesContext(connection) as queries:
                assert reader.get(url).status_code == 200
            counts.append((url, len(queries)))
    assert counts[:2] == counts[2:]
