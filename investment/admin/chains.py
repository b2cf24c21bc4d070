"""The industrial chains and their six lists (一链一图六清单) in the admin: chains with their
links, the links with their coverage of today, target enterprises with the signing of one
(``TargetEnterpriseAdmin.sign_view``, through ``pipeline.sign``), local enterprises,
carriers, policies and responsibilities."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.admin import (
    ChoicesFilter,
    ConditionsFilter,
    DatedStepsFilter,
    LedgerAdmin,
    VersionedInline,
    VersionedModelForm,
    annotated_column,
    record_page,
    wan,
)
from jiaxian.versions import StaleVersion

from ..choices import ChainLinkCoverageChoices, TargetEnterpriseStageChoices
from ..models import (
    AttractionProject,
    Carrier,
    ChainLink,
    IndustrialChain,
    LocalEnterprise,
    Policy,
    Responsibility,
    TargetEnterprise,
)
from ..pipeline import PROJECT_FIELDS, AlreadySigned, project_defaults, sign


class ChainLinkInline(VersionedInline, admin.TabularInline):
    """The links on the chain's page, upstream to downstream, each with its coverage today."""

    model = ChainLink
    fields = ("position", "order", "name", "description", "coverage_today")
    readonly_fields = ("coverage_today",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).with_coverage(periods.today())

    @admin.display(description=_("coverage"))
    def coverage_today(self, obj):
        return coverage_badge(obj.coverage) if obj.pk else "—"


def coverage_badge(coverage: str) -> str:
    """A link's coverage as a coloured dot and its name (green covered, amber pursued, red gap).
    Its colour is its class's, in the admin's stylesheet (jiaxian/static/jiaxian/admin.css): the
    content policy allows no style attribute."""
    return format_html(
        '<span class="coverage-light coverage-{}">● {}</span>',
        coverage,
        ChainLinkCoverageChoices(coverage).label,
    )


@admin.register(IndustrialChain)
class IndustrialChainAdmin(LedgerAdmin):
    list_display = ("name", "lead_leader", "chain_master", "industry_names", "link_count", "map_link")
    list_filter = ("industries",)
    search_fields = ("name", "chain_master", "lead_leader")
    filter_horizontal = ("industries",)
    inlines = (ChainLinkInline,)
    fields = (
        "name",
        "map_link",
        "industries",
        "lead_leader",
        "chain_master",
        "description",
        "version",
        "created_at",
        "updated_at",
    )
    readonly_fields = (*LedgerAdmin.readonly_fields, "map_link")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_links=Count("links")).prefetch_related("industries")

    @admin.display(description=_("industries"))
    def industry_names(self, obj):
        return "、".join(industry.name for industry in obj.industries.all()) or "—"

    @admin.display(description=_("links"), ordering="n_links")
    def link_count(self, obj):
        return obj.n_links

    @admin.display(description=_("map"))
    def map_link(self, obj):
        """The chain's map (一图, ``investment.chain_map_page``); nothing before the chain is saved."""
        if obj.pk is None:
            return "—"
        return format_html('<a class="chain-map-link" href="{}">{}</a>', reverse("chain-map", args=[obj.pk]), _("Map"))


class CoverageFilter(ChoicesFilter):
    """Coverage today, from the annotation of ``with_coverage``."""

    title = _("coverage")
    parameter_name = "coverage"
    options = ChainLinkCoverageChoices
    field = "coverage_as_of"


