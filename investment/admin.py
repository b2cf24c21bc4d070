"""The attraction ledger in the Django admin: columns, filters, history. The stage and the
100-million flag come from the queryset, the same rule the reports use."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jiaxian import periods
from projects.admin import LedgerAdmin, YearFilter, wan

from .choices import AttractionProjectStageChoices
from .models import AttractionProject


class StageFilter(admin.SimpleListFilter):
    """Stage as of today, derived from the dates."""

    title = _("stage")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return AttractionProjectStageChoices.choices

    def queryset(self, request, queryset):
        if self.value() in AttractionProjectStageChoices.values:
            return queryset.in_stage(self.value(), periods.today())
        return queryset


class BigProjectFilter(admin.SimpleListFilter):
    title = _("100-million project")
    parameter_name = "big"

    def lookups(self, request, model_admin):
        return [("1", _("Yes")), ("0", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(big_project=self.value() == "1")
        return queryset


@admin.register(AttractionProject)
class AttractionProjectAdmin(LedgerAdmin):
    list_display = (
        "name",
        "year",
        "investor",
        "industry",
        "key_industry",
        "contract_amount_wan",
        "fixed_asset_investment_wan",
        "big_project_column",
        "stage_today",
        "signed_on",
        "started_on",
    )
    list_filter = (
        YearFilter,
        StageFilter,
        BigProjectFilter,
        "industry",
        "industry__is_key",
        "area",
        "department",
        "investor_origin",
    )
    list_select_related = ("industry",)
    search_fields = ("name", "investor", "project_code")
    date_hierarchy = "signed_on"
    autocomplete_fields = ("predecessor", "key_project")
    fieldsets = (
        (
            None,
            {"fields": ("year", "name", "project_code", "investor", "investor_origin", "predecessor", "key_project")},
        ),
        (_("Responsibility"), {"fields": ("industry", "area", "department", "leader")}),
        (_("Amounts (万元)"), {"fields": ("contract_amount", "fixed_asset_investment", "funds_in_place")}),
        (_("Dates"), {"fields": ("signed_on", "started_on", "in_production_on")}),
        (None, {"fields": ("notes",)}),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_big_project()

    @admin.display(description=_("contract amount (万元)"), ordering="contract_amount")
    def contract_amount_wan(self, obj):
        return wan(obj.contract_amount)

    @admin.display(description=_("fixed-asset investment (万元)"), ordering="fixed_asset_investment")
    def fixed_asset_investment_wan(self, obj):
        return wan(obj.fixed_asset_investment)

    @admin.display(description=_("100-million project"), boolean=True, ordering="big_project")
    def big_project_column(self, obj):
        return obj.big_project

    @admin.display(description=_("key industry"), boolean=True, ordering="industry__is_key")
    def key_industry(self, obj):
        return obj.industry.is_key

    @admin.display(description=_("stage"))
    def stage_today(self, obj):
        return AttractionProjectStageChoices(obj.stage).label
