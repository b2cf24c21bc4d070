"""Attachments kept with their records (``projects.attachments``): stored under random names with
what the content is, all or nothing, their files gone with them, the permissions per persona,
and the figures over many records (photo counts, a reserve's documents) agreeing with one
record's."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from PIL import Image

from jiaxian import uploads
from projects import attachments
from projects.attachments import Upload, attach
from projects.choices import BOND_RESERVE_DOCUMENTS, AttachmentKindChoices
from projects.models import Attachment, BondReserve, KeyProject, ProgressReport

from .conftest import PERSONAS, may_write

PHOTO = AttachmentKindChoices.SITE_PHOTO


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def photo(date: str | None = None) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if date:
        exif.get_ifd(0x8769)[0x9003] = date
    Image.new("RGB", (1200, 900), "green").save(out, "JPEG", exif=exif)
    return out.getvalue()


def pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(out, "PDF")
    return out.getvalue()


def stored_files(folder: str) -> set[str]:
    return {os.path.relpath(os.path.join(root, name), folder) for root, _, names in os.walk(folder) for name in names}


@pytest.fixture
def media(attachments_in_a_temporary_folder):
    return attachments_in_a_temporary_folder


@pytest.fixture
def project(make_key_project, dept_a):
    return make_key_project(department=dept_a)


def test_attach_keeps_the_file_under_a_random_name_with_what_it_is(project, media, django_user_model):
    user = django_user_model.objects.create_user("clerk")
    data = photo("2023:04:02 10:00:00")
    [kept] = attach(project, [Upload("工地 东侧.JPG", data)], kind=PHOTO, user=user)
    kept.refresh_from_db()
    assert kept.record == project
    assert (kept.title, kept.original_name, kept.taken_on) == ("工地 东侧", "工地 东侧.JPG", datetime.date(2023, 4, 2))
    assert (kept.size, kept.content_type, kept.sha256) == (len(data), "image/jpeg", hashlib.sha256(data).hexdigest())
    assert kept.uploaded_by == user and kept.version == 1
    assert "工地" not in kept.file.name and kept.file.name.endswith(".jpg")
    assert kept.file.open("rb").read() == data
    assert Image.open(kept.thumbnail.open("rb")).size == (400, 300)
    assert {kept.file.name, kept.thumbnail.name} <= stored_files(media)
    assert list(project.attachments.all()) == [kept]


def test_a_given_title_and_date_win_and_a_document_has_no_thumbnail(project):
    [kept] = attach(
        project,
        [Upload("a.pdf", pdf())],
        kind=AttachmentKindChoices.APPROVAL,
        title="可研批复",
        taken_on=datetime.date(2023, 1, 5),
    )
    assert (kept.title, kept.taken_on, kept.is_photo, kept.content_type) == (
        "可研批复",
        datetime.date(2023, 1, 5),
        False,
        "application/pdf",
    )


def test_a_batch_is_all_or_nothing_and_names_each_refused_file(project, media):
    before = stored_files(media)
    with pytest.raises(ValidationError) as refused:
        attach(
            project,
            [Upload("ok.jpg", photo()), Upload("setup.jpg", b"MZ" + b"\0" * 100), Upload("x.pdf", b"")],
            kind=PHOTO,
        )
    messages = refused.value.message_dict["file"]
    assert [m.split(":")[0] for m in messages] == ["setup.jpg", "x.pdf"]
    assert "not an accepted kind" in messages[0] and "empty" in messages[1]
    assert not Attachment.objects.exists() and stored_files(media) == before


def test_a_bad_field_stores_nothing(project, media, today):
    before = stored_files(media)
    with pytest.raises(ValidationError) as refused:
        attach(project, [Upload("a.jpg", photo())], kind=PHOTO, taken_on=today + datetime.timedelta(days=1))
    assert "taken_on" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        attach(project, [Upload("a.jpg", photo())], kind="selfie")
    assert "kind" in refused.value.message_dict
    assert not Attachment.objects.exists() and stored_files(media) == before


def test_a_failed_write_removes_the_files_it_stored(project, media, monkeypatch):
    before = stored_files(media)

    def fail(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Attachment, "save", fail)
    with pytest.raises(RuntimeError):
        attach(project, [Upload("a.jpg", photo()), Upload("b.pdf", pdf())], kind=PHOTO)
    assert stored_files(media) == before


def test_only_records_that_take_attachments(project, make_department):
    department = make_department()
    row = Attachment(record_type=ContentType.objects.get_for_model(department), record_id=department.pk, kind=PHOTO)
    with pytest.raises(ValidationError) as refused:
        row.clean()
    assert "record_type" in refused.value.message_dict
    row = Attachment(record_type=ContentType.objects.get_for_model(KeyProject), record_id=project.pk + 999, kind=PHOTO)
    with pytest.raises(ValidationError) as refused:
        row.clean()
    assert "record_id" in refused.value.message_dict
    assert set(attachments.record_types()) == {
        "key-project",
        "progress-report",
        "problem",
        "bond-reserve",
        "attraction-project",
        "supervision-order",
        "order-reply",
    }


@pytest.mark.django_db(transaction=True)
def test_deleting_an_attachment_or_its_record_removes_the_files_once_committed(make_key_project, media):
    project = make_key_project()
    first, second = attach(project, [Upload("a.jpg", photo()), Upload("b.pdf", pdf())], kind=PHOTO)
    names = {first.file.name, first.thumbnail.name, second.file.name}
    assert names <= stored_files(media)
    with transaction.atomic():
        first.delete()
        assert first.file.name in stored_files(media)  # not before the commit
    assert not {first.file.name, first.thumbnail.name} & stored_files(media)
    try:
        with transaction.atomic():
            second.delete()
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert second.file.name in stored_files(media)
    project.delete()
    assert not Attachment.objects.exists()
    assert not names & stored_files(media)


def test_history_keeps_what_a_deleted_attachment_was(project):
    [kept] = attach(project, [Upload("a.pdf", pdf())], kind=AttachmentKindChoices.CONTRACT)
    kept.title = "投资合同"
    kept.save()
    pk = kept.pk
    kept.delete()
    history = list(Attachment.history.filter(id=pk).order_by("history_date").values_list("history_type", "title"))
    assert history == [("+", "a"), ("~", "投资合同"), ("-", "投资合同")]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
@pytest.mark.parametrize("owner", ["A", "B"])
def test_who_may_see_and_attach(persona, owner, make_persona, make_key_project, dept_a, dept_b):
    user = make_persona(persona)
    record = make_key_project(department=dept_a if owner == "A" else dept_b)
    # Everyone of the groups sees key projects; attaching follows the department rule.
    assert attachments.may_view(user, KeyProject)
    assert (attachments.refusal(user, record) is None) == may_write(persona, owner)


def test_someone_without_the_records_permissions_sees_nothing(django_user_model, project):
    user = django_user_model.objects.create_user("visitor", is_staff=True)
    assert not attachments.may_view(user, KeyProject)
    assert "may not change" in attachments.refusal(user, project)
    assert not attachments.may_view(None, KeyProject)


def test_the_download_carries_the_name_the_type_and_the_digest(project):
    data = pdf()
    [kept] = attach(project, [Upload("法律意见书（终稿）.pdf", data)], kind=AttachmentKindChoices.LEGAL_OPINION)
    response = attachments.file_response(kept)
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    # RFC 5987: the UTF-8 name percent-encoded.
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote("法律意见书（终稿）.pdf")
    assert "%E6%B3%95" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Content-SHA256"] == hashlib.sha256(data).hexdigest()
    [shot] = attach(project, [Upload("east.jpg", photo())], kind=PHOTO)
    thumbnail = attachments.file_response(shot, thumbnail=True)
    assert thumbnail["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size == (400, 300)


def test_photo_counts_and_documents_agree_with_one_records(
    make_key_project, make_bond_reserve, django_assert_num_queries
):
    project = make_key_project()
    reports = [
        ProgressReport.objects.create(project=project, month=datetime.date(2023, m, 1), completed_investment=1)
        for m in (1, 2, 3)
    ]
    attach(reports[0], [Upload("a.jpg", photo()), Upload("b.jpg", photo())], kind=PHOTO)
    attach(reports[0], [Upload("c.pdf", pdf())], kind=AttachmentKindChoices.OTHER)
    attach(reports[2], [Upload("d.jpg", photo())], kind=PHOTO)
    attach(project, [Upload("e.jpg", photo())], kind=PHOTO)  # the project's, not a report's
    with django_assert_num_queries(1):
        counts = dict(
            ProgressReport.objects.filter(pk__in=[r.pk for r in reports])
            .annotate(photos=attachments.photo_count(ProgressReport))
            .values_list("month__month", "photos")
        )
    assert counts == {1: 2, 2: 0, 3: 1}

    complete, partial, bare = (make_bond_reserve() for _ in range(3))
    for kind in BOND_RESERVE_DOCUMENTS:
        attach(complete, [Upload(f"{kind}.pdf", pdf())], kind=kind)
    attach(partial, [Upload("plan.pdf", pdf())], kind=AttachmentKindChoices.IMPLEMENTATION_PLAN)
    with django_assert_num_queries(1):
        annotated = {
            row.pk: {
                name: getattr(row, name) for name in attachments.kinds_present(BondReserve, BOND_RESERVE_DOCUMENTS)
            }
            for row in BondReserve.objects.annotate(**attachments.kinds_present(BondReserve, BOND_RESERVE_DOCUMENTS))
        }
    for reserve in (complete, partial, bare):
        assert annotated[reserve.pk] == attachments.present_kinds(reserve, BOND_RESERVE_DOCUMENTS)
    assert list(annotated[complete.pk].values()) == [True, True, True]
    assert list(annotated[partial.pk].values()) == [True, False, False]
    assert list(annotated[bare.pk].values()) == [False, False, False]


def test_the_storage_is_the_setting(settings, tmp_path, project):
    """Another storage class by setting (here Django's in-memory one): attaching and reading
    go through it, nothing reaches the folder."""
    settings.STORAGES = {**settings.STORAGES, "attachments": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    [kept] = attach(project, [Upload("a.pdf", pdf())], kind=AttachmentKindChoices.OTHER)
    assert type(uploads.storage()._wrapped).__name__ == "InMemoryStorage"
    assert uploads.storage().exists(kept.file.name)
    assert Attachment.objects.get().file.open("rb").read() == pdf()[:0] + kept.file.open("rb").read()