class LinkFilter(admin.SimpleListFilter):
    """By link, each named with its chain (one query for the choices, not one per link)."""

    title = _("chain link")
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [(str(link.pk), str(link)) for link in ChainLink.objects.select_related("chain")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is not None and value.isascii() and value.isdigit():
            return queryset.filter(link_id=int(value))
        return queryset


class LocalEnterpriseInline(VersionedInline, admin.TabularInline):
    model = LocalEnterprise
    fields = ("company", "annual_output", "employees")
    extra = 0


class TargetEnterpriseInline(VersionedInline, admin.TabularInline):
    """The link's targets, their steps editable; signing is done on the target's own page."""

    model = TargetEnterprise
    fields = ("company", "region", "size", "contacted_on", "visited_on", "negotiating_on", "signed_on", "next_step")
    readonly_fields = ("signed_on",)
    extra = 0
    show_change_link = True


@admin.register(ChainLink)
class ChainLinkAdmin(LedgerAdmin):
    list_display = (
        "name",
        "chain",
        "position",
        "order",
        "coverage_today",
        "local_enterprise_count",
        "courted_count",
        "signed_count",
    )
    list_filter = ("chain", "position", CoverageFilter)
    list_select_related = ("chain",)
    search_fields = ("name", "chain__name")
    inlines = (LocalEnterpriseInline, TargetEnterpriseInline)
    fields = ("chain", "position", "order", "name", "description", "version", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).with_coverage(periods.today())

    @admin.display(description=_("coverage"), ordering="coverage_as_of")
    def coverage_today(self, obj):
        return coverage_badge(obj.coverage_as_of)

    local_enterprise_count = annotated_column("local_enterprise_count", _("local enterprises"))
    courted_count = annotated_column("courted_count", _("targets being courted"))
    signed_count = annotated_column("signed_count", _("targets signed"))


class TargetStageFilter(DatedStepsFilter):
    """Stage in the lead pipeline today, derived from the dates."""

    title = _("stage")
    parameter_name = "stage"
    options = TargetEnterpriseStageChoices
    steps = TargetEnterprise.STEPS


class SignForm(forms.Form):
    """What the clerk adds when signing a target: the day, the contract's amounts, and the
    project's fields as they should differ from what the target carries over (pre-filled)."""

    signed_on = forms.DateField(label=_("signed on"), widget=widgets.AdminDateWidget)
    # The target's version when the clerk opened the form: signing claims it (pipeline.sign).
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, formfield_for_dbfield, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(AttractionProject, fields=PROJECT_FIELDS, formfield_callback=formfield_for_dbfield)
        )
        # Left blank: the name and the industry the target carries over, no funds in place yet.
        for name in ("name", "industry", "funds_in_place"):
            self.fields[name].required = False


