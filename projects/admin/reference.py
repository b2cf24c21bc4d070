"""The reference data in the admin: industries, areas, departments (with their open and
overdue problems), bond sectors, the year plan; and the user's page with the user's
departments (the department rule, ``projects.access``).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from jiaxian import periods
from jiaxian.admin import LedgerAdmin, annotated_column

from ..models import Area, Department, Industry, Sector, YearPlan
from ..querysets import ProblemQuerySet
from .indicators import PlanIndicatorInline


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
    """Departments with the problems they are responsible for that are open today, and of
    those the overdue ones (two conditional counts over one join: a fixed number of queries)."""

    list_display = ("code", "name", "open_problems", "overdue_problems")
    search_fields = ("code", "name")
    filter_horizontal = ("members",)

    def get_queryset(self, request):
        today = periods.today()
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_problem_count=Count("problems", filter=ProblemQuerySet.open_condition(today, "problems__")),
                overdue_problem_count=Count("problems", filter=ProblemQuerySet.overdue_condition(today, "problems__")),
            )
        )

    open_problems = annotated_column("open_problem_count", _("open problems"))
    overdue_problems = annotated_column("overdue_problem_count", _("overdue problems"))


@admin.register(Sector)
class SectorAdmin(LedgerAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(YearPlan)
class YearPlanAdmin(LedgerAdmin):
    # The plan's other targets, each with its unit (projects.admin.indicators).
    inlines = [PlanIndicatorInline]
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
        (_("Monthly progress reports"), {"fields": ("progress_due_day",)}),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )


# --- users and their departments ----------------------------------------------------------------


class DepartmentMembershipInline(admin.TabularInline):
    """The departments a user belongs to, on the user's page (the same links as a department's
    ``members``)."""

    model = Department.members.through
    extra = 1
    verbose_name = _("department")
    verbose_name_plural = _("departments (a clerk edits only their records)")
    autocomplete_fields = ("department",)


class UserWithDepartmentsAdmin(UserAdmin):
    """Django's user admin plus the user's departments."""

    inlines = [*UserAdmin.inlines, DepartmentMembershipInline]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, UserWithDepartmentsAdmin)
