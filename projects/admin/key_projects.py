"""The key-project ledger in the admin: its columns (the warning light of today, the open
and overdue problems), its filters, the inlines of a project's listings, milestones, monthly
progress and problems, and ``ListedForFilter``, the key projects behind the dashboard's
key-project figures.
"""

from __future__ import annotations

import functools

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Q
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.admin import (
    ChoicesFilter,
    ConditionsFilter,
    LedgerAdmin,
    LedgerImportMixin,
    VersionedInline,
    VersionedInlineForm,
    YearFilter,
    YearRecordsFilter,
    annotated_column,
    lineage,
    wan,
)
from jiaxian.subqueries import rows_related

from .. import access, review
from ..choices import AnnualListingCategoryChoices, KeyProjectWarningChoices
from ..models import AnnualListing, KeyProject, Milestone, Problem, ProgressReport, YearPlan
from ..resources import KeyProjectResource


def warning_badge(warning: str | None) -> str:
    """The light ``warning`` as a coloured dot and its name; a dash for none. Its colour is its
    class's, in the admin's stylesheet (jiaxian/static/jiaxian/admin.css): the content policy
    allows no style attribute."""
    if not warning:
        return "—"
    return format_html(
        '<span class="warning-light warning-{}">● {}</span>',
        warning,
        KeyProjectWarningChoices(warning).label,
    )


class ListedForFilter(YearRecordsFilter):
    """Key projects on ``listed_for``'s list by ``as_of``: the records behind the key-project
    count and total investment."""

    parameters = ("listed_for", "as_of")
    changelist = "admin:projects_keyproject_changelist"

    def select(self, queryset, *, year, as_of):
        return queryset.listed_for(year, as_of=as_of)

    def describe(self, *, year, as_of):
        return gettext("Key projects on the %(year)s list by %(date)s") % {"year": year, "date": as_of.isoformat()}


class ListingYearFilter(YearFilter):
    """A key project's year is the year of a listing; (project, year) is unique, so the
    join cannot repeat a project."""

    title = _("year listed")
    year_field = "listings__year"

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in self.years(AnnualListing)]


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


class KeyProjectInline(VersionedInline):
    """An inline of a key project's records: editable when the project is (they belong to its
    department, ``projects.access``); ``obj`` is the project, None on the add page. Each row
    remembers its version (``VersionedInline``)."""

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))


# A key project's page fits a 1366 px screen: its inlines are compact tables, one line a row,
# their long texts behind a toggle (templates/admin/edit_inline/compact.html).
COMPACT = "admin/edit_inline/compact.html"


class AnnualListingInline(KeyProjectInline, admin.TabularInline):
    model = AnnualListing
    template = COMPACT
    extra = 1
    fields = ("year", "category", "planned_investment", "listed_on")
    ordering = ("-year",)


class MilestoneInline(KeyProjectInline, admin.TabularInline):
    model = Milestone
    template = COMPACT
    extra = 0
    fields = ("kind", "name", "planned_on", "done_on", "department", "late_days", "note")
    readonly_fields = ("late_days",)
    autocomplete_fields = ("department",)

    @admin.display(description=_("days late today"))
    def late_days(self, milestone):
        # Today's, as the light of the list: a dash when on time, done, or not planned.
        return milestone.days_late(periods.today()) or "—"


