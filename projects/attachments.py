"""Attaching files to records, and handing them out: the one place the admin, the API and the
demo data go through (``projects.models.attachments`` says what an attachment is,
``jiaxian.uploads`` what a file may be).

Who may do what follows the record, not the attachment:

- **see and download** a record's attachments (and their thumbnails): whoever may view the
  record's kind (its model's view or change permission). Viewing is never restricted by
  department, as for the records themselves.
- **attach, correct and delete**: whoever may change the record (its model's change
  permission) and, by the department rule (``projects.access``), edit that record: a clerk
  attaches only to their own departments' records.

A batch of files is all or nothing: every file is inspected before any is stored, and a
refusal names the file; the files are written to the storage before the rows, and removed
again when the transaction does not commit, so that neither a row without its file nor an
orphan file is left behind. A deleted attachment's files are removed once the deletion is
committed (the history keeps its name, size and SHA-256).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import FileResponse
from django.utils.translation import gettext

from jiaxian import uploads

from . import access
from .choices import AttachmentKindChoices
from .models import Attachment


def record_types() -> dict[str, type[models.Model]]:
    """Every model that takes attachments, by its record type (``"key-project"``)."""
    return {
        model.attachment_record_type: model  # type: ignore[attr-defined]
        for model in apps.get_models()
        if getattr(model, "attachment_record_type", None)
    }


def record_type_of(record: models.Model) -> str:
    return type(record).attachment_record_type  # type: ignore[attr-defined]


def permission(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def may_view(user, model: type[models.Model]) -> bool:
    """Whether ``user`` may see the attachments of ``model``'s records."""
    return bool(user and user.is_active) and (
        user.has_perm(permission(model, "view")) or user.has_perm(permission(model, "change"))
    )


def viewable_record_types(user) -> models.QuerySet:
    """The content types of the records ``user`` may see the attachments of, as a subquery for
    ``record_type__in`` (no query of its own, whether Django's cache of content types is warm)."""
    viewable = Q(pk__in=[])
    for model in record_types().values():
        if may_view(user, model):
            viewable |= Q(app_label=model._meta.app_label, model=model._meta.model_name)
    return ContentType.objects.filter(viewable).values("pk")


def refusal(user, record: models.Model) -> str | None:
    """None when ``user`` may attach to (and correct or delete the attachments of) ``record``;
    otherwise the reason, for the clerk."""
    if not (user and user.is_active and user.has_perm(permission(type(record), "change"))):
        return gettext("You may not change %(records)s, so you may not attach files to them.") % {
            "records": type(record)._meta.verbose_name_plural
        }
    return access.refusal(user, record)


@dataclass(frozen=True)
class Upload:
    """One file as it was sent: its name and its bytes."""

    name: str
    data: bytes


def uploads_of(files: Iterable) -> list[Upload]:
    """The files of a request (Django's ``UploadedFile``s) as ``Upload``s, read only when
    within the size limit: ``ValidationError`` on ``file`` naming each oversized one."""
    read, refused = [], []
    for uploaded in files:
        try:
            read.append(Upload(uploaded.name or "file", uploads.read(uploaded)))
        except uploads.Refused as error:
            refused.append(f"{uploaded.name}: {error}")
    if refused:
        raise ValidationError({"file": refused})
    return read


def attach(
    record: models.Model,
    files: Iterable[Upload],
    *,
    kind: str,
    user=None,
    title: str = "",
    taken_on: datetime.date | None = None,
) -> list[Attachment]:
    """Attach ``files`` to ``record``, all or none: ``ValidationError`` on ``file`` naming each
    refused file and why, on ``kind``, ``title`` or ``taken_on`` for a bad value; nothing
    stored then. Each file's title is ``title`` or, without one, its name without the
    extension; its date ``taken_on`` or, for a photo, its EXIF date. Permissions are the
    caller's to check (``refusal``)."""
    files = list(files)
    if not files:
        raise ValidationError({"file": [gettext("Choose at least one file.")]})
    inspected, refused = [], []
    for upload in files:
        try:
            inspected.append(uploads.inspect(upload.data))
        except uploads.Refused as error:
            refused.append(f"{upload.name}: {error}")
    if refused:
        raise ValidationError({"file": refused})
    record_type = ContentType.objects.get_for_model(type(record))
    rows = []
    for upload, found in zip(files, inspected, strict=True):
        row = Attachment(
            record_type=record_type,
            record_id=record.pk,
            kind=kind,
            title=(title or PurePath(upload.name).stem or upload.name)[:200],
            taken_on=taken_on or found.taken_on,
            uploaded_by=user if user is not None and user.is_authenticated else None,
            original_name=PurePath(upload.name.replace("\\", "/")).name[:255] or "file",
            size=found.size,
            content_type=found.type.content_type,
            sha256=found.sha256,
        )
        row.full_clean(exclude=["file", "thumbnail"])
        rows.append((row, upload, found))
    stored: list[str] = []
    storage = uploads.storage()
    try:
        with transaction.atomic():
            for row, upload, found in rows:
                row.file.name = storage.save(uploads.new_name(found.type.extension), ContentFile(upload.data))
                stored.append(row.file.name)
                if found.thumbnail is not None:
                    row.thumbnail.name = storage.save(
                        uploads.new_name("jpg", suffix=".thumb"), ContentFile(found.thumbnail)
                    )
                    stored.append(row.thumbnail.name)
                row.save()
    except BaseException:
        for name in stored:
            storage.delete(name)
        raise
    return [row for row, _upload, _found in rows]


