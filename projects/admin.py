"""The clerks' ledgers of the projects app in the Django admin.

Thin: columns, filters and inlines. Every derived value (status, coverage ratio) comes from
the model or its queryset; every list declares the related rows it needs so that a page
of 100 rows costs the same few queries as a page of 10. ``RecordsFilter`` and its two
subclasses here list the records behind a figure of the year's report, where the dashboard's
links lead (the investment app adds its own; this app never imports it).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jiaxian import periods

from . import access
from .choices import AnnualListingCategoryChoices, BondReserveStatusChoices, KeyProjectWarningChoices
from .import_admin import LedgerImportMixin
from .models import (
    AnnualListing,
    Area,
    BondReserve,
    Department,
    Industry,
    KeyProject,
    Milestone,
    Problem,
    ProgressReport,
    Sector,
    StaleVersion,
    YearPlan,
)
from .querysets import ProblemQuerySet
from .resources import BondReserveResource, KeyProjectResource

# The colours of the warning light, as the clerks' Excel sheets fill the cell.
WARNING_COLOURS = {
    KeyProjectWarningChoices.GREEN: "#2e9e48",
    KeyProjectWarningChoices.YELLOW: "#e0a800",
    KeyProjectWarningChoices.RED: "#d9383e",
}


def warning_badge(warning: str | None) -> str:
    """The light ``warning`` as a coloured dot and its name; a dash for none."""
    if not warning:
        return "—"
    return format_html(
        '<span class="warning-light warning-{}" style="color: {}; font-weight: 600">● {}</span>',
        warning,
        WARNING_COLOURS[warning],
        KeyProjectWarningChoices(warning).label,
    )


def lineage(obj) -> str:
    """A project's predecessor and successors (second phases, expansions) as links to their
    change pages, one per line; a dash when it has neither. Works for any model with
    ``predecessor`` and ``successors``."""
    meta = obj._meta
    url_name = f"admin:{meta.app_label}_{meta.model_name}_change"
    rows = []
    if obj.pk is None:
        return "—"
    if obj.predecessor_id is not None:
        rows.append((gettext("predecessor"), reverse(url_name, args=[obj.predecessor_id]), str(obj.predecessor)))
    for successor in obj.successors.order_by("pk"):
        rows.append((gettext("successor"), reverse(url_name, args=[successor.pk]), str(successor)))
    if not rows:
        return "—"
    return format_html_join(mark_safe("<br>"), '{}: <a class="lineage" href="{}">{}</a>', rows)


def wan(value) -> str:
    """An amount in 万元 as a clerk writes it: thousands separated, two places; blank when
    unknown."""
    return "" if value is None else f"{value:,.2f}"


class LedgerChangeList(ChangeList):
    """A ledger's changelist; it knows the figure of the year's report it shows the records of,
    if any, so that the breadcrumbs lead back to the dashboard."""

    @property
    def records_filter(self) -> RecordsFilter | None:
        return next((spec for spec in self.filter_specs if isinstance(spec, RecordsFilter)), None)


class VersionedModelForm(forms.ModelForm):
    """A change form that remembers the version the clerk opened (a hidden field) and refuses
    to save over a newer one, so that two clerks never overwrite each other silently."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Who is saving (set by LedgerAdmin.get_form): the department rule is checked on the record
    # as it would be saved, so that nobody creates a record for, or moves one to, a department
    # that is not theirs.
    access_user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk is not None and seen is not None:
            # The admin validates inside its transaction: claiming the version here holds the
            # row until the save, so nobody can slip a change in between.
            try:
                self.instance.claim_version(seen)
            except StaleVersion as stale:
                raise forms.ValidationError(
                    gettext(
                        "Someone else saved this record (now version %(now)s) after you opened it (version "
                        "%(seen)s). Your changes were not saved: open the record again to see theirs, then "
                        "make yours."
                    )
                    % {"now": stale.current, "seen": seen},
                    code="stale_version",
                ) from stale
        return cleaned

    def _post_clean(self):
        # After the instance has the form's values (super), so that the new department counts.
        super()._post_clean()
        if self.access_user is None:
            return
        field = (access.owner_path(type(self.instance)) or "").split("__")[0]
        if field in self.errors:
            return  # already refused (a required department left blank), said once
        reason = access.refusal(self.access_user, self.instance)
        if reason is not None:
            self.add_error(field if field in self.fields else None, reason)


