"""Supervision orders and their replies in the admin: the orders' list with the stage of today
and the overdue flag (``SupervisionOrderQuerySet.with_stage``), their filters, the replies on an
order's page; the replies' own list, where a department's clerk replies and the issuers decide
(``investment.dispatch``: the decision fields are the issuers')."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.admin import ConditionsFilter, LedgerAdmin, VersionedInline

from .. import dispatch
from ..choices import SupervisionOrderStageChoices as Stage
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