@receiver(post_delete, sender=Attachment)
def remove_files(sender, instance: Attachment, **kwargs) -> None:
    """A deleted attachment's files go once the deletion is committed (not before: a rolled
    back deletion keeps them)."""
    names = [name for name in (instance.file.name, instance.thumbnail.name) if name]
    storage = uploads.storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def file_response(attachment: Attachment, *, thumbnail: bool = False) -> FileResponse:
    """The file (or its JPEG thumbnail) as a download: the original name in
    ``Content-Disposition`` (RFC 5987 for a name beyond ASCII), the type read from the content,
    ``X-Content-Type-Options: nosniff`` and ``X-Content-SHA256`` (of the file itself)."""
    field = attachment.thumbnail if thumbnail else attachment.file
    if thumbnail:
        name = f"{PurePath(attachment.original_name).stem}-thumbnail.jpg"
        response = FileResponse(field.open("rb"), content_type="image/jpeg", filename=name)
    else:
        response = FileResponse(
            field.open("rb"),
            content_type=attachment.content_type,
            as_attachment=True,
            filename=attachment.original_name,
        )
        response["X-Content-SHA256"] = attachment.sha256
    response["X-Content-Type-Options"] = "nosniff"
    # Never cached by a shared cache: a permission decided each download.
    response["Cache-Control"] = "private, no-store"
    # A document opened in the browser runs nothing of its own.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return response


# --- figures over many records ------------------------------------------------------------------


def _of(model: type[models.Model], **filters) -> models.QuerySet:
    # The record type by its names, joined in the statement: no query of its own for the
    # content type, whether Django's cache of them is warm or not.
    return Attachment.objects.filter(
        record_type__app_label=model._meta.app_label,
        record_type__model=model._meta.model_name,
        record_id=OuterRef("pk"),
        **filters,
    )


def photo_count(model: type[models.Model]) -> Coalesce:
    """An annotation: the number of site photos of each of ``model``'s records."""
    counted = (
        _of(model, kind=AttachmentKindChoices.SITE_PHOTO)
        .order_by()
        .values("record_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _uploaded_by(as_of: datetime.date | None) -> Q:
    """Attachments uploaded on or before ``as_of`` (the county's day), all without one: a
    past quarter's export shows the documents a reserve had then, not those added since."""
    return Q() if as_of is None else Q(created_at__date__lte=as_of)


def kinds_present(
    model: type[models.Model], kinds: Iterable[str], as_of: datetime.date | None = None
) -> dict[str, Exists]:
    """Annotations ``has_<kind>``: whether each record of ``model`` has an attachment of each
    kind (a bond reserve's three documents), uploaded by ``as_of`` when given. ``present_kinds``
    says the same of one record."""
    return {f"has_{kind}": Exists(_of(model, kind=kind).filter(_uploaded_by(as_of))) for kind in kinds}


def present_kinds(record: models.Model, kinds: Iterable[str], as_of: datetime.date | None = None) -> dict[str, bool]:
    """For one record, what ``kinds_present`` annotates: ``has_<kind>`` for each kind, in one query."""
    found = set(
        record.attachments.filter(_uploaded_by(as_of), kind__in=list(kinds)).values_list("kind", flat=True)  # type: ignore[attr-defined]
    )
    return {f"has_{kind}": kind in found for kind in kinds}
