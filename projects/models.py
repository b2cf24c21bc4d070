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
from simple_history.utils import bulk_create_with_history

from jiaxian import periods
from jiaxian.versions import StaleVersion

from . import validation
from .choices import (
    AnnualListingCategoryChoices,
    AreaKindChoices,
    KeyProjectNatureChoices,
    KeyProjectWarningChoices,
    MilestoneKindChoices,
)
from .querysets import BondReserveQuerySet, KeyProjectQuerySet, ProblemQuerySet

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

    def save(self, *args, **kwargs):
        """Save; a new project also gets the standard milestones (节点), dates left blank for
        the clerk (here rather than in a signal: one place, and a fixture load, which skips
        ``save()``, does not duplicate them)."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            bulk_create_with_history(
                [Milestone(project=self, kind=kind) for kind in MilestoneKindChoices.values if kind != "custom"],
                Milestone,
            )

    def completed_investment(self, year: int, as_of: datetime.date | None = None) -> Decimal:
        """The investment (万元) completed in ``year``: the sum of its progress reports of that
        year, with ``as_of`` only of the months that began by then; 0 without reports."""
        reports = self.progress_reports.filter(month__year=year)
        if as_of is not None:
            reports = reports.filter(month__lte=as_of)
        return reports.aggregate(total=models.Sum("completed_investment"))["total"] or Decimal("0")

    def cumulative_investment(self, as_of: datetime.date | None = None) -> Decimal:
        """The investment (万元) completed since the project began: every progress report (of
        the months that began by ``as_of``, when given); 0 without reports."""
        reports = self.progress_reports.all()
        if as_of is not None:
            reports = reports.filter(month__lte=as_of)
        return reports.aggregate(total=models.Sum("completed_investment"))["total"] or Decimal("0")

    def planned_investment(self, year: int, as_of: datetime.date | None = None) -> Decimal:
        """The planned investment (万元) of its listing for ``year`` (listed by ``as_of``, when
        given); 0 when it is not listed."""
        listings = self.listings.filter(year=year)
        if as_of is not None:
            listings = listings.filter(listed_on__lte=as_of)
        listing = listings.first()
        return listing.planned_investment if listing is not None else Decimal("0")

    def completion_rate(self, year: int, as_of: datetime.date | None = None) -> Decimal | None:
        """The year's completion rate: completed ÷ planned investment of ``year`` (as of
        ``as_of``), four places, half-up; None when nothing is planned (not listed, or 0)."""
        return ratio(self.completed_investment(year, as_of), self.planned_investment(year, as_of))

    def late_since(self, as_of: datetime.date) -> datetime.date | None:
        """The planned date of its worst late milestone on ``as_of`` (planned before, not done
        by then), None when none is late. Same as ``with_progress``'s ``late_since``."""
        dates = [m.planned_on for m in self.milestones.all() if m.is_late_on(as_of)]
        return min(dates, default=None)

    def warning_on(self, as_of: datetime.date, plan: YearPlan | None = None) -> str:
        """The warning light on ``as_of`` (``green``, ``yellow`` or ``red``) under ``plan``
        (by default the plan of ``as_of``'s year): the rule of
        ``KeyProjectQuerySet.with_warning``, which lists use, for one project."""
        plan = plan or YearPlan.for_year(as_of.year)
        return warning_light(
            self.late_since(as_of),
            self.completed_investment(as_of.year, as_of),
            self.planned_investment(as_of.year, as_of),
            as_of,
            plan,
        )

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


def warning_light(
    late_since: datetime.date | None, completed: Decimal, planned: Decimal, as_of: datetime.date, plan: YearPlan
) -> str:
    """The warning light from a project's figures on ``as_of``: the worst late milestone's
    planned date, the year's completed and planned investment (万元). The rule is documented
    on ``KeyProjectQuerySet.with_warning``, which computes it in the database; this is the
    same comparison in Python (exact, with the months elapsed rather than the rounded time
    progress)."""
    months = Decimal(periods.months_elapsed(as_of))

    def behind_more_than(gap: Decimal) -> bool:
        return 12 * completed < (months - 12 * gap) * planned

    if late_since is not None:
        days_late = (as_of - late_since).days
        if days_late > plan.milestone_yellow_max_days:
            return KeyProjectWarningChoices.RED
    if behind_more_than(plan.investment_red_gap):
        return KeyProjectWarningChoices.RED
    if late_since is not None or behind_more_than(plan.investment_yellow_gap):
        return KeyProjectWarningChoices.YELLOW
    return KeyProjectWarningChoices.GREEN


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


