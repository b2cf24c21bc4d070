"""Supervision orders and their replies in the admin: the orders' list with the stage of today
and the overdue flag (``SupervisionOrderQuerySet.with_stage``), their filters, the replies on an
order's page; the replies' own list, where a department's clerk replies and the issuers decide
(``investment.dispatch``: the decision fields are the issuers')."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy

from jiaxian import periods
from jiaxian.admin import ConditionsFilter, LedgerAdmin, VersionedInline
from projects.models import YearPlan

from .. import dispatch, quotas
from ..choices import SupervisionOrderLevelChoices as Level, SupervisionOrderStageChoices as Stage
from ..models import OrderReply, SupervisionOrder


class OrderStageFilter(ConditionsFilter):
    """The orders at a stage today (the annotation of the list's query)."""

    title = _("stage")
    parameter_name = "stage"

    def conditions(self):
        return {stage.value: (stage.label, Q(stage_as_of=stage.value)) for stage in Stage}


class OverdueFilter(ConditionsFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def conditions(self):
        return {
            "yes": (_("overdue"), Q(overdue_as_of=True)),
            "no": (_("not overdue"), Q(overdue_as_of=False)),
        }


class RedLightDayForm(forms.Form):
    as_of = forms.DateField(label=_("red as of"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))


class RedLightOrdersForm(forms.Form):
    """The bulk issue's choices: which red projects, and the order each of them gets."""

    projects = forms.MultipleChoiceField(
        label=_("key projects"), widget=forms.CheckboxSelectMultiple, error_messages={"required": _("Tick a project.")}
    )
    level = forms.ChoiceField(label=_("level"), choices=Level.choices, initial=Level.KEY)
    issued_on = forms.DateField(
        label=pgettext_lazy("supervision order", "issued on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    due_on = forms.DateField(
        label=pgettext_lazy("supervision order", "due on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    subject = forms.CharField(
        label=_("subject"),
        max_length=100,
        help_text=_("The project's name follows it in each order."),
        widget=forms.TextInput(attrs={"size": 40}),
    )
    demand = forms.CharField(label=_("what must be done"), widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [(str(project.pk), project.name) for project in projects]


class ReplyInline(VersionedInline, admin.TabularInline):
    """An order's replies on its page, in turn; the decision fields only for the issuers."""

    model = OrderReply
    extra = 0
    fields = ("text", "replied_on", "decision", "decided_on", "comment")

    def get_readonly_fields(self, request, obj=None):
        return () if dispatch.may_decide(request.user) else dispatch.DECISION_FIELDS


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(LedgerAdmin):
    list_display = (
        "reference_column",
        "subject",
        "level",
        "department",
        "concerning_column",
        "issued_on",
        "due_on",
        "stage_today",
        "overdue_today",
    )
    list_display_links = ("reference_column", "subject")
    list_filter = (OrderStageFilter, OverdueFilter, "level", "department", "year")
    list_select_related = ("department", "key_project", "attraction_project", "problem")
    search_fields = ("subject", "demand")
    autocomplete_fields = ("key_project", "attraction_project")
    raw_id_fields = ("problem",)
    inlines = [ReplyInline]
    fieldsets = (
        (None, {"fields": (("year", "number"), "subject", "demand", ("level", "department"))}),
        (_("Concerning (exactly one)"), {"fields": ("key_project", "attraction_project", "problem")}),
        (_("Dates"), {"fields": (("issued_on", "due_on"), "issued_by")}),
        (_("Record"), {"fields": (("version", "created_at", "updated_at"),), "classes": ("collapse",)}),
    )
    readonly_fields = (*LedgerAdmin.readonly_fields, "issued_by")

    def get_queryset(self, request):
        return super().get_queryset(request).with_stage(periods.today())

    def get_changeform_initial_data(self, request):
        # A new order from a project's, a problem's or a list's link comes with what it is about
        # (?key_project=, ?problem=, ?department=, ?subject=); its dates are today's and two weeks on.
        today = periods.today()
        initial = {
            "year": today.year,
            "issued_on": today,
            "due_on": today + datetime.timedelta(days=dispatch.DEFAULT_REPLY_DAYS),
        }
        return {**initial, **super().get_changeform_initial_data(request)}

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_issue": dispatch.may_issue(request.user)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view(self.red_lights_view)
        return [path("red-lights/", view, name="investment_supervisionorder_red_lights"), *super().get_urls()]

    def red_lights_view(self, request):
        """Orders for every project lit red on a day, in one go: the projects listed first (those
        with an order not closed yet unticked), then the order's level, dates and words."""
        if not dispatch.may_issue(request.user):
            raise PermissionDenied
        day = RedLightDayForm(request.GET or None)
        as_of = day.cleaned_data["as_of"] if day.is_valid() else periods.today()
        projects = list(quotas.red_light_projects(YearPlan.for_year(as_of.year), as_of))
        today = periods.today()
        form = RedLightOrdersForm(
            request.POST or None,
            projects=projects,
            initial={
                "projects": [project.pk for project in projects if not project.open_order],
                "issued_on": today,
                "due_on": today + datetime.timedelta(days=dispatch.DEFAULT_REPLY_DAYS),
                "subject": gettext("Red light as of %(day)s: ") % {"day": as_of.isoformat()},
                "demand": dispatch.RED_LIGHT_DEMAND,
            },
        )
        if request.method == "POST" and form.is_valid():
            chosen = [project for project in projects if str(project.pk) in form.cleaned_data["projects"]]
            try:
                orders = dispatch.orders_for_projects(
                    chosen,
                    request.user,
                    **{name: form.cleaned_data[name] for name in ("level", "issued_on", "due_on", "subject", "demand")},
                )
            except ValidationError as error:
                for field, field_messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_messages)
            else:
                self.message_user(
                    request,
                    gettext("Issued %(count)s orders: %(orders)s.")
                    % {"count": len(orders), "orders": "、".join(order.reference for order in orders)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:investment_supervisionorder_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Supervision orders for the red-light projects"),
            "opts": self.model._meta,
            "day": day,
            "as_of": as_of,
            "rows": [(project, form["projects"][index]) for index, project in enumerate(projects)],
            "form": form,
        }
        return TemplateResponse(request, "admin/investment/supervisionorder/red_lights.html", context)

    def save_model(self, request, obj, form, change):
        # Who issued it: the one who saves it first.
        if obj.issued_by_id is None:
            obj.issued_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("number"), ordering="number")
    def reference_column(self, obj):
        return obj.reference

    @admin.display(description=_("concerning"))
    def concerning_column(self, obj):
        return str(obj.concerning or "—")

    @admin.display(description=_("stage"), ordering="stage_as_of")
    def stage_today(self, obj):
        stage = obj.stage_as_of if hasattr(obj, "stage_as_of") else obj.stage_on(periods.today())
        return Stage(stage).label if stage else "—"

    @admin.display(description=_("overdue"), ordering="overdue_as_of")
    def overdue_today(self, obj):
        # Words, not Django's boolean icons: an overdue order would be a green tick.
        overdue = obj.overdue_as_of if hasattr(obj, "overdue_as_of") else obj.is_overdue_on(periods.today())
        return format_html('<span class="order-overdue">{}</span>', gettext("overdue")) if overdue else "—"


@admin.register(OrderReply)
class OrderReplyAdmin(LedgerAdmin):
    """Where a department's clerk replies to the orders addressed to their departments (the
    department rule), and the issuers accept or return a reply."""

    list_display = ("order", "replied_on", "text", "decision", "decided_on")
    list_filter = ("decision", "order__department", "order__year")
    list_select_related = ("order",)
    search_fields = ("text", "order__subject")
    autocomplete_fields = ("order",)
    fieldsets = (
        (None, {"fields": ("order", "text", "replied_on")}),
        (_("Decision (the issuer's)"), {"fields": ("decision", "decided_on", "comment")}),
        (_("Record"), {"fields": (("version", "created_at", "updated_at"),), "classes": ("collapse",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if dispatch.may_decide(request.user):
            return readonly
        if obj is not None and obj.decision:
            # Decided: the department's clerks read it, the issuers may still correct it.
            return (*readonly, "order", "text", "replied_on", *dispatch.DECISION_FIELDS)
        return (*readonly, *dispatch.DECISION_FIELDS)
