"""The audit trail: ``GET /api/<resource>/<id>/history/`` on every ledger, who saved what through
the API, and the admin's history view (field-level differences, no revert)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiaxian.tests.users import user_with
from jiaxian.urls import router
from projects.models import BondReserve, KeyProject

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]


def token_client(user: User) -> APIClient:
    """A client that authenticates as ``user`` with a token, as a real client would."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def clerk() -> User:
    # edit_all_departments: bureau staff, who edit every department's records (projects.access).
    return user_with(
        "view_keyproject", "add_keyproject", "change_keyproject", "delete_keyproject", "edit_all_departments"
    )


@pytest.fixture
def project_history(clerk, key_industry, area, department):
    """A key project created and changed twice through the API by ``clerk``; returns its id."""
    client = token_client(clerk)
    created = client.post(
        "/api/key-projects/",
        {
            "name": "硅基负极材料产业园",
            "owner": "平顶山建设投资有限公司",
            "industry": key_industry.pk,
            "area": area.pk,
            "department": department.pk,
            "total_investment": "80000.00",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    first = client.patch(f"/api/key-projects/{pk}/", {"total_investment": "90000.50"}, format="json")
    assert first.status_code == 200, first.data
    second = client.patch(
        f"/api/key-projects/{pk}/", {"started_on": "2023-03-01", "owner": "郏县城投公司"}, format="json"
    )
    assert second.status_code == 200, second.data
    return pk


def test_create_and_two_updates_give_three_entries_newest_first_with_changes_and_user(clerk, project_history):
    answer = token_client(clerk).get(f"/api/key-projects/{project_history}/history/")

    assert answer.status_code == 200, answer.data
    assert answer.data["count"] == 3
    entries = answer.data["results"]
    assert [e["history_type"] for e in entries] == ["changed", "changed", "created"]
    assert [e["version"] for e in entries] == [3, 2, 1]
    assert [e["history_user"] for e in entries] == ["clerk"] * 3
    assert entries[0]["history_date"] >= entries[1]["history_date"] >= entries[2]["history_date"]
    assert entries[0]["history_id"] > entries[1]["history_id"] > entries[2]["history_id"]
    # Values as the API writes them: amounts as decimal strings, dates ISO.
    assert entries[0]["changes"] == [
        {"field": "owner", "old": "平顶山建设投资有限公司", "new": "郏县城投公司"},
        {"field": "started_on", "old": None, "new": "2023-03-01"},
    ]
    assert entries[1]["changes"] == [{"field": "total_investment", "old": "80000.00", "new": "90000.50"}]
    # Creation: every field with a value, from nothing; related records by id.
    created = {c["field"]: c for c in entries[2]["changes"]}
    project = KeyProject.objects.get(pk=project_history)
    assert created["name"] == {"field": "name", "old": None, "new": "硅基负极材料产业园"}
    assert created["total_investment"]["new"] == "80000.00"
    assert created["industry"]["new"] == project.industry_id
    assert "started_on" not in created  # no value yet
    assert not {"version", "created_at", "updated_at"} & set(created)  # bookkeeping is in the entry


def test_a_foreign_key_change_shows_the_ids(clerk, project_history, make_area):
    client = token_client(clerk)
    old_area = KeyProject.objects.get(pk=project_history).area_id
    new_area = make_area(name="薛店镇")
    changed = client.patch(f"/api/key-projects/{project_history}/", {"area": new_area.pk}, format="json")
    assert changed.status_code == 200

    newest = client.get(f"/api/key-projects/{project_history}/history/").data["results"][0]

    assert newest["changes"] == [{"field": "area", "old": old_area, "new": new_area.pk}]


def test_history_needs_the_view_permission(project_history):
    outsider = user_with("view_bondreserve", username="outsider")
    assert token_client(outsider).get(f"/api/key-projects/{project_history}/history/").status_code == 403
    assert APIClient().get(f"/api/key-projects/{project_history}/history/").status_code == 401
    reader = user_with("view_keyproject", username="reader")
    assert token_client(reader).get(f"/api/key-projects/{project_history}/history/").status_code == 200


def test_a_save_outside_a_request_has_no_user(make_bond_reserve):
    reserve = make_bond_reserve()
    answer = token_client(user_with("view_bondreserve")).get(f"/api/bond-reserves/{reserve.pk}/history/")
    assert answer.data["results"][0]["history_user"] is None
    assert answer.data["results"][0]["history_type"] == "created"


def test_a_session_save_records_the_user_too(admin_client, make_bond_reserve):
    reserve = make_bond_reserve()
    answer = admin_client.patch(
        f"/api/bond-reserves/{reserve.pk}/", {"bond_demand": "9000.00"}, content_type="application/json"
    )
    assert answer.status_code == 200, answer.json()
    assert reserve.history.first().history_user.username == "admin"


def test_a_delete_through_the_api_records_the_user_and_the_id_then_answers_404(clerk, project_history):
    client = token_client(clerk)
    assert client.delete(f"/api/key-projects/{project_history}/").status_code == 204

    # The record is gone, so is its address: its history is kept and shown in the admin.
    assert client.get(f"/api/key-projects/{project_history}/history/").status_code == 404
    deleted = KeyProject.history.filter(id=project_history).first()
    assert deleted.history_type == "-"
    assert deleted.history_user == clerk


@pytest.mark.parametrize("updates", [1, 19])
def test_a_fixed_number_of_queries_whatever_the_number_of_entries(clerk, make_bond_reserve, updates):
    """2 and 20 entries, each by a different user (so that no user lookup is shared)."""
    reserve = make_bond_reserve()
    for number in range(updates):
        reserve = BondReserve.objects.get(pk=reserve.pk)
        reserve._history_user = User.objects.create_user(f"user{number}")
        reserve.bond_demand = Decimal(1000 + number)
        reserve.save()
    client = token_client(user_with("view_bondreserve", username="auditor"))

    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"/api/bond-reserves/{reserve.pk}/history/")

    assert answer.status_code == 200
    assert answer.data["count"] == updates + 1
    assert answer.data["results"][0]["history_user"] == f"user{updates - 1}"
    # token + user's permissions (2) + the record + count + page.
    assert len(queries) == 6, [q["sql"] for q in queries.captured_queries]


def test_pages_diff_across_their_boundary_with_one_more_query(clerk, project_history):
    client = token_client(clerk)
    first = client.get(f"/api/key-projects/{project_history}/history/?page_size=1")
    second = client.get(f"/api/key-projects/{project_history}/history/?page_size=1&page=2")
    everything = client.get(f"/api/key-projects/{project_history}/history/").data["results"]

    assert first.data["count"] == 3 and first.data["next"]
    assert first.data["results"] == everything[:1]
    assert second.data["results"] == everything[1:2]
    assert client.get(f"/api/key-projects/{project_history}/history/?page=9").status_code == 404
    assert client.get(f"/api/key-projects/{project_history}/history/?page_size=0").status_code == 400


def test_every_ledger_resource_has_a_history_route():
    from jiaxian.api import LedgerViewSet

    ledgers = [prefix for prefix, viewset, _ in router.registry if issubclass(viewset, LedgerViewSet)]
    assert {"key-projects", "bond-reserves", "attraction-projects", "plans", "industries"} <= set(ledgers)
    for prefix, viewset, basename in router.registry:
        if issubclass(viewset, LedgerViewSet):
            assert reverse(f"{basename}-history", args=[2023]).endswith("/history/"), prefix


def test_a_record_saved_without_history_has_an_empty_one(admin_client, make_area):
    """Records loaded from fixtures (raw saves) have no history: an empty page, not an error."""
    area = make_area()
    area.history.all().delete()
    answer = admin_client.get(f"/api/areas/{area.pk}/history/")
    assert answer.status_code == 200
    assert answer.json()["count"] == 0 and answer.json()["results"] == []


def test_the_oldest_entry_kept_lists_every_value_when_its_creation_is_missing(admin_client, make_area):
    area = make_area(name="城关镇")
    area.history.filter(history_type="+").delete()
    area.name = "城关镇（新）"
    area.save()
    entries = admin_client.get(f"/api/areas/{area.pk}/history/").json()["results"]
    assert [e["history_type"] for e in entries] == ["changed"]
    assert {"field": "name", "old": None, "new": "城关镇（新）"} in entries[0]["changes"]


def test_a_plan_is_looked_up_by_year(admin_client, make_year_plan):
    make_year_plan(2023)
    answer = admin_client.get("/api/plans/2023/history/")
    assert answer.status_code == 200
    assert answer.json()["results"][0]["history_type"] == "created"


# --- the admin --------------------------------------------------------------------------------


def test_the_admin_history_shows_who_changed_which_field_from_what_to_what(admin_client, clerk, project_history):
    page = admin_client.get(reverse("admin:projects_keyproject_history", args=[project_history]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "clerk" in html
    assert "80000.00" in html and "90000.50" in html
    assert "郏县城投公司" in html


def test_the_admin_never_offers_to_revert(admin_client, project_history):
    record = KeyProject.history.filter(id=project_history).last()
    page = admin_client.get(
        reverse("admin:projects_keyproject_simple_history", args=[project_history, record.history_id])
    )
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_posting_to_an_old_version_does_not_revert_the_record(admin_client, project_history):
    """The Revert button is hidden (SIMPLE_HISTORY_REVERT_DISABLED); a hand-made post to the old
    version's page is refused too, so that history is only read."""
    project = KeyProject.objects.get(pk=project_history)
    oldest = KeyProject.history.filter(id=project_history).last()
    url = reverse("admin:projects_keyproject_simple_history", args=[project_history, oldest.history_id])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["seen_version"] = project.version

    answer = admin_client.post(url, data)

    assert answer.status_code == 403
    project.refresh_from_db()
    assert project.version == 3 and project.total_investment == Decimal("90000.50")
