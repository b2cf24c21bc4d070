"""The rankings of the departments and the areas (排名通报, docs/rankings.md): a module of figures.

``rankings(plan_or_year, as_of, by)`` ranks every department (or area) on the indicators of
``INDICATORS`` as the records stood on ``as_of``: for each, the unit's value, its rank among the
units that have one (``RANK()`` in the database: ties share a rank, the next rank skips), and its
0–100 score (min–max across those units, flipped where lower is better, all equal → 100); then the
composite, the weighted mean of the unit's scores over the indicators it has (the plan's
``RankingWeight``, renormalised over those), its rank, and the 红榜 (the best three by composite,
ties included) and the 黑榜 (the worst three, ties included, none of the 红榜).

A unit with nothing to rank on an indicator (no key project listed, no order issued, nothing
signed of nothing) has None there, not zero, and is left out of that indicator's ranks and scale.

Each ledger is read in one grouped query (conditional aggregation by unit, the ranks as window
functions over the groups), whatever the number of units and records: ten queries in all (a
plan given as a year one more; before January's reports are due, no monthly reports or indicator
values are late yet and their queries are not run; the plan's indicators rank departments only).
The rules are those of ``quotas``: the key projects listed for the year, their approved monthly
progress and warning light; the orders' stage on the day; the problems' overdue rule; the
reports' due day; the plan indicators' figures and lateness (``projects.indicators``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, NullIf, Rank, Round
from django.db.models.lookups import IsNull
from django.utils.functional import Promise

from jiaxian import periods
from jiaxian.models import ratio
from projects.choices import KeyProjectWarningChoices
from projects.indicators import indicators_on, known_in, late_condition
from projects.models import AnnualListing, Area, Department, PlanIndicator, Problem, ProgressReport, YearPlan
from projects.querysets import KeyProjectQuerySet, ProblemQuerySet

from . import quotas
from .choices import RankingIndicatorChoices as Indicator, RankingUnitChoices as Unit
from .models import AttractionProject, RankingWeight, SupervisionOrder
from .quotas import Kind

HUNDRED = Decimal("100.00")
SCORE_PLACES = Decimal("0.01")
# How many units the 红榜 and the 黑榜 name (more when tied).
LIST_SIZE = 3


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: its key, label, the kind of its value (a count, or a share with four
    places) and whether a higher value is better."""

    key: str
    kind: Kind
    higher_is_better: bool

    @property
    def label(self) -> Promise:
        return Indicator(self.key).label

    @property
    def direction(self) -> str:
        return "higher" if self.higher_is_better else "lower"


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec(Indicator.INVESTMENT_PROGRESS, Kind.SHARE, True),
    IndicatorSpec(Indicator.RED_LIGHT_SHARE, Kind.SHARE, False),
    IndicatorSpec(Indicator.OVERDUE_ORDERS, Kind.COUNT, False),
    IndicatorSpec(Indicator.OVERDUE_PROBLEMS, Kind.COUNT, False),
    IndicatorSpec(Indicator.LATE_REPORTS, Kind.COUNT, False),
    IndicatorSpec(Indicator.ATTRACTION_SIGNED, Kind.COUNT, True),
    IndicatorSpec(Indicator.ATTRACTION_BIG_SHARE, Kind.SHARE, True),
    IndicatorSpec(Indicator.ATTRACTION_KEY_INDUSTRY_SHARE, Kind.SHARE, True),
    IndicatorSpec(Indicator.ATTRACTION_STARTED_SHARE, Kind.SHARE, True),
    IndicatorSpec(Indicator.PLAN_INDICATORS_ON_TRACK, Kind.SHARE, True),
    IndicatorSpec(Indicator.LATE_INDICATOR_VALUES, Kind.COUNT, False),
)
SPECS: dict[str, IndicatorSpec] = {spec.key: spec for spec in INDICATORS}


@dataclass(frozen=True)
class Figure:
    """A unit's standing on one indicator: ``value`` (a Decimal: a count, or a share with four
    places; None when the unit has nothing to rank on it), ``rank`` (1 is the best; None with
    no value) and ``score`` (0–100, two places; None with no value)."""

    indicator: str
    value: Decimal | None
    rank: int | None
    score: Decimal | None


