"""Investment-attraction projects (招商引资项目).

A project's stage is derived from its dates — negotiating until ``signed_on``, then signed,
started from ``started_on``, in production from ``in_production_on`` — so that the shares
of the year plan can be recomputed as of any past day.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from projects import validation
from projects.models import (
    Area,
    Department,
    Industry,
    KeyProject,
    ProjectCodeMixin,
    TrackedModel,
    YearPlan,
    amount_field,
    non_negative,
    predecessor_field,
)

from .choices import (
    AttractionProjectInvestorOriginChoices,
    AttractionProjectStageChoices as Stage,
    FilingFormatChoices,
)
from .querysets import STAGE_DATES, AttractionProjectQuerySet


class AttractionProject(ProjectCodeMixin, TrackedModel):
    """An outside investment the county negotiates or has signed, counted towards the
    attraction targets of ``year``'s plan.

    ``contract_amount`` and ``fixed_asset_investment`` decide the 100-million-yuan rule
    (``is_big_project``); the industry's ``is_key`` decides the key-industry share;
    ``key_project`` is the key project it became, if any; ``predecessor`` the project that
    this second phase or expansion grew from.
    """

    STAGE_FIELDS = ("signed_on", "started_on", "in_production_on")

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField(_("project name"), max_length=200)
    investor = models.CharField(_("investor"), max_length=200)
    investor_origin = models.CharField(
        _("investor origin"),
        max_length=20,
        choices=AttractionProjectInvestorOriginChoices.choices,
        default=AttractionProjectInvestorOriginChoices.OUT_OF_PROVINCE,
    )
    industry = models.ForeignKey(
        Industry, models.PROTECT, verbose_name=_("industry"), related_name="attraction_projects"
    )
    area = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, verbose_name=_("area"), related_name="attraction_projects"
    )
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("responsible unit"),
        related_name="attraction_projects",
    )
    leader = models.CharField(_("responsible county leader"), max_length=50, blank=True)
    contract_amount = amount_field(_("contract amount (万元)"))
    fixed_asset_investment = amount_field(_("fixed-asset investment (万元)"))
    funds_in_place = amount_field(_("funds in place (万元)"), default=Decimal("0"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    in_production_on = models.DateField(_("in production on"), null=True, blank=True)
    key_project = models.ForeignKey(
        KeyProject,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("became key project"),
        related_name="attraction_projects",
    )
    predecessor = predecessor_field()
    notes = models.TextField(_("notes"), blank=True)

    objects = AttractionProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("attraction project")
        verbose_name_plural = _("attraction projects")
        constraints = [
            *non_negative("contract_amount", "fixed_asset_investment", "funds_in_place"),
            models.CheckConstraint(
                condition=models.Q(fixed_asset_investment__lte=models.F("contract_amount")),
                name="%(app_label)s_%(class)s_fixed_assets_within_contract",
                violation_error_message=_("Fixed-asset investment cannot exceed the contract amount."),
            ),
            models.UniqueConstraint(
                fields=["year", "name"],
                name="%(app_label)s_%(class)s_unique_name_per_year",
                violation_error_message=_("A project of this name already exists for that year."),
            ),
        ]
        # The quota report asks "signed by D" and "started by D" within one year. The first index
        # also holds every other column the report's aggregate reads (id for the counts), so that
        # the report is answered from the index alone (see bench_quotas); keep them in step.
        indexes = [
            models.Index(
                fields=[
                    "year",
                    "signed_on",
                    "industry",
                    "contract_amount",
                    "fixed_asset_investment",
                    "started_on",
                    "in_production_on",
                    "funds_in_place",
                    "id",
                ],
                name="investment_attr_signed_cover",
            ),
            models.Index(fields=["year", "started_on"], name="investment_attr_year_started"),
        ]

    def __str__(self) -> str:
        return self.name

    def stage_on(self, as_of: datetime.date) -> str:
        """The stage on ``as_of``: the latest stage whose date is on or before it, else
        negotiating. Same answer as ``AttractionProject.objects.with_stage``."""
        for field, stage in STAGE_DATES:
            value = getattr(self, field)
            if value is not None and value <= as_of:
                return stage
        return Stage.NEGOTIATING

    @property
    def stage(self) -> str:
        """The stage today."""
        return self.stage_on(periods.today())

    def is_big_project(self, plan: YearPlan | None = None) -> bool:
        """True when the project meets the 100-million-yuan rule of ``plan`` (by default
        the plan of its year): contract and fixed-asset investment both at least the minimums."""
        plan = plan or YearPlan.for_year(self.year)
        return plan.is_big_project(self.contract_amount, self.fixed_asset_investment)

    @property
    def is_key_industry(self) -> bool:
        return bool(self.industry_id) and self.industry.is_key

    def clean(self):
        errors = validation.merge(
            validation.not_more_than_errors(self, "fixed_asset_investment", "contract_amount"),
            validation.date_order_errors(self, list(self.STAGE_FIELDS)),
            validation.future_date_errors(self, self.STAGE_FIELDS),
            validation.lineage_errors(self),
        )
        if self.year is not None and self.name:
            if AttractionProject.objects.filter(year=self.year, name=self.name).exclude(pk=self.pk).exists():
                validation.add_error(
                    errors,
                    "name",
                    gettext("A project named %(name)s already exists for %(year)s.")
                    % {"name": self.name, "year": self.year},
                )
        if errors:
            raise ValidationError(errors)


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
    filed it and when. ``version`` counts the filings of one year, quarter and format from 1.

    Immutable: ``save()`` inserts and refuses to update; ``delete()`` refuses; so do the
    queryset's ``update()`` and ``delete()`` (``FilingImmutable``). Make one with
    ``investment.filings.file_quarter``.
    """

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
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
