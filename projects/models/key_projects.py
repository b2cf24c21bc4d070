"""Key projects (重点项目) and their places on a year's key list (``AnnualListing``), with
the warning light (红黄绿灯) of one project."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import bulk, periods
from jiaxian.models import TrackedModel, amount_field, non_negative, predecessor_field, unique_errors, year_field

from .. import validation
from ..choices import (
    AnnualListingCategoryChoices,
    KeyProjectNatureChoices,
    KeyProjectWarningChoices,
    MilestoneKindChoices,
)
from ..querysets import KeyProjectQuerySet
from .attachments import attachments_relation
from .base import KeyProjectPart, ProjectCodeMixin
from .progress import Milestone
from .reference import Area, Industry, YearPlan, department_field


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
    department = department_field("key_projects")
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
    # Its stages and their dates (two of them its milestones'), declared once with the queryset.
    STAGES = KeyProjectQuerySet.STAGES

    # Who may edit it besides those who edit every department's records (projects.access).
    owner_department = "department"
    # Its photos and documents (projects.models.attachments).
    attachment_record_type = "key-project"
    attachments = attachments_relation()

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
            self.create_standard_milestones([self])

    @staticmethod
    def create_standard_milestones(projects: list[KeyProject], user=None) -> None:
        """The standard milestones of ``projects`` (new, saved key projects: ``save()``'s, and
        the import's that are written in bulk), in one bulk insert with their history rows;
        ``user`` is the history's user (default: the request's, as for a save)."""
        kinds = [kind for kind in MilestoneKindChoices.values if kind != MilestoneKindChoices.CUSTOM]
        # Rows of values rather than instances: an import creates eight for each of thousands.
        rows = [{"project_id": project.pk, "kind": kind} for project in projects for kind in kinds]
        bulk.create_rows(Milestone, rows, user)

    def stage_on(self, as_of: datetime.date) -> str:
        """The stage on ``as_of`` (``KeyProjectQuerySet.STAGES``; ``with_stage`` in a query),
        reading its milestones (prefetched or not) for the two steps that are milestones."""
        done: dict[str, datetime.date | None] = {}
        for name, kind in KeyProjectQuerySet.STAGE_MILESTONES.items():
            done[name] = min((m.done_on for m in self.milestones.all() if m.kind == kind and m.done_on), default=None)
        dates = SimpleNamespace(started_on=self.started_on, completed_on=self.completed_on, **done)
        return str(self.STAGES.step_on(dates, as_of))

    def completed_investment(
        self, year: int, as_of: datetime.date | None = None, known_on: datetime.date | None = None
    ) -> Decimal:
        """The investment (万元) completed in ``year``: the sum of what its progress reports of
        that year count as known on ``known_on`` (None: now; only approved amounts,
        ``ProgressReport.investment_known_on``), with ``as_of`` only of the months that began
        by then; 0 without any."""
        reports = self.progress_reports.filter(month__year=year)
        if as_of is not None:
            reports = reports.filter(month__lte=as_of)
        if known_on is not None:
            reports = reports.prefetch_related("reviews")
        amounts = (report.investment_known_on(known_on) for report in reports)
        return sum((amount for amount in amounts if amount is not None), Decimal("0"))

    def planned_investment(self, year: int, as_of: datetime.date | None = None) -> Decimal:
        """The planned investment (万元) of its listing for ``year`` (listed by ``as_of``, when
        given); 0 when it is not listed."""
        listings = self.listings.filter(year=year)
        if as_of is not None:
            listings = listings.filter(listed_on__lte=as_of)
        listing = listings.first()
        return listing.planned_investment if listing is not None else Decimal("0")

    def late_since(self, as_of: datetime.date) -> datetime.date | None:
        """The planned date of its worst late milestone on ``as_of`` (planned before, not done
        by then), None when none is late. Same as ``with_progress``'s ``late_since``."""
        dates = [m.planned_on for m in self.milestones.all() if m.is_late_on(as_of)]
        return min(dates, default=None)

    def unreported_months(self, on: datetime.date) -> list[datetime.date]:
        """The months of ``on``'s year begun by ``on`` (their first days) that have no progress
        report, when the project is listed for that year (one not listed owes none): the empty
        boxes of its page's monthly grid."""
        if not any(listing.year == on.year for listing in self.listings.all()):
            return []
        reported = {report.month for report in self.progress_reports.all()}
        months = (datetime.date(on.year, month, 1) for month in range(1, on.month + 1))
        return [month for month in months if month not in reported]

    def warning_on(
        self, as_of: datetime.date, plan: YearPlan | None = None, known_on: datetime.date | None = None
    ) -> str:
        """The warning light on ``as_of`` (``green``, ``yellow`` or ``red``) under ``plan``
        (by default the plan of ``as_of``'s year): the rule of
        ``KeyProjectQuerySet.with_warning``, which lists use, for one project."""
        plan = plan or YearPlan.for_year(as_of.year)
        return warning_light(
            self.late_since(as_of),
            self.completed_investment(as_of.year, as_of, known_on),
            self.planned_investment(as_of.year, as_of),
            as_of,
            plan,
        )

    def warning_from_figures(self, as_of: datetime.date) -> str | None:
        """The light on ``as_of`` from what ``KeyProjectQuerySet.with_warning_figures(as_of)``
        annotated on this record (no query); None when it was not read with them."""
        settings = KeyProjectQuerySet.LIGHT_SETTINGS
        if not all(hasattr(self, f"plan_{name}") for name in settings):
            return None
        plan = YearPlan(year=as_of.year, **{name: getattr(self, f"plan_{name}") for name in settings})
        # ``late_since`` here is the annotation (the figure), which stands in for the method.
        figures = self.__dict__
        return warning_light(
            figures["late_since"], figures["year_completed_investment"], figures["year_planned_investment"], as_of, plan
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
            # In Python over all of its listings, so that a batch (the import) that prefetched them,
            # and changed some, checks the listings as they will be.
            above = min(
                (
                    listing
                    for listing in self.listings.all()
                    if listing.planned_investment is not None and listing.planned_investment > self.total_investment
                ),
                key=lambda listing: listing.year,
                default=None,
            )
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


class AnnualListing(KeyProjectPart):
    """A key project's place on one year's key list, with the investment planned for that
    year. Unique per project and year. ``listed_on`` is the day the list carrying it was
    issued: a report as of an earlier day does not count it."""

    project = models.ForeignKey(KeyProject, models.CASCADE, verbose_name=_("key project"), related_name="listings")
    year = year_field()
    category = models.CharField(_("category"), max_length=20, choices=AnnualListingCategoryChoices.choices)
    planned_investment = amount_field(_("planned investment this year (万元)"))
    listed_on = models.DateField(_("listed on"))

    class Meta:
        # Latest year first, then by project id: the API shows the project by its id, and an
        # order through the project's name joined the key projects and sorted every listing
        # for each page; this one an index reads in order (``projects_listing_order``), and
        # within a project, as its page and the import read them, it is the same.
        ordering = ["-year", "project_id"]
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
        indexes = [
            models.Index(fields=["year", "listed_on", "project"], name="projects_listing_listed_cover"),
            models.Index(fields=["-year", "project"], name="projects_listing_order"),
        ]

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
        # A batch (the import) checks the unique constraint itself, for all its rows at once.
        if validation.batch_of(self) is None and project is not None:
            message = gettext("This project is already listed for %(year)s.") % {"year": self.year}
            errors = validation.merge(
                errors, unique_errors(self, "year", message, project_id=project.pk, year=self.year)
            )
        if errors:
            raise ValidationError(errors)
