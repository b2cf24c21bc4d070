"""What is due as of now, and whom to tell (the dispatch loop's last step, 提醒): the finding
half of the reminders. ``due_reminders(now)`` describes each event as a
``jiaxian.notify.Reminder``; the sending (``manage.py send_reminders``) tells each person and
each group robot once per event key, so that this module only has to give the same event the
same key on every run. docs/reminders.md lists the events.

As of ``now``'s local date D (the county's time zone):

- a **milestone** of a project not completed by D, not done, planned within ``MILESTONE_DAYS``
  from D (D itself included): due soon (``milestone-due:<id>:<planned date>``); planned before D:
  late (``milestone-late:<id>:<planned date>``). Told: the members of the project's department.
  The planned date is in the key, so that a milestone planned again is a new event.
- a **supervision order** issued by D and not closed on D (its stage, ``with_stage``): issued and
  not replied to yet (``order-issued:<id>``), due within ``ORDER_DAYS`` (``order-due:<id>:<due
  date>``), overdue (``order-overdue:<id>``), its latest reply returned (``order-returned:<reply
  id>``): the members of the order's department. Its latest reply awaiting a decision
  (``order-replied:<reply id>``): the issuer alone (none when the order names no active issuer).
- the **monthly reports** of the latest month due before D not submitted by the due day
  (``quotas.late_departments``): the department's members (``reports-late:<department id>:<YYYY-MM>``).
- the **plan indicators' values** of the same month, for the indicators known that month, not
  submitted by the same due day (``projects.indicators.late_indicator_departments``): the
  responsible unit's members (``indicators-late:<department id>:<YYYY-MM>``).
- a **progress report returned** (its review stage now): the members of its project's department
  (``report-returned:<review event id>``, the return in the trail).
- **reports awaiting review** (submitted, now): bureau staff, once per department and month
  (``reports-awaiting:<department id>:<YYYY-MM>``).

A department's group robot (``Department.webhook_url``, key ``department:<id>``) is told of the
events of its department's members; the issuer's and bureau staff's events go to no robot.

Everything is found in a fixed number of queries, whatever the number of records: one per kind
of record (milestones, orders, late reports with the year plans, late indicator values, returned reports, reports
awaiting review), one of the bureau staff, and the departments concerned with their members (two).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_noop

from jiaxian.notify import Reminder, Webhook
from projects.choices import MilestoneKindChoices, ReviewActionChoices, ReviewStageChoices
from projects.indicators import late_indicator_departments
from projects.models import Department, Milestone, ProgressReport, ProgressReview, YearPlan
from projects.review import REVIEW_PERMISSION

from . import quotas
from .choices import SupervisionOrderStageChoices as Stage
from .models import OrderReply, SupervisionOrder

# A milestone is told of this many days before its planned date, an order before its due date.
MILESTONE_DAYS = 7
ORDER_DAYS = 3


def local_date(now: datetime.datetime) -> datetime.date:
    """``now``'s date in the county's time zone (a naive ``now`` is taken as local already)."""
    return timezone.localdate(now) if timezone.is_aware(now) else now.date()


def due_reminders(now: datetime.datetime) -> list[Reminder]:
    """Every reminder due as of ``now`` (see the module), in a stable order: the milestones (by
    planned date), the orders (by due date, each order's events together), the late reports, the
    late indicator values, the returned reports and the reports awaiting review (by month). At most
    ten queries."""
    return Finder(local_date(now)).reminders()


# The text of each kind of event (the key's first part), translated once per run.
MESSAGES = {
    "milestone-due": gettext_noop("%(department)s: milestone “%(milestone)s” of %(project)s is due on %(due)s."),
    "milestone-late": gettext_noop(
        "%(department)s: milestone “%(milestone)s” of %(project)s was due on %(due)s and is late."
    ),
    "order-issued": gettext_noop("%(department)s: supervision order %(order)s was issued to you; reply by %(due)s."),
    "order-due": gettext_noop("%(department)s: supervision order %(order)s is due on %(due)s."),
    "order-overdue": gettext_noop("%(department)s: supervision order %(order)s was due on %(due)s and is overdue."),
    "order-returned": gettext_noop(
        "%(department)s: your reply to supervision order %(order)s was returned on %(returned)s "
        "(%(comment)s); reply again by %(due)s."
    ),
    "order-replied": gettext_noop(
        "%(department)s replied to supervision order %(order)s on %(replied)s; it awaits your decision (due %(due)s)."
    ),
    "reports-late": gettext_noop(
        "%(department)s: %(count)s monthly reports of %(month)s were not submitted by their due day, %(due)s."
    ),
    "indicators-late": gettext_noop(
        "%(department)s: the values of %(count)s plan indicators for %(month)s were not submitted by their due "
        "day, %(due)s."
    ),
    "report-returned": gettext_noop(
        "%(department)s: the monthly report of %(project)s for %(month)s was returned on %(returned)s "
        "(%(reason)s); correct it and submit it again (due %(due)s)."
    ),
    "reports-awaiting": gettext_noop(
        "%(department)s: %(count)s monthly reports of %(month)s await review (due %(due)s)."
    ),
}

# ``_Found.about`` of the events about a department itself (its late or submitted reports).
DEPARTMENT = "department"


@dataclass
class _Found:
    """An event found before its department is read: the reminder's parts (the values of its
    text, which ``MESSAGES`` gives by the event's kind), and the department whose members (and
    robot) are told, or the persons told instead (``user_ids``)."""

    event: str
    values: dict
    link: str
    about: models.Model | str  # DEPARTMENT: the department, once read
    department_id: int | None
    user_ids: tuple[int, ...] | None = None
    to_robot: bool = True


class Finder:
    """The events as of ``today``, each kind found by one method in one query."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.links = ChangeLinks()

    def reminders(self) -> list[Reminder]:
        found = [
            *self.milestones(),
            *self.orders(),
            *self.late_reports(),
            *self.late_indicator_values(),
            *self.returned_reports(),
            *self.reports_awaiting_review(),
        ]
        departments = departments_with_members({item.department_id for item in found if item.department_id is not None})
        members = {
            pk: tuple(member.pk for member in department.members.all()) for pk, department in departments.items()
        }
        texts = {kind: gettext(message) for kind, message in MESSAGES.items()}
        reminders = []
        for item in found:
            department = departments.get(item.department_id) if item.department_id is not None else None
            name = department.name if department is not None else "—"
            if item.user_ids is not None:
                user_ids = item.user_ids
            else:
                user_ids = members[department.pk] if department is not None else ()
            webhooks: tuple[Webhook, ...] = ()
            if item.to_robot and department is not None and department.webhook_url:
                webhooks = (Webhook(f"department:{department.pk}", department.webhook_url, department.webhook_secret),)
            if not user_ids and not webhooks:
                continue
            reminders.append(
                Reminder(
                    event=item.event,
                    text=texts[item.event.split(":", 1)[0]] % {**item.values, "department": name},
                    link=item.link,
                    user_ids=user_ids,
                    about=department if isinstance(item.about, str) else item.about,
                    webhooks=webhooks,
                )
            )
        return reminders

    # --- milestones -------------------------------------------------------------------------

    def milestones(self) -> Iterable[_Found]:
        """Milestones not done by today of projects not completed by today, planned up to
        ``MILESTONE_DAYS`` ahead: late when planned before today, else due soon. One query."""
        today = self.today
        rows = (
            Milestone.objects.filter(planned_on__lte=today + datetime.timedelta(days=MILESTONE_DAYS))
            .filter(Q(done_on__isnull=True) | Q(done_on__gt=today))
            .filter(Q(project__completed_on__isnull=True) | Q(project__completed_on__gt=today))
            .annotate(project_name=F("project__name"), project_department_id=F("project__department_id"))
            .only("project_id", "kind", "name", "planned_on")
            .order_by("planned_on", "id")
        )
        kinds = {value: str(label) for value, label in MilestoneKindChoices.choices}
        for milestone in rows:
            planned, figures = milestone.planned_on, milestone.__dict__
            assert planned is not None  # the filter's
            late = planned < today
            key = "milestone-late" if late else "milestone-due"
            yield _Found(
                event=f"{key}:{milestone.pk}:{planned.isoformat()}",
                values={
                    # ``Milestone.__str__``, with the kinds' labels translated once (a model's
                    # ``get_kind_display`` costs more than the rest of the reminder).
                    "milestone": milestone.name
                    if milestone.kind == MilestoneKindChoices.CUSTOM
                    else kinds[milestone.kind],
                    "project": figures["project_name"],
                    "due": planned.isoformat(),
                },
                link=self.links.change("admin:projects_keyproject_change", milestone.project_id),
                about=milestone,
                department_id=figures["project_department_id"],
            )

    # --- supervision orders -----------------------------------------------------------------

    def orders(self) -> Iterable[_Found]:
        """Orders issued by today and not closed today, with their latest reply replied by then
        (its id, decision, dates and comment). One query."""
        today = self.today
        latest = OrderReply.objects.filter(order=OuterRef("pk"), replied_on__lte=today).order_by("-replied_on", "-id")
        rows = (
            SupervisionOrder.objects.filter(issued_on__lte=today)
            .with_stage(today)
            .filter(stage_as_of__in=[Stage.OPEN, Stage.REPLIED])
            .annotate(
                reply_id=Subquery(latest.values("pk")[:1]),
                reply_on=Subquery(latest.values("replied_on")[:1]),
                reply_decided_on=Subquery(latest.values("decided_on")[:1]),
                reply_comment=Subquery(latest.values("comment")[:1]),
                issuer_active=F("issued_by__is_active"),
            )
            .only("year", "number", "subject", "issued_on", "due_on", "department_id", "issued_by_id")
            .order_by("due_on", "id")
        )
        for order in rows:
            yield from self.order_events(order)

    def order_events(self, order: SupervisionOrder) -> Iterable[_Found]:
        """The events of one order read by ``orders`` (its annotations)."""
        today = self.today
        values = {"order": str(order), "due": order.due_on.isoformat()}
        link = self.links.change("admin:investment_supervisionorder_change", order.pk)
        # The annotations of ``orders`` (the latest reply replied by today, the issuer).
        figures = order.__dict__
        reply_id = figures["reply_id"]

        def event(key: str, **more) -> _Found:
            return _Found(key, {**values, **more}, link, order, order.department_id)

        if reply_id is None:
            yield event(f"order-issued:{order.pk}")
        if today <= order.due_on <= today + datetime.timedelta(days=ORDER_DAYS):
            yield event(f"order-due:{order.pk}:{order.due_on.isoformat()}")
        if order.due_on < today:
            yield event(f"order-overdue:{order.pk}")
        if figures["stage_as_of"] == Stage.OPEN and reply_id is not None:
            yield event(
                f"order-returned:{reply_id}",
                returned=figures["reply_decided_on"].isoformat(),
                comment=figures["reply_comment"],
            )
        if figures["stage_as_of"] == Stage.REPLIED and order.issued_by_id is not None and figures["issuer_active"]:
            replied = event(f"order-replied:{reply_id}", replied=figures["reply_on"].isoformat())
            replied.user_ids, replied.to_robot = (order.issued_by_id,), False
            yield replied

    # --- monthly reports --------------------------------------------------------------------

    def plans(self) -> dict[int, YearPlan]:
        """Every saved year plan by year (a handful of rows), read once."""
        if not hasattr(self, "_plans"):
            self._plans = {plan.year: plan for plan in YearPlan.objects.all()}
        return self._plans

    def plan(self, year: int) -> YearPlan:
        return self.plans().get(year) or YearPlan(year=year)

    def late_reports(self) -> Iterable[_Found]:
        """The departments late with the latest month due before today: this year's plan's, or
        last year's December before any month of this year is due. Two queries (the plans, the
        late departments)."""
        plan = self.plan(self.today.year)
        if quotas.late_month(plan, self.today) is None:
            plan = self.plan(self.today.year - 1)
        late = quotas.late_departments(plan, self.today)
        if late is None:
            return
        month = f"{late.month:%Y-%m}"
        for department in late.departments:
            query = urlencode(
                {"year": late.month.year, "month": late.month.month, "department": department.department_id}
            )
            yield _Found(
                event=f"reports-late:{department.department_id}:{month}",
                values={"count": department.missing, "month": month, "due": late.due_on.isoformat()},
                link=f"{reverse('monthly-entry')}?{query}",
                about=DEPARTMENT,
                department_id=department.department_id,
            )

    def late_indicator_values(self) -> Iterable[_Found]:
        """The units late with their plan indicators' values of the same month as the progress
        reports' (``late_month``, the plan's due day), for the indicators known that month
        (``projects.indicators.late_indicator_departments``). One query."""
        plan = self.plan(self.today.year)
        month = quotas.late_month(plan, self.today)
        if month is None:
            plan = self.plan(self.today.year - 1)
            month = quotas.late_month(plan, self.today)
        if month is None or plan.pk is None:
            return
        due_on = plan.progress_due_on(month)
        changelist = reverse("admin:projects_indicatorvalue_changelist")
        for department in late_indicator_departments(plan, month, due_on):
            query = urlencode(
                {"month": month.isoformat(), "indicator__department__id__exact": department.department_id}
            )
            yield _Found(
                event=f"indicators-late:{department.department_id}:{month:%Y-%m}",
                values={"count": department.missing, "month": f"{month:%Y-%m}", "due": due_on.isoformat()},
                link=f"{changelist}?{query}",
                about=DEPARTMENT,
                department_id=department.department_id,
            )

    def returned_reports(self) -> Iterable[_Found]:
        """Progress reports whose review stage is now returned, with the return of their trail
        (the latest). One query."""
        returns = ProgressReview.objects.filter(report=OuterRef("pk"), action=ReviewActionChoices.RETURNED).order_by(
            "-at", "-id"
        )
        rows = (
            ProgressReport.objects.filter(ProgressReport.REVIEW.condition(ReviewStageChoices.RETURNED))
            .annotate(return_id=Subquery(returns.values("pk")[:1]))
            .filter(return_id__isnull=False)
            .annotate(project_name=F("project__name"), project_department_id=F("project__department_id"))
            .only("project_id", "month", "returned_at", "return_reason")
            .order_by("month", "id")
        )
        for report in rows:
            due = self.plan(report.month.year).progress_due_on(report.month)
            yield _Found(
                event=f"report-returned:{report.return_id}",
                values={
                    "project": report.__dict__["project_name"],
                    "month": f"{report.month:%Y-%m}",
                    "returned": timezone.localdate(report.returned_at).isoformat(),
                    "reason": report.return_reason,
                    "due": due.isoformat(),
                },
                link=self.links.change("admin:projects_progressreport_change", report.pk),
                about=report,
                department_id=report.__dict__["project_department_id"],
            )

    def reports_awaiting_review(self) -> Iterable[_Found]:
        """Progress reports submitted and not reviewed now, counted by department and month: one
        reminder each, to bureau staff. Two queries (the counts, the staff)."""
        rows = list(
            ProgressReport.objects.filter(ProgressReport.REVIEW.condition(ReviewStageChoices.SUBMITTED))
            .values("project__department_id", "month")
            .annotate(count=Count("pk"))
            .order_by("month", "project__department_id")
        )
        staff = bureau_staff()
        if not staff:
            return
        changelist = reverse("admin:projects_progressreport_changelist")
        for row in rows:
            department_id, month = row["project__department_id"], row["month"]
            query = urlencode(
                {
                    "stage": ReviewStageChoices.SUBMITTED,
                    "month": month.isoformat(),
                    "project__department__id__exact": department_id,
                }
            )
            yield _Found(
                event=f"reports-awaiting:{department_id}:{month:%Y-%m}",
                values={
                    "count": row["count"],
                    "month": f"{month:%Y-%m}",
                    "due": self.plan(month.year).progress_due_on(month).isoformat(),
                },
                link=f"{changelist}?{query}",
                about=DEPARTMENT,
                department_id=department_id,
                user_ids=staff,
                to_robot=False,
            )


