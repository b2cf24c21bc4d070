"""The reminders' benchmark (``manage.py bench_reminders``): ``reminders.due_reminders(now)``
against one hand-written SQL statement doing the same finding (the floor), on the synthetic
records of the pages' benchmark (``pages.fill``: key projects with their milestones and monthly
progress) and what the reminders need beside them (``fill_dispatch``): two members of each
BENCH- department, a bureau clerk, and supervision orders on a tenth of the key projects, at
every stage (awaiting a reply, replied, returned, closed), issued over the last months before
the bench's day. Both sides must find the same (event, person) pairs before either is timed.

The floor returns one row per event and person told, with what the texts name (the record's
name, the day, the department's name and robot); the reminders' side builds the texts and the
``Reminder`` objects as well, which is its own work. The late month and its due day come from
the plan in Python on both sides (the reminders' side reads the plans in one query of its own)."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from investment import quotas, reminders
from investment.models import OrderReply, SupervisionOrder
from jiaxian import periods
from projects import access
from projects.choices import ReviewActionChoices
from projects.models import (
    AnnualListing,
    Department,
    KeyProject,
    Milestone,
    ProgressReport,
    ProgressReview,
    YearPlan,
)

from . import timing
from .data import PREFIX, synthetic

# The day the reminders are found on: mid-June of the fill's last year, when orders, milestones
# and the month's reports are all in play.
NOW = datetime.datetime(2024, 6, 15, 9, tzinfo=datetime.UTC)
MEMBERS_PER_DEPARTMENT = 2
USER_PREFIX = "bench-remind-"
ORDER_SHARE = 10  # one order for each ten key projects


def bench_users():
    return get_user_model()._default_manager.filter(username__startswith=USER_PREFIX)


def fill_dispatch(console: timing.Console, seed: int) -> None:
    """The members, the bureau clerk and the orders (with their replies), unless present: the
    orders are ``BENCH-`` subjects on synthetic key projects (``data.delete_synthetic`` deletes
    them with the projects)."""
    user_model = get_user_model()
    departments = list(synthetic(Department, "code").order_by("code").values_list("pk", "code"))
    if not bench_users().exists():
        with transaction.atomic():
            for pk, code in departments:
                for n in range(MEMBERS_PER_DEPARTMENT):
                    user = user_model._default_manager.create(username=f"{USER_PREFIX}{code}-{n}")
                    user.departments.add(pk)
            clerk = user_model._default_manager.create(username=f"{USER_PREFIX}bureau")
            clerk.groups.add(Group.objects.get(name=access.BUREAU_STAFF_GROUP))
    if synthetic(SupervisionOrder, "subject").exists():
        return
    issuer = bench_users().get(username=f"{USER_PREFIX}bureau")
    rng = random.Random(f"{seed}-reminders")
    today = reminders.local_date(NOW)
    projects = list(synthetic(KeyProject).order_by("name").values_list("pk", "department_id")[::ORDER_SHARE])
    bar = console.progress("supervision orders", len(projects))
    orders, replies = [], []
    for n, (project_id, department_id) in enumerate(projects):
        issued = today - datetime.timedelta(days=rng.randint(0, 120))
        due = issued + datetime.timedelta(days=rng.randint(7, 45))
        orders.append(
            SupervisionOrder(
                year=issued.year,
                number=n + 1 + 100_000 * (issued.year - 2000),
                subject=f"{PREFIX}order {n}",
                demand="bench",
                issued_by=issuer,
                issued_on=issued,
                due_on=due,
                department_id=department_id,
                key_project_id=project_id,
            )
        )
    with transaction.atomic():
        SupervisionOrder.objects.bulk_create(orders, batch_size=1_000)
        for order in orders:
            stage = rng.random()
            if stage < 0.4:
                continue  # awaiting a reply
            replied = min(order.issued_on + datetime.timedelta(days=rng.randint(1, 20)), today)
            if stage < 0.6:
                replies.append(OrderReply(order=order, text="bench", replied_on=replied))  # awaiting a decision
                continue
            decided = min(replied + datetime.timedelta(days=rng.randint(0, 5)), today)
            decision = "returned" if stage < 0.8 else "accepted"
            replies.append(
                OrderReply(
                    order=order,
                    text="bench",
                    replied_on=replied,
                    decision=decision,
                    decided_on=decided,
                    comment="bench" if decision == "returned" else "",
                )
            )
        OrderReply.objects.bulk_create(replies, batch_size=1_000)
    bar.advance(len(projects))
    bar.close()
    timing.vacuum_analyze(timing.tables_of(SupervisionOrder, OrderReply))


def late_parts(today: datetime.date) -> tuple[YearPlan, datetime.date, datetime.date] | None:
    """The plan, the late month and its due day as ``due_reminders`` takes them (None: none due)."""
    plan = YearPlan.for_year(today.year)
    if quotas.late_month(plan, today) is None:
        plan = YearPlan.for_year(today.year - 1)
    month = quotas.late_month(plan, today)
    return None if month is None else (plan, month, plan.progress_due_on(month))


def floor_statement(today: datetime.date) -> tuple[str, list]:
    """One SELECT of every event due on ``today`` and each person told, with what the texts
    name: the events (a CTE of one branch per kind, as the reminders module finds them) joined
    to the active members of their department, to the order's issuer, or to the bureau staff."""
    q = connection.ops.quote_name
    t = {
        model: q(model._meta.db_table)
        for model in (Milestone, KeyProject, SupervisionOrder, OrderReply, AnnualListing, ProgressReport)
    }
    review, department = q(ProgressReview._meta.db_table), q(Department._meta.db_table)
    members = q(Department.members.through._meta.db_table)
    user_model = get_user_model()
    users = q(user_model._meta.db_table)
    user_groups, user_perms = (
        q(user_model.groups.through._meta.db_table),
        q(user_model.user_permissions.through._meta.db_table),
    )
    group_perms = q(Group.permissions.through._meta.db_table)
    permission, content_type = q("auth_permission"), q("django_content_type")
    week, soon = (
        today + datetime.timedelta(days=reminders.MILESTONE_DAYS),
        today + datetime.timedelta(days=reminders.ORDER_DAYS),
    )
    late = late_parts(today)
    handed_in = [ReviewActionChoices.SUBMITTED, ReviewActionChoices.APPROVED]
    if late is not None:
        plan, month, due_on = late
        late_sql = f"""
          SELECT 'reports-late', p.department_id, NULL, p.department_id, NULL, NULL
            FROM {t[AnnualListing]} l INNER JOIN {t[KeyProject]} p ON p.id = l.project_id
           WHERE l.year = %s AND l.listed_on <= %s
             AND NOT EXISTS (SELECT 1 FROM {t[ProgressReport]} r
                              WHERE r.project_id = l.project_id AND r.month = %s
                                AND EXISTS (SELECT 1 FROM {review} v WHERE v.report_id = r.id
                                              AND v.action IN (%s, %s) AND v.at < %s))
           GROUP BY p.department_id"""
        late_params: list[Any] = [plan.year, due_on, month, *handed_in, periods.known_by(due_on)]
    else:
        late_sql, late_params = "SELECT 'reports-late', 0, NULL, 0, NULL, NULL WHERE 1 = 0", []
    # ProgressReport.REVIEW's conditions of the two stages (the latest of the three times).
    returned = (
        "r.returned_at IS NOT NULL AND (r.approved_at IS NULL OR r.returned_at > r.approved_at)"
        " AND (r.submitted_at IS NULL OR r.returned_at >= r.submitted_at)"
    )
    submitted = (
        "r.submitted_at IS NOT NULL AND (r.approved_at IS NULL OR r.submitted_at > r.approved_at)"
        " AND (r.returned_at IS NULL OR r.submitted_at > r.returned_at)"
    )
    sql = f"""
      WITH latest AS (
             SELECT y.order_id, y.id, y.replied_on, y.decision, y.decided_on, y.comment,
                    ROW_NUMBER() OVER (PARTITION BY y.order_id ORDER BY y.replied_on DESC, y.id DESC) AS n
               FROM {t[OrderReply]} y WHERE y.replied_on <= %s),
           orders AS (
             SELECT o.id, o.subject, o.due_on, o.department_id, o.issued_by_id,
                    l.id AS reply_id, l.decision, l.decided_on, l.replied_on, l.comment
               FROM {t[SupervisionOrder]} o LEFT JOIN latest l ON l.order_id = o.id AND l.n = 1
              WHERE o.issued_on <= %s
                AND (l.id IS NULL OR l.decided_on IS NULL OR l.decided_on > %s OR l.decision <> %s)),
           events (kind, ref, day, department_id, issuer, label) AS (
             SELECT CASE WHEN m.planned_on < %s THEN 'milestone-late' ELSE 'milestone-due' END,
                    m.id, m.planned_on, p.department_id, CAST(NULL AS INTEGER), p.name
               FROM {t[Milestone]} m INNER JOIN {t[KeyProject]} p ON p.id = m.project_id
              WHERE m.planned_on <= %s AND (m.done_on IS NULL OR m.done_on > %s)
                AND (p.completed_on IS NULL OR p.completed_on > %s)
             UNION ALL
             SELECT 'order-issued', id, due_on, department_id, NULL, subject FROM orders WHERE reply_id IS NULL
             UNION ALL
             SELECT 'order-due', id, due_on, department_id, NULL, subject FROM orders
              WHERE due_on >= %s AND due_on <= %s
             UNION ALL
             SELECT 'order-overdue', id, due_on, department_id, NULL, subject FROM orders WHERE due_on < %s
             UNION ALL
             SELECT 'order-returned', reply_id, decided_on, department_id, NULL, comment FROM orders
              WHERE reply_id IS NOT NULL AND decided_on <= %s
             UNION ALL
             SELECT 'order-replied', reply_id, replied_on, department_id, issued_by_id, subject FROM orders
              WHERE reply_id IS NOT NULL AND (decided_on IS NULL OR decided_on > %s)
             UNION ALL
             {late_sql}
             UNION ALL
             SELECT 'report-returned', x.return_id, x.month, x.department_id, NULL, x.name FROM (
               SELECT r.month, p.department_id, p.name,
                      (SELECT v.id FROM {review} v WHERE v.report_id = r.id AND v.action = %s
                        ORDER BY v.at DESC, v.id DESC LIMIT 1) AS return_id
                 FROM {t[ProgressReport]} r INNER JOIN {t[KeyProject]} p ON p.id = r.project_id
                WHERE {returned}) x
              WHERE x.return_id IS NOT NULL
             UNION ALL
             SELECT 'reports-awaiting', p.department_id, r.month, p.department_id, NULL, CAST(COUNT(*) AS TEXT)
               FROM {t[ProgressReport]} r INNER JOIN {t[KeyProject]} p ON p.id = r.project_id
              WHERE {submitted}
              GROUP BY p.department_id, r.month),
           staff AS (
             SELECT u.id FROM {users} u
              WHERE u.is_active AND (
                    EXISTS (SELECT 1 FROM {user_groups} ug INNER JOIN {group_perms} gp ON gp.group_id = ug.group_id
                              INNER JOIN {permission} pm ON pm.id = gp.permission_id
                              INNER JOIN {content_type} ct ON ct.id = pm.content_type_id
                             WHERE ug.user_id = u.id AND pm.codename = %s AND ct.app_label = %s)
                 OR EXISTS (SELECT 1 FROM {user_perms} up INNER JOIN {permission} pm ON pm.id = up.permission_id
                              INNER JOIN {content_type} ct ON ct.id = pm.content_type_id
                             WHERE up.user_id = u.id AND pm.codename = %s AND ct.app_label = %s)))
      SELECT e.kind, e.ref, e.day, e.label, d.name, d.webhook_url, u.id
        FROM events e INNER JOIN {department} d ON d.id = e.department_id
        INNER JOIN {members} dm ON dm.department_id = e.department_id
        INNER JOIN {users} u ON u.id = dm.user_id AND u.is_active
       WHERE e.kind NOT IN ('order-replied', 'reports-awaiting')
      UNION ALL
      SELECT e.kind, e.ref, e.day, e.label, d.name, NULL, u.id
        FROM events e INNER JOIN {department} d ON d.id = e.department_id
        INNER JOIN {users} u ON u.id = e.issuer AND u.is_active
       WHERE e.kind = 'order-replied'
      UNION ALL
      SELECT e.kind, e.ref, e.day, e.label, d.name, NULL, s.id
        FROM events e INNER JOIN {department} d ON d.id = e.department_id CROSS JOIN staff s
       WHERE e.kind = 'reports-awaiting'
    """
    app_label, codename = "projects", "review_progressreport"
    params = [
        *(today, today, today, "accepted"),
        *(today, week, today, today),
        *(today, soon, today, today, today),
        *late_params,
        ReviewActionChoices.RETURNED,
        *(codename, app_label, codename, app_label),
    ]
    return sql, params


