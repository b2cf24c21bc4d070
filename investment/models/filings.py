"""Filings: the quarterly compliance exports as filed, immutable."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian.models import year_field

from ..choices import FilingFormatChoices


class FilingImmutable(Exception):
    """A filing was about to be changed or deleted: filings are a record of what was filed."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message or gettext("A filing cannot be changed or deleted: it is the record of what was filed.")
        )


class FilingQuerySet(models.QuerySet):
    """Filings in bulk: ``update()`` and ``delete()`` refuse, as a filing's own ``save()`` of an
    existing record and ``delete()`` do."""

    def update(self, **kwargs):
        raise FilingImmutable()

    def delete(self):
        raise FilingImmutable()

    def bulk_update(self, objs, fields, batch_size=None):
        raise FilingImmutable()

    update.queryset_only = True
    delete.queryset_only = True

    def without_content(self) -> FilingQuerySet:
        """Everything but the bytes, for lists."""
        return self.defer("content")


class Filing(models.Model):
    """A quarterly compliance export as filed (归档): its bytes, their SHA-256 and size, who
    filed it and when, and the day its reviewed figures are known on
    (``known_on``). ``version`` counts the filings of one year, quarter and format from 1.

    Immutable: ``save()`` inserts and refuses to update; ``delete()`` refuses; so do the
    queryset's ``update()`` and ``delete()`` (``FilingImmutable``). Make one with
    ``investment.filings.file_quarter``.
    """

    year = year_field()
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), choices=[(q, q) for q in (1, 2, 3, 4)], validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    format = models.CharField(_("format"), max_length=10, choices=FilingFormatChoices.choices)
    version = models.PositiveIntegerField(_("filing version"), editable=False)
    content = models.BinaryField(_("content"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, verbose_name=_("filed by"), related_name="filings", editable=False
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now, editable=False)
    # The monthly progress in the filed bytes counts the reports approved by the end of this day
    # (the day it was filed): the quarter recomputed as known on it gives the same figures, even
    # after a report was reopened and changed (``QuarterlyExporter(known_on=…)``).
    known_on = models.DateField(_("figures known on"), editable=False)

    objects = FilingQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "format", "-version"]
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        permissions = [("export_quarter", "Can export and file the quarterly report")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "format", "version"],
                name="%(app_label)s_%(class)s_one_per_version",
                violation_error_message=_("This version of the quarter's filing already exists."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(year)s Q%(quarter)s %(format)s, version %(version)s") % {
            "year": self.year,
            "quarter": self.quarter,
            "format": self.format.upper(),
            "version": self.version,
        }

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FilingImmutable()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FilingImmutable()

    @property
    def filename(self) -> str:
        """The file name a download carries: ``郏县-2023-Q2-v1.xlsx``."""
        extension = "xlsx" if self.format == FilingFormatChoices.XLSX else "csv.zip"
        return f"{settings.COUNTY_NAME}-{self.year}-Q{self.quarter}-v{self.version}.{extension}"

    @property
    def content_type(self) -> str:
        if self.format == FilingFormatChoices.XLSX:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "application/zip"

    def content_bytes(self) -> bytes:
        """The bytes filed (PostgreSQL hands a BinaryField back as a memoryview)."""
        return bytes(self.content)
