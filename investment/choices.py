"""Fixed lists of the investment app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttractionProjectInvestorOriginChoices(models.TextChoices):
    LOCAL = "local", _("Local")
    IN_PROVINCE = "in_province", _("Elsewhere in Henan")
    OUT_OF_PROVINCE = "out_of_province", _("Outside Henan")
    OVERSEAS = "overseas", _("Overseas")


class AttractionProjectStageChoices(models.TextChoices):
    """Stages in order; a project's stage is derived from its dates, never stored."""

    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    STARTED = "started", _("Started")
    IN_PRODUCTION = "in_production", _("In production")


class FilingFormatChoices(models.TextChoices):
    """The formats a quarterly export is filed in (those of ``jiaxian.exporting.Format``)."""

    XLSX = "xlsx", _("Excel workbook (XLSX)")
    CSV = "csv", _("CSV files (zip)")