class LedgerAdmin(SimpleHistoryAdmin):
    """Shared by every ledger: 100 rows a page, history view, the bookkeeping fields shown
    but never edited, and a change form that refuses to save over a newer version.

    The department rule (``projects.access``) on top of the model permissions: a record the
    user may not edit opens read-only and cannot be deleted (in bulk neither); saving a record
    for a department that is not theirs is an error on its ``department`` field. The lists
    still show every record."""

    list_per_page = 100
    readonly_fields = ("version", "created_at", "updated_at")
    form = VersionedModelForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.fieldsets and obj is not None:
            fieldsets = [*fieldsets, (None, {"fields": ("seen_version",), "classes": ("hidden",)})]
        return fieldsets

    def get_changelist(self, request, **kwargs):
        return LedgerChangeList

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.access_user = request.user  # a class made for this request by modelform_factory
        return form

    def has_add_permission(self, request):
        # Records without an owning department (reference data) only those who edit all may add.
        return super().has_add_permission(request) and (
            access.owner_path(self.model) is not None or access.edits_all_departments(request.user)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))

    def get_deleted_objects(self, objs, request):
        # "Delete selected" on the list: a record the user may not edit makes it refuse, as a
        # missing permission does (listed on the confirmation page, 403 on confirming).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed |= {str(obj) for obj in objs if not access.may_edit(request.user, obj)}
        return deleted, counts, perms_needed, protected

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # History is only read: SIMPLE_HISTORY_REVERT_DISABLED hides the Revert button, and a
        # post to an old version's page (which simple_history would save) is refused.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# --- the records behind the year's targets ------------------------------------------------------

# The bounds of a plan's year (YearPlan.year's validators): any other year has no plan.
YEARS = range(2000, 2101)


def parse_year(text: str) -> int:
    """``text`` as a plan's year; anything else is a ValueError with a message for the clerk."""
    if not (text.isascii() and text.isdigit() and int(text) in YEARS):
        raise ValueError(gettext("“%(value)s” is not a year from 2000 to 2100.") % {"value": text})
    return int(text)


def parse_date(text: str) -> datetime.date:
    """``text`` written YYYY-MM-DD as a date; anything else is a ValueError with a message for
    the clerk."""
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ValueError(gettext("“%(value)s” is not a date written YYYY-MM-DD.") % {"value": text}) from None


def dashboard_url(year: int, as_of: datetime.date) -> str:
    """The dashboard of the year's targets for ``year`` as of ``as_of`` (a route of the project,
    not an import: this app never imports the investment app)."""
    return f"{reverse('quota-dashboard')}?{urlencode({'year': year, 'as_of': as_of.isoformat()})}"