@dataclass(frozen=True)
class UnitRanking:
    """One department or area: its figures by indicator (in ``INDICATORS`` order), the
    composite score (two places; None when it has no figure with a weight), the composite's
    rank (None without a composite), and whether it is on the 红榜 or the 黑榜."""

    unit_id: int
    code: str
    name: str
    figures: dict[str, Figure]
    composite: Decimal | None
    rank: int | None
    red: bool = False
    black: bool = False

    @property
    def figure_list(self) -> list[Figure]:
        return list(self.figures.values())


@dataclass(frozen=True)
class Rankings:
    """The rankings of ``by`` (departments or areas) of ``plan``'s year as of ``as_of``: the
    units by composite rank (those without one last, by code), the weights used."""

    plan: YearPlan
    as_of: datetime.date
    by: str
    units: list[UnitRanking]
    weights: dict[str, Decimal] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.plan.year

    @property
    def indicators(self) -> tuple[IndicatorSpec, ...]:
        return INDICATORS

    @property
    def red_list(self) -> list[UnitRanking]:
        """红榜: the best three by composite, ties included, best first."""
        return [unit for unit in self.units if unit.red]

    @property
    def black_list(self) -> list[UnitRanking]:
        """黑榜: the worst three by composite, ties included, worst first."""
        return sorted((unit for unit in self.units if unit.black), key=lambda unit: (unit.composite, unit.code))


# --- the queries: one per ledger ------------------------------------------------------------


def _float(expression) -> Cast:
    return Cast(expression, FloatField())


def _quotient(numerator, denominator) -> Expression:
    """``numerator ÷ denominator`` for ordering only (null when the denominator is 0), rounded
    to the four places the value is shown with, so that the units shown equal tie: of whole
    numbers made floating point, so that equal fractions are one value on every backend (a
    division of exact integers is correctly rounded)."""
    return Round(_float(numerator) / NullIf(_float(denominator), Value(0.0)), 4)


def _cents(expression) -> Round:
    """An amount in whole cents (exact, for ``_quotient``)."""
    return Round(expression * Value(100))


# A measure: the expression the database ranks by, and how the value is read from the row.
Measure = tuple[Expression, Callable[[Mapping[str, Any]], Decimal | None]]


def _ranked(
    rows: QuerySet, measures: dict[str, Measure], unit: str = "unit"
) -> dict[int, dict[str, tuple[Decimal | None, int | None]]]:
    """Evaluate the grouped ``rows`` (one per unit, ``unit`` its id: another name where the
    model has a field so named) with a rank per measure: ``RANK()`` over the units whose
    expression is not null, best first. One query. Gives each unit's (value, rank) by indicator."""
    windows = {}
    for key, (expression, _read) in measures.items():
        order = expression.desc() if SPECS[key].higher_is_better else expression.asc()
        has_value = Case(When(IsNull(expression, True), then=Value(0)), default=Value(1), output_field=IntegerField())
        windows[f"rank_{key}"] = Window(Rank(), partition_by=[has_value], order_by=order)
    result: dict[int, dict[str, tuple[Decimal | None, int | None]]] = {}
    for row in rows.filter(**{f"{unit}__isnull": False}).annotate(**windows).order_by():
        figures = {}
        for key, (_expression, read) in measures.items():
            value = read(row)
            figures[key] = (value, row[f"rank_{key}"] if value is not None else None)
        result[row[unit]] = figures
    return result


def _count(name: str) -> Callable[[Mapping[str, Any]], Decimal]:
    return lambda row: Decimal(row[name])


def _share(numerator: str, denominator: str) -> Callable[[Mapping[str, Any]], Decimal | None]:
    return lambda row: ratio(Decimal(row[numerator]), Decimal(row[denominator]))


