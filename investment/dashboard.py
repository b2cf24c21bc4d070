"""The admin's dashboard of the year's targets (the quota report drawn for a clerk).

For a year and an as-of date (GET ``year`` and ``as_of``; default: the latest plan's year, as
of ``periods.default_as_of``), each target of ``quotas.report`` is a bar against its threshold,
green when met and red when not, with its figures in words and links to the records behind
them (the ledgers' changelists, filtered by ``QuotaFilter``, ``ListedForFilter`` or
``PoolFilter``); the informational lines follow, without a threshold.

It computes nothing: figures, shares and the bars' lengths come from ``quotas``; this module
writes them (万元 with thousands separators, shares as percentages) and links them. Besides
the session's and the user's, twelve queries whatever the number of records (thirteen without a
year: the latest plan's, ``YearPlanQuerySet.latest_year``): the plans, the
report's four, the key projects' lights and spawned projects (``quotas.key_project_signals``,
two): the counts of each warning colour and of the second phases and expansions the year
spawned, shown under the targets; the year plan's other indicators by area, each against its
target with its light, unit and link to its monthly values (``projects.indicators``, one);
and the lead pipeline of every industrial chain (招商转化,
``quotas.chain_conversion``, one), each chain linked to its map; and what waits today in the
dispatch loop (``quotas.workload``, three): the reports awaiting review, the orders awaiting a
reply or a decision, the overdue orders, each linked to its list, and the departments late with
the latest month's reports due (named, with their projects missing), linked to the monthly entry
page of that month.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.admin import dashboard_url, wan
from jiaxian.params import page_parameter
from projects.admin import ListedForFilter, PoolFilter
from projects.choices import (
    IndicatorAreaChoices,
    IndicatorComparisonChoices as Comparison,
    IndicatorStatusChoices as Status,
)
from projects.indicators import IndicatorFigure, indicators_on
from projects.models import YearPlan

from . import quotas
from .admin import QuotaFilter

Kind = quotas.Kind
Part = quotas.Part

# The figures whose records are not attraction projects, and the filter that lists them.
LEDGER_FILTERS = {
    "key_project_count": ListedForFilter,
    "key_project_total_investment": ListedForFilter,
    "key_project_investment_progress": ListedForFilter,
    "bond_reserve_count": PoolFilter,
    "bond_reserve_demand": PoolFilter,
}

QUARTER_NAMES = (_("End of Q1"), _("End of Q2"), _("End of Q3"), _("End of Q4"))


# --- writing figures ---------------------------------------------------------------------------


def work_lines(plan: YearPlan) -> list[dict]:
    """What waits today in the year's dispatch loop (``quotas.workload``), each count linked to
    its list: the review list at 已提交待审核, the orders at their stage today, or overdue; and
    the departments late with the latest month's reports due, linked to that month on the
    monthly entry page (where the missing rows are, even those with no report at all), each
    department's name to its own projects there."""
    year = plan.year
    work = quotas.workload(plan, periods.today())
    reports = reverse("admin:projects_progressreport_changelist")
    orders = reverse("admin:investment_supervisionorder_changelist")
    lines = [
        {
            "label": _("Monthly reports awaiting review"),
            "count": work.awaiting_review,
            "url": f"{reports}?stage=submitted",
        },
        {
            "label": _("Orders awaiting a reply"),
            "count": work.awaiting_reply,
            "url": f"{orders}?stage=open&year={year}",
        },
        {
            "label": _("Orders replied, awaiting a decision"),
            "count": work.awaiting_decision,
            "url": f"{orders}?stage=replied&year={year}",
        },
        {"label": _("Overdue orders"), "count": work.overdue_orders, "url": f"{orders}?overdue=yes&year={year}"},
    ]
    late = work.late
    if late is not None:
        entry = f"{reverse('monthly-entry')}?year={late.month.year}&month={late.month.month}"
        lines.append(
            {
                "label": gettext("Departments late with the reports of %(month)s (due %(due)s)")
                % {"month": f"{late.month:%Y-%m}", "due": late.due_on.isoformat()},
                "count": len(late.departments),
                "url": entry,
                "details": [
                    {
                        "name": department.name,
                        "missing": department.missing,
                        "url": f"{entry}&department={department.department_id}",
                    }
                    for department in late.departments
                ],
            }
        )
    return lines


def percent(ratio: Decimal | None) -> str:
    """A ratio of four places as a percentage of two (0.7667 → 76.67%); a dash for none."""
    return "—" if ratio is None else f"{ratio.scaleb(2):.2f}%"


def css_length(fraction: Decimal | None) -> str | None:
    """A fraction of a bar's length (0 to 1) as a percentage length (CSS or SVG); None for none."""
    return None if fraction is None else f"{fraction.scaleb(2):.2f}%"