class RecordsFilter(admin.ListFilter):
    """The records behind one figure of the year's report: where the dashboard's links lead.

    Its parameters come together from a link, not from the sidebar, so it shows in the sidebar
    only while active: a sentence saying what the list holds, a link back to the dashboard and
    one that clears it. A bad or incomplete value shows an error message and makes the admin
    fall back to the whole list (``IncorrectLookupParameters``: its ``?e=1`` page), never a 500.

    A subclass names its ``parameters`` (all are consumed, so that none is mistaken for a field
    lookup) and the ``changelist`` it filters, and implements ``parse`` (the parameters' text
    to keyword values, a ValueError when bad), ``select`` and ``describe`` (both given those
    values) and ``link`` (the parameters of a dashboard link).
    """

    title = _("the year's targets")
    template = "admin/records_filter.html"
    parameters: tuple[str, ...] = ()
    changelist = ""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]
        self.values: dict | None = None
        if self.used_parameters:
            try:
                self.values = self.parse(dict(self.used_parameters))
            except ValueError as error:
                messages.error(
                    request,
                    gettext("The records behind the year's targets cannot be listed: %(error)s") % {"error": error},
                    fail_silently=True,
                )
                raise IncorrectLookupParameters(str(error)) from error

    @property
    def parameter_name(self) -> str:
        return self.parameters[0]

    @classmethod
    def url(cls, **values) -> str | None:
        """The changelist filtered to the records of ``values``, None when it has no such
        list."""
        query = cls.link(**values)
        return None if query is None else f"{reverse(cls.changelist)}?{urlencode(query)}"

    @classmethod
    def link(cls, **values) -> dict | None:
        raise NotImplementedError

    def parse(self, given: dict[str, str]) -> dict:
        raise NotImplementedError

    def select(self, queryset, **values):
        raise NotImplementedError

    def describe(self, **values) -> str:
        raise NotImplementedError

    def has_output(self) -> bool:
        return self.values is not None

    def expected_parameters(self) -> list[str]:
        return list(self.parameters)

    def queryset(self, request, queryset):
        return queryset if self.values is None else self.select(queryset, **self.values)

    @property
    def dashboard_url(self) -> str | None:
        return None if self.values is None else dashboard_url(self.values["year"], self.values["as_of"])

    def choices(self, changelist):
        yield {
            "selected": True,
            "query_string": changelist.get_query_string(),
            "display": self.describe(**self.values),
            "role": "description",
        }
        yield {
            "selected": False,
            "query_string": self.dashboard_url,
            "display": gettext("Back to the year's targets"),
            "role": "dashboard",
        }
        yield {
            "selected": False,
            "query_string": changelist.get_query_string(remove=self.parameters),
            "display": gettext("Show all records"),
            "role": "clear",
        }

    @staticmethod
    def year_and_date(given: dict[str, str], year_parameter: str) -> tuple[int, datetime.date]:
        """The year (required) and the ``as_of`` date (the year's default when absent)."""
        if year_parameter not in given:
            raise ValueError(gettext("the year (%(parameter)s) is missing.") % {"parameter": year_parameter})
        year = parse_year(given[year_parameter])
        as_of = parse_date(given["as_of"]) if "as_of" in given else periods.default_as_of(year)
        return year, as_of


class ListedForFilter(RecordsFilter):
    """Key projects on ``listed_for``'s list by ``as_of``: the records behind the key-project
    count and total investment."""

    parameters = ("listed_for", "as_of")
    changelist = "admin:projects_keyproject_changelist"

    @classmethod
    def link(cls, *, year: int, as_of: datetime.date) -> dict:
        return {"listed_for": year, "as_of": as_of.isoformat()}

    def parse(self, given):
        year, as_of = self.year_and_date(given, "listed_for")
        return {"year": year, "as_of": as_of}

    def select(self, queryset, *, year, as_of):
        return queryset.listed_for(year, as_of=as_of)

    def describe(self, *, year, as_of):
        return gettext("Key projects on the %(year)s list by %(date)s") % {"year": year, "date": as_of.isoformat()}


class PoolFilter(RecordsFilter):
    """Reserves of ``pool_year`` in the pool on ``as_of``: the records behind the bond-reserve
    count and bond demand."""

    parameters = ("pool_year", "as_of")
    changelist = "admin:projects_bondreserve_changelist"

    @classmethod
    def link(cls, *, year: int, as_of: datetime.date) -> dict:
        return {"pool_year": year, "as_of": as_of.isoformat()}

    def parse(self, given):
        year, as_of = self.year_and_date(given, "pool_year")
        return {"year": year, "as_of": as_of}

    def select(self, queryset, *, year, as_of):
        return queryset.filter(year=year).in_pool(as_of)

    def describe(self, *, year, as_of):
        return gettext("Reserves of %(year)s in the pool on %(date)s (entered, not rejected)") % {
            "year": year,
            "date": as_of.isoformat(),
        }


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

    @admin.display(description=_("open problems"), ordering="open_problem_count")
    def open_problems(self, obj):
        return obj.open_problem_count

    @admin.display(description=_("overdue problems"), ordering="overdue_problem_count")
    def overdue_problems(self, obj):
        return obj.overdue_problem_count


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


class KeyProjectInline:
    """An inline of a key project's records: editable when the project is (they belong to its
    department, ``projects.access``); ``obj`` is the project, None on the add page."""

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))


class AnnualListingInline(KeyProjectInline, admin.TabularInline):
    model = AnnualListing
    extra = 1
    fields = ("year", "category", "planned_investment", "listed_on")
    ordering = ("-year",)