# Where each ledger's records name their unit.
_UNIT_PATHS: dict[str, dict[str, Any]] = {
    "key_projects": {Unit.DEPARTMENT: F("department"), Unit.AREA: F("area")},
    "orders": {
        Unit.DEPARTMENT: F("department"),
        Unit.AREA: Coalesce("key_project__area", "attraction_project__area", "problem__project__area"),
    },
    "problems": {Unit.DEPARTMENT: F("department"), Unit.AREA: F("project__area")},
    "listings": {Unit.DEPARTMENT: F("project__department"), Unit.AREA: F("project__area")},
    "attraction": {Unit.DEPARTMENT: F("department"), Unit.AREA: F("area")},
}


def _key_projects(plan: YearPlan, as_of: datetime.date, by: str):
    """The listed key projects by unit: the year's approved completion against the plan, and
    the share on red light (``quotas.red_light_projects``' rule: ``with_warning``)."""
    time_progress = periods.time_progress(as_of)
    rows = (
        quotas.listed_key_projects(plan, as_of)
        .with_warning(as_of, plan)
        .values(unit=_UNIT_PATHS["key_projects"][by])
        .annotate(
            listed=Count("pk"),
            red=Count("pk", filter=Q(warning=KeyProjectWarningChoices.RED.value)),
            completed=Sum("year_completed_investment"),
            planned=Sum("year_planned_investment"),
        )
    )

    def progress(row) -> Decimal | None:
        rate = ratio(row["completed"], row["planned"])
        return None if rate is None else rate - time_progress

    return _ranked(
        rows,
        {
            Indicator.INVESTMENT_PROGRESS: (_quotient(_cents(F("completed")), _cents(F("planned"))), progress),
            Indicator.RED_LIGHT_SHARE: (_quotient(F("red"), F("listed")), _share("red", "listed")),
        },
    )


def _orders(plan: YearPlan, as_of: datetime.date, by: str):
    """The orders of the plan year issued by ``as_of``, by unit: how many were overdue then."""
    rows = (
        SupervisionOrder.objects.filter(year=plan.year, issued_on__lte=as_of)
        .with_stage(as_of)
        .values(unit=_UNIT_PATHS["orders"][by])
        .annotate(overdue=Count("pk", filter=Q(overdue_as_of=True)))
    )
    return _ranked(rows, {Indicator.OVERDUE_ORDERS: (F("overdue"), _count("overdue"))})


def problems_in_play(plan: YearPlan, as_of: datetime.date) -> QuerySet[Problem]:
    """The problems the year had to deal with by ``as_of``: raised by then and not resolved
    before the year began."""
    return Problem.objects.filter(raised_on__lte=as_of).exclude(resolved_on__lt=periods.year_start(plan.year))


def _problems(plan: YearPlan, as_of: datetime.date, by: str):
    """The problems in play by unit: how many were overdue on ``as_of`` (``ProblemQuerySet``)."""
    rows = (
        problems_in_play(plan, as_of)
        .values(unit=_UNIT_PATHS["problems"][by])
        .annotate(overdue=Count("pk", filter=ProblemQuerySet.overdue_condition(as_of)))
    )
    return _ranked(rows, {Indicator.OVERDUE_PROBLEMS: (F("overdue"), _count("overdue"))})


def _late_reports(plan: YearPlan, as_of: datetime.date, by: str):
    """The reports of the latest month due (``quotas.late_month``) not submitted by the due day,
    by unit, over the projects listed by then (``quotas.late_departments``' rule); nothing
    before January's reports are due."""
    month = quotas.late_month(plan, as_of)
    if month is None:
        return {}
    due_on = plan.progress_due_on(month)
    submitted = ProgressReport.objects.filter(
        ProgressReport.submitted_by_condition(due_on), project=OuterRef("project"), month=month
    )
    rows = (
        AnnualListing.objects.filter(KeyProjectQuerySet.listing_condition(plan.year, due_on))
        .values(unit=_UNIT_PATHS["listings"][by])
        .annotate(missing=Count("pk", filter=~Q(Exists(submitted))))
    )
    return _ranked(rows, {Indicator.LATE_REPORTS: (F("missing"), _count("missing"))})


