"""``/api/attachments/`` (``projects.api.attachments``): several files in one multipart POST, all or
nothing; the record, the kind and the department rule as 400 and 403; each persona's reading and
writing; the download's headers; the thumbnail; the version claim of a correction and a deletion;
strict filters; and a list whose query count does not grow with its rows."""

from __future__ import annotations

import datetime
import hashlib
import io
from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from jiaxian.tests.users import client_for, user_with
from projects.attachments import Upload, attach
from projects.choices import AttachmentKindChoices
from projects.models import Attachment, KeyProject

from .conftest import PERSONAS, may_write
from .test_attachments import pdf, stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

LIST = "/api/attachments/"
PHOTO = AttachmentKindChoices.SITE_PHOTO


def png(size=(120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "PNG")
    return out.getvalue()


def detail(attachment) -> str:
    return f"{LIST}{attachment.pk}/"


@pytest.fixture
def media(attachments_in_a_temporary_folder):
    return attachments_in_a_temporary_folder


@pytest.fixture
def project_a(make_key_project, dept_a):
    return make_key_project(department=dept_a)


@pytest.fixture
def project_b(make_key_project, dept_b):
    return make_key_project(department=dept_b)


def upload(client, record, *files, kind=PHOTO, **fields):
    """POST ``files`` ((name, bytes) pairs) to ``record`` as one multipart form."""
    form = {
        "record_type": type(record).attachment_record_type,
        "record_id": str(record.pk),
        "kind": kind,
        "file": [SimpleUploadedFile(name, data) for name, data in files],
        **fields,
    }
    return client.post(LIST, form, format="multipart")


def test_several_files_in_one_post(admin_user, project_a, media):
    before = stored_files(media)
    png_data, pdf_data = png(), pdf()
    response = upload(
        client_for(admin_user), project_a, ("工地东侧.png", png_data), ("批复.pdf", pdf_data), title="", taken_on=""
    )
    assert response.status_code == 201, response.content
    first, second = response.json()
    assert (first["record_type"], first["record_id"], first["kind"]) == ("key-project", project_a.pk, PHOTO)
    assert (first["title"], first["original_name"], first["content_type"]) == ("工地东侧", "工地东侧.png", "image/png")
    assert first["sha256"] == hashlib.sha256(png_data).hexdigest() and first["size"] == len(png_data)
    assert first["uploaded_by"] == admin_user.pk and first["version"] == 1
    assert first["download"].endswith(f"/api/attachments/{first['id']}/download/")
    assert first["thumbnail"].endswith(f"/api/attachments/{first['id']}/thumbnail/")
    assert (second["content_type"], second["thumbnail"]) == ("application/pdf", None)
    assert list(project_a.attachments.order_by("id").values_list("original_name", flat=True)) == [
        "工地东侧.png",
        "批复.pdf",
    ]
    # The two files and the image's thumbnail, under the names the rows keep.
    kept = {name for row in Attachment.objects.all() for name in (row.file.name, row.thumbnail.name) if name}
    assert len(kept) == 3 and stored_files(media) - before == kept


def test_a_refused_file_is_a_400_naming_it_and_nothing_is_stored(admin_user, project_a, media):
    before = stored_files(media)
    response = upload(client_for(admin_user), project_a, ("ok.png", png()), ("setup.jpg", b"MZ" + b"\0" * 100))
    assert response.status_code == 400
    [message] = response.json()["file"]
    # In the clerk's language (the server's default here: Chinese).
    assert message.startswith("setup.jpg:") and "不是可接受的类型" in message
    assert not Attachment.objects.exists() and stored_files(media) == before


def test_a_bad_form_is_a_400_naming_the_field(admin_user, project_a, media):
    before = stored_files(media)
    client = client_for(admin_user)
    project_a_id = project_a.pk
    project_a.pk = project_a_id + 1000
    missing = upload(client, project_a, ("a.png", png()))
    assert missing.status_code == 400 and list(missing.json()) == ["record_id"]
    assert missing.json()["record_id"] == ["要添加附件的记录不存在。"]
    project_a.pk = project_a_id
    assert upload(client, project_a, ("a.png", png()), kind="selfie").json().keys() == {"kind"}
    future = upload(client, project_a, ("a.png", png()), taken_on="2099-01-01")
    assert future.status_code == 400 and list(future.json()) == ["taken_on"]
    unknown = upload(client, project_a, ("a.png", png()), colour="red")
    assert unknown.status_code == 400 and list(unknown.json()) == ["colour"]
    bad_type = client.post(LIST, {"record_type": "department", "record_id": "1", "kind": PHOTO}, format="multipart")
    assert bad_type.status_code == 400 and set(bad_type.json()) == {"record_type", "file"}
    # A part named file that is not a file: refused by its position, in a flat list of messages.
    text = client.post(
        LIST, {"record_type": "key-project", "record_id": str(project_a.pk), "kind": PHOTO, "file": "{}"}
    )
    assert text.status_code == 400 and text.json() == {
        "file": ["第 1 个文件：提交的数据不是一个文件。请检查表单的编码类型。"]
    }
    # JSON is not how files come: 415, and a body that is not a multipart form is a 400.
    assert client.post(LIST, {"record_type": "key-project"}, format="json").status_code == 415
    broken = client.generic("POST", LIST, b"--x\r\nnot a form", content_type="multipart/form-data; boundary=x")
    assert broken.status_code == 400
    assert not Attachment.objects.exists() and stored_files(media) == before


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
@pytest.mark.parametrize("owner", ["A", "B"])
def test_each_persona_reads_every_record_and_writes_by_the_department_rule(
    persona, owner, make_persona, project_a, project_b, media
):
    record = project_a if owner == "A" else project_b
    [kept] = attach(record, [Upload("a.pdf", pdf())], kind=AttachmentKindChoices.APPROVAL)
    client = client_for(make_persona(persona))
    listed = client.get(LIST)
    assert listed.status_code == 200 and [row["id"] for row in listed.json()["results"]] == [kept.pk]
    assert client.get(detail(kept) + "download/").status_code == 200
    allowed = may_write(persona, owner)
    added = upload(client, record, ("b.png", png()))
    assert added.status_code == (201 if allowed else 403), added.content
    if not allowed:
        assert added.json()["detail"]
    patched = client.patch(detail(kept), {"title": "改"}, format="json")
    assert patched.status_code == (200 if allowed else 403)
    deleted = client.delete(detail(kept))
    assert deleted.status_code == (204 if allowed else 403)
    assert Attachment.objects.filter(pk=kept.pk).exists() is not allowed
    if not allowed:
        assert Attachment.objects.get(pk=kept.pk).title == "a"
        assert record.attachments.count() == 1


def test_anonymous_gets_401_and_no_data(project_a, media):
    [kept] = attach(project_a, [Upload("a.pdf", pdf())], kind=AttachmentKindChoices.APPROVAL)
    client = client_for(None)
    for path in (LIST, detail(kept), detail(kept) + "download/", detail(kept) + "thumbnail/"):
        response = client.get(path)
        assert response.status_code == 401 and set(response.json()) == {"detail"}, path
    assert upload(client, project_a, ("a.png", png())).status_code == 401
    assert client.delete(detail(kept)).status_code == 401
    assert Attachment.objects.count() == 1


def test_without_the_records_view_permission_its_attachments_are_not_there(project_a, make_bond_reserve, media):
    [on_project] = attach(project_a, [Upload("a.pdf", pdf())], kind=AttachmentKindChoices.APPROVAL)
    [on_reserve] = attach(make_bond_reserve(), [Upload("b.pdf", pdf())], kind=AttachmentKindChoices.LEGAL_OPINION)
    client = client_for(user_with("view_bondreserve", username="bonds"))
    assert [row["id"] for row in client.get(LIST).json()["results"]] == [on_reserve.pk]
    assert client.get(detail(on_project)).status_code == 404
    assert client.get(detail(on_project) + "download/").status_code == 404
    assert client.get(detail(on_reserve)).status_code == 200
    # Viewing is not changing: the reserve's files stay.
    assert client.delete(detail(on_reserve)).status_code == 403
    assert upload(client, project_a, ("a.png", png())).status_code == 403


def test_the_download_carries_the_name_the_type_and_the_digest(admin_user, project_a, media):
    data = pdf()
    [kept] = attach(project_a, [Upload("法律意见书（终稿）.pdf", data)], kind=AttachmentKindChoices.LEGAL_OPINION)
    client = client_for(admin_user)
    response = client.get(detail(kept) + "download/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("法律意见书（终稿）.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Content-SHA256"] == hashlib.sha256(data).hexdigest()
    missing = client.get(detail(kept) + "thumbnail/")
    assert missing.status_code == 404 and "缩略图" in missing.json()["detail"]
    [shot] = attach(project_a, [Upload("east.png", png((800, 600)))], kind=PHOTO)
    thumbnail = client.get(detail(shot) + "thumbnail/")
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size == (400, 300)
    assert client.get(f"{LIST}{shot.pk + 1000}/download/").status_code == 404


def test_a_correction_and_a_deletion_claim_the_version(admin_user, project_a, media):
    [kept] = attach(project_a, [Upload("a.pdf", pdf())], kind=AttachmentKindChoices.OTHER)
    client = client_for(admin_user)
    read = client.get(detail(kept))
    assert read["ETag"] == '"1"'
    changed = client.patch(
        detail(kept),
        {"title": "投资合同", "kind": AttachmentKindChoices.CONTRACT, "taken_on": "2023-03-01"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["version"], changed["ETag"]) == (2, '"2"')
    stale = client.patch(detail(kept), {"title": "旧"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert client.patch(detail(kept), {"title": "旧", "version": 1}, format="json").status_code == 412
    assert client.delete(detail(kept), HTTP_IF_MATCH='"1"').status_code == 412
    kept.refresh_from_db()
    assert (kept.version, kept.title, kept.kind, kept.taken_on) == (
        2,
        "投资合同",
        AttachmentKindChoices.CONTRACT,
        datetime.date(2023, 3, 1),
    )
    # What the content is never changes: read-only fields are not written.
    ignored = client.patch(detail(kept), {"sha256": "0" * 64, "size": 1}, format="json")
    assert ignored.status_code == 200 and (ignored.json()["sha256"], ignored.json()["size"]) == (kept.sha256, kept.size)
    assert client.patch(detail(kept), {"taken_on": "2099-01-01"}, format="json").status_code == 400
    assert client.delete(detail(kept), HTTP_IF_MATCH=f'"{ignored.json()["version"]}"').status_code == 204
    assert not Attachment.objects.exists()


def test_the_filters_are_strict(admin_user, project_a, project_b, make_bond_reserve, media):
    [photo] = attach(project_a, [Upload("a.png", png())], kind=PHOTO)
    [contract] = attach(project_b, [Upload("b.pdf", pdf())], kind=AttachmentKindChoices.CONTRACT)
    [legal] = attach(make_bond_reserve(), [Upload("c.pdf", pdf())], kind=AttachmentKindChoices.LEGAL_OPINION)
    client = client_for(admin_user)

    def ids(**query):
        response = client.get(LIST, query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {photo.pk, contract.pk, legal.pk}
    assert ids(record_type="key-project") == {photo.pk, contract.pk}
    assert ids(record_type="key-project", record_id=project_b.pk) == {contract.pk}
    assert ids(kind=[PHOTO, AttachmentKindChoices.LEGAL_OPINION]) == {photo.pk, legal.pk}
    # The day of the upload in the county's time zone, as the filter reads it.
    today = timezone.localtime(photo.created_at).date().isoformat()
    assert ids(uploaded_on_min=today, uploaded_on_max=today) == {photo.pk, contract.pk, legal.pk}
    assert ids(uploaded_on_max="2000-01-01") == set()
    for bad in ({"kind": "selfie"}, {"record_type": "department"}, {"record_id": "x"}, {"uploaded_on_min": "soon"}):
        response = client.get(LIST, bad)
        assert response.status_code == 400 and list(response.json()) == list(bad), bad
    assert list(client.get(LIST, {"kind": ""}).json()) == ["kind"]
    assert list(client.get(LIST, {"record": "1"}).json()) == ["record"]
    assert list(client.get(LIST, {"ordering": "sha256"}).json()) == ["ordering"]


def test_the_lists_query_count_does_not_grow_with_its_rows(make_persona, make_key_project, dept_a, media):
    user = make_persona("clerk of A")
    client = client_for(user)
    projects = [make_key_project(department=dept_a) for _ in range(3)]
    data = pdf()
    ContentType.objects.clear_cache()

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"page_size": 100})
        assert response.status_code == 200
        return len(queries)

    for project in projects:
        attach(project, [Upload("a.pdf", data)], kind=AttachmentKindChoices.OTHER, user=user)
    counted()  # the user's permissions and the content types, cached once
    few = counted()
    for project in projects:
        attach(project, [Upload(f"{n}.pdf", data) for n in range(9)], kind=AttachmentKindChoices.OTHER, user=user)
    assert Attachment.objects.count() == 30
    assert counted() == few == 2  # the count and the page
    assert KeyProject.objects.count() == 3
