"""The figures of the year plan's indicators (年度目标指标) on a day: each indicator's figure
as of D known on K, met or not yet against its target, and, for a cumulative target known each
month or quarter, its light against the time progress as a key project's investment has
(``warning_light``). One query for a year's indicators, whatever their number and their values'.

The figure of one indicator is ``PlanIndicator.figure_on`` / ``PlanIndicatorQuerySet.with_figures``
(one declaration each way, held equal by the tests); its status and light follow from the figure
by the indicator's own methods. This module only puts them together for the pages, the API, the
dashboard and the export."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q

from jiaxian import periods

from .choices import IndicatorStatusChoices, KeyProjectWarningChoices
from .models import IndicatorValue, PlanIndicator, YearPlan
from .models.indicators import FIGURE_PLACES, FREQUENCY_MONTHS

PLACES = Decimal(1).scaleb(-FIGURE_PLACES)


@dataclass(frozen=True)
class IndicatorFigure:
    """An indicator's figure on a day: ``figure`` (None: a level not reported yet), its
    ``status`` (``IndicatorStatusChoices``), its ``light`` (``KeyProjectWarningChoices``, None for
    an indicator that does not follow the time progress), ``completion`` (figure / target, four
    places, None without a figure or a target) and the ``time_progress`` its light is held
    against (None without a light)."""

    indicator: PlanIndicator
    figure: Decimal | None
    status: str
    light: str | None
    completion: Decimal | None
    time_progress: Decimal | None

    @property
    def on_track(self) -> bool:
        """Met, or on a green light (ahead of the time progress): what the rankings count."""
        return self.status == IndicatorStatusChoices.MET or self.light == KeyProjectWarningChoices.GREEN

    def get_status_display(self) -> str:
        return str(IndicatorStatusChoices(self.status).label)

    def get_light_display(self) -> str | None:
        return None if self.light is None else str(KeyProjectWarningChoices(self.light).label)


def figure_of(indicator: PlanIndicator, as_of: datetime.date) -> IndicatorFigure:
    """The ``IndicatorFigure`` of an indicator read ``with_figures`` (or with ``figure`` set)."""
    figure = indicator.figure  # type: ignore[attr-defined]
    if figure is not None:
        # At the columns' two places, as the target is read: a sum comes back from SQLite as
        # Decimal("6") and from PostgreSQL as Decimal("6.00"), and the export writes them as read.
        figure = Decimal(figure).quantize(PLACES)
    light = indicator.light_of(figure, as_of)
    completion = None
    if figure is not None and indicator.target:
        completion = (figure / indicator.target).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return IndicatorFigure(
        indicator=indicator,
        figure=figure,
        status=indicator.status_of(figure),
        light=light,
        completion=completion,
        time_progress=periods.time_progress(indicator.light_day(as_of)) if light is not None else None,
    )


def indicators_on(
    year: int, as_of: datetime.date | None = None, known_on: datetime.date | None = None, *, queryset=None
) -> list[IndicatorFigure]:
    """The figures of ``year``'s plan indicators as of ``as_of`` (default: the year's default
    day, ``periods.default_as_of``) known on ``known_on`` (None: now), in the plan's order. One
    query. ``queryset`` narrows the indicators (the API's filters)."""
    as_of = as_of or periods.default_as_of(year)
    indicators = (queryset if queryset is not None else PlanIndicator.objects.all()).filter(plan__year=year)
    rows = indicators.select_related("plan", "department").with_figures(as_of, known_on)
    return [figure_of(indicator, as_of) for indicator in rows]


@dataclass(frozen=True)
class LateIndicatorDepartment:
    department_id: int
    name: str
    missing: int


def known_in(month: datetime.date) -> list[str]:
    """The frequencies of the indicators known in ``month`` (every month, a quarter's last, December)."""
    return [frequency for frequency, months in FREQUENCY_MONTHS.items() if month.month in months]


def late_condition(month: datetime.date, due_on: datetime.date) -> Q:
    """Of ``PlanIndicator`` rows: its value of ``month`` was not submitted by the end of
    ``due_on`` (``submitted_by_condition``, as for the progress reports; no value at all is not
    submitted). For the indicators ``known_in`` the month."""
    submitted = IndicatorValue.objects.filter(
        IndicatorValue.submitted_by_condition(due_on), indicator=OuterRef("pk"), month=month
    )
    return ~Q(Exists(submitted))


def late_indicator_departments(
    plan: YearPlan, month: datetime.date, due_on: datetime.date
) -> tuple[LateIndicatorDepartment, ...]:
    """The units late on ``due_on`` with the values of ``month`` of ``plan``'s indicators: those
    responsible for an indicator known that month (``known_in``) whose value of the month is late
    (``late_condition``), with the number missing, most first. The month and its due day are the
    caller's (``investment.quotas.late_month`` and the plan's due day, the progress reports' own).
    One query."""
    rows = (
        PlanIndicator.objects.filter(plan=plan, frequency__in=known_in(month))
        .filter(late_condition(month, due_on))
        .values("department_id", "department__name", "department__code")
        .annotate(missing=Count("pk"))
        .order_by("-missing", "department__code")
    )
    return tuple(LateIndicatorDepartment(row["department_id"], row["department__name"], row["missing"]) for row in rows)
