"""Dispatch meetings and their decisions in the admin: a meeting's page with its decisions, each
decision's order or its 转督办 link; the decisions' own list, with what is not yet an order, and
the page that turns decisions into orders (``investment.dispatch.order_from_decision``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy

from jiaxian import periods, versions
from jiaxian.admin import ConditionsFilter, LedgerAdmin, VersionedInline

from .. import dispatch
from ..choices import SupervisionOrderLevelChoices as Level
from ..models import DispatchMeeting, MeetingDecision


class TurnedFilter(ConditionsFilter):
    """The decisions that became orders, and those that did not (yet)."""

    title = _("supervision order")
    parameter_name = "turned"

    def conditions(self):
        return {
            "no": (_("not yet an order"), Q(order__isnull=True)),
            "yes": (_("turned into an order"), Q(order__isnull=False)),
        }


def order_cell(decision) -> str:
    """A decision's order as a link, or the link that turns it into one (once it names its key
    project: an order is about one)."""
    if decision.pk is None or (decision.order_id is None and decision.key_project_id is None):
        return "—"
    if decision.order_id is not None:
        url = reverse("admin:investment_supervisionorder_change", args=[decision.order_id])
        return format_html('<a href="{}">{}</a>', url, decision.order.reference)
    url = reverse("admin:investment_meetingdecision_to_order", args=[decision.pk])
    return format_html('<a class="button" href="{}">{}</a>', url, gettext("转督办"))


class DecisionInline(VersionedInline, admin.TabularInline):
    """A meeting's decisions, one line each as a key project's inlines are (the text behind its
    toggle: templates/admin/edit_inline/compact.html)."""

    model = MeetingDecision
    template = "admin/edit_inline/compact.html"
    extra = 1
    fields = ("text", "department", "due_on", "key_project", "order_shown")
    readonly_fields = ("order_shown",)
    autocomplete_fields = ("department", "key_project")

    @admin.display(description=_("supervision order"))
    def order_shown(self, decision):
        return order_cell(decision)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "department", "key_project")


@admin.register(DispatchMeeting)
class DispatchMeetingAdmin(LedgerAdmin):
    list_display = ("held_on", "kind", "meeting_title", "chaired_by", "decision_count", "order_count")
    list_display_links = ("held_on", "meeting_title")
    list_filter = ("kind", ("held_on", admin.DateFieldListFilter), "departments_present")
    search_fields = ("title", "chaired_by", "minutes")
    # Type to search, one line each: a list of 17 units beside another would fill the screen.
    autocomplete_fields = ("departments_present", "projects_discussed")
    inlines = [DecisionInline]
    fieldsets = (
        (None, {"fields": (("held_on", "kind"), "title", "chaired_by")}),
        (_("Who and what"), {"fields": ("departments_present", "projects_discussed", "minutes")}),
        (_("Record"), {"fields": (("version", "created_at", "updated_at"),), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                decision_total=Count("decisions", distinct=True),
                order_total=Count("decisions", filter=Q(decisions__order__isnull=False), distinct=True),
            )
        )

    @admin.display(description=pgettext_lazy("meeting", "title"))
    def meeting_title(self, meeting):
        return str(meeting)

    @admin.display(description=_("decisions"), ordering="decision_total")
    def decision_count(self, meeting):
        return meeting.decision_total

    @admin.display(description=_("turned into orders"), ordering="order_total")
    def order_count(self, meeting):
        return meeting.order_total


class ToOrderForm(forms.Form):
    level = forms.ChoiceField(label=_("level"), choices=Level.choices, initial=Level.KEY)
    issued_on = forms.DateField(
        label=pgettext_lazy("supervision order", "issued on"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


@admin.register(MeetingDecision)
class MeetingDecisionAdmin(LedgerAdmin):
    list_display = ("text_shown", "meeting", "department", "due_on", "key_project", "order_shown")
    list_filter = (TurnedFilter, "department", "meeting__kind", ("meeting__held_on", admin.DateFieldListFilter))
    list_select_related = ("meeting", "department", "key_project", "order")
    search_fields = ("text", "meeting__title")
    autocomplete_fields = ("meeting", "key_project")
    actions = ["to_orders"]
    fieldsets = (
        (None, {"fields": ("meeting", "text", ("department", "due_on"), "key_project", "order_shown")}),
        (_("Record"), {"fields": (("version", "created_at", "updated_at"),), "classes": ("collapse",)}),
    )
    readonly_fields = (*LedgerAdmin.readonly_fields, "order_shown")

    @admin.display(description=_("decision"))
    def text_shown(self, decision):
        return decision.text[:60]

    @admin.display(description=_("supervision order"))
    def order_shown(self, decision):
        return order_cell(decision)

    def get_urls(self):
        view = self.admin_site.admin_view(self.to_order_view)
        return [
            path("<int:object_id>/to-order/", view, name="investment_meetingdecision_to_order"),
            *super().get_urls(),
        ]

    def has_issue_permission(self, request):
        return dispatch.may_issue(request.user)

    @admin.action(description=_("Turn the selected decisions into supervision orders…"), permissions=["issue"])
    def to_orders(self, request, queryset):
        return self.confirm(request, list(queryset.select_related("meeting", "order", "department", "key_project")))

    def to_order_view(self, request, object_id):
        decision = get_object_or_404(
            MeetingDecision.objects.select_related("meeting", "order", "department", "key_project"), pk=object_id
        )
        if not self.has_view_permission(request, decision) or not dispatch.may_issue(request.user):
            raise PermissionDenied
        return self.confirm(request, [decision], single=True) or HttpResponseRedirect(
            reverse("admin:investment_meetingdecision_changelist")
        )

    def confirm(self, request, decisions, single: bool = False):
        """The page that lists the decisions and asks the level and the issue date; confirming
        turns every one into an order, or none (each refusal named)."""
        confirming = "issued_on" in request.POST
        form = ToOrderForm(request.POST if confirming else None, initial={"issued_on": periods.today()})
        if form.is_bound and form.is_valid():
            orders, refusals = [], []
            try:
                with transaction.atomic():
                    for decision in decisions:
                        try:
                            orders.append(
                                dispatch.order_from_decision(
                                    decision,
                                    request.user,
                                    level=form.cleaned_data["level"],
                                    issued_on=form.cleaned_data["issued_on"],
                                )
                            )
                        except ValidationError as error:
                            refusals.append((decision, error))
                    if refusals:
                        raise ValidationError("refused")
            except ValidationError:
                for decision, error in refusals:
                    for message in error.messages:
                        self.message_user(request, f"{decision}: {message}", messages.ERROR)
                self.message_user(request, gettext("No order was issued."), messages.ERROR)
            except versions.StaleVersion:
                self.message_user(
                    request, gettext("A decision changed meanwhile: no order was issued; look again."), messages.ERROR
                )
            else:
                self.message_user(
                    request,
                    gettext("Issued: %(orders)s.") % {"orders": "、".join(order.reference for order in orders)},
                    messages.SUCCESS,
                )
                if single:
                    return HttpResponseRedirect(
                        reverse("admin:investment_supervisionorder_change", args=[orders[0].pk])
                    )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Turn meeting decisions into supervision orders"),
            "opts": self.model._meta,
            "decisions": decisions,
            "form": form,
            "single": single,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/investment/meetingdecision/to_order.html", context)
