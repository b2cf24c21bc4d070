"""Filings: the quarterly compliance exports and the monthly circulars as filed, immutable
(``FiledExport`` is what they share)."""

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


class FiledExport(models.Model):
    """What every filed export (归档) shares: its bytes, their SHA-256 and size, who filed it
    and when, the day its reviewed figures are known on (``known_on``), its format and its
    ``version`` (counting from 1 the filings of one period and format).

    Immutable: ``save()`` inserts and refuses to update; ``delete()`` refuses; so do the
    queryset's ``update()`` and ``delete()`` (``FilingImmutable``). A concrete filing names its
    period's fields (``PERIOD_FIELDS``) and its file name; ``investment.filings`` makes them.
    """

    # The fields that, with ``format``, name the period a version counts within.
    PERIOD_FIELDS: tuple[str, ...] = ()

    format = models.CharField(_("format"), max_length=10, choices=FilingFormatChoices.choices)
    version = models.PositiveIntegerField(_("filing version"), editable=False)
    content = models.BinaryField(_("content"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        verbose_name=_("filed by"),
        # ``filings`` for the quarterly ones (as it always was), ``circularfiling_filings`` …
        related_name="%(class)s_filings",
        editable=False,
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now, editable=False)
    # The figures in the filed bytes count the reports approved by the end of this day (the day
    # it was filed): recomputed as known on it, the period gives the same figures, even after a
    # report was reopened and changed (``QuarterlyExporter(known_on=…)``).
    known_on = models.DateField(_("figures known on"), editable=False)

    objects = FilingQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FilingImmutable()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FilingImmutable()

    @property
    def extension(self) -> str:
        return "xlsx" if self.format == FilingFormatChoices.XLSX else "csv.zip"

    @property
    def filename(self) -> str:
        raise NotImplementedError

    @property
    def content_type(self) -> str:
        if self.format == FilingFormatChoices.XLSX:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "application/zip"

    def content_bytes(self) -> bytes:
        """The bytes filed (PostgreSQL hands a BinaryField back as a memoryview)."""
        return bytes(self.content)


class Filing(FiledExport):
    """A quarterly compliance export as filed (归档). Make one with
    ``investment.filings.file_quarter``."""

    PERIOD_FIELDS = ("year", "quarter")

    year = year_field()
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), choices=[(q, q) for q in (1, 2, 3, 4)], validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, verbose_name=_("filed by"), related_name="filings", editable=False
    )

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

    @property
    def filename(self) -> str:
        """The file name a download carries: ``郏县-2023-Q2-v1.xlsx``."""
        return f"{settings.COUNTY_NAME}-{self.year}-Q{self.quarter}-v{self.version}.{self.extension}"


class CircularFiling(FiledExport):
    """A monthly rankings circular as filed (归档). Make one with
    ``investment.filings.file_circular``."""

    PERIOD_FIELDS = ("year", "month")

    year = year_field()
    month = models.PositiveSmallIntegerField(
        _("month"), choices=[(m, m) for m in range(1, 13)], validators=[MinValueValidator(1), MaxValueValidator(12)]
    )

    class Meta:
        ordering = ["-year", "-month", "format", "-version"]
        verbose_name = _("filed circular")
        verbose_name_plural = _("filed circulars")
        permissions = [("file_circular", "Can file the monthly rankings circular")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "format", "version"],
                name="%(app_label)s_%(class)s_one_per_version",
                violation_error_message=_("This version of the month's filed circular already exists."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(year)s-%(month)02d circular %(format)s, version %(version)s") % {
            "year": self.year,
            "month": self.month,
            "format": self.format.upper(),
            "version": self.version,
        }

    @property
    def filename(self) -> str:
        """The file name a download carries: ``郏县-2023-06-通报-v1.xlsx``."""
        return f"{settings.COUNTY_NAME}-{self.year}-{self.month:02d}-通报-v{self.version}.{self.extension}"