def _attraction(plan: YearPlan, as_of: datetime.date, by: str):
    """The attraction projects of the year by unit: signed by ``as_of``, and of those the
    shares of ``quotas`` (100-million-yuan, key industry, started)."""
    signed = Q(signed_on__lte=as_of)
    rows = (
        AttractionProject.objects.filter(year=plan.year)
        .values(unit=_UNIT_PATHS["attraction"][by])
        .annotate(
            signed=Count("pk", filter=signed),
            big=Count("pk", filter=signed & quotas.big_project_condition(plan)),
            key_industry=Count("pk", filter=signed & quotas.key_industry_condition()),
            started=Count("pk", filter=signed & quotas.started_condition(as_of)),
        )
    )
    return _ranked(
        rows,
        {
            Indicator.ATTRACTION_SIGNED: (F("signed"), _count("signed")),
            Indicator.ATTRACTION_BIG_SHARE: (_quotient(F("big"), F("signed")), _share("big", "signed")),
            Indicator.ATTRACTION_KEY_INDUSTRY_SHARE: (
                _quotient(F("key_industry"), F("signed")),
                _share("key_industry", "signed"),
            ),
            Indicator.ATTRACTION_STARTED_SHARE: (_quotient(F("started"), F("signed")), _share("started", "signed")),
        },
    )


def _plan_indicators(plan: YearPlan, as_of: datetime.date, by: str):
    """The year plan's indicators by their responsible unit (departments only: an indicator
    belongs to no area): the share on track on ``as_of`` (``IndicatorFigure.on_track``: met, or
    on a green light), and how many values of the latest month due (``quotas.late_month``) are
    late (``projects.indicators.late_condition``, the reminders' rule). Two queries (one before
    January's values are due); the share's ranks are counted here, as the composite's are, from
    the figures' one query."""
    if by != Unit.DEPARTMENT or plan.pk is None:
        return {}
    tally: dict[int, list[int]] = {}
    for figure in indicators_on(plan.year, as_of, queryset=PlanIndicator.objects.filter(plan=plan)):
        counts = tally.setdefault(figure.indicator.department_id, [0, 0])
        counts[0] += figure.on_track
        counts[1] += 1
    shares = {unit: ratio(Decimal(on), Decimal(total)) for unit, (on, total) in tally.items()}
    ranks = competition_ranks({unit: share for unit, share in shares.items() if share is not None})
    result: dict[int, dict[str, tuple[Decimal | None, int | None]]] = {
        unit: {Indicator.PLAN_INDICATORS_ON_TRACK: (share, ranks.get(unit))} for unit, share in shares.items()
    }
    month = quotas.late_month(plan, as_of)
    if month is not None:
        due_on = plan.progress_due_on(month)
        rows = (
            PlanIndicator.objects.filter(plan=plan, frequency__in=known_in(month))
            .values("department")  # grouped by it (``unit`` is an indicator's own field)
            .annotate(missing=Count("pk", filter=late_condition(month, due_on)))
        )
        late = _ranked(rows, {Indicator.LATE_INDICATOR_VALUES: (F("missing"), _count("missing"))}, unit="department")
        for unit, figures in late.items():
            result.setdefault(unit, {}).update(figures)
    return result


# --- the scores and the composite -----------------------------------------------------------------


def scale(values: Mapping[int, Decimal], higher_is_better: bool) -> dict[int, Decimal]:
    """Each value's 0–100 score across ``values``: min–max, flipped when lower is better; all
    equal (one value included) → 100. Two places, half-up."""
    if not values:
        return {}
    low, high = min(values.values()), max(values.values())
    if low == high:
        return {unit: HUNDRED for unit in values}
    scores = {}
    for unit, value in values.items():
        share = (value - low) / (high - low) if higher_is_better else (high - value) / (high - low)
        scores[unit] = (share * HUNDRED).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
    return scores