class ProgressReportInlineForm(VersionedInlineForm):
    """A month's cell: an approved report is locked for department clerks (``projects.review``):
    changing or deleting it is refused on the cell."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and (self.has_changed() or (cleaned or {}).get("DELETE")):
            refused = review.entry_refusal(self.access_user, self.instance)
            if refused:
                raise forms.ValidationError(refused, code="locked")
        return cleaned


class ProgressReportInline(KeyProjectInline, admin.TabularInline):
    """The monthly progress as a twelve-month grid (templates/admin/edit_inline/month_grid.html):
    a cell a month, in its month's column, January first, with its review stage. What a
    department clerk enters is a draft until submitted (the monthly entry page, the review
    list); bureau staff's is approved as it saves (``KeyProjectAdmin.save_formset``)."""

    model = ProgressReport
    form = ProgressReportInlineForm
    template = "admin/edit_inline/month_grid.html"
    classes = ("month-grid",)
    extra = 0
    fields = ("month", "completed_investment", "note", "review_stage")
    readonly_fields = ("review_stage",)
    ordering = ("month",)

    @admin.display(description=_("review stage"))
    def review_stage(self, report):
        return report.get_stage_display() if report.pk else "—"

    def get_formset(self, request, obj=None, **kwargs):
        # An empty box for each month of this year the project owes a report for
        # (KeyProject.unreported_months): the month filled in, left out on saving unless
        # a figure is typed (an unchanged extra form is not saved).
        missing = obj.unreported_months(periods.today()) if obj is not None else []
        formset = super().get_formset(request, obj, extra=len(missing), **kwargs)
        formset.form.access_user = request.user  # a class made for this request

        class WithMissingMonths(formset):
            def __init__(self, *args, **kwargs):
                kwargs.setdefault("initial", [{"month": month} for month in missing])
                super().__init__(*args, **kwargs)

        return WithMissingMonths

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A cell shows its month as 2023-05 (the month's first day is what is stored), without
        # the calendar of a full date; a new month is typed so, or as its first day.
        if db_field.name == "month":
            return forms.DateField(
                label=db_field.verbose_name,
                input_formats=["%Y-%m", "%Y-%m-%d"],
                widget=forms.DateInput(format="%Y-%m", attrs={"placeholder": f"{periods.today():%Y-%m}", "size": 7}),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ProblemInline(KeyProjectInline, admin.TabularInline):
    model = Problem
    template = COMPACT
    extra = 0
    fields = ("raised_on", "department", "due_on", "description", "resolved_on", "resolution")
    autocomplete_fields = ("department",)


def warning_plan(request) -> YearPlan:
    """The plan whose thresholds the lights of today follow, asked once per request."""
    if not hasattr(request, "_warning_plan"):
        request._warning_plan = YearPlan.for_year(periods.today().year)
    return request._warning_plan


class WarningFilter(ChoicesFilter):
    """Key projects by their warning light today (``with_warning``, annotated by the admin's
    queryset)."""

    title = _("warning light")
    parameter_name = "warning"
    options = KeyProjectWarningChoices
    field = "warning"


class ProblemsFilter(ConditionsFilter):
    title = _("problems")
    parameter_name = "problems"

    def conditions(self):
        return {
            "open": (_("with open problems"), Q(open_problems__gt=0)),
            "overdue": (_("with overdue problems"), Q(overdue_problems__gt=0)),
        }


@functools.lru_cache(maxsize=1024)
def listings_text(listings: tuple[tuple[int, str], ...], language: str | None) -> str:
    """A project's listings as the list shows them, "2023 (续建), 2024 (续建)": the same few
    combinations on every page, written once a language (a row's translating was a tenth of
    the list's time)."""
    return gettext(", ").join(
        gettext("%(year)s (%(category)s)") % {"year": year, "category": AnnualListingCategoryChoices(category).label}
        for year, category in listings
    )


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
    autocomplete_fields = ("predecessor",)
    inlines = [AnnualListingInline, MilestoneInline, ProgressReportInline, ProblemInline]
    readonly_fields = (*LedgerAdmin.readonly_fields, "lineage_links", "warning_today")
    # Two or three fields a line and the record's times folded away: the page fits 1366 px.
    fieldsets = (
        (
            None,
            {"fields": ("name", ("project_code", "nature"), "owner", ("predecessor", "lineage_links"), "content")},
        ),
        (_("Warning light"), {"fields": ("warning_today",)}),
        (_("Responsibility"), {"fields": (("industry", "area"), ("department", "leader"))}),
        (
            _("Investment and dates"),
            {"fields": ("total_investment", ("started_on", "planned_completion_on", "completed_on"))},
        ),
        (_("Record"), {"fields": (("version", "created_at", "updated_at"),), "classes": ("collapse",)}),
    )

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProgressReport:
            return super().save_formset(request, form, formset, change)
        # Each month entered becomes what its author's entries become (projects.review).
        reports = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            deleted.delete()
        events = []
        for report in reports:
            events.append(review.stamp_entry(report, request.user))
            report.save()
        review.write_trail(events)
        return None

    def get_inlines(self, request, obj):
        # A new project gets the standard milestones when saved; its progress and problems
        # come once it exists: the add page asks only for its listings.
        return self.inlines if obj is not None else [AnnualListingInline]

    def get_queryset(self, request):
        # Every row's listings (year and category), the light and the problem counts of today:
        # correlated subqueries of the page's one query.
        listings = rows_related(AnnualListing.objects.filter(project=OuterRef("pk")), "project", "year", "category")
        today = periods.today()
        return (
            super()
            .get_queryset(request)
            .annotate(listed_for=listings)
            .with_warning(today, warning_plan(request))
            .with_problem_counts(today)
        )

    @admin.display(description=_("warning light"), ordering="warning")
    def warning_light(self, obj):
        return warning_badge(obj.warning)

    @admin.display(description=_("warning light today"))
    def warning_today(self, obj):
        return warning_badge(getattr(obj, "warning", None))

    open_problem_count = annotated_column("open_problems", _("open problems"))
    overdue_problem_count = annotated_column("overdue_problems", _("overdue problems"))

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
        listed = obj.listed_for if hasattr(obj, "listed_for") else obj.listings.values_list("year", "category")
        return listings_text(tuple(sorted(tuple(listing) for listing in listed)), translation.get_language())
