"""Attachments in the admin (``projects.admin.attachments``): the block on a record's page, the
upload page (several files, all or nothing, the department rule), the downloads through the
record's permission per persona, the list, and the monthly entry's photo counts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from projects.attachments import Upload, attach
from projects.choices import AttachmentKindChoices as Kind
from projects.models import Attachment, ProgressReport

from .conftest import PERSONAS, may_write
from .test_attachments import pdf, photo, stored_files

UPLOAD = "admin:projects_attachment_upload"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(attachments_in_a_temporary_folder):
    return attachments_in_a_temporary_folder


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "blue").save(out, "PNG")
    return out.getvalue()


def upload_page(record_type: str, record_id: int, **query) -> str:
    extra = "".join(f"&{key}={value}" for key, value in query.items())
    return f"{reverse(UPLOAD)}?record_type={record_type}&record_id={record_id}{extra}"


def test_a_clerk_uploads_several_photos_to_a_months_report_and_returns_to_the_entry(
    make_persona, make_key_project, dept_a, media
):
    project = make_key_project(department=dept_a)
    report = ProgressReport.objects.create(
        project=project, month=datetime.date(2023, 5, 1), completed_investment=Decimal("100")
    )
    clerk = client_of(make_persona("clerk of A"))
    back = "/admin/progress/monthly/?year=2023&month=5&page=1"
    page = clerk.get(upload_page("progress-report", report.pk, next=back))
    assert page.status_code == 200
    assert 'name="file"' in page.content.decode() and "multiple" in page.content.decode()
    response = clerk.post(
        reverse(UPLOAD),
        {
            "record_type": "progress-report",
            "record_id": report.pk,
            "next": back,
            "kind": Kind.SITE_PHOTO,
            "title": "",
            "taken_on": "",
            "file": [
                SimpleUploadedFile("东侧.jpg", photo("2023:05:20 09:00:00")),
                SimpleUploadedFile("西侧.png", png()),
            ],
        },
    )
    assert response.status_code == 302 and response["Location"] == back
    kept = list(report.attachments.order_by("original_name"))
    assert [(a.title, a.kind, a.taken_on) for a in kept] == [
        ("东侧", Kind.SITE_PHOTO, datetime.date(2023, 5, 20)),
        ("西侧", Kind.SITE_PHOTO, None),
    ]
    assert all(a.thumbnail and a.uploaded_by.username == "clerk-of-A" for a in kept)


def test_a_refused_file_names_itself_and_keeps_nothing_of_the_batch(make_persona, make_bond_reserve, dept_a, media):
    reserve = make_bond_reserve(department=dept_a)
    before = stored_files(media)
    response = client_of(make_persona("bureau staff")).post(
        reverse(UPLOAD),
        {
            "record_type": "bond-reserve",
            "record_id": reserve.pk,
            "kind": Kind.IMPLEMENTATION_PLAN,
            "file": [
                SimpleUploadedFile("方案.pdf", pdf()),
                SimpleUploadedFile("setup.jpg", b"MZ\x90\x00" + b"\0" * 200),
            ],
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "setup.jpg" in text and "not an accepted kind" in text
    assert not reserve.attachments.exists()
    assert stored_files(media) == before


def test_an_upload_without_files_or_with_a_future_date_is_a_field_error(make_persona, make_bond_reserve, dept_a, today):
    reserve = make_bond_reserve(department=dept_a)
    client = client_of(make_persona("bureau staff"))
    fields = {"record_type": "bond-reserve", "record_id": reserve.pk, "kind": Kind.LEGAL_OPINION}
    empty = client.post(reverse(UPLOAD), fields)
    assert empty.status_code == 400 and "Choose at least one file." in empty.content.decode()
    future = client.post(
        reverse(UPLOAD),
        {
            **fields,
            "taken_on": (today + datetime.timedelta(days=1)).isoformat(),
            "file": SimpleUploadedFile("a.pdf", pdf()),
        },
    )
    assert future.status_code == 400 and "cannot be after today" in future.content.decode()
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_read(make_persona, make_bond_reserve, dept_a, settings):
    settings.ATTACHMENT_MAX_MB = 1
    reserve = make_bond_reserve(department=dept_a)
    response = client_of(make_persona("bureau staff")).post(
        reverse(UPLOAD),
        {
            "record_type": "bond-reserve",
            "record_id": reserve.pk,
            "kind": Kind.OTHER,
            "file": SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 10) + b"%%EOF"),
        },
    )
    assert response.status_code == 400 and "大.pdf" in response.content.decode() and "1 MB" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
@pytest.mark.parametrize("owner", ["A", "B"])
def test_uploading_and_deleting_follow_the_department_rule(
    persona, owner, make_persona, make_key_project, dept_a, dept_b, media
):
    project = make_key_project(department=dept_a if owner == "A" else dept_b)
    [kept] = attach(project, [Upload("合同.pdf", pdf())], kind=Kind.CONTRACT)
    client = client_of(make_persona(persona))
    allowed = may_write(persona, owner)
    page = client.get(upload_page("key-project", project.pk))
    assert page.status_code == (200 if allowed else 403)
    posted = client.post(
        reverse(UPLOAD),
        {
            "record_type": "key-project",
            "record_id": project.pk,
            "kind": Kind.OTHER,
            "file": SimpleUploadedFile("b.pdf", pdf()),
        },
    )
    assert posted.status_code == (302 if allowed else 403)
    # The record's page offers the upload only to those who may.
    record_page = client.get(reverse("admin:projects_keyproject_change", args=[project.pk])).content.decode()
    assert ("Attach files" in record_page) == allowed
    deleted = client.post(reverse("admin:projects_attachment_delete", args=[kept.pk]), {"post": "yes"})
    assert deleted.status_code == (302 if allowed else 403)
    assert Attachment.objects.filter(pk=kept.pk).exists() == (not allowed)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_downloads_and_thumbnails_need_the_records_view_permission(persona, make_persona, make_bond_reserve, dept_b):
    reserve = make_bond_reserve(department=dept_b)  # no persona's own department
    [document] = attach(reserve, [Upload("法律意见书.pdf", pdf())], kind=Kind.LEGAL_OPINION)
    [shot] = attach(reserve, [Upload("现场.jpg", photo())], kind=Kind.SITE_PHOTO)
    client = client_of(make_persona(persona))
    download = client.get(reverse("admin:projects_attachment_download", args=[document.pk]))
    thumbnail = client.get(reverse("admin:projects_attachment_thumbnail", args=[shot.pk]))
    none = client.get(reverse("admin:projects_attachment_thumbnail", args=[document.pk]))
    if persona == "anonymous":
        assert download.status_code == thumbnail.status_code == 302  # to the login page
        assert "/login/" in download["Location"]
        return
    # Every group of the data migrations views bond reserves, whatever their department.
    assert download.status_code == thumbnail.status_code == 200
    assert b"".join(download.streaming_content) == document.file.open("rb").read()
    assert download["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert download["X-Content-Type-Options"] == "nosniff" and download["X-Content-SHA256"] == document.sha256
    assert thumbnail["Content-Type"] == "image/jpeg"
    assert none.status_code == 404


def test_staff_without_the_records_permission_get_no_file_and_no_list(django_user_model, make_bond_reserve, dept_a):
    reserve = make_bond_reserve(department=dept_a)
    [document] = attach(reserve, [Upload("a.pdf", pdf())], kind=Kind.OTHER)
    client = client_of(django_user_model.objects.create_user("visitor", is_staff=True))
    assert client.get(reverse("admin:projects_attachment_download", args=[document.pk])).status_code == 403
    assert client.get(reverse("admin:projects_attachment_changelist")).status_code == 403
    assert client.get(upload_page("bond-reserve", reserve.pk)).status_code == 403


def test_a_reserves_page_says_which_documents_it_has(admin_client, make_bond_reserve, dept_a):
    reserve = make_bond_reserve(department=dept_a)
    attach(reserve, [Upload("实施方案.pdf", pdf())], kind=Kind.IMPLEMENTATION_PLAN)
    attach(reserve, [Upload("法律意见书.pdf", pdf())], kind=Kind.LEGAL_OPINION)
    page = admin_client.get(reverse("admin:projects_bondreserve_change", args=[reserve.pk])).content.decode()
    block = page[page.index('id="attachments"') :]
    assert '<li class="present">✓ 实施方案' in block
    assert '<li class="missing">✗ 财务评价报告' in block
    assert '<li class="present">✓ 法律意见书' in block
    assert "实施方案.pdf" in block and "法律意见书.pdf" in block


def test_a_key_projects_page_shows_its_months_latest_photos(admin_client, make_key_project, dept_a):
    project = make_key_project(department=dept_a)
    for month in range(1, 11):
        report = ProgressReport.objects.create(
            project=project, month=datetime.date(2023, month, 1), completed_investment=Decimal("100")
        )
        attach(report, [Upload(f"m{month}.jpg", photo(f"2023:{month:02}:20 10:00:00"))], kind=Kind.SITE_PHOTO)
    page = admin_client.get(reverse("admin:projects_keyproject_change", args=[project.pk])).content.decode()
    latest = page[page.index("最近的月度进度现场照片") :]
    shown = [title for title in (f"m{month}" for month in range(1, 11)) if f'alt="{title}"' in latest]
    assert shown == [f"m{month}" for month in range(3, 11)]  # the eight latest


def record_page_queries(admin_client, reserve, count: int, django_assert_max_num_queries=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    attach(reserve, [Upload(f"p{n}.jpg", photo()) for n in range(count // 2)], kind=Kind.SITE_PHOTO)
    attach(reserve, [Upload(f"d{n}.pdf", pdf()) for n in range(count - count // 2)], kind=Kind.OTHER)
    url = reverse("admin:projects_bondreserve_change", args=[reserve.pk])
    admin_client.get(url)  # the first request's own queries (session, content types) aside
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200 and response.content.decode().count("attachment-photos") >= 1
    return len(queries.captured_queries)


def test_a_record_page_costs_the_same_queries_with_many_attachments(admin_client, make_bond_reserve, dept_a, media):
    few = record_page_queries(admin_client, make_bond_reserve(department=dept_a), 4)
    many = record_page_queries(admin_client, make_bond_reserve(department=dept_a, name="另一个储备项目"), 40)
    assert few == many


def test_the_list_costs_the_same_queries_with_many_attachments(
    admin_client, make_key_project, make_bond_reserve, dept_a, media
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(reverse("admin:projects_attachment_changelist"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    attach(make_key_project(department=dept_a), [Upload("a.pdf", pdf())], kind=Kind.OTHER)
    attach(make_bond_reserve(department=dept_a), [Upload("b.pdf", pdf())], kind=Kind.OTHER)
    admin_client.get(reverse("admin:projects_attachment_changelist"))
    few = queries()
    for n in range(6):
        attach(make_key_project(department=dept_a, name=f"项目{n}"), [Upload("c.pdf", pdf())], kind=Kind.OTHER)
        attach(make_bond_reserve(department=dept_a, name=f"储备{n}"), [Upload("d.pdf", pdf())], kind=Kind.OTHER)
    assert queries() == few
    listed = admin_client.get(reverse("admin:projects_attachment_changelist")).content.decode()
    assert "项目5" in listed and "储备5" in listed  # each row names its record


def test_the_monthly_entry_counts_each_months_photos_and_offers_an_upload(
    make_persona, make_listing, make_key_project, dept_a, media
):
    reported = make_listing(year=2023, project=make_key_project(department=dept_a, name="甲项目"))
    make_listing(year=2023, project=make_key_project(department=dept_a, name="乙项目"))
    report = ProgressReport.objects.create(
        project=reported.project, month=datetime.date(2023, 5, 1), completed_investment=Decimal("100")
    )
    attach(report, [Upload("a.jpg", photo()), Upload("b.jpg", photo())], kind=Kind.SITE_PHOTO)
    attach(report, [Upload("plan.pdf", pdf())], kind=Kind.OTHER)  # not a photo: not counted
    page = client_of(make_persona("clerk of A")).get("/admin/progress/monthly/?year=2023&month=5").content.decode()
    row = page[page.index("甲项目") :].split("</tr>")[0]
    assert '<td class="photos">2 <a href="/admin/projects/attachment/upload/?record_type=progress-report' in row
    assert f"record_id={report.pk}&amp;next=/admin/progress/monthly/%3Fyear%3D2023%26month%3D5" in row
    # Without the month's report yet there is nothing to attach the photos to.
    row = page[page.index("乙项目") :].split("</tr>")[0]
    assert '<td class="photos"><span class="help"' in row and "upload" not in row


def test_deleting_selected_attachments_asks_each_ones_record(make_persona, make_key_project, dept_a, dept_b, media):
    mine = attach(make_key_project(department=dept_a), [Upload("a.pdf", pdf())], kind=Kind.OTHER)[0]
    theirs = attach(make_key_project(department=dept_b), [Upload("b.pdf", pdf())], kind=Kind.OTHER)[0]
    clerk = client_of(make_persona("clerk of A"))
    changelist = reverse("admin:projects_attachment_changelist")
    assert 'value="delete_selected"' in clerk.get(changelist).content.decode()
    both = {"action": "delete_selected", "_selected_action": [mine.pk, theirs.pk], "post": "yes"}
    assert clerk.post(changelist, both).status_code == 403
    assert Attachment.objects.count() == 2  # neither, since one is not theirs
    clerk.post(changelist, {**both, "_selected_action": [mine.pk]})
    assert list(Attachment.objects.all()) == [theirs]
