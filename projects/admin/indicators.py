"""The year plan's indicators (年度目标指标) in the admin: inline on the year plan's page (for
those who edit the plan: bureau staff), each on its own list with its unit and a link to its
monthly values; the monthly values in a review list like the progress reports'
(``ReviewedAdmin``: submit, approve, return), entered by their indicator's unit (the department
rule, ``projects.access``). The figures against the targets are on the dashboard."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian.admin import LedgerAdmin, VersionedInline, YearFilter

from ..models import IndicatorValue, PlanIndicator
from .progress import MonthFilter, ReviewedAdmin, ReviewStageFilter


class PlanIndicatorInline(VersionedInline, admin.TabularInline):
    """A plan's indicators on its page: what names each one and its target, the rest
    (comparison, accumulation, frequency, decimals, leader, source) on its own page through the
    change link, so that the table fits a 1366-pixel screen."""

    model = PlanIndicator
    fields = ("area", "name", "unit", "target", "department")
    extra = 0
    show_change_link = True


class IndicatorYearFilter(YearFilter):
    year_field = "plan__year"


def values_link(indicator: PlanIndicator, text: str) -> str:
    url = reverse("admin:projects_indicatorvalue_changelist")
    return format_html('<a href="{}?indicator__id__exact={}">{}</a>', url, indicator.pk, text)


@admin.register(PlanIndicator)
class PlanIndicatorAdmin(LedgerAdmin):
    list_display = (
        "name",
        "year",
        "area",
        "target_shown",
        "comparison",
        "accumulation",
        "frequency",
        "department",
        "leader",
        "values",
    )
    list_filter = (IndicatorYearFilter, "area", "department", "frequency")
    list_select_related = ("plan", "department")
    search_fields = ("name", "leader", "source")
    fieldsets = (
        (None, {"fields": ("plan", "area", "name", "unit")}),
        (_("Target"), {"fields": ("target", "comparison", "accumulation", "frequency", "decimals")}),
        (_("Responsibility"), {"fields": ("department", "leader", "source")}),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )

    @admin.display(description=_("year"), ordering="plan__year")
    def year(self, indicator):
        return indicator.plan.year

    @admin.display(description=_("target"), ordering="target")
    def target_shown(self, indicator):
        return f"{indicator.target:.{indicator.decimals}f} {indicator.unit}"

    @admin.display(description=_("indicator values"))
    def values(self, indicator):
        return values_link(indicator, gettext("monthly values"))


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReviewedAdmin):
    list_display = (
        "indicator",
        "department",
        "month_shown",
        "value_shown",
        "stage_shown",
        "approved_shown",
        "return_reason",
    )
    list_filter = (ReviewStageFilter, MonthFilter, "indicator__department", "indicator__area", "indicator")
    list_select_related = ("indicator__department",)
    review_select_related = ("indicator",)
    search_fields = ("indicator__name",)
    ordering = ("-month", "indicator_id")
    fields = ("indicator", "month", "value", "note", "version", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # A value's indicator and month are its key: a saved one changes its value only.
        fixed = ("indicator", "month") if obj is not None else ()
        return (*fixed, *super().get_readonly_fields(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "indicator":
            kwargs["queryset"] = PlanIndicator.objects.select_related("plan").order_by("-plan__year", "area", "id")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("responsible unit"), ordering="indicator__department__name")
    def department(self, value):
        return value.indicator.department

    @admin.display(description=_("value"), ordering="value")
    def value_shown(self, value):
        return f"{value.value:.{value.indicator.decimals}f} {value.indicator.unit}"

    @admin.display(description=_("approved value"))
    def approved_shown(self, value):
        if value.approved_value is None:
            return "—"
        return f"{value.approved_value:.{value.indicator.decimals}f} {value.indicator.unit}"
