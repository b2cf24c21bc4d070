"""A ledger file uploaded to the admin's import page, kept between the preview and the
confirmation (``jiaxian.admin``).

In the database rather than in one server's temporary folder: with several app servers behind
a proxy, the confirmation may reach another server than the preview. The confirmation's form
carries a signed token of the upload's id, never a path; the upload is deleted when confirmed,
and uploads older than the token's life are purged at the next upload.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportUpload(models.Model):
    """The bytes of one uploaded file, who uploaded it, for which ledger (``app_label.model``)
    and year, and the versions of the stored records its preview read (model label → id →
    version), so that a record changed since the preview is an error of its row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, verbose_name=_("user"))
    ledger = models.CharField(_("ledger"), max_length=100)
    file_name = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    versions = models.JSONField(_("versions read by the preview"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import upload")
        verbose_name_plural = _("import uploads")
        # The purge of old uploads.
        indexes = [models.Index(fields=["created_at"], name="projects_importupload_created")]

    def __str__(self) -> str:
        return self.file_name