class Milestone(TrackedModel):
    """A planned step (节点) of a key project: one of the standard kinds or one the clerk
    names, with the date it is planned for and the date it was done. A new key project gets
    the standard set with blank dates. Late on a date D when planned before D and not done
    by D (``is_late_on``); the worst late milestone decides the milestone signal of the
    warning light."""

    project = models.ForeignKey(KeyProject, models.CASCADE, verbose_name=_("key project"), related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=30, choices=MilestoneKindChoices.choices)
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("Required for a milestone of kind “other”.")
    )
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("responsible unit"),
        related_name="milestones",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["project", models.F("planned_on").asc(nulls_last=True), "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        # The warning light's "worst late milestone" of each project.
        indexes = [models.Index(fields=["project", "planned_on", "done_on"], name="projects_milestone_late")]

    def __str__(self) -> str:
        return self.name if self.kind == MilestoneKindChoices.CUSTOM else self.get_kind_display()

    @staticmethod
    def late_condition(as_of: datetime.date) -> Q:
        """Milestones late on ``as_of``: planned before it, not done by it."""
        return Q(planned_on__lt=as_of) & (Q(done_on__isnull=True) | Q(done_on__gt=as_of))

    def is_late_on(self, as_of: datetime.date) -> bool:
        if self.planned_on is None or self.planned_on >= as_of:
            return False
        return self.done_on is None or self.done_on > as_of

    def days_late(self, as_of: datetime.date) -> int:
        """Days late on ``as_of`` (``as_of`` − planned date), 0 when not late."""
        return (as_of - self.planned_on).days if self.is_late_on(as_of) else 0

    def clean(self):
        errors = validation.future_date_errors(self, ["done_on"])
        if self.kind == MilestoneKindChoices.CUSTOM and not self.name.strip():
            validation.add_error(errors, "name", gettext("A milestone of kind “other” needs a name."))
        if errors:
            raise ValidationError(errors)


class ProgressReport(TrackedModel):
    """The investment a key project completed in one month (月度进度), in 万元. ``month`` is
    the month's first day; one report per project and month; no month after the current one.
    The year's and the cumulative totals, and the completion rate, derive from these
    (``KeyProject.completed_investment``)."""

    project = models.ForeignKey(
        KeyProject, models.CASCADE, verbose_name=_("key project"), related_name="progress_reports"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    completed_investment = amount_field(_("investment completed in the month (万元)"))
    note = models.TextField(_("progress note"), blank=True)

    class Meta:
        ordering = ["project", "month"]
        verbose_name = _("monthly progress report")
        verbose_name_plural = _("monthly progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month"],
                name="%(app_label)s_%(class)s_one_per_project_and_month",
                violation_error_message=_("This project already has a report for that month."),
            ),
            *non_negative("completed_investment"),
        ]
        # The year's completed investment of each project (warning light, quota report).
        indexes = [models.Index(fields=["project", "month", "completed_investment"], name="projects_progress_cover")]

    def __str__(self) -> str:
        return f"{self.project_id and self.project} {self.month:%Y-%m}" if self.month else str(self.project_id)

    def clean(self):
        errors = {}
        if self.month is not None:
            if self.month.day != 1:
                validation.add_error(
                    errors,
                    "month",
                    gettext("A month is written as its first day (%(first)s), not %(date)s.")
                    % {"first": self.month.replace(day=1).isoformat(), "date": self.month.isoformat()},
                )
            elif self.month > periods.month_start(periods.today()):
                validation.add_error(
                    errors,
                    "month",
                    gettext("%(month)s has not begun yet.") % {"month": self.month.strftime("%Y-%m")},
                )
        if self.project_id is not None and self.month is not None:
            clash = ProgressReport.objects.filter(project_id=self.project_id, month=self.month).exclude(pk=self.pk)
            if clash.exists():
                validation.add_error(
                    errors,
                    "month",
                    gettext("This project already has a report for %(month)s.")
                    % {"month": self.month.strftime("%Y-%m")},
                )
        if errors:
            raise ValidationError(errors)


class Problem(TrackedModel):
    """A problem of a key project (问题台账), followed up until solved. Open on a date when
    raised by then and not resolved by then; overdue when open and due before that date
    (``ProblemQuerySet``; ``is_open_on`` and ``is_overdue_on`` for one record)."""

    project = models.ForeignKey(KeyProject, models.CASCADE, verbose_name=_("key project"), related_name="problems")
    description = models.TextField(_("problem"))
    raised_on = models.DateField(_("raised on"))
    department = models.ForeignKey(
        Department, models.PROTECT, verbose_name=_("responsible unit"), related_name="problems"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["project", "raised_on", "id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("raised_on")),
                name="%(app_label)s_%(class)s_resolved_after_raised",
                violation_error_message=_("A problem cannot be resolved before it is raised."),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:50]

    def is_open_on(self, as_of: datetime.date) -> bool:
        return self.raised_on <= as_of and (self.resolved_on is None or self.resolved_on > as_of)

    def is_overdue_on(self, as_of: datetime.date) -> bool:
        """Open on ``as_of`` and due before it (due on ``as_of`` itself is not overdue yet)."""
        return self.is_open_on(as_of) and self.due_on is not None and self.due_on < as_of

    def clean(self):
        errors = validation.merge(
            validation.date_order_errors(self, ["raised_on", "resolved_on"]),
            validation.future_date_errors(self, ["raised_on", "resolved_on"]),
        )
        if self.due_on is not None and self.raised_on is not None and self.due_on < self.raised_on:
            validation.add_error(
                errors,
                "due_on",
                gettext("The due date (%(due)s) cannot be before the problem was raised (%(raised)s).")
                % {"due": self.due_on.isoformat(), "raised": self.raised_on.isoformat()},
            )
        if self.resolved_on is not None and not self.resolution.strip():
            validation.add_error(errors, "resolution", gettext("Say how the problem was resolved."))
        if errors:
            raise ValidationError(errors)
