"""The clerks' ledgers of the projects app in the Django admin.

Thin: columns, filters and inlines. Every derived value (status, coverage ratio) comes from
the model or its queryset; every list declares the related rows it needs so that a page
of 100 rows costs the same few queries as a page of 10.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Prefetch
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jiaxian import periods

from .choices import AnnualListingCategoryChoices, BondReserveStatusChoices
from .models import AnnualListing, Area, BondReserve, Department, Industry, KeyProject, Sector, YearPlan


def wan(value) -> str:
    """An amount in 万元 as a clerk writes it: thousands separated, two places; blank when
    unknown."""
    return "" if value is None else f"{value:,.2f}"


class LedgerAdmin(SimpleHistoryAdmin):
    """Shared by every ledger: 100 rows a page, history view, the bookkeeping fields shown
    but never edited."""

    list_per_page = 100
    readonly_fields = ("version", "created_at", "updated_at")


@admin.register(Industry)
class IndustryAdmin(LedgerAdmin):
    list_display = ("code", "name", "is_key")
    list_filter = ("is_key",)
    search_fields = ("code", "name")


@admin.register(Area)
class AreaAdmin(LedgerAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(LedgerAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Sector)
class SectorAdmin(LedgerAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(YearPlan)
class YearPlanAdmin(LedgerAdmin):
    list_display = (
        "year",
        "key_project_count_target",
        "key_project_investment_target",
        "bond_reserve_count_target",
        "bond_reserve_demand_target",
        "attraction_count_target",
    )
    fieldsets = (
        (None, {"fields": ("year",)}),
        (_("Key projects"), {"fields": ("key_project_count_target", "key_project_investment_target")}),
        (_("Special-bond reserves"), {"fields": ("bond_reserve_count_target", "bond_reserve_demand_target")}),
        (
            _("Attraction projects"),
            {
                "fields": (
                    "attraction_count_target",
                    "big_project_contract_min",
                    "big_project_fixed_asset_min",
                    "attraction_big_share_target",
                    "attraction_key_industry_share_target",
                    "attraction_started_share_target",
                )
            },
        ),
        (
            _("Warning lights and bond coverage"),
            {
                "fields": (
                    "milestone_yellow_max_days",
                    "investment_yellow_gap",
                    "investment_red_gap",
                    "coverage_warning_ratio",
                    "coverage_refusal_ratio",
                )
            },
        ),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )


class YearFilter(admin.SimpleListFilter):
    """Years that have records, newest first; one query."""

    title = _("year")
    parameter_name = "year"
    year_field = "year"

    def years(self, queryset):
        return queryset.order_by(f"-{self.year_field}").values_list(self.year_field, flat=True).distinct()

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in self.years(model_admin.model.objects.all())]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters(f"year must be a number, not {self.value()!r}")
        return queryset.filter(**{self.year_field: self.value()})


class ListingYearFilter(YearFilter):
    """A key project's year is the year of a listing; (project, year) is unique, so the
    join cannot repeat a project."""

    title = _("year listed")
    year_field = "listings__year"

    def lookups(self, request, model_admin):
        years = AnnualListing.objects.order_by("-year").values_list("year", flat=True).distinct()
        return [(str(year), str(year)) for year in years]


class ListingCategoryFilter(admin.SimpleListFilter):
    title = _("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return AnnualListingCategoryChoices.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # With a year chosen, the category of that year's listing; else of any year's.
        year = request.GET.get(ListingYearFilter.parameter_name)
        if year and year.isdigit():
            return queryset.filter(listings__category=self.value(), listings__year=year)
        return queryset.filter(listings__category=self.value()).distinct()


class AnnualListingInline(admin.TabularInline):
    model = AnnualListing
    extra = 1
    fields = ("year", "category", "planned_investment", "listed_on")
    ordering = ("-year",)


@admin.register(KeyProject)
class KeyProjectAdmin(LedgerAdmin):
    list_display = (
        "name",
        "industry",
        "key_industry",
        "area",
        "department",
        "nature",
        "total_investment_wan",
        "listed_years",
        "started_on",
        "completed_on",
    )
    list_filter = (
        ListingYearFilter,
        ListingCategoryFilter,
        "industry",
        "industry__is_key",
        "area",
        "department",
        "nature",
    )
    list_select_related = ("industry", "area", "department")
    search_fields = ("name", "owner", "project_code", "leader")
    date_hierarchy = "started_on"
    autocomplete_fields = ("predecessor",)
    inlines = [AnnualListingInline]
    fieldsets = (
        (None, {"fields": ("name", "project_code", "owner", "nature", "predecessor", "content")}),
        (_("Responsibility"), {"fields": ("industry", "area", "department", "leader")}),
        (
            _("Investment and dates"),
            {"fields": ("total_investment", "started_on", "planned_completion_on", "completed_on")},
        ),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        # One extra query for every row's listings, instead of one per row.
        listings = Prefetch("listings", queryset=AnnualListing.objects.order_by("year"))
        return super().get_queryset(request).prefetch_related(listings)

    @admin.display(description=_("total investment (万元)"), ordering="total_investment")
    def total_investment_wan(self, obj):
        return wan(obj.total_investment)

    @admin.display(description=_("key industry"), boolean=True, ordering="industry__is_key")
    def key_industry(self, obj):
        return obj.industry.is_key

    @admin.display(description=_("listed for years"))
    def listed_years(self, obj):
        return gettext(", ").join(
            gettext("%(year)s (%(category)s)") % {"year": listing.year, "category": listing.get_category_display()}
            for listing in obj.listings.all()
        )


class BondStatusFilter(admin.SimpleListFilter):
    """Status as of today, derived from the step dates."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return BondReserveStatusChoices.choices

    def queryset(self, request, queryset):
        if self.value() in BondReserveStatusChoices.values:
            return queryset.in_status(self.value(), periods.today())
        return queryset


@admin.register(BondReserve)
class BondReserveAdmin(LedgerAdmin):
    list_display = (
        "name",
        "year",
        "sector",
        "department",
        "area",
        "total_investment_wan",
        "bond_demand_wan",
        "coverage",
        "status_today",
        "reserved_on",
    )
    list_filter = (YearFilter, BondStatusFilter, "sector", "department", "area")
    list_select_related = ("sector", "department", "area")
    search_fields = ("name", "owner", "project_code")
    date_hierarchy = "reserved_on"
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

    @admin.display(description=_("total investment (万元)"), ordering="total_investment")
    def total_investment_wan(self, obj):
        return wan(obj.total_investment)

    @admin.display(description=_("bond demand (万元)"), ordering="bond_demand")
    def bond_demand_wan(self, obj):
        return wan(obj.bond_demand)

    @admin.display(description=_("coverage ratio"))
    def coverage(self, obj):
        return obj.coverage_ratio

    @admin.display(description=_("status"))
    def status_today(self, obj):
        status = obj.status
        return BondReserveStatusChoices(status).label if status else "—"
