"""Querysets of the projects app: every "as of a date" question asked in the database.

The matching model properties answer the same question for one record in Python; the
tests hold the two to the same answers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.models import (
    Case,
    DecimalField,
    Expression,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.db.models.lookups import LessThan

from jiaxian import periods
from jiaxian.steps import DatedSteps
from jiaxian.subqueries import count_related, sum_related

from .choices import (
    BondReserveStatusChoices as Status,
    KeyProjectStageChoices as Stage,
    KeyProjectWarningChoices as Warning,
    MilestoneKindChoices,
)


def _on_or_before(field: str, as_of: datetime.date) -> Q:
    return Q(**{f"{field}__lte": as_of})


def _not_by(field: str, as_of: datetime.date) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": as_of})


class KeyProjectQuerySet(models.QuerySet):
    # A key project's stages in order, each reached on its date: the approval milestone done
    # (``approval_done_on``), started, completed, the production milestone done
    # (``production_done_on``); identified before. The two milestone dates are not columns of
    # the project: ``with_stage`` annotates them, ``KeyProject.stage_on`` reads them from its
    # milestones. The one rule of a key project's stage (the OC4IDS status is mapped from it).
    STAGES = DatedSteps(
        ("approval_done_on", Stage.APPROVED),
        ("started_on", Stage.STARTED),
        ("completed_on", Stage.COMPLETED),
        ("production_done_on", Stage.IN_PRODUCTION),
        before=Stage.IDENTIFIED,
        noun="stage",
    )
    # The milestone whose done date is each of those steps (the earliest done, should there be two).
    STAGE_MILESTONES = {
        "approval_done_on": MilestoneKindChoices.APPROVAL,
        "production_done_on": MilestoneKindChoices.PRODUCTION,
    }

    def with_stage(self, as_of: datetime.date) -> KeyProjectQuerySet:
        """Annotate ``stage_as_of``: the stage on ``as_of`` (``STAGES``), with the milestone
        dates it reads (``approval_done_on``, ``production_done_on``), in the same query.
        ``KeyProject.stage_on`` gives the same answer for one project."""
        Milestone = self._related("milestones")
        dates = {
            name: Subquery(
                Milestone.objects.filter(project=OuterRef("pk"), kind=kind, done_on__isnull=False)
                .order_by("done_on")
                .values("done_on")[:1],
                output_field=models.DateField(),
            )
            for name, kind in self.STAGE_MILESTONES.items()
        }
        return self.annotate(**dates).annotate(stage_as_of=self.STAGES.annotation(as_of))

    def listed_for(self, year: int, as_of: datetime.date | None = None) -> KeyProjectQuerySet:
        """Projects on ``year``'s key list; with ``as_of``, only those listed by that date."""
        # (project, year) is unique, so the join cannot repeat a project.
        return self.filter(self.listing_condition(year, as_of, prefix="listings__"))

    @staticmethod
    def listing_condition(year: int, as_of: datetime.date | None = None, prefix: str = "") -> Q:
        """``listed_for``'s rule over the annual listings themselves (``prefix`` empty): the
        listing of ``year``, issued by ``as_of`` when given. So that a query of the listed
        projects' other rows (their monthly progress) can take the projects' ids from the
        listings' index alone, without joining the projects."""
        condition = Q(**{f"{prefix}year": year})
        if as_of is not None:
            condition &= Q(**{f"{prefix}listed_on__lte": as_of})
        return condition

    def _related(self, name: str):
        # The related models by their relation (models.py imports this module, not the reverse).
        return self.model._meta.get_field(name).related_model

    def with_progress(self, as_of: datetime.date, known_on: datetime.date | None = None) -> KeyProjectQuerySet:
        """Annotate, for the year of ``as_of``, in the same query (correlated subqueries):

        - ``year_completed_investment``: the sum (万元) of the project's approved progress
          reports of that year for months that began on or before ``as_of``, as known on
          ``known_on`` (None: now; ``ProgressReport.counted_investment``); 0 without any;
        - ``year_planned_investment``: the planned investment (万元) of its listing for that
          year if listed by ``as_of``, else 0;
        - ``late_since``: the earliest ``planned_on`` of its milestones planned before
          ``as_of`` and not done by then (the worst late milestone), null when none is late.

        The same figures as ``KeyProject.completed_investment``, ``planned_investment`` and
        ``late_since`` for one project."""
        AnnualListing = self._related("listings")
        Milestone = self._related("milestones")
        amount = DecimalField(max_digits=14, decimal_places=2)
        # Without the listings' default ordering, which would sort in every row's subquery:
        # (project, year) is unique.
        planned = (
            AnnualListing.objects.filter(project=OuterRef("pk"), year=as_of.year, listed_on__lte=as_of)
            .order_by()
            .values("planned_investment")[:1]
        )
        late = (
            Milestone.objects.filter(Milestone.late_condition(as_of), project=OuterRef("pk"))
            .order_by("planned_on")
            .values("planned_on")[:1]
        )
        return self.annotate(
            year_completed_investment=self._completed_between(periods.year_start(as_of.year), as_of, known_on),
            year_planned_investment=Coalesce(
                Subquery(planned, output_field=amount), Value(Decimal("0")), output_field=amount
            ),
            late_since=Subquery(late, output_field=models.DateField()),
        )

    def with_completed_between(
        self, start: datetime.date, end: datetime.date, known_on: datetime.date | None = None
    ) -> KeyProjectQuerySet:
        """Annotate ``period_completed_investment``: the sum (万元) of the project's approved
        progress reports for the months that begin from ``start`` to ``end`` (both included),
        as known on ``known_on`` (None: now); 0 without any. The quarterly export's "completed
        this quarter"."""
        return self.annotate(period_completed_investment=self._completed_between(start, end, known_on))

    def _completed_between(
        self, start: datetime.date, end: datetime.date, known_on: datetime.date | None = None
    ) -> Coalesce:
        """The sum (万元) of the amounts the project's progress reports for the months that begin
        from ``start`` to ``end`` count as known on ``known_on``; 0 without any."""
        Report = self._related("progress_reports")
        return sum_related(
            self.model,
            "progress_reports",
            "approved_investment",
            Q(month__gte=start, month__lte=end),
            expression=Report.counted_investment(known_on) if known_on is not None else None,
        )

    def with_warning(self, as_of: datetime.date, plan, known_on: datetime.date | None = None) -> KeyProjectQuerySet:
        """Annotate ``warning``: the warning light (红黄绿灯) on ``as_of`` under ``plan``'s
        thresholds (the plan of ``as_of``'s year), as ``green``, ``yellow`` or ``red``, the
        worse of two signals (with ``with_progress``'s figures, also annotated):

        - milestones: green when no milestone is late on ``as_of``; yellow when the worst is
          late by 1 to ``plan.milestone_yellow_max_days`` days (exactly that many is still
          yellow); red when later. A milestone planned on P and not done by ``as_of`` is late
          by ``as_of − P`` days when P is before ``as_of`` (due today is not late);
        - investment: the year's completion rate (completed ÷ planned) against the time
          progress (``periods.months_elapsed(as_of) / 12``, exact, not the rounded figure):
          behind by at most ``investment_yellow_gap`` green, at most ``investment_red_gap``
          yellow, more red. A project not listed by ``as_of`` (planned 0) is green on this
          signal: nothing is planned for it to be behind on.

        Compared without division, ``12·completed ≥ (months − 12·gap)·planned`` scaled to whole
        numbers, so that the boundaries are exact on PostgreSQL (and on SQLite for amounts
        that are whole 万元). The completed investment is what the approved reports count as
        known on ``known_on`` (None: now). ``KeyProject.warning_on`` gives the same answer for
        one project."""
        red, yellow = self.warning_conditions(as_of, plan)
        return self.with_progress(as_of, known_on).annotate(
            warning=Case(
                When(red, then=Value(Warning.RED.value)),
                When(yellow, then=Value(Warning.YELLOW.value)),
                default=Value(Warning.GREEN.value),
                output_field=models.CharField(max_length=10),
            )
        )

    # The settings of the year's plan that the light follows (``warning_light``).
    LIGHT_SETTINGS = ("milestone_yellow_max_days", "investment_yellow_gap", "investment_red_gap")

    def with_warning_figures(self, as_of: datetime.date, known_on: datetime.date | None = None) -> KeyProjectQuerySet:
        """``with_progress``'s figures on ``as_of`` and, in the same query, the light's settings
        of the plan of ``as_of``'s year (``plan_<setting>``: the saved plan's, else the defaults):
        what ``KeyProject.warning_from_figures`` decides the light from, in Python, without a
        query for the plan first. For one record (a detail page), where that query would be one
        more; a list uses ``with_warning``, the same rule in the database, which can filter."""
        YearPlan = apps.get_model("projects", "YearPlan")
        settings = {f"plan_{name}": YearPlan.setting_of(name, as_of.year) for name in self.LIGHT_SETTINGS}
        return self.with_progress(as_of, known_on).annotate(**settings)

    @staticmethod
    def warning_conditions(as_of: datetime.date, plan) -> tuple[Q, Q]:
        """The light's rule (``with_warning``) as two conditions over ``with_progress``'s
        figures: red, and yellow, which decides only where red does not hold (the light is the
        first that holds). Over a query that selects the figures, so that a count by colour
        reads each figure once a project (``investment.quotas.key_project_signals``)."""
        months = periods.months_elapsed(as_of)
        amount = DecimalField(max_digits=30, decimal_places=2)
        scaled_completed = ExpressionWrapper(F("year_completed_investment") * Value(120000), output_field=amount)

        def scaled_planned(gap: Decimal):
            # (months − 12·gap) · 10,000: a whole number, since a gap has four places.
            factor = months * 10000 - int(gap * 120000)
            return ExpressionWrapper(F("year_planned_investment") * Value(factor), output_field=amount)

        red_day = periods.days_before(as_of, plan.milestone_yellow_max_days)
        red = Q(late_since__lt=red_day) | Q(LessThan(scaled_completed, scaled_planned(plan.investment_red_gap)))
        yellow = Q(late_since__isnull=False) | Q(LessThan(scaled_completed, scaled_planned(plan.investment_yellow_gap)))
        return red, yellow

    def behind_time_progress(self, as_of: datetime.date, known_on: datetime.date | None = None) -> KeyProjectQuerySet:
        """Projects whose year's completion rate on ``as_of`` trails the time progress
        (``12·completed < months_elapsed·planned``, exact); a project with nothing planned is
        never behind."""
        months = periods.months_elapsed(as_of)
        amount = DecimalField(max_digits=30, decimal_places=2)
        return self.with_progress(as_of, known_on).filter(
            LessThan(
                ExpressionWrapper(F("year_completed_investment") * Value(12), output_field=amount),
                ExpressionWrapper(F("year_planned_investment") * Value(months), output_field=amount),
            )
        )

    def with_problem_counts(self, as_of: datetime.date) -> KeyProjectQuerySet:
        """Annotate ``open_problems`` and ``overdue_problems``: the project's problems open on
        ``as_of`` and, of those, the ones past due (see ``ProblemQuerySet``); 0 when none."""
        return self.annotate(
            open_problems=count_related(self.model, "problems", ProblemQuerySet.open_condition(as_of)),
            overdue_problems=count_related(self.model, "problems", ProblemQuerySet.overdue_condition(as_of)),
        )


