"""The year plan's other targets (年度目标指标): each quantified target of the county's plan
that is not a ledger of its own (innovation platforms, new market entities, skilled workers,
village collective incomes…), with its responsible unit, and the values the unit reports for it
month by month, reviewed as the key projects' monthly progress is (``ReviewedMonth``,
``projects.review``). The figures over them are ``projects.indicators``'."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.models import TrackedModel, unique_errors
from jiaxian.subqueries import sum_related

from .. import validation
from ..choices import (
    IndicatorAccumulationChoices as Accumulation,
    IndicatorAreaChoices,
    IndicatorComparisonChoices as Comparison,
    IndicatorFrequencyChoices as Frequency,
    IndicatorStatusChoices as Status,
    ReviewActionChoices,
)
from .key_projects import warning_light
from .reference import YearPlan, department_field
from .reviewed import ReviewedMonth, ReviewEvent, return_reason_field, review_event_fields, review_time_field

# Up to 99,999,999,999,999.99: counts, shares in %, amounts in 万元.
FIGURE_DIGITS = 16
FIGURE_PLACES = 2


def figure_field(verbose_name, **kwargs) -> models.DecimalField:
    """A target or a value of an indicator: two places at most (``decimals`` says how many it
    may use); it may be negative (a growth rate)."""
    return models.DecimalField(verbose_name, max_digits=FIGURE_DIGITS, decimal_places=FIGURE_PLACES, **kwargs)


def places_errors(record, field: str, places: int | None) -> dict[str, list]:
    """``field`` of ``record`` written with more than ``places`` decimals (a count in halves)."""
    value = getattr(record, field)
    errors: dict[str, list] = {}
    if value is None or places is None:
        return errors
    if value != value.quantize(Decimal(1).scaleb(-places)):
        validation.add_error(
            errors,
            field,
            gettext("%(value)s has more than %(places)s decimal places.") % {"value": value, "places": places},
        )
    return errors


# The months a value may be given for, by how often the figure is known.
FREQUENCY_MONTHS = {
    Frequency.MONTHLY: tuple(range(1, 13)),
    Frequency.QUARTERLY: (3, 6, 9, 12),
    Frequency.YEARLY: (12,),
}


class PlanIndicatorQuerySet(models.QuerySet):
    def with_figures(self, as_of: datetime.date, known_on: datetime.date | None = None) -> PlanIndicatorQuerySet:
        """Each indicator's ``figure`` as of ``as_of``, known on ``known_on`` (None: now), in the
        same query: the sum of its counted values of the months of ``as_of``'s year begun by
        ``as_of`` (cumulative) or the latest of them (a level); null for a level without any.
        Meant for the indicators of ``as_of``'s year's plan. ``PlanIndicator.figure_on`` for one
        indicator."""
        counted = IndicatorValue.counted_amount(known_on)
        in_time = Q(month__gte=periods.year_start(as_of.year), month__lte=as_of)
        latest = (
            IndicatorValue.objects.annotate(counted=counted)
            .filter(in_time, indicator=OuterRef("pk"), counted__isnull=False)
            .order_by("-month")
            .values("counted")[:1]
        )
        summed = sum_related(PlanIndicator, "values", "value", in_time, expression=counted)
        output = figure_field(_("figure"))
        return self.annotate(
            figure=models.Case(
                models.When(accumulation=Accumulation.CUMULATIVE, then=summed),
                default=Subquery(latest, output_field=output),
                output_field=output,
            )
        )


class PlanIndicator(TrackedModel):
    """One quantified target of a year's plan besides the ledgers' (年度目标指标): "more than
    5,000 new market entities", "R&D coverage above 85%", "no village below 100,000 yuan".

    ``accumulation`` says how its monthly values make its figure: added up over the year
    (cumulative: the new entities of each month) or the latest of them (a level: the share
    reached, the villages below a threshold now). ``comparison`` says which side of the target
    meets it. ``frequency`` says for which months a value is given (each month, a quarter's last,
    December). ``decimals`` is how many decimal places its target and values use (0 for a count).
    Its responsible unit owns it and its values (``projects.access``)."""

    plan = models.ForeignKey(YearPlan, models.CASCADE, verbose_name=_("year plan"), related_name="indicators")
    area = models.CharField(_("area of work"), max_length=30, choices=IndicatorAreaChoices.choices)
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("个, 人, 户, %, 万元…"))
    target = figure_field(_("target"))
    comparison = models.CharField(
        _("comparison"), max_length=10, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    accumulation = models.CharField(
        _("accumulation"), max_length=10, choices=Accumulation.choices, default=Accumulation.CUMULATIVE
    )
    frequency = models.CharField(_("known"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    decimals = models.PositiveSmallIntegerField(
        _("decimal places"),
        default=0,
        validators=[MaxValueValidator(FIGURE_PLACES)],
        help_text=_("0 for a count, 2 for a share in % or an amount in 万元."),
    )
    department = department_field("plan_indicators")
    leader = models.CharField(_("responsible county leader"), max_length=50, blank=True)
    source = models.CharField(_("source of the figure"), max_length=200, blank=True)

    objects = PlanIndicatorQuerySet.as_manager()

    # Its unit edits it and reports its values (projects.access).
    owner_department = "department"

    class Meta:
        # As entered: the plan's own order of its targets.
        ordering = ["plan_id", "id"]
        verbose_name = _("plan indicator")
        verbose_name_plural = _("plan indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="%(app_label)s_%(class)s_one_name_per_plan",
                violation_error_message=_("The plan already has an indicator of this name."),
            ),
            models.CheckConstraint(
                condition=Q(decimals__lte=FIGURE_PLACES),
                name="%(app_label)s_%(class)s_decimals_range",
                violation_error_message=_("An indicator has at most two decimal places."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = validation.merge(
            places_errors(self, "target", self.decimals),
            unique_errors(
                self,
                "name",
                lambda: gettext("The plan already has an indicator named %(name)s.") % {"name": self.name},
                plan_id=self.plan_id,
                name=self.name,
            ),
        )
        if errors:
            raise ValidationError(errors)

    # --- its figure, one indicator at a time (``PlanIndicatorQuerySet.with_figures`` for many) --

    def figure_on(self, as_of: datetime.date, known_on: datetime.date | None = None) -> Decimal | None:
        """``with_figures``' ``figure`` for this indicator (reads its values and their trails)."""
        values = [
            value
            for value in self.values.prefetch_related("reviews")
            if value.month.year == as_of.year and value.month <= as_of
        ]
        counted = [(value.month, amount) for value in values if (amount := value.amount_known_on(known_on)) is not None]
        if self.accumulation == Accumulation.CUMULATIVE:
            return sum((amount for _month, amount in counted), Decimal("0"))
        return max(counted, key=lambda pair: pair[0])[1] if counted else None

    def status_of(self, figure: Decimal | None) -> str:
        """Met or not yet (``IndicatorStatusChoices``) for ``figure`` (its ``figure_on``) under
        its comparison; no figure for a level not reported yet."""
        if figure is None:
            return Status.NO_FIGURE
        met = {
            Comparison.AT_LEAST: figure >= self.target,
            Comparison.AT_MOST: figure <= self.target,
            Comparison.EQUAL: figure == self.target,
        }[Comparison(self.comparison)]
        return Status.MET if met else Status.NOT_YET

    @property
    def follows_time_progress(self) -> bool:
        """Whether its figure is held against the time progress with a light, as a key project's
        investment is: a target to reach by adding up over the year (cumulative, at least),
        known at least each quarter. A level, a ceiling or a figure known once a year is only
        met or not yet."""
        return (
            self.accumulation == Accumulation.CUMULATIVE
            and self.comparison == Comparison.AT_LEAST
            and self.frequency in (Frequency.MONTHLY, Frequency.QUARTERLY)
        )

    def light_day(self, as_of: datetime.date) -> datetime.date:
        """The day whose time progress ``figure`` is held against on ``as_of``: ``as_of`` within
        the plan's year, or the last quarter's end by then for a figure known each quarter (a
        quarter's value is not behind before the quarter is over)."""
        year = self.plan.year
        day = min(max(as_of, periods.year_start(year)), periods.year_end(year))
        if self.frequency == Frequency.QUARTERLY:
            quarters = periods.months_elapsed(day) // 3
            return periods.quarter_end(year, quarters) if quarters else periods.year_start(year)
        return day

    def light_of(self, figure: Decimal | None, as_of: datetime.date) -> str | None:
        """The light (``KeyProjectWarningChoices``) of ``figure`` on ``as_of``: the key projects'
        investment light (``warning_light``, with the plan's gaps) of the figure against the
        target, without milestones; None when it ``follows_time_progress`` not."""
        if not self.follows_time_progress:
            return None
        return warning_light(None, figure or Decimal("0"), self.target, self.light_day(as_of), self.plan)