def composite(scores: Mapping[str, Decimal], weights: Mapping[str, Decimal]) -> Decimal | None:
    """The weighted mean of ``scores`` (by indicator) with ``weights`` renormalised over the
    indicators scored; None when none of them has a positive weight. Two places, half-up."""
    total = sum((weights.get(key, RankingWeight.DEFAULT) for key in scores), Decimal("0"))
    if total <= 0:
        return None
    weighted = sum((weights.get(key, RankingWeight.DEFAULT) * score for key, score in scores.items()), Decimal("0"))
    return (weighted / total).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def competition_ranks(values: Mapping[int, Decimal], higher_is_better: bool = True) -> dict[int, int]:
    """``RANK()`` in Python: 1 + the number of values strictly better; ties share a rank. For
    the composite, which is made of the scores after the queries."""
    sign = 1 if higher_is_better else -1
    return {unit: 1 + sum(1 for other in values.values() if sign * other > sign * v) for unit, v in values.items()}


def weights_of(plan: YearPlan) -> dict[str, Decimal]:
    """The plan's weight of every indicator (1 where none is stored, as for an unsaved plan's
    defaults). One query for a saved plan, none for an unsaved one."""
    weights = {spec.key: RankingWeight.DEFAULT for spec in INDICATORS}
    if plan.pk is not None:
        weights.update(RankingWeight.objects.filter(plan=plan).values_list("indicator", "weight"))
    return weights


UNIT_MODELS = {Unit.DEPARTMENT: Department, Unit.AREA: Area}
_LEDGERS = (_key_projects, _orders, _problems, _late_reports, _attraction, _plan_indicators)


def rankings(plan_or_year: YearPlan | int, as_of: datetime.date, by: str = Unit.DEPARTMENT) -> Rankings:
    """The ``Rankings`` of the departments (``by="department"``) or the areas (``"area"``) for
    the plan (or the year: its saved plan, else the defaults) as of ``as_of``. Every department
    or area is listed, those with nothing to rank at all without a composite. An unknown ``by``
    is a ValueError."""
    by = Unit(by)
    plan = plan_or_year if isinstance(plan_or_year, YearPlan) else YearPlan.for_year(int(plan_or_year))
    weights = weights_of(plan)
    units = list(UNIT_MODELS[by].objects.order_by("code").values_list("pk", "code", "name"))
    raw: dict[int, dict[str, tuple[Decimal | None, int | None]]] = {pk: {} for pk, _code, _name in units}
    for ledger in _LEDGERS:
        for unit, figures in ledger(plan, as_of, by).items():
            raw.setdefault(unit, {}).update(figures)
    scores: dict[str, dict[int, Decimal]] = {}
    for spec in INDICATORS:
        values = {
            unit: figures[spec.key][0]
            for unit, figures in raw.items()
            if spec.key in figures and figures[spec.key][0] is not None
        }
        scores[spec.key] = scale(values, spec.higher_is_better)  # type: ignore[arg-type]
    composites: dict[int, Decimal] = {}
    figures_of: dict[int, dict[str, Figure]] = {}
    for pk, _code, _name in units:
        figures = {}
        for spec in INDICATORS:
            value, rank = raw[pk].get(spec.key, (None, None))
            figures[spec.key] = Figure(spec.key, value, rank, scores[spec.key].get(pk))
        figures_of[pk] = figures
        mean = composite({key: f.score for key, f in figures.items() if f.score is not None}, weights)
        if mean is not None:
            composites[pk] = mean
    best = competition_ranks(composites, higher_is_better=True)
    worst = competition_ranks(composites, higher_is_better=False)
    lines = []
    for pk, code, name in units:
        red = pk in best and best[pk] <= LIST_SIZE
        black = pk in worst and worst[pk] <= LIST_SIZE and not red
        lines.append(UnitRanking(pk, code, name, figures_of[pk], composites.get(pk), best.get(pk), red, black))
    lines.sort(key=lambda line: (line.rank is None, line.rank or 0, line.code))
    return Rankings(plan, as_of, by, lines, weights)


def month_end_of(year: int, month: int) -> datetime.date:
    """The day the monthly circular of ``year``-``month`` ranks as of: the month's last day."""
    return periods.month_end(datetime.date(year, month, 1))


__all__ = [
    "INDICATORS",
    "Figure",
    "IndicatorSpec",
    "Rankings",
    "UnitRanking",
    "composite",
    "competition_ranks",
    "month_end_of",
    "rankings",
    "scale",
    "weights_of",
]
