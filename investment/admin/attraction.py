"""The attraction-project ledger in the admin: its columns (the stage of today, the
100-million flag, from the queryset), its filters, and ``QuotaFilter``, the projects behind a
figure of the year's report, where the dashboard's links lead."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.admin import (
    ConditionsFilter,
    DatedStepsFilter,
    LedgerAdmin,
    LedgerImportMixin,
    RecordsFilter,
    YearFilter,
    lineage,
    wan,
)
from projects.models import NoPlan, YearPlan

from .. import quotas
from ..choices import AttractionProjectStageChoices
from ..models import AttractionProject
from ..resources import AttractionProjectResource

# The dashboard that the records filters of both apps list the records behind, and where they
# lead back: this app draws it (``investment.dashboard``), so this app names it.
RecordsFilter.lead_back_to("quota-dashboard")


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
        try:
            plan = YearPlan.objects.saved(year)
        except NoPlan as missing:
            raise ValueError(str(missing)) from None  # the filter's way to refuse its parameters
        records = quotas.records(plan, as_of, key, part)
        if records.model is not AttractionProject:
            raise ValueError(gettext("“%(value)s” is not a figure of the attraction projects.") % {"value": key})
        return {"year": year, "as_of": as_of, "key": key, "part": part, "records": records}

    def select(self, queryset, *, records, **values):
        return queryset.filter(pk__in=records.values("pk"))

    def describe(self, *, year, as_of, key, part, records):
        return self.PART_WORDS[part] % {"year": year, "label": quotas.label(key), "date": as_of.isoformat()}


class StageFilter(DatedStepsFilter):
    """Stage as of today, derived from the dates."""

    title = _("stage")
    parameter_name = "stage"
    options = AttractionProjectStageChoices
    steps = AttractionProject.STAGES


class BigProjectFilter(ConditionsFilter):
    title = _("100-million project")
    parameter_name = "big"

    def conditions(self):
        return {"1": (_("Yes"), Q(big_project=True)), "0": (_("No"), Q(big_project=False))}


@admin.register(AttractionProject)
class AttractionProjectAdmin(LedgerImportMixin, LedgerAdmin):
    resource_classes = [AttractionProjectResource]
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
    autocomplete_fields = ("predecessor", "key_project", "link")
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
                    "link",
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
        # The 100-million rule of each project's year and the stage today, in the page's query.
        return quotas.with_big_project(super().get_queryset(request).with_stage(periods.today()))

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
        stage = obj.stage_as_of if hasattr(obj, "stage_as_of") else obj.stage
        return AttractionProjectStageChoices(stage).label