class MilestoneInline(KeyProjectInline, admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ("kind", "name", "planned_on", "done_on", "department", "note")
    autocomplete_fields = ("department",)


class ProgressReportInline(KeyProjectInline, admin.TabularInline):
    model = ProgressReport
    extra = 0
    fields = ("month", "completed_investment", "note")
    ordering = ("-month",)


class ProblemInline(KeyProjectInline, admin.StackedInline):
    model = Problem
    extra = 0
    fields = (("raised_on", "department", "due_on"), "description", ("resolved_on", "resolution"))
    autocomplete_fields = ("department",)


def warning_plan(request) -> YearPlan:
    """The plan whose thresholds the lights of today follow, asked once per request."""
    if not hasattr(request, "_warning_plan"):
        request._warning_plan = YearPlan.for_year(periods.today().year)
    return request._warning_plan


class WarningFilter(admin.SimpleListFilter):
    """Key projects by their warning light today (``with_warning``, annotated by the admin's
    queryset)."""

    title = _("warning light")
    parameter_name = "warning"

    def lookups(self, request, model_admin):
        return KeyProjectWarningChoices.choices

    def queryset(self, request, queryset):
        if self.value() in KeyProjectWarningChoices.values:
            return queryset.filter(warning=self.value())
        return queryset


class ProblemsFilter(admin.SimpleListFilter):
    title = _("problems")
    parameter_name = "problems"

    def lookups(self, request, model_admin):
        return [("open", _("with open problems")), ("overdue", _("with overdue problems"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(open_problems__gt=0)
        if self.value() == "overdue":
            return queryset.filter(overdue_problems__gt=0)
        return queryset


@admin.register(KeyProject)
class KeyProjectAdmin(LedgerImportMixin, LedgerAdmin):
    resource_classes = [KeyProjectResource]
    list_display = (
        "warning_light",
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
        "open_problem_count",
        "overdue_problem_count",
    )
    list_display_links = ("name",)
    list_filter = (
        WarningFilter,
        ProblemsFilter,
        ListedForFilter,
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
    inlines = [AnnualListingInline, MilestoneInline, ProgressReportInline, ProblemInline]
    readonly_fields = (*LedgerAdmin.readonly_fields, "lineage_links", "warning_today")
    fieldsets = (
        (None, {"fields": ("name", "project_code", "owner", "nature", "predecessor", "lineage_links", "content")}),
        (_("Warning light"), {"fields": ("warning_today",)}),
        (_("Responsibility"), {"fields": ("industry", "area", "department", "leader")}),
        (
            _("Investment and dates"),
            {"fields": ("total_investment", "started_on", "planned_completion_on", "completed_on")},
        ),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )

    def get_inlines(self, request, obj):
        # A new project gets the standard milestones when saved; its progress and problems
        # come once it exists: the add page asks only for its listings.
        return self.inlines if obj is not None else [AnnualListingInline]

    def get_queryset(self, request):
        # One extra query for every row's listings, instead of one per row.
        # The light and the problem counts of today: correlated subqueries of the same query.
        listings = Prefetch("listings", queryset=AnnualListing.objects.order_by("year"))
        today = periods.today()
        return (
            super()
            .get_queryset(request)
            .prefetch_related(listings)
            .with_warning(today, warning_plan(request))
            .with_problem_counts(today)
        )

    @admin.display(description=_("warning light"), ordering="warning")
    def warning_light(self, obj):
        return warning_badge(obj.warning)

    @admin.display(description=_("warning light today"))
    def warning_today(self, obj):
        return warning_badge(getattr(obj, "warning", None))

    @admin.display(description=_("open problems"), ordering="open_problems")
    def open_problem_count(self, obj):
        return obj.open_problems

    @admin.display(description=_("overdue problems"), ordering="overdue_problems")
    def overdue_problem_count(self, obj):
        return obj.overdue_problems

    @admin.display(description=_("predecessor and successors"))
    def lineage_links(self, obj):
        return lineage(obj)

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
        "status_today",
        "reserved_on",
    )
    list_filter = (PoolFilter, YearFilter, BondStatusFilter, "sector", "department", "area")
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
