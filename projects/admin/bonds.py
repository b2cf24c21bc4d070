"""The special-bond reserve ledger in the admin: its columns, the status filter, and
``PoolFilter``, the reserves behind the dashboard's bond-reserve figures.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.admin import DatedStepsFilter, LedgerAdmin, LedgerImportMixin, YearFilter, YearRecordsFilter, wan

from ..choices import BondReserveStatusChoices
from ..models import BondReserve
from ..resources import BondReserveResource


class PoolFilter(YearRecordsFilter):
    """Reserves of ``pool_year`` in the pool on ``as_of``: the records behind the bond-reserve
    count and bond demand."""

    parameters = ("pool_year", "as_of")
    changelist = "admin:projects_bondreserve_changelist"

    def select(self, queryset, *, year, as_of):
        return queryset.filter(year=year).in_pool(as_of)

    def describe(self, *, year, as_of):
        return gettext("Reserves of %(year)s in the pool on %(date)s (entered, not rejected)") % {
            "year": year,
            "date": as_of.isoformat(),
        }


class BondStatusFilter(DatedStepsFilter):
    """Status as of today, derived from the step dates."""

    title = _("status")
    parameter_name = "status"
    options = BondReserveStatusChoices
    steps = BondReserve.STEPS


@admin.register(BondReserve)
class BondReserveAdmin(LedgerImportMixin, LedgerAdmin):
    resource_classes = [BondReserveResource]
    list_display = (
        "name",
        "year",
        "sector",
        "department",
        "area",
        "total_investment_wan",
        "bond_demand_wan",
        "coverage",
        "coverage_warning_column",
        "status_today",
        "reserved_on",
    )
    list_filter = (PoolFilter, YearFilter, BondStatusFilter, "sector", "department", "area")
    list_select_related = ("sector", "department", "area")
    search_fields = ("name", "owner", "project_code")
    fieldsets = (
        (None, {"fields": ("year", "name", "project_code", "owner", "sector", "department", "area")}),
        (
            _("Funding (万元)"),
            {
                "fields": (
                    "total_investment",
                    "bond_demand",
                    "capital_portion",
                    "expected_income",
                    "principal_and_interest",
                    "issued_amount",
                )
            },
        ),
        (_("Steps"), {"fields": ("reserved_on", "submitted_on", "approved_on", "issued_on", "rejected_on")}),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        # The warning against the plan of each reserve's year and the status today, in the
        # page's one query.
        return super().get_queryset(request).with_coverage_warning().with_status(periods.today())

    @admin.display(description=_("total investment (万元)"), ordering="total_investment")
    def total_investment_wan(self, obj):
        return wan(obj.total_investment)

    @admin.display(description=_("bond demand (万元)"), ordering="bond_demand")
    def bond_demand_wan(self, obj):
        return wan(obj.bond_demand)

    @admin.display(description=_("coverage ratio"))
    def coverage(self, obj):
        return obj.coverage_ratio

    @admin.display(description=_("coverage warning"), ordering="has_coverage_warning")
    def coverage_warning_column(self, obj):
        # Words, not Django's boolean icons: there a warning would be a green tick and a sound
        # reserve a red cross, the opposite of what a clerk reads.
        if obj.has_coverage_warning:
            return format_html('<span class="coverage-warning">{}</span>', gettext("below the warning ratio"))
        return "—"

    @admin.display(description=_("status"))
    def status_today(self, obj):
        status = obj.status_as_of if hasattr(obj, "status_as_of") else obj.status
        return BondReserveStatusChoices(status).label if status else "—"
