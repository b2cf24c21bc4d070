"""What ``investment`` shows on the pages of ``projects``' records (``jiaxian.admin.add_page_block``:
``projects`` never names ``investment``): on a key project's page its supervision orders with
their stage today and latest reply, its open problems with a link to press each, and the dispatch
meetings that discussed it or decided about it; on an attraction project's page its orders. Each
block is a few queries, whatever the number of records."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse

from jiaxian import periods
from jiaxian.admin import add_page_block
from projects.models import KeyProject

from .. import dispatch
from ..choices import SupervisionOrderStageChoices as Stage
from ..models import AttractionProject, DispatchMeeting, MeetingDecision, SupervisionOrder


def new_order_url(**about) -> str:
    """The order's add page with what it is about filled in (``get_changeform_initial_data``)."""
    return f"{reverse('admin:investment_supervisionorder_add')}?{urlencode(about)}"


def orders_of(condition: Q) -> list[SupervisionOrder]:
    return list(
        SupervisionOrder.objects.filter(condition)
        .with_stage(periods.today())
        .select_related("department", "problem")
        .prefetch_related("replies")
        .order_by("-year", "-number")
    )


def with_latest_reply(orders: list[SupervisionOrder]) -> list[tuple[SupervisionOrder, object]]:
    for order in orders:
        order.stage_label = Stage(order.stage_as_of).label if order.stage_as_of else "—"
    return [
        (order, max(order.replies.all(), key=lambda reply: (reply.replied_on, reply.pk), default=None))
        for order in orders
    ]


def key_project_block(request, project: KeyProject) -> str:
    if not request.user.has_perm("investment.view_supervisionorder"):
        return ""
    today = periods.today()
    orders = orders_of(Q(key_project=project) | Q(problem__project=project))
    problems = [problem for problem in project.problems.all() if problem.is_open_on(today)]
    decisions = MeetingDecision.objects.filter(key_project=project).select_related("order", "department")
    meetings = list(
        DispatchMeeting.objects.filter(Q(projects_discussed=project) | Q(decisions__key_project=project))
        .distinct()
        .prefetch_related(Prefetch("decisions", queryset=decisions, to_attr="project_decisions"))
    )
    may_issue = dispatch.may_issue(request.user)
    subject = f"{project.name}："
    context = {
        "orders": with_latest_reply(orders),
        "problems": [
            (problem, new_order_url(problem=problem.pk, department=problem.department_id, subject=subject))
            for problem in problems
        ],
        "meetings": meetings,
        "may_issue": may_issue,
        "new_order": new_order_url(key_project=project.pk, department=project.department_id, subject=subject),
        "red_lights": reverse("admin:investment_supervisionorder_red_lights"),
    }
    return render_to_string("admin/investment/key_project_dispatch.html", context, request=request)


def attraction_project_block(request, project: AttractionProject) -> str:
    if not request.user.has_perm("investment.view_supervisionorder"):
        return ""
    context = {
        "orders": with_latest_reply(orders_of(Q(attraction_project=project))),
        "may_issue": dispatch.may_issue(request.user),
        "new_order": new_order_url(
            attraction_project=project.pk, department=project.department_id or "", subject=f"{project.name}："
        ),
    }
    return render_to_string("admin/investment/key_project_dispatch.html", context, request=request)


add_page_block(KeyProject, key_project_block)
add_page_block(AttractionProject, attraction_project_block)
