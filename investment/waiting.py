"""The page 待我处理 (waiting for me, ``/admin/waiting/``): what the signed-in user has to act on in
the dispatch loop today, whatever the year, each list the oldest first and linked to the page
where it is done.

- bureau staff (who review: ``projects.review``): the monthly reports submitted and awaiting
  review;
- those who decide on replies (``investment.dispatch.may_decide``): the orders replied and
  awaiting a decision;
- a department's clerks (``projects.access.department_ids``): the orders addressed to their
  departments that await a reply, and their departments' reports returned for correction.

Each list shows its first ``SHOWN`` rows and its count; a fixed number of queries whatever the
number of records (two a list).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from projects import access, review
from projects.choices import ReviewStageChoices
from projects.models import ProgressReport

from . import dispatch
from .choices import SupervisionOrderStageChoices as OrderStage
from .models import SupervisionOrder

SHOWN = 20


@dataclass(frozen=True)
class WaitingList:
    """One list of the page: its title, the rows shown, how many there are, where all of them are."""

    key: str
    title: Promise
    rows: list
    count: int
    url: str


def _waiting(key: str, title: Promise, queryset: QuerySet, url: str) -> WaitingList:
    return WaitingList(key, title, list(queryset[:SHOWN]), queryset.count(), url)


def waiting_for(user) -> list[WaitingList]:
    """The lists of what waits for ``user`` today (none for a user with nothing to act on)."""
    today = periods.today()
    reports_url = reverse("admin:projects_progressreport_changelist")
    orders_url = reverse("admin:investment_supervisionorder_changelist")
    reports = ProgressReport.objects.select_related("project__department").order_by("month", "project__name")
    orders = SupervisionOrder.objects.with_stage(today).select_related("department").order_by("due_on", "number")
    lists = []
    if review.reviews(user):
        submitted = reports.filter(ProgressReport.REVIEW.condition(ReviewStageChoices.SUBMITTED))
        lists.append(
            _waiting(
                "review",
                _("Monthly reports to review"),
                submitted.order_by("submitted_at"),
                f"{reports_url}?stage=submitted",
            )
        )
    if dispatch.may_decide(user):
        lists.append(
            _waiting(
                "decide",
                _("Replies to accept or return"),
                orders.filter(stage_as_of=OrderStage.REPLIED),
                f"{orders_url}?stage=replied",
            )
        )
    departments = access.department_ids(user)
    if departments and user.has_perm("investment.add_orderreply"):
        lists.append(
            _waiting(
                "reply",
                _("Orders to reply to"),
                orders.filter(stage_as_of=OrderStage.OPEN, department__in=departments),
                f"{orders_url}?stage=open",
            )
        )
    if departments and user.has_perm("projects.change_progressreport"):
        returned = reports.filter(
            ProgressReport.REVIEW.condition(ReviewStageChoices.RETURNED), project__department__in=departments
        )
        lists.append(
            _waiting("correct", _("Monthly reports returned to correct"), returned, f"{reports_url}?stage=returned")
        )
    return lists


def waiting_page(request):
    """The page; wrapped in ``admin.site.admin_view`` by the URLconf (staff only)."""
    lists = waiting_for(request.user)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Waiting for me"),
        "lists": lists,
        "today": periods.today(),
        "reply_url": reverse("admin:investment_orderreply_add"),
    }
    return TemplateResponse(request, "admin/waiting.html", context)
