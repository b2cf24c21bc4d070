"""The rankings' weights in the admin: one row per year plan and indicator, the weight edited in
the list (the year plan's own admin is ``projects``', which never imports this app)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When

from ..choices import RankingIndicatorChoices
from ..models import RankingWeight

# The indicators in the order the rankings show them (the choices' order), not by their codes.
INDICATOR_ORDER = Case(
    *(When(indicator=value, then=Value(place)) for place, value in enumerate(RankingIndicatorChoices.values)),
    output_field=IntegerField(),
)


@admin.register(RankingWeight)
class RankingWeightAdmin(admin.ModelAdmin):
    """A plan's weights, edited in the list; a negative one is refused (``RankingWeight.clean``).
    New plans get equal weights (``investment.signals``)."""

    list_display = ("plan", "indicator", "weight")
    list_editable = ("weight",)
    list_filter = ("plan",)
    list_select_related = ("plan",)
    ordering = ("-plan__year", INDICATOR_ORDER.asc())
