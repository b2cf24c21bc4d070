"""The monthly circular's filings (issue 18 item 2): versions, the SHA-256 of the bytes kept and
served, immutability, who may file, and the doors (``file_circular``, the circular page's 归档
button, the read-only admin, ``/api/circular-filings/``)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from django.db.models import ProtectedError
from rest_framework.test import APIClient

from investment.circular import SUMMARY_SHEET
from investment.filings import file_circular, file_quarter
from investment.models import CircularFiling, Filing, FilingImmutable
from jiaxian.tests.users import client_for
from projects import access


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)


def member_of(group_name: str, username: str) -> User:
    """A staff user in one of the groups the migrations make (with their permissions)."""
    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def bureau_clerk(db):
    return member_of(access.BUREAU_STAFF_GROUP, "bureau")


@pytest.fixture
def department_clerk(db):
    return member_of(access.DEPARTMENT_STAFF_GROUP, "department")


@pytest.fixture
def filing(plan, bureau_clerk):
    return file_circular(2023, 6, "xlsx", bureau_clerk)


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- filing ------------------------------------------------------------------------------------


def test_a_filed_circular_keeps_the_bytes_their_sha256_and_size(filing, bureau_clerk):
    stored = CircularFiling.objects.get(pk=filing.pk)
    content = stored.content_bytes()
    assert hashlib.sha256(content).hexdigest() == stored.sha256 == filing.sha256
    assert stored.size == len(content)
    assert (stored.year, stored.month, stored.format, stored.version, stored.filed_by) == (
        2023,
        6,
        "xlsx",
        1,
        bureau_clerk,
    )
    assert stored.filename == "郏县-2023-06-通报-v1.xlsx"
    summary = openpyxl.load_workbook(io.BytesIO(content))[SUMMARY_SHEET]
    assert summary["A4"].value == "截至日期"
    assert summary["B4"].value == datetime.datetime(2023, 6, 30)  # the month's last day


def test_filing_the_same_month_again_makes_version_2_and_leaves_version_1_unchanged(filing, bureau_clerk):
    before = CircularFiling.objects.values().get(pk=filing.pk)
    second = file_circular(2023, 6, "xlsx", bureau_clerk)
    assert second.version == 2
    assert second.filename == "郏县-2023-06-通报-v2.xlsx"
    assert CircularFiling.objects.values().get(pk=filing.pk) == before
    assert file_circular(2023, 6, "csv", bureau_clerk).version == 1  # each format counts its own
    assert file_circular(2023, 7, "xlsx", bureau_clerk).version == 1  # and each month
    # The quarterly filings count their own versions, in their own table.
    assert file_quarter(2023, 2, "xlsx", bureau_clerk).version == 1
    assert Filing.objects.count() == 1


@pytest.mark.parametrize("month", [0, 13])
def test_filing_a_month_outside_1_to_12_is_refused(plan, bureau_clerk, month):
    with pytest.raises(ValueError):
        file_circular(2023, month, "xlsx", bureau_clerk)
    assert not CircularFiling.objects.exists()


# --- immutability ------------------------------------------------------------------------------


def test_saving_an_existing_filed_circular_is_refused(filing):
    filing.sha256 = "0" * 64
    with pytest.raises(FilingImmutable):
        filing.save()
    assert CircularFiling.objects.get(pk=filing.pk).sha256 != "0" * 64


def test_deleting_a_filed_circular_is_refused(filing):
    with pytest.raises(FilingImmutable):
        filing.delete()
    assert CircularFiling.objects.filter(pk=filing.pk).exists()


@pytest.mark.parametrize(
    "operation",
    [
        lambda: CircularFiling.objects.update(sha256="0" * 64),
        lambda: CircularFiling.objects.filter(year=2023).update(version=9),
        lambda: CircularFiling.objects.all().delete(),
        lambda: CircularFiling.objects.bulk_update([], ["version"]),
    ],
)
def test_bulk_updates_and_deletes_are_refused(filing, operation):
    with pytest.raises(FilingImmutable):
        operation()
    assert CircularFiling.objects.get(pk=filing.pk).version == 1


def test_a_user_who_filed_a_circular_cannot_be_deleted(filing, bureau_clerk):
    with pytest.raises(ProtectedError):
        bureau_clerk.delete()


def test_the_filers_reach_their_filings_by_their_own_related_names(filing, bureau_clerk):
    quarterly = file_quarter(2023, 2, "xlsx", bureau_clerk)
    assert list(bureau_clerk.filings.all()) == [quarterly]
    assert list(bureau_clerk.circularfiling_filings.all()) == [filing]


# --- permissions -------------------------------------------------------------------------------


def test_bureau_staff_may_file_and_every_group_may_read_but_a_department_clerk_may_not_file(db):
    leader = member_of(access.LEADERS_GROUP, "leader")
    bureau, department = member_of(access.BUREAU_STAFF_GROUP, "b"), member_of(access.DEPARTMENT_STAFF_GROUP, "d")
    assert bureau.has_perm("investment.file_circular")
    assert not department.has_perm("investment.file_circular")
    assert not leader.has_perm("investment.file_circular")
    for user in (leader, bureau, department):
        assert user.has_perm("investment.view_circularfiling")
        assert not user.has_perm("investment.change_circularfiling")
        assert not user.has_perm("investment.delete_circularfiling")


# --- the API -----------------------------------------------------------------------------------


def test_posting_files_a_new_version_and_a_department_clerk_may_not(plan, bureau_clerk, department_clerk):
    body = {"year": 2023, "month": 6, "format": "xlsx"}
    refused = client_for(department_clerk).post("/api/circular-filings/", body, format="json")
    assert refused.status_code == 403
    assert not CircularFiling.objects.exists()
    first = client_for(bureau_clerk).post("/api/circular-filings/", body, format="json")
    second = client_for(bureau_clerk).post("/api/circular-filings/", body, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert first.json()["sha256"] == CircularFiling.objects.get(version=1).sha256
    assert APIClient().post("/api/circular-filings/", body, format="json").status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"year": 2023, "month": 13}, "month"),
        ({"year": 2023, "month": 0}, "month"),
        ({"year": 2023, "month": "六"}, "month"),
        ({"year": 2023}, "month"),
        ({"year": 2023, "month": 6, "format": "pdf"}, "format"),
        ({"year": 2031, "month": 6}, "year"),
        ({"year": 1900, "month": 6}, "year"),
        ({"year": 2023, "month": 6, "quarter": 2}, "quarter"),
    ],
)
def test_the_api_names_a_bad_field_with_a_400_and_files_nothing(plan, bureau_clerk, body, named):
    response = client_for(bureau_clerk).post("/api/circular-filings/", body, format="json")
    assert response.status_code == 400
    assert named in response.json()
    assert not CircularFiling.objects.exists()


def test_the_api_lists_filters_and_downloads_with_the_recorded_sha256(filing, bureau_clerk, department_clerk):
    file_circular(2023, 7, "csv", bureau_clerk)
    reader = client_for(department_clerk)
    listed = reader.get("/api/circular-filings/", {"month": 6}).json()["results"]
    assert [(item["month"], item["version"], item["sha256"]) for item in listed] == [(6, 1, filing.sha256)]
    assert reader.get("/api/circular-filings/", {"month": 13}).status_code == 400
    response = reader.get(listed[0]["download_url"])
    assert response.status_code == 200
    body = content_of(response)
    assert hashlib.sha256(body).hexdigest() == filing.sha256 == response["X-Content-SHA256"]
    assert response["Digest"] == "sha-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert "%E9%80%9A%E6%8A%A5-v1.xlsx" in response["Content-Disposition"]  # 通报-v1.xlsx


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_api_never_changes_or_deletes_a_filed_circular(filing, method):
    superuser = User.objects.create_superuser("root", password="x")
    path = f"/api/circular-filings/{filing.pk}/"
    response = getattr(client_for(superuser), method)(path, {"year": 2024}, format="json")
    assert response.status_code == 405
    assert CircularFiling.objects.get(pk=filing.pk).year == 2023


def test_reading_filed_circulars_needs_the_view_permission(filing):
    nobody = User.objects.create_user("nobody", password="x", is_staff=True)
    assert client_for(nobody).get("/api/circular-filings/").status_code == 403


# --- the admin ---------------------------------------------------------------------------------


def test_the_circular_page_files_it_and_the_admin_download_round_trips_its_sha256(plan, client, bureau_clerk):
    client.force_login(bureau_clerk)
    assert 'value="file"' in client.get("/admin/exports/circular/").content.decode()
    response = client.post("/admin/exports/circular/", {"year": 2023, "month": 6, "format": "xlsx", "action": "file"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/investment/circularfiling/"
    filing = CircularFiling.objects.get()
    assert (filing.year, filing.month, filing.version, filing.filed_by) == (2023, 6, 1, bureau_clerk)
    download = client.get(f"/admin/investment/circularfiling/{filing.pk}/download/")
    assert hashlib.sha256(download.content).hexdigest() == filing.sha256 == download["X-Content-SHA256"]
    assert filing.sha256 in client.get("/admin/investment/circularfiling/").content.decode()


def test_a_department_clerk_downloads_the_circular_but_may_not_file_it(plan, client, department_clerk):
    client.force_login(department_clerk)
    page = client.get("/admin/exports/circular/").content.decode()
    assert 'value="file"' not in page
    download = client.post(
        "/admin/exports/circular/", {"year": 2023, "month": 6, "format": "xlsx", "action": "download"}
    )
    assert download.status_code == 200
    refused = client.post("/admin/exports/circular/", {"year": 2023, "month": 6, "format": "xlsx", "action": "file"})
    assert refused.status_code == 403
    assert not CircularFiling.objects.exists()


def test_the_circular_page_names_a_bad_choice_and_files_nothing(plan, client, bureau_clerk):
    client.force_login(bureau_clerk)
    response = client.post("/admin/exports/circular/", {"year": 2031, "month": 13, "format": "xlsx", "action": "file"})
    assert response.status_code == 400
    assert not CircularFiling.objects.exists()


def test_the_admin_cannot_add_change_or_delete_a_filed_circular_even_for_a_superuser(filing, admin_client):
    base = "/admin/investment/circularfiling/"
    assert admin_client.get(f"{base}add/").status_code == 403
    view = admin_client.get(f"{base}{filing.pk}/change/")
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert admin_client.post(f"{base}{filing.pk}/change/", {"year": 2024}).status_code == 403
    assert admin_client.post(f"{base}{filing.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(base, {"action": "delete_selected", "_selected_action": [filing.pk], "post": "yes"})
    assert CircularFiling.objects.get(pk=filing.pk).year == 2023
