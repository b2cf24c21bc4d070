"""The dispatch loop's rules that the admin and the API both ask: who may decide on a reply to a
supervision order, and the decision itself; how a meeting's decision becomes an order (转督办);
the orders issued at once for the red-light projects.

A department's clerks reply to the orders addressed to their departments (the department rule
of ``projects.access``, through ``OrderReply.owner_department``); accepting or returning a reply
is the issuers' (``investment.decide_orderreply``: bureau staff and county leaders). A clerk
without it may neither set nor change a decision, nor change a reply once it is decided.

``decide`` accepts or returns the reply that awaits a decision (the order's latest, undecided),
at the order's version the user read: the order's version counts its replies' changes
(``OrderReply.save``), so that nobody decides on a reply they have not seen.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from jiaxian import periods, versions

from .choices import OrderReplyDecisionChoices as Decision, SupervisionOrderStageChoices as Stage
from .models import OrderReply, SupervisionOrder

DECIDE_PERMISSION = "investment.decide_orderreply"
DECISION_FIELDS = ("decision", "decided_on", "comment")
# The refusal of a decision to one who may not decide (the API's 403, a field's error).
DECIDE_REFUSAL = gettext_lazy("Only the issuer or bureau staff accept or return a reply.")


def may_decide(user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(DECIDE_PERMISSION))


def reply_refusal(user, stored, changed: list[str]) -> dict[str, str]:
    """The fields of a reply that ``user`` may not write, each with the reason: ``stored`` is
    the reply as it is (None for a new one), ``changed`` the fields whose value the write
    changes (a new reply's: those not left blank)."""
    if may_decide(user):
        return {}
    refused = {name: str(DECIDE_REFUSAL) for name in changed if name in DECISION_FIELDS}
    if stored is not None and stored.decision:
        for name in changed:
            refused.setdefault(name, gettext("The reply is decided: it can no longer be changed."))
    return refused


class NotAwaitingDecision(Exception):
    """No reply of the order awaits a decision: it has none, its latest was returned (a new one
    is awaited) or accepted (the order is closed). ``stage`` is the order's today."""

    def __init__(self, order: SupervisionOrder):
        self.order = order
        self.stage = order.stage_on(periods.today())
        label = Stage(self.stage).label if self.stage else "—"
        super().__init__(
            gettext("%(order)s is “%(stage)s”: no reply awaits a decision.")
            % {"order": order.reference, "stage": label}
        )


def awaiting_decision(order: SupervisionOrder) -> OrderReply | None:
    """The reply of ``order`` that awaits a decision: its latest (by the day replied, then as
    entered), when it is undecided; None otherwise. One query."""
    latest = OrderReply.objects.filter(order=order).order_by("-replied_on", "-pk").first()
    if latest is None or latest.decision:
        return None
    latest.order = order
    return latest


def decide(
    order: SupervisionOrder,
    decision: str,
    *,
    user,
    comment: str = "",
    decided_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> OrderReply:
    """Accept or return (``decision``) the reply of ``order`` that awaits a decision, on
    ``decided_on`` (default today), with ``comment`` (needed for a return), by ``user``; return
    the reply, saved with its history entry (the order's version is raised with it).

    Refused, with nothing written:
    - ``PermissionDenied`` when ``user`` may not decide (``may_decide``);
    - ``NotAwaitingDecision`` when no reply awaits a decision (read on the order's row locked
      for this transaction, so that two issuers deciding at once make one decision);
    - ``ValidationError`` naming the field, from ``OrderReply.clean``: ``decided_on`` in the
      future or before the reply, ``comment`` missing for a return;
    - ``StaleVersion`` when the order is no longer at ``expected_version`` (the version the
      user read; by default ``order``'s own), claimed with ``jiaxian.versions.claim``.
    """
    if not may_decide(user):
        raise PermissionDenied(str(DECIDE_REFUSAL))
    with transaction.atomic():
        try:
            versions.claim(order, order.version if expected_version is None else expected_version)
        except versions.StaleVersion as stale:
            changed: versions.StaleVersion | None = stale
        else:
            changed = None
        reply = awaiting_decision(order)
        if reply is None:
            raise NotAwaitingDecision(order)
        reply.decision = Decision(decision)
        reply.decided_on = decided_on or periods.today()
        reply.comment = comment.strip()
        reply.full_clean()
        if changed is not None:
            raise changed
        if user is not None and user.is_authenticated:
            reply._history_user = user
        reply.save()
    return reply


ISSUE_PERMISSION = "investment.add_supervisionorder"
# An order's subject is a line of its letter; a decision's text may be a paragraph.
SUBJECT_LENGTH = 60


def may_issue(user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(ISSUE_PERMISSION))


def order_from_decision(
    decision,
    user,
    *,
    level: str | None = None,
    issued_on: datetime.date | None = None,
    due_on: datetime.date | None = None,
    version: int | None = None,
):
    """Turn a meeting's decision into a supervision order (转督办) and link the two: the order
    is addressed to the decision's department about its key project, issued by ``user`` on
    ``issued_on`` (default today), due on the decision's date unless ``due_on`` says another;
    its subject is the decision's first words, its demand the decision as the meeting put it.

    ``version``, when given, is the decision's version the caller read (``StaleVersion`` if it
    moved). Refused with ``PermissionDenied`` for a user who may not issue orders, and with a
    ``ValidationError`` naming the field (nothing written) for a decision already turned, one
    without a key project, or an order that would not be valid (a due date already passed)."""
    if not may_issue(user):
        raise PermissionDenied(gettext("Only bureau staff and county leaders issue supervision orders."))
    if decision.order_id is not None:
        raise ValidationError(
            {
                "order": gettext("The decision is already supervision order %(order)s.")
                % {"order": decision.order.reference}
            }
        )
    if decision.key_project_id is None:
        raise ValidationError(
            {"key_project": gettext("Name the key project the decision is about before turning it into an order.")}
        )
    issued_on = issued_on or periods.today()
    meeting = decision.meeting
    text = decision.text.strip()
    subject = text if len(text) <= SUBJECT_LENGTH else f"{text[: SUBJECT_LENGTH - 1]}…"
    order = SupervisionOrder(
        year=issued_on.year,
        subject=subject,
        demand=gettext("%(text)s (decided at %(meeting)s)") % {"text": text, "meeting": meeting},
        issued_by=user,
        issued_on=issued_on,
        due_on=due_on or decision.due_on,
        department_id=decision.department_id,
        key_project_id=decision.key_project_id,
    )
    if level:
        order.level = level
    # The number is the year's next free one, taken on save.
    order.full_clean(exclude=["number"])
    with transaction.atomic():
        versions.claim(decision, decision.version if version is None else version)
        order.save()
        decision.order = order
        decision.save(update_fields=["order"])
    return order


# How long a department has to answer an order, unless the issuer says otherwise: two weeks.
DEFAULT_REPLY_DAYS = 14
RED_LIGHT_DEMAND = "查明投资进度滞后原因，制定赶工计划，按期报送整改情况。"


def orders_for_projects(
    projects, user, *, level: str, issued_on: datetime.date, due_on: datetime.date, subject: str, demand: str
):
    """One order to each of ``projects``' departments about the project (the bulk issue from the
    red lights): subject ``subject`` followed by the project's name, the same demand and dates.
    All are issued or none: a ``ValidationError`` names each refused project's field (the dates:
    ``due_on``, ``issued_on``) and nothing is written."""
    if not may_issue(user):
        raise PermissionDenied(gettext("Only bureau staff and county leaders issue supervision orders."))
    orders = [
        SupervisionOrder(
            year=issued_on.year,
            subject=f"{subject}{project.name}"[:200],
            demand=demand,
            level=level,
            issued_by=user,
            issued_on=issued_on,
            due_on=due_on,
            department_id=project.department_id,
            key_project_id=project.pk,
        )
        for project in projects
    ]
    errors: dict[str, list] = {}
    for order in orders:
        try:
            order.full_clean(exclude=["number"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    if message not in errors.setdefault(field, []):
                        errors[field].append(message)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for order in orders:
            order.save()
    return orders