def figure_text(value: Decimal | None, kind: Kind) -> str:
    """A value as a clerk writes it: counts whole, amounts in 万元 with thousands separators and
    two places, shares as percentages."""
    if value is None:
        return "—"
    if kind == Kind.COUNT:
        return f"{value:,.0f}"
    if kind == Kind.AMOUNT:
        return f"{wan(value)} 万元"
    return percent(value)


def records_url(year: int, as_of: datetime.date, key: str, part: Part) -> str | None:
    """The changelist of the records behind ``part`` of the figure ``key``; None where there is
    no such list (the key projects and reserves are listed as counted only)."""
    if key in LEDGER_FILTERS:
        return LEDGER_FILTERS[key].url(year=year, as_of=as_of) if part == Part.COUNTED else None
    return QuotaFilter.url(year=year, as_of=as_of, key=key, part=part)


# --- the lines of the page ---------------------------------------------------------------------


# --- how a line is drawn -------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """A line drawn as a horizontal bar: ``fill`` is how far the bar is filled and ``mark``
    where the threshold stands, both fractions of the bar's length from 0 to 1; None draws
    no fill, or no mark."""

    fill: Decimal | None
    mark: Decimal | None


def bar(target: quotas.Target) -> Bar:
    """How to draw ``target``.

    A share is drawn on a 0–100 % scale: filled to its value, marked at its threshold (an
    informational line has no mark; a value above 1, funds in place beyond the contract, fills
    the bar). A count or an amount is drawn against its threshold: filled to ``progress``, the
    mark at the end; with no positive threshold there is nothing to draw it against (no fill,
    no mark). A share of nothing has no fill.
    """
    if target.kind == Kind.SHARE:
        fill = None if target.value is None else min(max(target.value, Decimal("0")), Decimal("1"))
        return Bar(fill=fill, mark=target.threshold)
    progress = target.progress
    return Bar(fill=progress, mark=Decimal("1") if progress is not None else None)


@dataclass(frozen=True)
class Line:
    """One target or indicator as the page shows it (``admin/dashboard_line.html`` says it in
    words): its figures written as a clerk writes them (``value``, ``numerator``,
    ``denominator``, ``threshold``), the lists behind the numerator and the denominator, ``fill``
    and ``mark`` the bar's lengths as percentages (SVG attributes: the content policy allows no
    style attribute), ``link`` the records to look at first and ``link_part`` which part of the
    figure they are (those left out of a share that is not met, else those counted)."""

    target: quotas.Target
    value: str
    numerator: str
    denominator: str | None
    threshold: str
    counted_url: str | None
    all_url: str | None
    fill: str | None
    mark: str | None
    link: str | None
    link_part: Part

    @property
    def is_ratio(self) -> bool:
        """A share of records, written "n / d = v%"."""
        return self.target.kind == Kind.SHARE and self.denominator is not None

    @property
    def mark_at_end(self) -> bool:
        """The mark at the bar's end (the threshold of a count or an amount): its words go on
        its left."""
        return self.mark == css_length(Decimal("1"))

    @property
    def state(self) -> str:
        """``met``, ``unmet`` or ``info`` (a line without a target): the bar's colour."""
        return {True: "met", False: "unmet", None: "info"}[self.target.met]


def line(report: quotas.Report, target: quotas.Target) -> Line:
    """How the page shows ``target`` of ``report``: a share as "n / d = v%", a count as "n
    projects", an amount as "v 万元 (n projects)"; then, for a target, its threshold and whether
    it is met. The records to look at first: for a share not met, those it leaves out; for
    another share, those it counts; else the list of those counted."""
    year, as_of, key = report.year, report.as_of, target.key
    denominator = None if target.denominator is None else str(target.denominator)
    if target.met is False and target.kind == Kind.SHARE and denominator is not None:
        part = Part.NOT_COUNTED
    else:
        part = Part.COUNTED
    drawn = bar(target)
    return Line(
        target=target,
        value=figure_text(target.value, target.kind),
        numerator=figure_text(target.value, target.kind) if target.kind == Kind.COUNT else str(target.numerator),
        denominator=denominator,
        threshold="" if target.met is None else figure_text(target.threshold, target.kind),
        counted_url=records_url(year, as_of, key, Part.COUNTED),
        all_url=records_url(year, as_of, key, Part.ALL),
        fill=css_length(drawn.fill),
        mark=css_length(drawn.mark),
        link=records_url(year, as_of, key, part),
        link_part=part,
    )


# --- the lead pipeline of each chain --------------------------------------------------------------


@dataclass(frozen=True)
class ChainLine:
    """One chain's lead pipeline as the page shows it: the counts of ``quotas.ChainConversion``,
    its ratios as percentages, and the link to the chain's map."""

    conversion: quotas.ChainConversion
    map_url: str

    @property
    def negotiating_rate(self) -> str:
        return percent(self.conversion.negotiating_rate)

    @property
    def signing_rate(self) -> str:
        return percent(self.conversion.signing_rate)

    @property
    def start_rate(self) -> str:
        return percent(self.conversion.start_rate)


