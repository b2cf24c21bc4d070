"""The admin's page 排名通报: the rankings of the departments or the areas (``rankings``) for a year
as of a day, each indicator's column sortable, the 红榜 and the 黑榜 marked, each figure linked to
the records behind it where a changelist can filter them, and the monthly circular's download.

GET ``year`` (default: the latest plan's), ``as_of`` (default ``periods.default_as_of``), ``by``
(``department`` or ``area``), ``sort`` (an indicator's key, or ``composite``, the default). A bad
parameter is a 400 with the page and its message. It computes nothing: it writes and links what
``rankings.rankings`` gives, in its queries (plus the plans' one). Wrapped in
``admin.site.admin_view`` by the URLconf."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.params import page_parameter
from projects.models import YearPlan

from . import rankings
from .choices import RankingIndicatorChoices as Indicator, RankingUnitChoices as Unit
from .quotas import Kind

COMPOSITE = "composite"

# The figure of the quota report whose records an attraction indicator counts (``QuotaFilter``).
ATTRACTION_QUOTAS = {
    Indicator.ATTRACTION_SIGNED: "attraction_count",
    Indicator.ATTRACTION_BIG_SHARE: "attraction_big_share",
    Indicator.ATTRACTION_KEY_INDUSTRY_SHARE: "attraction_key_industry_share",
    Indicator.ATTRACTION_STARTED_SHARE: "attraction_started_share",
}


def records_url(key: str, unit_id: int, by: str, year: int, as_of) -> str | None:
    """The changelist of the records behind ``key`` for one unit, where its filters can say so:
    the key projects listed by the day (with today's red light for the red-light share, with
    overdue problems for those), the orders of the year overdue (departments only: the orders'
    list has no area filter), the attraction projects a quota figure counts. None elsewhere."""
    unit = {f"{by}__id__exact": unit_id}
    if key in (Indicator.INVESTMENT_PROGRESS, Indicator.RED_LIGHT_SHARE, Indicator.LATE_REPORTS):
        query = {"listed_for": year, "as_of": as_of.isoformat(), **unit}
        if key == Indicator.RED_LIGHT_SHARE:
            query["warning"] = "red"
        return f"{reverse('admin:projects_keyproject_changelist')}?{urlencode(query)}"
    if key == Indicator.OVERDUE_PROBLEMS:
        return f"{reverse('admin:projects_keyproject_changelist')}?{urlencode({'problems': 'overdue', **unit})}"
    if key == Indicator.OVERDUE_ORDERS:
        if by != Unit.DEPARTMENT:
            return None
        query = {"year": year, "overdue": "yes", **unit}
        return f"{reverse('admin:investment_supervisionorder_changelist')}?{urlencode(query)}"
    if key in ATTRACTION_QUOTAS:
        query = {"quota": ATTRACTION_QUOTAS[key], "quota_year": year, "as_of": as_of.isoformat(), **unit}
        return f"{reverse('admin:investment_attractionproject_changelist')}?{urlencode(query)}"
    return None


def value_text(value, kind: Kind) -> str:
    """A count whole; a share as a percentage with two places."""
    if value is None:
        return "—"
    if kind == Kind.SHARE:
        return f"{value * 100:.2f}%"
    return str(int(value))


def sort_key(sort: str):
    """Rows by ``sort``: an indicator's rank, or the composite's, the units without one last."""

    def key(unit: rankings.UnitRanking):
        rank = unit.rank if sort == COMPOSITE else unit.figures[sort].rank
        return (rank is None, rank or 0, unit.code)

    return key


def rankings_page(request):
    errors: list[str] = []
    plans = list(YearPlan.objects.order_by("-year").values_list("year", flat=True))
    year = page_parameter(
        request.GET, "year", periods.parse_year, errors, gettext("Year: %(error)s"), plans[0] if plans else None
    )
    if year is not None and year not in plans:
        errors.append(gettext("There is no year plan for %(year)s.") % {"year": year})
    default_as_of = periods.default_as_of(year) if year else periods.today()
    as_of = page_parameter(request.GET, "as_of", periods.parse_date, errors, gettext("As of: %(error)s"), default_as_of)
    by = request.GET.get("by", Unit.DEPARTMENT)
    if by not in Unit.values:
        errors.append(gettext("Rank: departments or areas."))
        by = Unit.DEPARTMENT
    sort = request.GET.get("sort", COMPOSITE)
    if sort != COMPOSITE and sort not in rankings.SPECS:
        errors.append(gettext("Sort: an indicator's column."))
        sort = COMPOSITE
    context = {
        **admin.site.each_context(request),
        "title": gettext("Rankings (排名通报)"),
        "years": plans,
        "choice": {"year": year, "as_of": as_of, "by": by, "sort": sort},
        "units_choices": Unit.choices,
        "errors": errors,
    }
    if not errors and year is not None:
        result = rankings.rankings(YearPlan.objects.get(year=year), as_of, by)
        base = {"year": year, "as_of": as_of.isoformat(), "by": by}
        context["columns"] = [
            {
                "key": spec.key,
                "label": spec.label,
                "direction": _("higher is better") if spec.higher_is_better else _("lower is better"),
                "weight": result.weights[spec.key],
                "sort_url": "?" + urlencode({**base, "sort": spec.key}),
                "sorted": sort == spec.key,
            }
            for spec in rankings.INDICATORS
        ]
        context["composite_sort_url"] = "?" + urlencode({**base, "sort": COMPOSITE})
        context["rows"] = [
            {
                "unit": unit,
                "cells": [
                    {
                        "value": value_text(unit.figures[spec.key].value, spec.kind),
                        "rank": unit.figures[spec.key].rank,
                        "score": unit.figures[spec.key].score,
                        "url": records_url(spec.key, unit.unit_id, by, year, as_of)
                        if unit.figures[spec.key].value is not None
                        else None,
                    }
                    for spec in rankings.INDICATORS
                ],
            }
            for unit in sorted(result.units, key=sort_key(sort))
        ]
        context["red_list"] = result.red_list
        context["black_list"] = result.black_list
        month_end = periods.month_end(as_of)
        context["circular_url"] = (
            reverse("circular-export-page")
            + "?"
            + urlencode({"year": year, "month": (month_end if month_end.year == year else as_of).month})
        )
    status = 400 if errors else 200
    return TemplateResponse(request, "admin/rankings.html", context, status=status)