@admin.register(TargetEnterprise)
class TargetEnterpriseAdmin(LedgerAdmin):
    """Target enterprises; the change page of one in negotiation has a “sign” button that opens
    ``sign_view``: a small form, then ``pipeline.sign``, then the new attraction project."""

    list_display = (
        "company",
        "link",
        "region",
        "size",
        "stage_today",
        "last_contact_on",
        "responsible_person",
        "next_step",
        "project_link",
    )
    list_filter = (TargetStageFilter, "link__chain", LinkFilter, "size", "region")
    list_select_related = ("link__chain", "attraction_project")
    search_fields = ("company", "region", "responsible_person", "next_step")
    autocomplete_fields = ("link",)
    readonly_fields = (*LedgerAdmin.readonly_fields, "signed_on", "project_link", "stage_today")
    fieldsets = (
        (None, {"fields": ("company", "link", "region", "size")}),
        (_("Lead pipeline"), {"fields": ("stage_today", "contacted_on", "visited_on", "negotiating_on", "signed_on")}),
        (_("Follow-up"), {"fields": ("last_contact_on", "responsible_person", "next_step", "project_link")}),
        (_("Record"), {"fields": ("version", "created_at", "updated_at")}),
    )

    @admin.display(description=_("stage"))
    def stage_today(self, obj):
        return TargetEnterpriseStageChoices(obj.stage).label if obj.pk else "—"

    @admin.display(description=_("attraction project"))
    def project_link(self, obj):
        if obj.attraction_project_id is None:
            return "—"
        url = reverse("admin:investment_attractionproject_change", args=[obj.attraction_project_id])
        return format_html('<a href="{}">{}</a>', url, obj.attraction_project)

    def get_urls(self):
        return [record_page(self, "sign", self.sign_view), *super().get_urls()]

    def can_sign(self, request, target) -> bool:
        return self.has_change_permission(request, target) and request.user.has_perm("investment.add_attractionproject")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        target = self.get_object(request, object_id)
        if target is not None and target.signed_on is None and self.can_sign(request, target):
            extra_context["sign_url"] = reverse("admin:investment_targetenterprise_sign", args=[target.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def sign_view(self, request, pk):
        """GET: the signing form, pre-filled from the target; POST: sign, then go to the new
        attraction project. Refused (back to the target, with a message) when it is signed
        already; each bad field shown next to it."""
        target = get_object_or_404(TargetEnterprise.objects.select_related("link__chain"), pk=pk)
        if not self.can_sign(request, target):
            raise PermissionDenied
        change_url = reverse("admin:investment_targetenterprise_change", args=[target.pk])
        if target.signed_on is not None:
            messages.error(request, str(AlreadySigned(target)))
            return redirect(change_url)
        project_admin = self.admin_site._registry[AttractionProject]

        def formfield(db_field, **kwargs):
            return project_admin.formfield_for_dbfield(db_field, request, **kwargs)

        defaults = project_defaults(target)
        initial = {
            "signed_on": periods.today(),
            "seen_version": target.version,
            **{name: value for name, value in defaults.items() if name in PROJECT_FIELDS},
        }
        form = SignForm(request.POST or None, initial=initial, formfield_for_dbfield=formfield)
        if request.method == "POST" and form.is_valid():
            # A blank field takes what the target carries over; a cleared unit or area stays cleared.
            data = {
                name: value
                for name, value in form.cleaned_data.items()
                if value not in (None, "") or name in ("department", "area")
            }
            signed_on = data.pop("signed_on")
            seen = data.pop("seen_version", None)
            try:
                project = sign(target, signed_on=signed_on, user=request.user, expected_version=seen, **data)
            except AlreadySigned as refused:
                messages.error(request, str(refused))
                return redirect(change_url)
            except StaleVersion as stale:
                form.add_error(
                    None,
                    gettext(
                        "Someone else saved this target (now version %(now)s) after you opened this form "
                        "(version %(seen)s). Nothing was signed: open the target again to see their "
                        "changes, then sign."
                    )
                    % {"now": stale.current, "seen": stale.expected},
                )
            except ValidationError as refused:
                for field, errors in refused.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    gettext("%(company)s is signed: the attraction project %(project)s was created.")
                    % {"company": target.company, "project": project},
                )
                return redirect(reverse("admin:investment_attractionproject_change", args=[project.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Sign %(company)s") % {"company": target.company},
            "opts": self.model._meta,
            "original": target,
            "target": target,
            "form": form,
            "media": self.media + form.media,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/investment/targetenterprise/sign.html", context)


@admin.register(LocalEnterprise)
class LocalEnterpriseAdmin(LedgerAdmin):
    list_display = ("company", "link", "annual_output_wan", "employees")
    list_filter = ("link__chain", LinkFilter)
    list_select_related = ("link__chain",)
    search_fields = ("company",)
    autocomplete_fields = ("link",)

    @admin.display(description=_("annual output (万元)"), ordering="annual_output")
    def annual_output_wan(self, obj):
        return wan(obj.annual_output)


@admin.register(Carrier)
class CarrierAdmin(LedgerAdmin):
    list_display = ("name", "kind", "chain", "area", "location", "size_with_unit", "availability", "price_with_unit")
    list_filter = ("kind", "availability", "chain", "area")
    list_select_related = ("chain", "area")
    search_fields = ("name", "location")

    @admin.display(description=_("area"), ordering="size")
    def size_with_unit(self, obj):
        return f"{obj.size:,.2f} {obj.get_size_unit_display()}"

    @admin.display(description=_("price"), ordering="price")
    def price_with_unit(self, obj):
        if obj.price is None:
            return gettext("negotiable")
        return f"{obj.price:,.2f} {obj.get_price_unit_display()}"


class ValidOnFilter(ConditionsFilter):
    title = _("validity")
    parameter_name = "valid"

    def conditions(self):
        today = periods.today()
        return {
            "today": (_("In force today"), Policy.valid_condition(today)),
            "expired": (_("Expired"), Q(valid_until__lt=today)),
        }


@admin.register(Policy)
class PolicyAdmin(LedgerAdmin):
    list_display = ("name", "issuing_body", "valid_from", "valid_until", "chain_names")
    list_filter = (ValidOnFilter, "chains", "issuing_body")
    search_fields = ("name", "issuing_body", "summary")
    filter_horizontal = ("chains",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("chains")

    @admin.display(description=_("industrial chains"))
    def chain_names(self, obj):
        return "、".join(chain.name for chain in obj.chains.all()) or "—"


class ResponsibilityForm(VersionedModelForm):
    """The chain's targets only: a target of another chain is refused, naming it."""

    def clean(self):
        cleaned = super().clean()
        targets = cleaned.get("target_enterprises")
        chain = cleaned.get("chain")
        if targets is not None and chain is not None:
            errors = Responsibility(chain=chain).target_errors(targets.select_related("link"))
            for field, messages_ in errors.items():
                self.add_error(field, messages_)
        return cleaned


@admin.register(Responsibility)
class ResponsibilityAdmin(LedgerAdmin):
    form = ResponsibilityForm
    list_display = ("person", "chain", "department", "duty", "target_count")
    list_filter = ("chain", "department")
    list_select_related = ("chain", "department")
    search_fields = ("person", "duty")
    autocomplete_fields = ("target_enterprises",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_targets=Count("target_enterprises"))

    @admin.display(description=_("target enterprises"), ordering="n_targets")
    def target_count(self, obj):
        return obj.n_targets
