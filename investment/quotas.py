"""Every figure over many records, and every rule of the year plan, as of a date: the one
place that computes them, each in the database in a fixed number of queries whatever the
number of records.

- ``report(plan, as_of)`` answers the quota report's contract (docs/domain.md, "The year's targets"):
  each target of ``plan`` with its numerator, denominator, value, threshold and whether it is
  met, from the records as they stood on ``as_of``. Four aggregate queries: one per ledger
  (conditional aggregation: every count of a ledger in one pass) and one of the key projects'
  monthly progress.
- ``key_project_signals(plan, as_of)``: the warning lights by colour and the projects the year
  spawned, two queries; ``chain_conversion(year, as_of)``: every chain's lead pipeline, one;
  ``workload(plan, on)``: the reports awaiting review, the orders awaiting a reply or a
  decision, or overdue, and the departments late with the latest month's reports
  (``late_departments``), three.
- ``records(plan, as_of, key, part)`` hands out the records behind a figure (one query when
  evaluated), so that the dashboard, the API and the export drill down through the same rules.
- The rules (big project, key industry, started, in production) are one condition each
  (``big_project_condition`` …), which the report counts with, ``records`` filters by and
  ``with_big_project`` / ``with_share_flags`` annotate lists with.

Nothing else in the code computes a ratio: views, serializers, admin and exporters read the
``Target`` objects made here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jiaxian import periods
from jiaxian.models import ratio
from projects.choices import KeyProjectWarningChoices, ReviewStageChoices
from projects.models import AnnualListing, BondReserve, KeyProject, ProgressReport, YearPlan
from projects.querysets import KeyProjectQuerySet

from .choices import SupervisionOrderStageChoices as OrderStage
from .models import AttractionProject, IndustrialChain, SupervisionOrder

ZERO = Decimal("0")
ONE = Decimal("1")


class Kind(StrEnum):
    """What a value is, which decides how it is written: counts as whole numbers, amounts in
    万元 with two places, shares with four."""

    COUNT = "count"
    AMOUNT = "amount"
    SHARE = "share"


class Part(StrEnum):
    """Which records behind a figure: those it counts, those it leaves out, or all that it
    looked at (a share's denominator)."""

    COUNTED = "counted"
    NOT_COUNTED = "not_counted"
    ALL = "all"


@dataclass(frozen=True)
class Target:
    """One line of the report.

    ``numerator`` is the number of records counted (for an amount, the records summed);
    ``denominator`` the number a share is taken of, None for counts and amounts. ``value``
    is a Decimal (a whole number for counts, 万元 for amounts, a ratio rounded half-up to four
    places for shares) or None for a share of nothing. ``threshold`` is None and ``met`` is
    None on informational lines, which have no target.
    """

    key: str
    label: Promise
    kind: Kind
    numerator: int
    denominator: int | None
    value: Decimal | None
    threshold: Decimal | None
    met: bool | None

    @property
    def progress(self) -> Decimal | None:
        """How far the value has come towards the threshold, 1 when reached and capped at 1
        (for bars); None when there is no value or no positive threshold."""
        if self.value is None or not self.threshold:
            return None
        share = ratio(self.value, self.threshold)
        return None if share is None else min(share, Decimal("1"))


@dataclass(frozen=True)
class Report:
    """The report of ``plan`` as of ``as_of``: the targets in the report's fixed order,
    then the informational lines of the performance chain."""

    plan: YearPlan
    as_of: datetime.date
    targets: list[Target]
    indicators: list[Target]
    # The day the reviewed figures are known on (None: now; ``ProgressReport.counted_investment``).
    known_on: datetime.date | None = None

    @property
    def year(self) -> int:
        return self.plan.year

    def __getitem__(self, key: str) -> Target:
        for line in (*self.targets, *self.indicators):
            if line.key == key:
                return line
        raise KeyError(key)


# --- the records each ledger contributes ---------------------------------------------------


def listed_key_projects(plan: YearPlan, as_of: datetime.date) -> KeyProjectQuerySet:
    """Key projects on the plan year's list by ``as_of``."""
    return KeyProject.objects.listed_for(plan.year, as_of=as_of)


def pooled_bond_reserves(plan: YearPlan, as_of: datetime.date) -> QuerySet[BondReserve]:
    """Reserves of the plan year in the pool on ``as_of`` (entered, not rejected)."""
    return BondReserve.objects.filter(year=plan.year).in_pool(as_of)


def signed_attraction_projects(plan: YearPlan, as_of: datetime.date) -> QuerySet[AttractionProject]:
    """Attraction projects of the plan year signed on or before ``as_of``."""
    return AttractionProject.objects.filter(year=plan.year).signed_by(as_of)


def year_progress_reports(plan: YearPlan, as_of: datetime.date) -> QuerySet[ProgressReport]:
    """The progress reports of the listed key projects for the plan year's months begun by
    ``as_of``.

    The projects are those of ``listed_key_projects``, by its rule, taken from the listings
    (the index on year, listed date and project answers it) rather than joined through the
    projects' table, which adds nothing; the months from the index on month and project,
    which holds the amount too, so that the sum is read from indexes alone (``ProgressReport``
    ``Meta.indexes``)."""
    listed = AnnualListing.objects.filter(KeyProjectQuerySet.listing_condition(plan.year, as_of))
    return ProgressReport.objects.filter(
        project__in=listed.values("project"),
        month__gte=periods.year_start(plan.year),
        month__lte=as_of,
    )


# --- the rules ------------------------------------------------------------------------------
#
# Each rule of the plan is one condition here, which the report counts with, ``records`` hands
# out the records of, the annotations below flag every record with (the export's flags, the
# API's and the admin's columns). A model method gives the same answer for one record in
# Python (``AttractionProject.is_big_project``, ``is_key_industry``, ``stage_on``); the tests
# hold the two to the same answers. The rules of the ``projects`` ledgers live with their
# querysets, which the ``projects`` app uses without this module: in the pool
# (``BondReserveQuerySet.pool_condition``), the coverage warning
# (``BondReserveQuerySet.coverage_warning_condition``) and the warning light
# (``KeyProjectQuerySet.with_warning``).


def big_project_condition(plan: YearPlan | None = None) -> Q:
    """The 100-million-yuan rule: contract amount and fixed-asset investment both at least the
    minimums (equal counts) of ``plan``; without a plan, of the plan of each project's own year
    (its default minimums for a year with no saved plan), for lists that span years."""
    if plan is None:
        contract_min = YearPlan.setting_of_each_year("big_project_contract_min")
        fixed_asset_min = YearPlan.setting_of_each_year("big_project_fixed_asset_min")
    else:
        contract_min, fixed_asset_min = plan.big_project_contract_min, plan.big_project_fixed_asset_min
    return Q(contract_amount__gte=contract_min, fixed_asset_investment__gte=fixed_asset_min)


def key_industry_condition() -> Q:
    """In a key industry (重点产业): the industry's ``is_key``, whatever the year."""
    return Q(industry__is_key=True)


def started_condition(as_of: datetime.date) -> Q:
    """Started on or before ``as_of`` (in production included: it started first)."""
    return Q(started_on__lte=as_of)


def in_production_condition(as_of: datetime.date) -> Q:
    return Q(in_production_on__lte=as_of)


def flag(condition: Q) -> Case:
    """``condition`` as a True/False column, never null (a missing amount or date is False)."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def with_big_project(queryset: QuerySet[AttractionProject]) -> QuerySet[AttractionProject]:
    """Annotate ``big_project``: the 100-million-yuan rule of the plan of each project's own
    year, in the same query (the minimums from the year plan, in subqueries). Same answer as
    ``AttractionProject.is_big_project``."""
    return queryset.annotate(big_project=flag(big_project_condition()))


# The flag each share of attraction projects is decided by, as ``with_share_flags`` annotates it.
SHARE_FLAGS: dict[str, str] = {
    "attraction_big_share": "share_big_project",
    "attraction_key_industry_share": "share_key_industry",
    "attraction_started_share": "share_started",
}


def with_share_flags(
    queryset: QuerySet[AttractionProject], plan: YearPlan, as_of: datetime.date
) -> QuerySet[AttractionProject]:
    """Annotate each attraction project with whether the three shares of ``plan`` as of
    ``as_of`` count it: ``share_big_project``, ``share_key_industry``, ``share_started``
    (True or False, never null), by the very conditions ``report`` counts with, so that a list
    of flags adds up to the report's numerators."""
    return queryset.annotate(
        share_big_project=flag(big_project_condition(plan)),
        share_key_industry=flag(key_industry_condition()),
        share_started=flag(started_condition(as_of)),
    )


# --- the report ------------------------------------------------------------------------------


# The label of every line of the report, by key (the dashboard's drill-down names a figure by it).
LABELS: dict[str, Promise] = {
    "key_project_count": _("Key projects listed"),
    "key_project_total_investment": _("Total investment of key projects (万元)"),
    "key_project_investment_progress": _("Key projects: year's completed ÷ planned investment (vs time progress)"),
    "bond_reserve_count": _("Bond reserves in the pool"),
    "bond_reserve_demand": _("Bond demand of the pool (万元)"),
    "attraction_count": _("Attraction projects signed"),
    "attraction_big_share": _("Share of 100-million-yuan projects"),
    "attraction_key_industry_share": _("Share in key industries"),
    "attraction_started_share": _("Share started"),
    "attraction_start_rate": _("Start rate (started ÷ signed)"),
    "attraction_production_rate": _("Production rate (in production ÷ started)"),
    "attraction_funds_in_place_rate": _("Funds in place (funds in place ÷ contract amount)"),
}


def _count(key, label, numerator: int, threshold: int) -> Target:
    value = Decimal(numerator)
    return Target(key, label, Kind.COUNT, numerator, None, value, Decimal(threshold), value >= threshold)


def _amount(key, label, numerator: int, total: Decimal | None, threshold: Decimal) -> Target:
    value = total if total is not None else ZERO
    return Target(key, label, Kind.AMOUNT, numerator, None, value, threshold, value >= threshold)


def _share(key, label, numerator: int, denominator: int, threshold: Decimal | None) -> Target:
    value = ratio(Decimal(numerator), Decimal(denominator))
    met = None if threshold is None else (value is not None and value >= threshold)
    return Target(key, label, Kind.SHARE, numerator, denominator, value, threshold, met)


def _progress(key, label, numerator: int, completed: Decimal, planned: Decimal, threshold: Decimal) -> Target:
    value = ratio(completed, planned)
    return Target(key, label, Kind.SHARE, numerator, None, value, threshold, value is not None and value >= threshold)


def report(plan: YearPlan, as_of: datetime.date, known_on: datetime.date | None = None) -> Report:
    """Every target of ``plan`` as of ``as_of``, in four queries (one per ledger, and one for
    the key projects' monthly progress). The monthly progress counts only approved reports, as
    known on ``known_on`` (None: now): each report's latest amount approved by the end of that
    day (``ProgressReport.counted_investment``).

    ``key_project_investment_progress`` is a share of amounts, not of records: its value is
    the year's completed investment of the listed projects (their progress reports of the
    year's months begun by ``as_of``) ÷ their planned investment for the year, four places,
    half-up, None when nothing is planned; its threshold the time progress on ``as_of``
    (``periods.time_progress``), met when the value reaches it. As the contract's numerator
    and denominator are counts, its numerator is the number of listed projects (the records
    behind it) and its denominator None, as for an amount.

    A share of nothing (no project signed yet) has value None and is not met. Amounts of an
    empty ledger are 0. Informational lines (开工率, 投产率, 资金到位率) have no threshold.
    资金到位率 uses the funds in place as recorded today: the ledger does not date them.
    """
    # The listing join of ``listed_for`` is the one summed: the plan year's listing of each.
    key_projects = listed_key_projects(plan, as_of).aggregate(
        count=Count("pk"), total=Sum("total_investment"), planned=Sum("listings__planned_investment")
    )
    completed = year_progress_reports(plan, as_of).aggregate(total=Sum(ProgressReport.counted_investment(known_on)))[
        "total"
    ]
    reserves = pooled_bond_reserves(plan, as_of).aggregate(count=Count("pk"), demand=Sum("bond_demand"))
    attraction = signed_attraction_projects(plan, as_of).aggregate(
        signed=Count("pk"),
        big=Count("pk", filter=big_project_condition(plan)),
        key_industry=Count("pk", filter=key_industry_condition()),
        started=Count("pk", filter=started_condition(as_of)),
        in_production=Count("pk", filter=in_production_condition(as_of)),
        funds_in_place=Sum("funds_in_place"),
        contract_amount=Sum("contract_amount"),
    )
    signed = attraction["signed"]
    targets = [
        _count("key_project_count", LABELS["key_project_count"], key_projects["count"], plan.key_project_count_target),
        _amount(
            "key_project_total_investment",
            LABELS["key_project_total_investment"],
            key_projects["count"],
            key_projects["total"],
            plan.key_project_investment_target,
        ),
        _progress(
            "key_project_investment_progress",
            LABELS["key_project_investment_progress"],
            key_projects["count"],
            completed or ZERO,
            key_projects["planned"] or ZERO,
            periods.time_progress(as_of),
        ),
        _count("bond_reserve_count", LABELS["bond_reserve_count"], reserves["count"], plan.bond_reserve_count_target),
        _amount(
            "bond_reserve_demand",
            LABELS["bond_reserve_demand"],
            reserves["count"],
            reserves["demand"],
            plan.bond_reserve_demand_target,
        ),
        _count("attraction_count", LABELS["attraction_count"], signed, plan.attraction_count_target),
        _share(
            "attraction_big_share",
            LABELS["attraction_big_share"],
            attraction["big"],
            signed,
            plan.attraction_big_share_target,
        ),
        _share(
            "attraction_key_industry_share",
            LABELS["attraction_key_industry_share"],
            attraction["key_industry"],
            signed,
            plan.attraction_key_industry_share_target,
        ),
        _share(
            "attraction_started_share",
            LABELS["attraction_started_share"],
            attraction["started"],
            signed,
            plan.attraction_started_share_target,
        ),
    ]
    funds = attraction["funds_in_place"] or ZERO
    contract = attraction["contract_amount"] or ZERO
    indicators = [
        _share("attraction_start_rate", LABELS["attraction_start_rate"], attraction["started"], signed, None),
        _share(
            "attraction_production_rate",
            LABELS["attraction_production_rate"],
            attraction["in_production"],
            attraction["started"],
            None,
        ),
        Target(
            "attraction_funds_in_place_rate",
            LABELS["attraction_funds_in_place_rate"],
            Kind.SHARE,
            signed,
            None,
            ratio(funds, contract),
            None,
            None,
        ),
    ]
    return Report(plan=plan, as_of=as_of, targets=targets, indicators=indicators, known_on=known_on)


# --- the records behind each figure --------------------------------------------------------

# key → (the records the figure looks at, the condition of those it counts or None when it
# counts them all, the records of the year it leaves out or None when there are none).
_Looked = Callable[[YearPlan, datetime.date], QuerySet]
_Condition = Callable[[YearPlan, datetime.date], Q]


def _year_attraction(plan, as_of):
    return AttractionProject.objects.filter(year=plan.year)


def _year_reserves(plan, as_of):
    return BondReserve.objects.filter(year=plan.year)


_BEHIND: dict[str, tuple[_Looked, _Condition | None, _Looked | None]] = {
    "key_project_count": (listed_key_projects, None, None),
    "key_project_total_investment": (listed_key_projects, None, None),
    "key_project_investment_progress": (listed_key_projects, None, None),
    "bond_reserve_count": (pooled_bond_reserves, None, _year_reserves),
    "bond_reserve_demand": (pooled_bond_reserves, None, _year_reserves),
    "attraction_count": (signed_attraction_projects, None, _year_attraction),
    "attraction_big_share": (signed_attraction_projects, lambda plan, as_of: big_project_condition(plan), None),
    "attraction_key_industry_share": (
        signed_attraction_projects,
        lambda plan, as_of: key_industry_condition(),
        None,
    ),
    "attraction_started_share": (signed_attraction_projects, lambda plan, as_of: started_condition(as_of), None),
    "attraction_start_rate": (signed_attraction_projects, lambda plan, as_of: started_condition(as_of), None),
    "attraction_production_rate": (
        lambda plan, as_of: signed_attraction_projects(plan, as_of).filter(started_condition(as_of)),
        lambda plan, as_of: in_production_condition(as_of),
        None,
    ),
    "attraction_funds_in_place_rate": (signed_attraction_projects, None, None),
}

# Figures whose "not counted" records are not the year's others: the listed key projects whose
# own completion rate trails the time progress (those that hold the year's progress back).
_LEFT_BEHIND: dict[str, _Looked] = {
    "key_project_investment_progress": lambda plan, as_of: listed_key_projects(plan, as_of).behind_time_progress(as_of),
}

KEYS = tuple(_BEHIND)


def records(plan: YearPlan, as_of: datetime.date, key: str, part: Part | str = Part.COUNTED) -> QuerySet:
    """The records behind the figure ``key`` of ``plan`` as of ``as_of``.

    ``part``: ``counted``, the records the figure counts (a share's numerator); ``all``, all
    that it looked at (a share's denominator); ``not_counted``, the rest — for a share the
    denominator's records outside its numerator (the signed projects that are not
    100-million-yuan projects), for a count the year's records it leaves out (reserves not in
    the pool, projects not signed yet). An unknown key or part is a ValueError.
    """
    if key not in _BEHIND:
        raise ValueError(f"unknown figure {key!r}; known: {', '.join(KEYS)}")
    part = Part(part)
    looked_at, condition, year_records = _BEHIND[key]
    base = looked_at(plan, as_of)
    if part == Part.ALL:
        return base
    if condition is not None:
        if part == Part.COUNTED:
            return base.filter(condition(plan, as_of))
        return base.exclude(condition(plan, as_of))
    if part == Part.COUNTED:
        return base
    if key in _LEFT_BEHIND:
        return _LEFT_BEHIND[key](plan, as_of)
    if year_records is None:
        return base.none()
    return year_records(plan, as_of).exclude(pk__in=base.values("pk"))


@dataclass(frozen=True)
class KeyProjectSignals:
    """The listed key projects' warning lights on a date, counted by colour, and the second
    phases and expansions (projects with a predecessor) that the year spawned."""

    green: int
    yellow: int
    red: int
    spawned_key_projects: int
    spawned_attraction_projects: int

    @property
    def spawned(self) -> int:
        return self.spawned_key_projects + self.spawned_attraction_projects


def key_project_signals(
    plan: YearPlan, as_of: datetime.date, known_on: datetime.date | None = None
) -> KeyProjectSignals:
    """The lights of the key projects listed for the plan year by ``as_of`` (the rule of
    ``KeyProjectQuerySet.with_warning`` under ``plan``), counted by colour, and the projects
    the year spawned: key projects listed for the year by ``as_of`` for the first time (no
    listing of an earlier year) that have a predecessor, and attraction projects of the year
    signed by ``as_of`` that have one. Two queries, whatever the number of records.

    The lights are counted over a derived table of each project's three figures (``distinct``
    makes Django wrap the query so), each figure's subquery run once a project: counted over
    the light's expression itself, every count repeated its subqueries."""
    earlier_listing = AnnualListing.objects.filter(project=OuterRef("pk"), year__lt=plan.year)
    figures = (
        listed_key_projects(plan, as_of)
        .with_progress(as_of, known_on)
        .annotate(first_spawned=Q(predecessor__isnull=False) & ~Exists(earlier_listing))
        .values("pk", "late_since", "year_completed_investment", "year_planned_investment", "first_spawned")
        .distinct()
    )
    red, yellow = KeyProjectQuerySet.warning_conditions(as_of, plan)
    # Counted without negating a condition: one over a project with no late milestone is
    # NULL (``late_since`` is), and NOT NULL would leave the project out of every colour.
    lights = figures.aggregate(
        listed=Count("pk"),
        red=Count("pk", filter=red),
        lit=Count("pk", filter=red | yellow),
        spawned=Count("pk", filter=Q(first_spawned=True)),
    )
    spawned_attraction = signed_attraction_projects(plan, as_of).filter(predecessor__isnull=False).count()
    return KeyProjectSignals(
        green=lights["listed"] - lights["lit"],
        yellow=lights["lit"] - lights["red"],
        red=lights["red"],
        spawned_key_projects=lights["spawned"],
        spawned_attraction_projects=spawned_attraction,
    )


def red_light_projects(plan: YearPlan, as_of: datetime.date) -> KeyProjectQuerySet:
    """The key projects listed for the plan year by ``as_of`` whose light is red on ``as_of``
    (``KeyProjectQuerySet.with_warning``, the light the dashboard counts), each annotated
    ``open_order``: whether an order about it was issued by ``as_of`` and not closed by then
    (the bulk issue skips those unless asked). One query, by name."""
    unclosed = (
        SupervisionOrder.objects.filter(key_project=OuterRef("pk"))
        .with_stage(as_of)
        .filter(stage_as_of__in=[OrderStage.OPEN, OrderStage.REPLIED])
    )
    return (
        listed_key_projects(plan, as_of)
        .with_warning(as_of, plan)
        .filter(warning=KeyProjectWarningChoices.RED)
        .annotate(open_order=Exists(unclosed))
        .select_related("department")
        .order_by("name", "pk")
    )


def label(key: str) -> Promise:
    """The label of the figure ``key``, the same as its line of ``report`` has, without asking
    the database; an unknown key is a ValueError."""
    if key not in LABELS:
        raise ValueError(f"unknown figure {key!r}; known: {', '.join(KEYS)}")
    return LABELS[key]


# --- the lead pipeline of each industrial chain ---------------------------------------------


@dataclass(frozen=True)
class ChainConversion:
    """The lead pipeline of one industrial chain for a year, as of a date (informational: the
    plan sets no target for it).

    ``targets``: the chain's target enterprises in play that year, all those not signed before
    the year began (a target signed in an earlier year belongs to that year's pipeline);
    ``negotiating``: those of them that had reached negotiation by the date (signed ones
    included: they went through it); ``signed``: signed by the date; ``started``: signed and
    their attraction project started by the date. Each count is within the one before, so the
    ratios are a funnel: ``negotiating_rate`` = negotiating ÷ targets, ``signing_rate`` =
    signed ÷ targets, ``start_rate`` = started ÷ signed, four places, None of nothing.
    """

    chain_id: int
    chain: str
    targets: int
    negotiating: int
    signed: int
    started: int

    @property
    def negotiating_rate(self) -> Decimal | None:
        return ratio(Decimal(self.negotiating), Decimal(self.targets))

    @property
    def signing_rate(self) -> Decimal | None:
        return ratio(Decimal(self.signed), Decimal(self.targets))

    @property
    def start_rate(self) -> Decimal | None:
        return ratio(Decimal(self.started), Decimal(self.signed))


def chain_conversion(year_or_plan: int | YearPlan, as_of: datetime.date) -> list[ChainConversion]:
    """The lead pipeline of every industrial chain (``ChainConversion``) for a year — a year
    or its plan; a year needs no saved plan — as of ``as_of``, chains by name, chains without
    targets included with zeros. One query, whatever the number of chains and targets
    (conditional counts grouped by chain). An ``as_of`` before the year began counts the
    targets in play and nothing reached yet."""
    year = year_or_plan.year if isinstance(year_or_plan, YearPlan) else int(year_or_plan)
    # Only the targets in play are joined (no other reaches a count), and whether a signed
    # one's project has started is asked of that project by its key, after the signing date
    # (a target not signed has no project: nothing to look up): a join of the attraction
    # projects looked one up, or scanned them all, for every target of every year. The chains'
    # name alone is read, so that the grouped rows stay narrow.
    targets = "links__target_enterprises"
    in_play = Q(**{f"{targets}__signed_on__isnull": True}) | Q(
        **{f"{targets}__signed_on__gte": periods.year_start(year)}
    )
    signed = Q(play__signed_on__lte=as_of)
    started = AttractionProject.objects.filter(pk=OuterRef("play__attraction_project"), started_on__lte=as_of)
    rows = (
        IndustrialChain.objects.only("name")
        .order_by("name", "pk")
        .annotate(play=FilteredRelation(targets, condition=in_play))
        .annotate(
            n_targets=Count("play"),
            n_negotiating=Count("play", filter=Q(play__negotiating_on__lte=as_of)),
            n_signed=Count("play", filter=signed),
            # Signed first: the project is asked about only for the targets signed by then.
            n_started=Count("play", filter=signed & Q(Exists(started))),
        )
    )
    return [
        ChainConversion(
            chain_id=row.pk,
            chain=row.name,
            targets=row.n_targets,
            negotiating=row.n_negotiating,
            signed=row.n_signed,
            started=row.n_started,
        )
        for row in rows
    ]


# --- the work waiting today (the dispatch loop) -------------------------------------------------


@dataclass(frozen=True)
class LateDepartment:
    """A department late with a month's reports: ``missing`` is the number of its listed key
    projects whose report of the month was not submitted by the due day."""

    department_id: int
    name: str
    missing: int


@dataclass(frozen=True)
class LateReports:
    """The departments late with the reports of ``month`` (its first day), due on ``due_on``;
    ``departments`` by the most projects missing, then by the department's code."""

    month: datetime.date
    due_on: datetime.date
    departments: tuple[LateDepartment, ...]


def late_month(plan: YearPlan, on: datetime.date) -> datetime.date | None:
    """The latest month of the plan's year (its first day) whose reports were due before ``on``
    (``YearPlan.progress_due_on``): on the due day itself the month is not late yet. None before
    January's due day has passed; December once the year is past."""
    for month in range(12, 0, -1):
        first = datetime.date(plan.year, month, 1)
        if plan.progress_due_on(first) < on:
            return first
    return None


def late_departments(plan: YearPlan, on: datetime.date) -> LateReports | None:
    """The departments late on ``on`` with the reports of ``late_month(plan, on)`` (None when no
    month of the year is due yet): those with at least one key project listed for the year on
    or before the due day whose report of the month was not submitted by the due day
    (``ProgressReport.submitted_by_condition``: a submission or an approval in its trail by the
    end of that day; no report at all is not submitted). A report handed in after the due day
    leaves the department late for that month. A project without a department counts for none.
    One query, whatever the number of projects."""
    month = late_month(plan, on)
    if month is None:
        return None
    due_on = plan.progress_due_on(month)
    submitted = ProgressReport.objects.filter(
        ProgressReport.submitted_by_condition(due_on), project=OuterRef("project"), month=month
    )
    rows = (
        AnnualListing.objects.filter(KeyProjectQuerySet.listing_condition(plan.year, due_on))
        .filter(~Exists(submitted))
        .values("project__department_id", "project__department__name", "project__department__code")
        .annotate(missing=Count("pk"))
        .order_by("-missing", "project__department__code")
    )
    departments = tuple(
        LateDepartment(row["project__department_id"], row["project__department__name"], row["missing"]) for row in rows
    )
    return LateReports(month, due_on, departments)


@dataclass(frozen=True)
class Workload:
    """What waits to be done on a day: the year's monthly reports submitted and not yet reviewed,
    the supervision orders awaiting a reply, awaiting a decision, and overdue (not closed and
    past their due date) on that day, and the departments late with the latest month's reports
    due (``late_departments``; None before any month of the year is due)."""

    awaiting_review: int
    awaiting_reply: int
    awaiting_decision: int
    overdue_orders: int
    late: LateReports | None = None


def workload(year_or_plan: int | YearPlan, on: datetime.date) -> Workload:
    """The ``Workload`` of a year on ``on``: the reports of the year's months submitted and not
    reviewed now (the review's stage is the present's, ``ProgressReport.REVIEW``), the orders
    issued in the year by their stage on ``on`` (``SupervisionOrderQuerySet.with_stage``), the
    departments late (``late_departments``, with the plan's due day; a year given as a number
    takes its plan, or the defaults, in one more query). Three queries, whatever the number of
    records (two before any month of the year is due)."""
    plan = year_or_plan if isinstance(year_or_plan, YearPlan) else YearPlan.for_year(year_or_plan)
    year = plan.year
    submitted = ProgressReport.REVIEW.condition(ReviewStageChoices.SUBMITTED)
    awaiting_review = ProgressReport.objects.filter(
        submitted, month__gte=periods.year_start(year), month__lte=periods.year_end(year)
    ).count()
    orders = (
        SupervisionOrder.objects.filter(year=year)
        .with_stage(on)
        .aggregate(
            reply=Count("pk", filter=Q(stage_as_of=OrderStage.OPEN)),
            decision=Count("pk", filter=Q(stage_as_of=OrderStage.REPLIED)),
            overdue=Count("pk", filter=Q(overdue_as_of=True)),
        )
    )
    return Workload(awaiting_review, orders["reply"], orders["decision"], orders["overdue"], late_departments(plan, on))
