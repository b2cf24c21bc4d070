"""The review lists of monthly reports (月报审核): every report with its stage, for bureau staff
to approve or return (one by one or selected in bulk, a return asking for a reason on a page of
its own) and for department clerks to submit theirs. ``ReviewedAdmin`` is that list for any
reviewed record (``ReviewedMonth``): the key projects' monthly progress here, whose rows link to
their key project's page where the month is entered, and the plan indicators' monthly values
(``projects.admin.indicators``). Who may do what is ``projects.review``'s to say: this module
only asks."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.admin import ChoicesFilter, LedgerAdmin, wan

from .. import review
from ..choices import ReviewActionChoices as Action, ReviewStageChoices
from ..models import ProgressReport, YearPlan


class ReviewStageFilter(ChoicesFilter):
    title = _("review stage")
    parameter_name = "stage"
    options = ReviewStageChoices

    def select(self, queryset, value: str):
        # On the times themselves (ReviewedMonth.REVIEW), as the stage column reads them.
        return queryset.filter(queryset.model.REVIEW.condition(value))


class MonthFilter(admin.SimpleListFilter):
    """The reports of one month, offered for the twelve months of a year: the year of the month
    chosen, else the latest year with a plan (as the monthly entry page and the dashboard open),
    up to its last month begun. One query on the small table of plans, none on the reports."""

    title = _("month")
    parameter_name = "month"

    def chosen(self) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(self.value() or "")
        except ValueError:
            return None

    def lookups(self, request, model_admin):
        chosen = self.chosen()
        year = chosen.year if chosen is not None else YearPlan.objects.latest_year() or periods.today().year
        last = min(periods.month_start(periods.today()), datetime.date(year, 12, 1))
        return [
            (datetime.date(year, month, 1).isoformat(), f"{year}-{month:02}")
            for month in range(last.month if last.year == year else 12, 0, -1)
        ]

    def queryset(self, request, queryset):
        chosen = self.chosen()
        return queryset if chosen is None else queryset.filter(month=chosen)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for return"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("The department sees it with each report returned."),
    )


class ReviewedAdmin(LedgerAdmin):
    """The list of a reviewed record (``ReviewedMonth``): its stage, the lock of an approved
    record for department clerks, bureau staff's entry approved as it saves, and the actions
    submit, approve and return (a return asks for its reason on a page of its own)."""

    actions = ("submit_selected", "approve_selected", "return_selected")
    # What ``act`` reads with the records (what their names show).
    review_select_related: tuple[str, ...] = ()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or review.entry_refusal(request.user, obj) is None
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        event = review.stamp_entry(obj, request.user)
        super().save_model(request, obj, form, change)
        review.write_trail([event])

    @admin.display(description=_("month"), ordering="month")
    def month_shown(self, report):
        return f"{report.month:%Y-%m}"

    @admin.display(description=_("review stage"))
    def stage_shown(self, report):
        return report.get_stage_display()

    def act(self, request, action: str, queryset, reason: str = "") -> None:
        reports = list(queryset.select_related(*self.review_select_related))
        try:
            review.act(action, reports, request.user, reason)
        except review.Refused as refused:
            for message in refused.messages:
                self.message_user(request, message, messages.ERROR)
            self.message_user(request, gettext("Nothing was changed."), messages.ERROR)
            return
        self.message_user(
            request,
            gettext("%(action)s: %(count)s reports.") % {"action": Action(action).label, "count": len(reports)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Submit the selected reports"), permissions=["change"])
    def submit_selected(self, request, queryset):
        self.act(request, Action.SUBMITTED, queryset)

    @admin.action(description=_("Approve the selected reports"), permissions=["review"])
    def approve_selected(self, request, queryset):
        self.act(request, Action.APPROVED, queryset)

    @admin.action(description=_("Return the selected reports…"), permissions=["review"])
    def return_selected(self, request, queryset):
        # First a page asking for the reason, then the return (the page posts the action again).
        form = ReturnForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self.act(request, Action.RETURNED, queryset, form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Return monthly reports"),
            "opts": self.model._meta,
            "reports": list(queryset.select_related(*self.review_select_related)),
            "form": form,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/projects/progressreport/return.html", context)

    def has_review_permission(self, request):
        return review.reviews(request.user, self.model)


@admin.register(ProgressReport)
class ProgressReportAdmin(ReviewedAdmin):
    list_display = (
        "project",
        "department",
        "month_shown",
        "amount",
        "stage_shown",
        "approved_amount",
        "return_reason",
    )
    list_filter = (ReviewStageFilter, MonthFilter, "project__department")
    list_select_related = ("project__department",)
    review_select_related = ("project",)
    search_fields = ("project__name",)
    ordering = ("-month", "project_id")
    fields = ("project", "month", "completed_investment", "note", "version", "created_at", "updated_at")
    readonly_fields = ("project", "month", *LedgerAdmin.readonly_fields)

    def has_add_permission(self, request):
        # A month is entered on its key project's page or on the monthly entry page.
        return False

    @admin.display(description=_("responsible unit"), ordering="project__department__name")
    def department(self, report):
        return report.project.department

    @admin.display(description=_("investment completed in the month (万元)"), ordering="completed_investment")
    def amount(self, report):
        return wan(report.completed_investment)

    @admin.display(description=_("approved investment (万元)"))
    def approved_amount(self, report):
        return wan(report.approved_investment) if report.approved_investment is not None else "—"