class IndicatorValue(ReviewedMonth, TrackedModel):
    """A plan indicator's value for one month (月度指标值), reported by its unit and reviewed
    as a monthly progress report is (``ReviewedMonth``, ``projects.review``): only approved
    values count in the figures, as known on a day from the trail (``IndicatorValueReview``).
    For a cumulative indicator it is the month's own figure (the entities registered in the
    month), for a level the figure reached by the month's end."""

    REVIEWED_AMOUNT = "value"
    APPROVED_AMOUNT = "approved_value"
    REVIEW_PERMISSION = "projects.review_indicatorvalue"

    indicator = models.ForeignKey(
        PlanIndicator, models.CASCADE, verbose_name=_("plan indicator"), related_name="values"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    value = figure_field(_("value"))
    note = models.TextField(_("note"), blank=True)
    # Written by the review alone (``projects.review``), never by a form or a serializer.
    submitted_at = review_time_field(_("submitted at"))
    approved_at = review_time_field(_("approved at"))
    approved_value = figure_field(_("approved value"), null=True, blank=True, editable=False)
    returned_at = review_time_field(_("returned at"))
    return_reason = return_reason_field()

    # Its indicator's unit reports it (projects.access).
    owner_department = "indicator__department"

    class Meta:
        ordering = ["indicator_id", "month"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        permissions = [("review_indicatorvalue", _("Can approve and return indicator values"))]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month"],
                name="%(app_label)s_%(class)s_one_per_indicator_and_month",
                violation_error_message=_("This indicator already has a value for that month."),
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True, approved_value__isnull=True)
                | Q(approved_at__isnull=False, approved_value__isnull=False),
                name="%(app_label)s_%(class)s_approved_with_value",
                violation_error_message=_("An approval keeps the value it approved."),
            ),
        ]
        # The figures: an indicator's months up to a day, with what they count.
        indexes = [
            models.Index(fields=["indicator", "month", "approved_value", "approved_at"], name="projects_indvalue_cover")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id and self.indicator} {self.month:%Y-%m}" if self.month else str(self.indicator_id)

    def clean(self):
        indicator = self.indicator if self.indicator_id else None
        errors = validation.merge(
            self.month_errors(),
            places_errors(self, "value", indicator.decimals if indicator else None),
            unique_errors(
                self,
                "month",
                lambda: (
                    gettext("This indicator already has a value for %(month)s.")
                    % {"month": self.month.strftime("%Y-%m")}
                ),
                indicator_id=self.indicator_id,
                month=self.month,
            ),
        )
        if indicator is not None and self.month is not None and "month" not in errors:
            if self.month.year != indicator.plan.year:
                validation.add_error(
                    errors,
                    "month",
                    gettext("The indicator is of the %(year)s plan: its values are for months of %(year)s.")
                    % {"year": indicator.plan.year},
                )
            elif self.month.month not in FREQUENCY_MONTHS[Frequency(indicator.frequency)]:
                validation.add_error(
                    errors,
                    "month",
                    gettext("The indicator is known “%(frequency)s”: it has no value for %(month)s.")
                    % {"frequency": indicator.get_frequency_display(), "month": self.month.strftime("%Y-%m")},
                )
        if errors:
            raise ValidationError(errors)


class IndicatorValueReview(ReviewEvent):
    """One event of an indicator value's review trail (``ReviewEvent``): "as known on K" reads
    the values approved by K from it (``IndicatorValue.counted_amount``)."""

    report = models.ForeignKey(
        IndicatorValue, models.CASCADE, verbose_name=_("indicator value"), related_name="reviews"
    )
    action, at, by = review_event_fields()
    amount = figure_field(_("approved value"), null=True, blank=True)
    reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        ordering = ["report_id", "at", "id"]
        verbose_name = _("indicator review event")
        verbose_name_plural = _("indicator review trail")
        indexes = [models.Index(fields=["report", "action", "at"], name="projects_indreview_known")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action=ReviewActionChoices.APPROVED) | Q(amount__isnull=False),
                name="%(app_label)s_%(class)s_approval_amount",
                violation_error_message=_("An approval keeps the value it approved."),
            ),
        ]
