"""Files attached to the records they prove (附件): a month's site photos, a bond reserve's
documents, a contract, a reply's evidence.

One model for every kind of record, through a generic relation (``record_type``, a content
type, and ``record_id``) rather than one nullable key per kind: the records live in both apps,
and ``projects`` may not name ``investment``'s models, so keys to them would have to sit in
``investment``, where the pages of ``projects``' own records (a key project, a bond reserve,
the monthly entry) could not read them. A model takes attachments by declaring
``attachments = attachments_relation()`` and its ``attachment_record_type`` (the API's name of
its resource, ``"key-project"``); only such models may be attached to (``clean``). The relation
makes deleting a record delete its attachments, and their files once the deletion is committed
(``projects.attachments``).

The file is kept in the private storage of ``jiaxian.uploads`` under a random name; what it is
(``content_type``), its size and SHA-256 are read from its content when it is uploaded and never
change: a clerk corrects the kind, the title or the date, and replaces a file by uploading
another.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy

from jiaxian import periods, uploads
from jiaxian.models import TrackedModel

from ..choices import AttachmentKindChoices


def attachments_relation() -> GenericRelation:
    """The ``attachments`` of a record (declare it with ``attachment_record_type``)."""
    return GenericRelation(
        "projects.Attachment",
        content_type_field="record_type",
        object_id_field="record_id",
        related_query_name="%(class)s",
        verbose_name=_("attachments"),
    )


def attachment_storage():
    return uploads.storage()


class Attachment(TrackedModel):
    """One attached file of one record: its kind, title, the day it was taken or signed, who
    uploaded it (and when: ``created_at``), the original name, and what the content is."""

    record_type = models.ForeignKey(ContentType, models.PROTECT, verbose_name=_("record type"))
    record_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("record_type", "record_id")
    record.verbose_name = _("record")  # its constructor takes no label
    kind = models.CharField(_("kind"), max_length=30, choices=AttachmentKindChoices.choices)
    title = models.CharField(pgettext_lazy("attachment", "title"), max_length=200)
    taken_on = models.DateField(
        _("date taken or signed"),
        null=True,
        blank=True,
        help_text=_("For a photo without one, the date its camera recorded."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("uploaded by"),
        related_name="+",
    )
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    content_type = models.CharField(_("content type"), max_length=100, editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    file = models.FileField(_("file"), storage=attachment_storage, max_length=200, editable=False)
    thumbnail = models.FileField(_("thumbnail"), storage=attachment_storage, max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["record_type_id", "record_id", "-created_at", "-id"]
        # A record's attachments (its page, its documents' presence), newest first.
        indexes = [models.Index(fields=["record_type", "record_id", "kind"], name="projects_attachment_record")]

    def __str__(self) -> str:
        return self.title

    @property
    def uploaded_at(self):
        return self.created_at

    @property
    def is_photo(self) -> bool:
        """Whether the file is an image (it then has a thumbnail)."""
        return bool(self.thumbnail)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.record_type_id is not None:
            model = self.record_type.model_class()
            if model is None or not getattr(model, "attachment_record_type", None):
                errors["record_type"] = [gettext("Files cannot be attached to this kind of record.")]
            elif self.record_id is not None and not model._default_manager.filter(pk=self.record_id).exists():
                errors["record_id"] = [gettext("There is no such record to attach the file to.")]
        if self.taken_on is not None and self.taken_on > periods.today():
            errors["taken_on"] = [gettext("The date taken or signed cannot be after today.")]
        if errors:
            raise ValidationError(errors)