def floor_pairs(rows: list, today: datetime.date) -> set[tuple[str, int]]:
    """The (event key, person) pairs of the floor's rows, keyed as ``due_reminders`` keys them."""
    late = late_parts(today)
    pairs = set()
    for kind, ref, day, _label, _name, _robot, user_id in rows:
        day = day if day is None or isinstance(day, datetime.date) else datetime.date.fromisoformat(str(day)[:10])
        if (kind.startswith("milestone") or kind == "order-due") and day is not None:
            key = f"{kind}:{ref}:{day.isoformat()}"
        elif kind == "reports-late":
            key = f"{kind}:{ref}:{late[1]:%Y-%m}" if late else kind
        elif kind == "reports-awaiting":
            key = f"{kind}:{ref}:{day:%Y-%m}"
        else:
            key = f"{kind}:{ref}"
        pairs.add((key, user_id))
    return pairs


def reminder_pairs(found: list) -> set[tuple[str, int]]:
    return {(reminder.event, user_id) for reminder in found for user_id in reminder.user_ids}


def measure(console: timing.Console, runs: int) -> dict[str, Any]:
    """Both sides, checked to find the same pairs, then timed: medians of ``runs`` interleaved
    runs after one warm-up of each; ``queries`` is the number one finding issues."""
    today = reminders.local_date(NOW)
    sql, params = floor_statement(today)

    def run_reminders():
        return reminders.due_reminders(NOW)

    def run_floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    with CaptureQueriesContext(connection) as captured:
        found = run_reminders()
    rows = run_floor()
    mine, floor = reminder_pairs(found), floor_pairs(rows, today)
    if mine != floor:
        raise RuntimeError(
            f"due_reminders and the floor disagree: {len(mine - floor)} pairs only in due_reminders "
            f"(e.g. {sorted(mine - floor)[:3]}), {len(floor - mine)} only in the floor "
            f"(e.g. {sorted(floor - mine)[:3]})."
        )
    kinds: dict[str, int] = {}
    for reminder in found:
        kind = reminder.event.split(":")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    console.note(f"Reminders on {today}: {kinds}", 2)
    medians = timing.interleaved_medians({"reminders": run_reminders, "floor": run_floor}, runs)
    return {
        "page": "reminders",
        "now": NOW.isoformat(),
        "reminders": len(found),
        "pairs": len(mine),
        "ms": round(medians["reminders"], 2),
        "floor_ms": round(medians["floor"], 2),
        "ratio": timing.ratio(medians["reminders"], medians["floor"]),
        "queries": len(captured.captured_queries),
    }