def chain_lines(year: int, as_of: datetime.date) -> list[ChainLine]:
    """Every chain's line for ``year`` as of ``as_of`` (one query: ``quotas.chain_conversion``)."""
    return [
        ChainLine(conversion, reverse("chain-map", args=[conversion.chain_id]))
        for conversion in quotas.chain_conversion(year, as_of)
    ]


# --- the year plan's other indicators -------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorLine:
    """One plan indicator as the page shows it (``projects.indicators.IndicatorFigure``): its
    figure and target written with its decimals and unit, the bar filled to the figure's share
    of an "at least" target with the time progress marked where it has a light, its state
    (``met``, ``unmet``, ``info`` without a figure), its light and its monthly values' list."""

    row: IndicatorFigure
    figure: str
    target: str
    fill: str | None
    mark: str | None
    values_url: str

    @property
    def state(self) -> str:
        return {Status.MET: "met", Status.NOT_YET: "unmet"}.get(self.row.status, "info")  # type: ignore[call-overload]


def indicator_text(value: Decimal | None, decimals: int) -> str:
    return "—" if value is None else f"{value:,.{decimals}f}"


def indicator_lines(year: int, as_of: datetime.date) -> list[dict]:
    """The plan's indicators for ``year`` as of ``as_of``, by area in the areas' order, each an
    ``IndicatorLine`` (one query: ``projects.indicators.indicators_on``)."""
    values = reverse("admin:projects_indicatorvalue_changelist")
    by_area: dict[str, list[IndicatorLine]] = {}
    for row in indicators_on(year, as_of):
        indicator = row.indicator
        at_least = indicator.comparison == Comparison.AT_LEAST
        fill = None
        if at_least and row.completion is not None:
            fill = min(max(row.completion, Decimal("0")), Decimal("1"))
        by_area.setdefault(indicator.area, []).append(
            IndicatorLine(
                row=row,
                figure=indicator_text(row.figure, indicator.decimals),
                target=indicator_text(indicator.target, indicator.decimals),
                fill=css_length(fill),
                mark=css_length(row.time_progress),
                values_url=f"{values}?indicator__id__exact={indicator.pk}",
            )
        )
    return [{"label": label, "lines": by_area[area]} for area, label in IndicatorAreaChoices.choices if area in by_area]


# --- the view ------------------------------------------------------------------------------------


def dashboard(request):
    """The page; wrapped in ``admin.site.admin_view`` by the URLconf (staff only).

    A bad ``year`` or ``as_of`` is a 400 page that says which and why; a year without a plan a
    404 page that says so (with a link to enter it); no plan at all, a page that says so.
    """
    plans = {plan.year: plan for plan in YearPlan.objects.order_by("-year")}
    errors: list[str] = []
    year = page_parameter(request.GET, "year", periods.parse_year, errors, gettext("Year: %(error)s"))
    as_of = page_parameter(request.GET, "as_of", periods.parse_date, errors, gettext("As of: %(error)s"))
    if year is None and not errors:
        year = as_of.year if as_of is not None else YearPlan.objects.latest_year()
    plan = plans.get(year)
    if plan is not None and as_of is None:
        as_of = periods.default_as_of(year)

    context = {
        **admin.site.each_context(request),
        "title": gettext("Progress on the year's targets"),
        "years": list(plans),
        "year": year,
        "as_of": as_of,
        "errors": errors,
        "plan": plan,
        "add_plan_url": reverse("admin:projects_yearplan_add"),
    }
    status = 200
    if errors:
        status = 400
    elif year is not None and plan is None:
        status = 404
        context["missing"] = gettext("There is no year plan for %(year)s.") % {"year": year}
    elif plan is None:
        context["missing"] = gettext("No year plan has been entered yet.")
    else:
        report = quotas.report(plan, as_of)
        context.update(
            subtitle=gettext("%(year)s, as of %(date)s") % {"year": year, "date": as_of.isoformat()},
            met=sum(target.met is True for target in report.targets),
            unmet=sum(target.met is False for target in report.targets),
            targets=[line(report, target) for target in report.targets],
            signals=quotas.key_project_signals(plan, as_of),
            work=work_lines(plan),
            chains=chain_lines(year, as_of),
            plan_indicators=indicator_lines(year, as_of),
            indicators=[line(report, target) for target in report.indicators],
            quarters=[
                {"name": name, "date": end, "url": dashboard_url(year, end), "current": end == as_of}
                for name, end in zip(QUARTER_NAMES, periods.quarter_ends(year), strict=True)
            ],
            note=(
                gettext("The date %(date)s is outside %(year)s.") % {"date": as_of.isoformat(), "year": year}
                if as_of.year != year
                else ""
            ),
        )
    return TemplateResponse(request, "admin/dashboard.html", context, status=status)
