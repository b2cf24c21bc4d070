"""The rankings' weights in the admin: one row per year plan and indicator, the weight edited in
the list (the year plan's own admin is ``projects``', which never imports this app)."""

from __future__ import annotations

from django.contrib import admin

from ..models import RankingWeight


@admin.register(RankingWeight)
class RankingWeightAdmin(admin.ModelAdmin):
    """A plan's weights, edited in the list; a negative one is refused (``RankingWeight.clean``).
    New plans get equal weights (``investment.signals``)."""

    list_display = ("plan", "indicator", "weight")
    list_editable = ("weight",)
    list_filter = ("plan",)
    list_select_related = ("plan",)
    ordering = ("-plan__year", "indicator")
