"""The three doors onto the quarterly export (command, admin page, API) and the filings'
doors (admin, API): the same file, the permission, the SHA-256 round trip, no change ever."""

from __future__ import annotations

import hashlib
import io
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from investment.filings import file_quarter
from investment.models import Filing
from jiaxian.tests.users import client_for, user_with


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)


@pytest.fixture
def exporter_user():
    return user_with("export_quarter", "view_filing", username="exporter", staff=True)


@pytest.fixture
def viewer():
    return user_with("view_filing", username="viewer", staff=True)


# --- the command -------------------------------------------------------------------------------


def test_the_command_writes_the_export_to_the_path_given(plan, tmp_path):
    out = io.StringIO()
    path = tmp_path / "q2.xlsx"
    call_command("export_quarter", year=2023, quarter=2, output=str(path), stdout=out)
    assert openpyxl.load_workbook(path).sheetnames == [
        "汇总",
        "重点项目",
        "专项债储备",
        "招商引资项目",
        "督办事项",
        "年度目标指标",
    ]
    assert hashlib.sha256(path.read_bytes()).hexdigest() in out.getvalue()


def test_the_command_writes_a_csv_zip_named_after_the_county_by_default(plan, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("export_quarter", "--year", "2023", "--quarter", "2", "--format", "csv", stdout=io.StringIO())
    assert zipfile.ZipFile(tmp_path / "郏县-2023-Q2.csv.zip").namelist()[0] == "1-汇总.csv"


@pytest.mark.parametrize(("year", "quarter", "message"), [(2023, 5, "--quarter"), (2031, 1, "no year plan for 2031")])
def test_the_command_refuses_a_bad_quarter_or_a_year_without_a_plan(plan, tmp_path, year, quarter, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_quarter", year=year, quarter=quarter, output=str(tmp_path / "x.xlsx"))


# --- the API -----------------------------------------------------------------------------------


def test_the_api_export_is_the_same_file_as_the_command(plan, exporter_user, tmp_path):
    response = client_for(exporter_user).get("/api/exports/quarterly/", {"year": 2023, "quarter": 2, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "filename*=utf-8''%E9%83%8F%E5%8E%BF-2023-Q2.csv.zip" in response["Content-Disposition"]
    path = tmp_path / "q2.csv.zip"
    call_command("export_quarter", year=2023, quarter=2, format="csv", output=str(path), stdout=io.StringIO())
    body = content_of(response)
    assert body == path.read_bytes()
    assert response["X-Content-SHA256"] == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize(
    ("query", "status", "named"),
    [
        ({"year": 2023, "quarter": 5}, 400, "quarter"),
        ({"year": 2023, "quarter": 2, "format": "pdf"}, 400, "format"),
        ({"year": "x", "quarter": 2}, 400, "year"),
        ({"year": 2031, "quarter": 2}, 404, "detail"),
    ],
)
def test_the_api_export_names_a_bad_parameter_and_a_year_without_a_plan(plan, exporter_user, query, status, named):
    response = client_for(exporter_user).get("/api/exports/quarterly/", query)
    assert response.status_code == status
    assert named in response.json()


def test_the_api_export_needs_the_export_permission(plan, viewer):
    response = client_for(viewer).get("/api/exports/quarterly/", {"year": 2023, "quarter": 2})
    assert response.status_code == 403
    assert APIClient().get("/api/exports/quarterly/", {"year": 2023, "quarter": 2}).status_code in (401, 403)


def test_posting_to_the_filings_files_a_new_version_and_needs_the_export_permission(plan, exporter_user, viewer):
    body = {"year": 2023, "quarter": 2, "format": "xlsx"}
    assert client_for(viewer).post("/api/filings/", body, format="json").status_code == 403
    first = client_for(exporter_user).post("/api/filings/", body, format="json")
    second = client_for(exporter_user).post("/api/filings/", body, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert client_for(exporter_user).post("/api/filings/", {**body, "year": 2031}, format="json").status_code == 400


def test_the_api_download_sha256_equals_the_recorded_one(plan, exporter_user, viewer):
    filing = file_quarter(2023, 2, "xlsx", exporter_user)
    listed = client_for(viewer).get("/api/filings/").json()["results"][0]
    assert listed["sha256"] == filing.sha256
    response = client_for(viewer).get(listed["download_url"])
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == filing.sha256 == response["X-Content-SHA256"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_api_never_changes_or_deletes_a_filing(plan, exporter_user, method):
    superuser = type(exporter_user).objects.create_superuser("root", password="x")
    filing = file_quarter(2023, 2, "xlsx", exporter_user)
    response = getattr(client_for(superuser), method)(f"/api/filings/{filing.pk}/", {"year": 2024}, format="json")
    assert response.status_code == 405
    assert Filing.objects.get(pk=filing.pk).year == 2023


def test_reading_filings_needs_the_view_permission(plan, exporter_user):
    file_quarter(2023, 2, "xlsx", exporter_user)
    nobody = user_with(username="nobody", staff=True)
    assert client_for(nobody).get("/api/filings/").status_code == 403


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_page_downloads_the_export(plan, client, exporter_user):
    client.force_login(exporter_user)
    assert client.get("/admin/exports/quarterly/").status_code == 200
    response = client.post(
        "/admin/exports/quarterly/", {"year": 2023, "quarter": 2, "format": "xlsx", "action": "download"}
    )
    assert response.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(content_of(response)))["汇总"]["A4"].value == "截至日期"


def test_the_admin_page_files_the_export_and_the_admin_download_round_trips_its_sha256(plan, client, exporter_user):
    client.force_login(exporter_user)
    response = client.post("/admin/exports/quarterly/", {"year": 2023, "quarter": 2, "format": "csv", "action": "file"})
    assert response.status_code == 302
    filing = Filing.objects.get()
    download = client.get(f"/admin/investment/filing/{filing.pk}/download/")
    assert hashlib.sha256(download.content).hexdigest() == filing.sha256 == download["X-Content-SHA256"]
    changelist = client.get("/admin/investment/filing/")
    assert filing.sha256 in changelist.content.decode()


def test_the_admin_page_needs_the_export_permission(plan, client):
    client.force_login(user_with("view_filing", username="viewer", staff=True))
    assert client.get("/admin/exports/quarterly/").status_code == 403
    response = client.post(
        "/admin/exports/quarterly/", {"year": 2023, "quarter": 2, "format": "xlsx", "action": "file"}
    )
    assert response.status_code == 403
    assert not Filing.objects.exists()


def test_the_admin_page_names_a_bad_choice(plan, client, exporter_user):
    client.force_login(exporter_user)
    response = client.post(
        "/admin/exports/quarterly/", {"year": 2031, "quarter": 9, "format": "xlsx", "action": "file"}
    )
    assert response.status_code == 400
    assert not Filing.objects.exists()


def test_the_admin_index_and_the_dashboard_link_to_the_export_page(plan, admin_client):
    assert "/admin/exports/quarterly/" in admin_client.get("/admin/").content.decode()
    assert "/admin/exports/quarterly/" in admin_client.get("/admin/dashboard/").content.decode()


def test_the_admin_cannot_add_change_or_delete_a_filing_even_for_a_superuser(plan, admin_client, admin_user):
    filing = file_quarter(2023, 2, "xlsx", admin_user)
    assert admin_client.get("/admin/investment/filing/add/").status_code == 403
    view = admin_client.get(f"/admin/investment/filing/{filing.pk}/change/")
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    refused = admin_client.post(f"/admin/investment/filing/{filing.pk}/change/", {"year": 2024})
    assert refused.status_code == 403
    assert "cannot be changed or deleted" in refused.content.decode() or "不能" in refused.content.decode()
    assert admin_client.post(f"/admin/investment/filing/{filing.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = admin_client.post(
        "/admin/investment/filing/", {"action": "delete_selected", "_selected_action": [filing.pk], "post": "yes"}
    )
    assert changelist.status_code in (200, 302)
    assert Filing.objects.get(pk=filing.pk).year == 2023


def test_bench_export_prints_a_floor_then_one_json_line_per_format_and_writer(db, settings):
    import json

    settings.DEBUG = True
    out = io.StringIO()
    call_command("bench_export", rows=30, in_process=True, openpyxl=True, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["measure"] for line in lines] == ["floor", "xlsx", "xlsx-openpyxl", "csv"]
    assert [line["format"] for line in lines[1:]] == ["xlsx", "xlsx", "csv"]
    assert all(line["rows"] >= 30 and line["peak_rss_mb"] > 0 for line in lines)
    assert lines[0]["ratio"] == 1 and all(line["ratio"] > 0 for line in lines)
    assert lines[1]["rows"] == lines[2]["rows"] == lines[3]["rows"] == lines[0]["rows"]


def test_bench_export_at_a_scale_measures_bench_pages_records_and_the_api_without_filling(db, settings, monkeypatch):
    import json
    import random

    from investment.bench import pages, timing
    from investment.bench.data import Filler, synthetic
    from investment.models import AttractionProject

    settings.DEBUG = True
    monkeypatch.setitem(pages.SCALES, "county", {"rows": 30, "chains": 1})
    with pytest.raises(CommandError, match="bench_pages --scale county"):
        call_command("bench_export", scale="county", in_process=True, stdout=io.StringIO())
    assert not synthetic(AttractionProject).exists()  # refused, and filled nothing
    Filler(random.Random(1), 30, timing.silent).fill()
    out = io.StringIO()
    call_command("bench_export", scale="county", in_process=True, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["measure"] for line in lines] == ["floor", "xlsx", "csv", "api"]
    assert len({line["rows"] for line in lines}) == 1 and lines[0]["rows"] > 0
    assert all(line["bytes"] > 0 and "load_1m" in line for line in lines[1:])
    assert synthetic(AttractionProject).count() == 30


def test_the_export_page_links_the_oc4ids_package_for_readers_of_key_projects(plan, client, exporter_user):
    client.force_login(exporter_user)
    assert "/api/oc4ids/" not in client.get("/admin/exports/quarterly/").content.decode()
    exporter_user.user_permissions.add(Permission.objects.get(codename="view_keyproject"))
    exporter_user = type(exporter_user).objects.get(pk=exporter_user.pk)
    client.force_login(exporter_user)
    page = client.get("/admin/exports/quarterly/").content.decode()
    assert '<a href="/api/oc4ids/?year=2023" download="oc4ids-jxdrc0-2023.json">' in page
    assert "下载 2023 年（OC4IDS）" in page
