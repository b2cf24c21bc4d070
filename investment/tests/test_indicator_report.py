"""``GET /api/reports/indicators/`` and the quota report's ``include=indicators`` (issue 20):
the plan's indicators against their targets as of D known on K (``projects.indicators``)."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from projects.tests.helpers import approved_value

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

d = datetime.date


@pytest.fixture
def reader(db) -> APIClient:
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("leader", password="pw")
    user.groups.add(Group.objects.get(name="县领导"))
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def indicators(make_indicator, make_department):
    return {"A": make_indicator(name="新增市场主体"), "B": make_indicator(department=make_department())}


def test_the_indicator_report(reader, indicators):
    approved_value(indicators["A"], d(2023, 1, 1), "1200")
    answer = reader.get("/api/reports/indicators/", {"year": 2023, "as_of": "2023-06-30"})
    assert answer.status_code == 200
    rows = {row["name"]: row for row in answer.json()["indicators"]}
    row = rows["新增市场主体"]
    # 24 % done against 50 % of the year: 26 points behind, yellow (red from 30).
    assert (row["figure"], row["target"], row["status"], row["light"]) == ("1200", "5000", "not_yet", "yellow")
    assert (row["completion"], row["time_progress"]) == ("0.2400", "0.5000")
    # Approved now (after 2023-01-01): not known on that day.
    early = reader.get("/api/reports/indicators/", {"year": 2023, "known_on": "2023-01-01"}).json()
    assert {row["name"]: row["figure"] for row in early["indicators"]}["新增市场主体"] == "0"
    assert reader.get("/api/reports/indicators/", {"year": 2019}).status_code == 404
    bad = reader.get("/api/reports/indicators/", {"year": "x"})
    assert bad.status_code == 400 and "year" in bad.json()


def test_the_quota_report_includes_the_indicators_when_asked(reader, indicators):
    approved_value(indicators["A"], d(2023, 1, 1), "1200")
    plain = reader.get("/api/reports/quotas/", {"year": 2023, "as_of": "2023-06-30"}).json()
    assert "plan_indicators" not in plain
    included = reader.get("/api/reports/quotas/", {"year": 2023, "as_of": "2023-06-30", "include": "indicators"})
    assert included.status_code == 200
    names = [row["name"] for row in included.json()["plan_indicators"]]
    assert "新增市场主体" in names and len(names) == 2
    assert reader.get("/api/reports/quotas/", {"year": 2023, "include": "everything"}).status_code == 400