class ChangeLinks:
    """Admin change pages by URL name and id, reversed once per name (``reverse`` costs more
    than the rest of a reminder): the path reversed with ``SENTINEL`` for the id, which each
    link replaces."""

    SENTINEL = 9_876_543_210

    def __init__(self):
        self.paths: dict[str, tuple[str, str]] = {}

    def change(self, name: str, pk: int) -> str:
        parts = self.paths.get(name)
        if parts is None:
            before, _sentinel, after = reverse(name, args=[self.SENTINEL]).rpartition(str(self.SENTINEL))
            parts = self.paths[name] = (before, after)
        return f"{parts[0]}{pk}{parts[1]}"


def bureau_staff() -> tuple[int, ...]:
    """The ids of the active users who review monthly reports (``projects.review``'s permission,
    through a group, such as the bureau staff's, or given to them directly), in one query. A
    superuser holds every permission without being told of every department's reports: only
    one who holds it as data is."""
    app_label, codename = REVIEW_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    user_model = get_user_model()
    groups = user_model.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__permissions__in=permission.values("pk")
    )
    direct = user_model.user_permissions.through.objects.filter(
        user_id=OuterRef("pk"), permission__in=permission.values("pk")
    )
    users = user_model._default_manager.filter(Q(Exists(groups)) | Q(Exists(direct)), is_active=True)
    return tuple(users.order_by("pk").values_list("pk", flat=True))


def departments_with_members(ids: set[int]) -> dict[int, Department]:
    """The departments of ``ids`` with their robot and their active members, in two queries
    (none without ids)."""
    if not ids:
        return {}
    active = get_user_model()._default_manager.filter(is_active=True).only("pk").order_by("pk")
    departments = (
        Department.objects.filter(pk__in=ids)
        .only("name", "webhook_url", "webhook_secret")
        .prefetch_related(Prefetch("members", queryset=active))
    )
    return {department.pk: department for department in departments}