class ProblemQuerySet(models.QuerySet):
    """Problems (问题台账) as of a date: open when raised by then and not resolved by then;
    overdue when open and due before that day (due on the day itself is not overdue yet)."""

    @staticmethod
    def open_condition(as_of: datetime.date, prefix: str = "") -> Q:
        return Q(**{f"{prefix}raised_on__lte": as_of}) & (
            Q(**{f"{prefix}resolved_on__isnull": True}) | Q(**{f"{prefix}resolved_on__gt": as_of})
        )

    @classmethod
    def overdue_condition(cls, as_of: datetime.date, prefix: str = "") -> Q:
        return cls.open_condition(as_of, prefix) & Q(**{f"{prefix}due_on__lt": as_of})

    def open_on(self, as_of: datetime.date) -> ProblemQuerySet:
        return self.filter(self.open_condition(as_of))

    def overdue_on(self, as_of: datetime.date) -> ProblemQuerySet:
        return self.filter(self.overdue_condition(as_of))


class BondReserveQuerySet(models.QuerySet):
    # A reserve's steps in order, each reached on its date (the model's ``STEPS`` too); a
    # rejection beats every step. No status before the reserve entered the pool.
    STEPS = DatedSteps(
        ("reserved_on", Status.RESERVED),
        ("submitted_on", Status.SUBMITTED),
        ("approved_on", Status.APPROVED),
        ("issued_on", Status.ISSUED),
        ended_by=("rejected_on", Status.REJECTED),
        noun="status",
    )

    def with_status(self, as_of: datetime.date) -> BondReserveQuerySet:
        """Annotate ``status_as_of``: the status on ``as_of``, the latest step reached by
        then, or null for a reserve not yet entered in the pool on that day. (Not ``status``:
        that is the model's property for today.)"""
        return self.annotate(status_as_of=self.STEPS.annotation(as_of))

    @classmethod
    def status_condition(cls, status: str, as_of: datetime.date) -> Q:
        """The condition on the dates themselves (so that the database can use its indexes)
        for a status of ``status`` on ``as_of``; an unknown status is a ValueError."""
        return cls.STEPS.condition(status, as_of)

    def in_status(self, status: str, as_of: datetime.date) -> BondReserveQuerySet:
        """Reserves whose status on ``as_of`` is ``status``."""
        return self.filter(self.status_condition(status, as_of))

    @staticmethod
    def pool_condition(as_of: datetime.date) -> Q:
        """In the pool on ``as_of``: entered by then and not rejected by then (whatever step it
        has reached since: submitted, approved and issued reserves stay in the pool)."""
        return _on_or_before("reserved_on", as_of) & _not_by("rejected_on", as_of)

    def in_pool(self, as_of: datetime.date) -> BondReserveQuerySet:
        """Reserves in the pool on ``as_of`` (``pool_condition``)."""
        return self.filter(self.pool_condition(as_of))

    @staticmethod
    def coverage_warning_condition(warning_ratio: Decimal | Expression) -> Q:
        """The coverage ratio below ``warning_ratio`` (a plan's value, or an expression of one):
        expected income < warning ratio × principal and interest, compared exactly, not after
        rounding the ratio, as ``BondReserve.coverage_warning`` does. In whole numbers (cents,
        and the ratio's four places × 10,000), so that the boundary is exact on SQLite too,
        whose decimals are floating point; a missing income is no warning."""

        def whole(value, scale: int):
            return Round(ExpressionWrapper(value * Value(scale), output_field=DecimalField()))

        income = ExpressionWrapper(whole(F("expected_income"), 100) * Value(10000), output_field=DecimalField())
        limit = ExpressionWrapper(
            whole(warning_ratio, 10000) * whole(F("principal_and_interest"), 100), output_field=DecimalField()
        )
        return Q(LessThan(income, limit))

    def with_coverage_warning(self) -> BondReserveQuerySet:
        """Annotate ``has_coverage_warning``: True when the coverage ratio is below the warning
        ratio of the plan of the reserve's own year (the default for a year with no saved plan),
        never null. Same answer as ``BondReserve.coverage_warning``."""
        # The year plan by the app registry: the models import this module, not the reverse.
        plan_model = self.model._meta.apps.get_model("projects", "YearPlan")
        below = self.coverage_warning_condition(plan_model.setting_of_each_year("coverage_warning_ratio"))
        return self.annotate(
            has_coverage_warning=Case(
                When(below, then=Value(True)), default=Value(False), output_field=models.BooleanField()
            )
        )
