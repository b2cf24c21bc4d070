"""The attraction ledger in the Django admin: columns, filters, history. The stage and the
100-million flag come from the queryset, the same rule the reports use."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from projects.admin import LedgerAdmin, RecordsFilter, YearFilter, lineage, wan
from projects.models import YearPlan

from . import quotas
from .choices import AttractionProjectStageChoices
from .filings import download_response
from .models import AttractionProject, Filing


class QuotaFilter(RecordsFilter):
    """The attraction projects behind the figure ``quota`` of ``quota_year``'s report as of
    ``as_of``: ``part`` is ``counted`` (the default), ``not_counted`` or ``all``, as in
    ``quotas.records``. A year without a plan, or a figure that is not about attraction
    projects, is a bad value like any other."""

    parameters = ("quota", "quota_year", "as_of", "part")
    changelist = "admin:investment_attractionproject_changelist"
    PART_WORDS = {
        quotas.Part.COUNTED: _("%(year)s, “%(label)s” as of %(date)s: the projects it counts"),
        quotas.Part.NOT_COUNTED: _("%(year)s, “%(label)s” as of %(date)s: the projects it leaves out"),
        quotas.Part.ALL: _("%(year)s, “%(label)s” as of %(date)s: all the projects it looks at"),
    }

    @classmethod
    def link(cls, *, year: int, as_of: datetime.date, key: str, part: str) -> dict:
        return {"quota": key, "quota_year": year, "as_of": as_of.isoformat(), "part": str(part)}

    def parse(self, given):
        key = given.get("quota", "")
        if key not in quotas.KEYS:
            raise ValueError(gettext("“%(value)s” is not a figure of the report.") % {"value": key})
        try:
            part = quotas.Part(given.get("part", quotas.Part.COUNTED))
        except ValueError:
            raise ValueError(gettext("“%(value)s” is not a part of a figure.") % {"value": given["part"]}) from None
        year, as_of = self.year_and_date(given, "quota_year")
        plan = YearPlan.objects.filter(year=year).first()
        if plan is None:
            raise ValueError(gettext("There is no year plan for %(year)s.") % {"year": year})
        records = quotas.records(plan, as_of, key, part)
        if records.model is not AttractionProject:
            raise ValueError(gettext("“%(value)s” is not a figure of the attraction projects.") % {"value": key})
        return {"year": year, "as_of": as_of, "key": key, "part": part, "records": records}

    def select(self, queryset, *, records, **values):
        return queryset.filter(pk__in=records.values("pk"))

    def describe(self, *, year, as_of, key, part, records):
        return self.PART_WORDS[part] % {"year": year, "label": quotas.label(key), "date": as_of.isoformat()}


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
        QuotaFilter,
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
            {
                "fields": (
                    "year",
                    "name",
                    "project_code",
                    "investor",
                    "investor_origin",
                    "predecessor",
                    "lineage_links",
                    "key_project",
                )
            },
        ),
        (_("Responsibility"), {"fields": ("industry", "area", "department", "leader")}),
        (_("Amounts (万元)"), {"fields": ("contract_amount", "fixed_asset_investment", "funds_in_place")}),
        (_("Dates"), {"fields": ("signed_on", "started_on", "in_production_on")}),
        (None, {"fields": ("notes",)}),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )

    readonly_fields = (*LedgerAdmin.readonly_fields, "lineage_links")

    def get_queryset(self, request):
        return super().get_queryset(request).with_big_project()

    @admin.display(description=_("predecessor and successors"))
    def lineage_links(self, obj):
        return lineage(obj)

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


IMMUTABLE_MESSAGE = _(
    "A filing cannot be changed or deleted, not even by a superuser: it is the record of what was filed."
)


@admin.register(Filing)
class FilingAdmin(admin.ModelAdmin):
    """Filed quarterly exports: listed and downloadable, never added, changed or deleted here
    (new ones come from the export page's 归档 button)."""

    list_display = (
        "__str__",
        "year",
        "quarter",
        "format",
        "version",
        "filed_by",
        "filed_at",
        "size",
        "sha256",
        "download",
    )
    list_filter = ("year", "quarter", "format")
    fields = ("year", "quarter", "format", "version", "sha256", "size", "filed_by", "filed_at", "download")
    readonly_fields = fields
    list_select_related = ("filed_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).without_content()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("download"))
    def download(self, obj):
        url = reverse("admin:investment_filing_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.filename)

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="investment_filing_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return download_response(get_object_or_404(Filing, pk=pk))

    def refuse(self, request):
        return HttpResponseForbidden(str(IMMUTABLE_MESSAGE), content_type="text/plain; charset=utf-8")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            return self.refuse(request)
        extra_context = {**(extra_context or {}), "subtitle": IMMUTABLE_MESSAGE}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self.refuse(request)

    def add_view(self, request, form_url="", extra_context=None):
        return self.refuse(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": IMMUTABLE_MESSAGE}
        return super().changelist_view(request, extra_context)
