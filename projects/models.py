"""Reference data, the year plan, key projects with their annual listings, and special-bond
reserves.

Money is ``Decimal`` in 万元 (ten thousand yuan) everywhere. Status that follows from dates
(a reserve's status) is derived from the dates, never stored, so that any figure can be
recomputed as of a past day. Rules about one record live in its ``clean()``, which the
admin, the API and the import all run; the database constraints below repeat the simplest
of them as a last guard.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiaxian import periods

from . import validation
from .choices import AnnualListingCategoryChoices, AreaKindChoices, KeyProjectNatureChoices
from .querysets import BondReserveQuerySet, KeyProjectQuerySet

RATIO_PLACES = Decimal("0.0001")


def amount_field(verbose_name, **kwargs) -> models.DecimalField:
    """An amount in 万元: up to 999,999,999,999.99, two places, never negative."""
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0"))])
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def ratio_field(verbose_name, default: str, *, upper: str | None = "1") -> models.DecimalField:
    """A ratio with four places (0.7000 is 70%), never negative, by default at most 1."""
    validators = [MinValueValidator(Decimal("0"))]
    if upper is not None:
        validators.append(MaxValueValidator(Decimal(upper)))
    return models.DecimalField(
        verbose_name, max_digits=7, decimal_places=4, default=Decimal(default), validators=validators
    )


def predecessor_field() -> models.ForeignKey:
    """The project a second phase or an expansion grew from, with ``successors`` the other
    way. Deleting a predecessor clears the link and keeps its successors."""
    return models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("predecessor project"),
        related_name="successors",
        help_text=_("The project this second phase or expansion grew from."),
    )


def non_negative(*fields: str) -> list[models.CheckConstraint]:
    """One database check per amount field; null passes (it means "not known yet")."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
            name=f"%(app_label)s_%(class)s_{field}_gte_zero",
            violation_error_message=_("Amounts cannot be negative."),
        )
        for field in fields
    ]


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` rounded half-up to four places; None when the denominator
    is zero or missing."""
    if not denominator or numerator is None:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


class StaleVersion(Exception):
    """The record changed since the version a clerk or a client read."""

    def __init__(self, expected: int, current: int | None):
        self.expected, self.current = expected, current
        super().__init__(f"expected version {expected}, the record is at version {current}")


class TrackedModel(models.Model):
    """What every record carries: when it was made and last changed, a ``version`` that
    each save raises by one (so that two clerks editing the same record can be told apart),
    and its full history of changes."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)

    def claim_version(self, expected: int) -> None:
        """Check that the stored record is still at version ``expected`` and hold it for this
        transaction (the no-op UPDATE takes the row's write lock), so that the save that
        follows cannot overwrite a change made since ``expected`` was read. Raises
        ``StaleVersion`` otherwise. Call inside ``transaction.atomic()``."""
        manager = type(self)._default_manager
        if not manager.filter(pk=self.pk, version=expected).update(version=expected):
            current = manager.filter(pk=self.pk).values_list("version", flat=True).first()
            raise StaleVersion(expected, current)
        self.version = expected


class CodedModel(TrackedModel):
    """Reference data: a unique short code that imports and the API use, and a name."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Industry(CodedModel):
    """An industry; ``is_key`` puts it on the county's list of key industries (重点产业),
    which decides the key-industry share of attraction projects."""

    is_key = models.BooleanField(_("key industry"), default=False)

    class Meta(CodedModel.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class Area(CodedModel):
    """A town, township, the economic-development zone or an industrial park of the county."""

    kind = models.CharField(_("kind"), max_length=20, choices=AreaKindChoices.choices)

    class Meta(CodedModel.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")


class Department(CodedModel):
    """A responsible unit (责任单位): a bureau, a commission, a town government."""

    class Meta(CodedModel.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class Sector(CodedModel):
    """A special-bond sector (领域). A list in the database, not in code, because the
    rules on what special bonds may fund change from year to year."""

    class Meta(CodedModel.Meta):
        verbose_name = _("bond sector")
        verbose_name_plural = _("bond sectors")


class YearPlan(TrackedModel):
    """A year's targets and thresholds: the figures of the county's plan and the settings of
    the warning lights and bond coverage. Defaults are the figures of Jiaxian's plan;
    another county, or another year, edits them. ``YearPlan.for_year`` gives a year with no
    saved plan these defaults."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    key_project_count_target = models.PositiveIntegerField(_("key projects: count target"), default=60)
    key_project_investment_target = amount_field(
        _("key projects: total investment target (万元)"), default=Decimal("3000000")
    )
    bond_reserve_count_target = models.PositiveIntegerField(_("bond reserves: count target"), default=80)
    bond_reserve_demand_target = amount_field(_("bond reserves: bond demand target (万元)"), default=Decimal("700000"))
    attraction_count_target = models.PositiveIntegerField(_("attraction projects: count target"), default=60)
    big_project_contract_min = amount_field(
        _("100-million project: minimum contract amount (万元)"), default=Decimal("10000")
    )
    big_project_fixed_asset_min = amount_field(
        _("100-million project: minimum fixed-asset investment (万元)"), default=Decimal("8000")
    )
    attraction_big_share_target = ratio_field(_("share of 100-million projects: target"), "0.7000")
    attraction_key_industry_share_target = ratio_field(_("share in key industries: target"), "0.8000")
    attraction_started_share_target = ratio_field(_("share started: target"), "0.8000")
    milestone_yellow_max_days = models.PositiveIntegerField(
        _("milestone light: yellow up to days late"),
        default=30,
        help_text=_("A milestone late by 1 to this many days turns the light yellow; later turns it red."),
    )
    investment_yellow_gap = ratio_field(_("investment light: yellow from points behind"), "0.1000")
    investment_red_gap = ratio_field(_("investment light: red from points behind"), "0.3000")
    coverage_warning_ratio = ratio_field(_("coverage ratio: warning below"), "1.2000", upper=None)
    coverage_refusal_ratio = ratio_field(_("coverage ratio: refused below"), "1.0000", upper=None)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("year plan")
        verbose_name_plural = _("year plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(investment_yellow_gap__lte=models.F("investment_red_gap")),
                name="%(app_label)s_%(class)s_investment_gaps_ordered",
                violation_error_message=_("The red gap cannot be smaller than the yellow gap."),
            ),
            models.CheckConstraint(
                condition=Q(coverage_refusal_ratio__lte=models.F("coverage_warning_ratio")),
                name="%(app_label)s_%(class)s_coverage_thresholds_ordered",
                violation_error_message=_("The refusal ratio cannot be above the warning ratio."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(year)s plan") % {"year": self.year}

    @classmethod
    def for_year(cls, year: int) -> YearPlan:
        """The saved plan of ``year``, or an unsaved one with the default thresholds."""
        return cls.objects.filter(year=year).first() or cls(year=year)

    def clean(self):
        errors = {}
        if (
            self.investment_yellow_gap is not None
            and self.investment_red_gap is not None
            and self.investment_yellow_gap > self.investment_red_gap
        ):
            validation.add_error(
                errors, "investment_red_gap", gettext("The red gap cannot be smaller than the yellow gap.")
            )
        if (
            self.coverage_refusal_ratio is not None
            and self.coverage_warning_ratio is not None
            and self.coverage_refusal_ratio > self.coverage_warning_ratio
        ):
            validation.add_error(
                errors, "coverage_refusal_ratio", gettext("The refusal ratio cannot be above the warning ratio.")
            )
        if errors:
            raise ValidationError(errors)

    def is_big_project(self, contract_amount: Decimal | None, fixed_asset_investment: Decimal | None) -> bool:
        """The 100-million-yuan rule of this plan: both minimums reached (equal counts)."""
        return (
            contract_amount is not None
            and fixed_asset_investment is not None
            and contract_amount >= self.big_project_contract_min
            and fixed_asset_investment >= self.big_project_fixed_asset_min
        )


class ProjectCodeMixin(models.Model):
    """The optional national investment project code (投资项目统一代码): unique when present,
    stored as null when absent so that many records may lack one."""

    project_code = models.CharField(
        _("national project code"),
        max_length=24,
        unique=True,
        null=True,
        blank=True,
        validators=[validation.validate_project_code],
        help_text=_("24 characters, NNNN-NNNNNN-NN-NN-NNNNNX; leave blank if the project has none yet."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Also for saves that skip validation: a blank code stored as "" would clash with the next.
        self.normalise_project_code()
        super().save(*args, **kwargs)

    def normalise_project_code(self) -> None:
        if self.project_code is not None:
            self.project_code = self.project_code.strip().upper() or None

    def clean_fields(self, exclude=None):
        self.normalise_project_code()
        super().clean_fields(exclude=exclude)


class KeyProject(ProjectCodeMixin, TrackedModel):
    """A physical construction project. Its place on a year's key list is an
    ``AnnualListing`` (``project.listings``), so a continuing project is one record listed
    again each year. ``predecessor`` links a second phase or an expansion to the project it
    grew from."""

    name = models.CharField(_("project name"), max_length=200, unique=True)
    owner = models.CharField(
        _("project owner"), max_length=200, help_text=_("The company or body that builds the project.")
    )
    industry = models.ForeignKey(Industry, models.PROTECT, verbose_name=_("industry"), related_name="key_projects")
    area = models.ForeignKey(Area, models.PROTECT, verbose_name=_("area"), related_name="key_projects")
    department = models.ForeignKey(
        Department, models.PROTECT, verbose_name=_("responsible unit"), related_name="key_projects"
    )
    leader = models.CharField(_("responsible county leader"), max_length=50, blank=True)
    nature = models.CharField(
        _("construction nature"),
        max_length=20,
        choices=KeyProjectNatureChoices.choices,
        default=KeyProjectNatureChoices.NEW,
    )
    predecessor = predecessor_field()
    content = models.TextField(_("construction content"), blank=True)
    total_investment = amount_field(_("total investment (万元)"))
    started_on = models.DateField(_("started on"), null=True, blank=True)
    planned_completion_on = models.DateField(_("planned completion"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    objects = KeyProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        constraints = [
            *non_negative("total_investment"),
            models.CheckConstraint(
                # Spelled out for NULL: "completed_on >= NULL" is unknown, which a CHECK lets through.
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=False, completed_on__gte=models.F("started_on")),
                name="%(app_label)s_%(class)s_completed_after_start",
                violation_error_message=_("A project cannot be completed before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # A planned completion may be set before the start is known, so only its order is checked.
        planned_order = ["started_on", "planned_completion_on"] if self.started_on else []
        errors = validation.merge(
            validation.date_order_errors(self, ["started_on", "completed_on"]),
            validation.date_order_errors(self, planned_order),
            validation.future_date_errors(self, ["started_on", "completed_on"]),
            validation.lineage_errors(self),
        )
        if self.pk is not None and self.total_investment is not None:
            above = self.listings.filter(planned_investment__gt=self.total_investment).order_by("year").first()
            if above is not None:
                validation.add_error(
                    errors,
                    "total_investment",
                    gettext("The total investment cannot be below the %(year)s planned investment (%(value)s).")
                    % {"year": above.year, "value": above.planned_investment},
                )
        if errors:
            raise ValidationError(errors)


class AnnualListing(TrackedModel):
    """A key project's place on one year's key list, with the investment planned for that
    year. Unique per project and year. ``listed_on`` is the day the list carrying it was
    issued: a report as of an earlier day does not count it."""

    project = models.ForeignKey(KeyProject, models.CASCADE, verbose_name=_("key project"), related_name="listings")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    category = models.CharField(_("category"), max_length=20, choices=AnnualListingCategoryChoices.choices)
    planned_investment = amount_field(_("planned investment this year (万元)"))
    listed_on = models.DateField(_("listed on"))

    class Meta:
        ordering = ["-year", "project__name"]
        verbose_name = _("annual listing")
        verbose_name_plural = _("annual listings")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year"],
                name="%(app_label)s_%(class)s_one_per_project_and_year",
                violation_error_message=_("This project is already listed for that year."),
            ),
            *non_negative("planned_investment"),
        ]
        # The quota report's "listed for Y by D", answered from the index alone (project too).
        indexes = [models.Index(fields=["year", "listed_on", "project"], name="projects_listing_listed_cover")]

    def __str__(self) -> str:
        return f"{self.year} {self.project_id and self.project}"

    def clean(self):
        errors = validation.future_date_errors(self, ["listed_on"])
        # The admin's add page checks listings against a project that is not saved yet.
        try:
            project = self.project
        except KeyProject.DoesNotExist:
            project = None
        if project is not None and self.planned_investment is not None and project.total_investment is not None:
            if self.planned_investment > project.total_investment:
                validation.add_error(
                    errors,
                    "planned_investment",
                    gettext(
                        "The year's planned investment (%(value)s 万元) cannot exceed "
                        "the project's total investment (%(total)s 万元)."
                    )
                    % {"value": self.planned_investment, "total": project.total_investment},
                )
        if project is not None and project.pk is not None and self.year is not None:
            clash = AnnualListing.objects.filter(project=project, year=self.year).exclude(pk=self.pk)
            if clash.exists():
                validation.add_error(
                    errors, "year", gettext("This project is already listed for %(year)s.") % {"year": self.year}
                )
        if errors:
            raise ValidationError(errors)


class BondReserve(ProjectCodeMixin, TrackedModel):
    """A special-bond reserve project (专项债储备项目) of one year's pool.

    Status is not stored: it is the latest step reached by a date (``status_on``), from
    ``reserved_on`` through ``submitted_on``, ``approved_on`` and ``issued_on``, or
    ``rejected_on``. The coverage ratio (本息覆盖倍数) is derived from expected income and
    principal plus interest; a ratio below the year plan's refusal threshold is refused.
    """

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    name = models.CharField(_("project name"), max_length=200)
    department = models.ForeignKey(
        Department, models.PROTECT, verbose_name=_("responsible unit"), related_name="bond_reserves"
    )
    owner = models.CharField(_("project owner"), max_length=200)
    area = models.ForeignKey(Area, models.PROTECT, verbose_name=_("area"), related_name="bond_reserves")
    sector = models.ForeignKey(Sector, models.PROTECT, verbose_name=_("sector"), related_name="bond_reserves")
    total_investment = amount_field(_("total investment (万元)"))
    bond_demand = amount_field(_("bond demand (万元)"))
    capital_portion = amount_field(
        _("used as project capital (万元)"),
        default=Decimal("0"),
        help_text=_("The part of the bond funds used as the project's capital."),
    )
    expected_income = amount_field(_("expected project income (万元)"))
    principal_and_interest = amount_field(
        _("bond principal and interest (万元)"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    reserved_on = models.DateField(_("reserved on"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    rejected_on = models.DateField(_("rejected on"), null=True, blank=True)
    issued_amount = amount_field(_("issued amount (万元)"), null=True, blank=True)

    objects = BondReserveQuerySet.as_manager()

    STEP_FIELDS = ("reserved_on", "submitted_on", "approved_on", "issued_on")

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("special-bond reserve")
        verbose_name_plural = _("special-bond reserves")
        constraints = [
            *non_negative("total_investment", "bond_demand", "capital_portion", "expected_income", "issued_amount"),
            models.CheckConstraint(
                condition=Q(principal_and_interest__gt=0),
                name="%(app_label)s_%(class)s_principal_and_interest_positive",
                violation_error_message=_("Principal and interest must be above zero."),
            ),
            models.CheckConstraint(
                condition=Q(bond_demand__lte=models.F("total_investment")),
                name="%(app_label)s_%(class)s_demand_within_total",
                violation_error_message=_("Bond demand cannot exceed total investment."),
            ),
            models.CheckConstraint(
                condition=Q(capital_portion__lte=models.F("bond_demand")),
                name="%(app_label)s_%(class)s_capital_within_demand",
                violation_error_message=_("The capital portion cannot exceed the bond demand."),
            ),
            models.UniqueConstraint(
                fields=["year", "name"],
                name="%(app_label)s_%(class)s_unique_name_per_year",
                violation_error_message=_("A reserve of this name already exists for that year."),
            ),
        ]
        # The quota report's "in the pool on D" for year Y, answered from the index alone: it
        # also holds every column the report reads (id for the count).
        indexes = [
            models.Index(
                fields=["year", "reserved_on", "rejected_on", "bond_demand", "id"], name="projects_bond_reserved_cover"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def coverage_ratio(self) -> Decimal | None:
        """Expected income ÷ principal and interest, four places, half-up; None when either
        is missing or principal and interest is zero."""
        return ratio(self.expected_income, self.principal_and_interest)

    def coverage_warning(self, plan: YearPlan | None = None) -> bool:
        """True when the ratio is known and below the plan's warning threshold (1.2 by
        default). Compared exactly, not after rounding: 1.19999 warns although it shows as 1.2000."""
        plan = plan or YearPlan.for_year(self.year)
        if self.expected_income is None or not self.principal_and_interest:
            return False
        return self.expected_income < plan.coverage_warning_ratio * self.principal_and_interest

    def status_on(self, as_of: datetime.date) -> str | None:
        """The status on ``as_of``: the latest step reached by then (rejected beats all), or
        None before the reserve entered the pool. Same answer as ``with_status``."""
        for field, status in BondReserveQuerySet.STEPS:
            value = getattr(self, field)
            if value is not None and value <= as_of:
                return status
        return None

    @property
    def status(self) -> str | None:
        """The status today."""
        return self.status_on(periods.today())

    def clean(self):
        errors = validation.merge(
            validation.not_more_than_errors(self, "bond_demand", "total_investment"),
            validation.not_more_than_errors(self, "capital_portion", "bond_demand"),
            validation.not_more_than_errors(self, "issued_amount", "bond_demand"),
            validation.date_order_errors(self, list(self.STEP_FIELDS)),
            validation.date_order_errors(self, ["reserved_on", "submitted_on", "rejected_on"]),
            validation.future_date_errors(self, [*self.STEP_FIELDS, "rejected_on"]),
        )
        if self.rejected_on is not None and (self.approved_on is not None or self.issued_on is not None):
            validation.add_error(
                errors, "rejected_on", gettext("A reserve that was approved or issued cannot also be rejected.")
            )
        if self.issued_amount is not None and self.issued_on is None:
            validation.add_error(errors, "issued_on", gettext("An issued amount needs the date it was issued."))
        if self.year is not None and self.expected_income is not None and self.principal_and_interest:
            plan = YearPlan.for_year(self.year)
            if self.expected_income < plan.coverage_refusal_ratio * self.principal_and_interest:
                validation.add_error(
                    errors,
                    "expected_income",
                    gettext(
                        "The coverage ratio %(ratio)s is below %(threshold)s: expected income must cover "
                        "bond principal and interest at least %(threshold)s times."
                    )
                    # Rounded down for the message, so that a refused ratio never reads as the threshold.
                    % {
                        "ratio": (self.expected_income / self.principal_and_interest).quantize(
                            RATIO_PLACES, rounding=ROUND_FLOOR
                        ),
                        "threshold": f"{plan.coverage_refusal_ratio.normalize():f}",
                    },
                )
        if self.year is not None and self.name:
            if BondReserve.objects.filter(year=self.year, name=self.name).exclude(pk=self.pk).exists():
                validation.add_error(
                    errors,
                    "name",
                    gettext("A reserve named %(name)s already exists for %(year)s.")
                    % {"name": self.name, "year": self.year},
                )
        if errors:
            raise ValidationError(errors)
