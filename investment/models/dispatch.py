"""The dispatch loop's supervision orders (督办单) and their replies (反馈).

Bureau staff or a county leader issue an order to a department about a key project, an
attraction project or a problem: what must be done, by when, how hard the county presses. The
department replies; the issuer accepts the reply (the order is closed, 办结) or returns it, and
the department replies again. Nothing about where an order stands is stored: its stage on any
day is read from the dates of its replies and decisions (``stage_on``, and
``SupervisionOrderQuerySet.with_stage`` in the database), so that the loop can be recomputed as
of any past day.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Max, Q
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy

from jiaxian.models import TrackedModel, year_field
from projects import validation
from projects.models import KeyProject, Problem, attachments_relation, department_field

from ..choices import (
    OrderReplyDecisionChoices as Decision,
    SupervisionOrderLevelChoices as Level,
    SupervisionOrderStageChoices as Stage,
)
from ..querysets import SupervisionOrderQuerySet

# What an order concerns: exactly one of these.
CONCERNING = ("key_project", "attraction_project", "problem")


class SupervisionOrder(TrackedModel):
    """An order to a department (its clerks reply, the department rule: ``owner_department``),
    numbered within its year as the county numbers its letters: 郏督〔2023〕12号.

    Its ``version`` counts its replies' changes too (``OrderReply.save``): what a client reads
    of an order (its stage, its replies) changes with them, so that a decision claimed at the
    version the client read (``investment.dispatch.decide``) cannot take a reply that was
    added, changed or decided since."""

    owner_department = "department"
    # Its photos and documents (projects.models.attachments).
    attachment_record_type = "supervision-order"
    attachments = attachments_relation()

    year = year_field(help_text=_("The year the order is numbered in: the year it is issued."))
    number = models.PositiveIntegerField(
        _("number"), blank=True, help_text=_("Within the year; left empty, the next free one.")
    )
    subject = models.CharField(_("subject"), max_length=200)
    demand = models.TextField(_("what must be done"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.GENERAL)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("issued by"),
        related_name="+",
    )
    # In context: a bond is "issued" (发行) and a problem "due" (限期解决) in other words.
    issued_on = models.DateField(pgettext_lazy("supervision order", "issued on"))
    due_on = models.DateField(pgettext_lazy("supervision order", "due on"))
    department = department_field("supervision_orders")
    key_project = models.ForeignKey(
        KeyProject,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("key project"),
        related_name="supervision_orders",
    )
    attraction_project = models.ForeignKey(
        "investment.AttractionProject",
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("attraction project"),
        related_name="supervision_orders",
    )
    problem = models.ForeignKey(
        Problem, models.PROTECT, null=True, blank=True, verbose_name=_("problem"), related_name="supervision_orders"
    )

    objects = SupervisionOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-number"]
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        indexes = [models.Index(fields=["-year", "-number"], name="investment_order_list")]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"],
                name="%(app_label)s_%(class)s_unique_number_per_year",
                violation_error_message=_("An order of this year already has this number."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(key_project__isnull=False, attraction_project__isnull=True, problem__isnull=True)
                    | Q(key_project__isnull=True, attraction_project__isnull=False, problem__isnull=True)
                    | Q(key_project__isnull=True, attraction_project__isnull=True, problem__isnull=False)
                ),
                name="%(app_label)s_%(class)s_concerns_one_record",
                violation_error_message=_(
                    "An order concerns exactly one record: a key project, an attraction project or a problem."
                ),
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("issued_on")),
                name="%(app_label)s_%(class)s_due_after_issued",
                violation_error_message=_("An order cannot be due before it is issued."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        """The order's number as its letter reads, 郏督〔2023〕12号 (the prefix is the setting
        ``SUPERVISION_ORDER_PREFIX``)."""
        return self.reference_of(self.year, self.number)

    @staticmethod
    def reference_of(year: int, number: int | None) -> str:
        """The reference of the order ``number`` of ``year`` (the export's rows have no
        instance); an order not numbered yet reads 郏督〔2023〕号."""
        return f"{settings.SUPERVISION_ORDER_PREFIX}〔{year}〕{'' if number is None else number}号"

    @property
    def concerning(self) -> models.Model | None:
        """The record the order is about."""
        return self.key_project or self.attraction_project or self.problem

    def stage_on(self, as_of: datetime.date) -> str | None:
        """The stage on ``as_of`` from the latest reply replied by then (None before the order
        is issued): open without one, or when it was returned by then; closed when it was
        accepted by then; replied otherwise. ``SupervisionOrderQuerySet.with_stage`` in Python."""
        if self.issued_on > as_of:
            return None
        replies = [reply for reply in self.replies.all() if reply.replied_on <= as_of]
        if not replies:
            return Stage.OPEN
        latest = max(replies, key=lambda reply: (reply.replied_on, reply.pk))
        if latest.decided_on is not None and latest.decided_on <= as_of:
            return Stage.CLOSED if latest.decision == Decision.ACCEPTED else Stage.OPEN
        return Stage.REPLIED

    def is_overdue_on(self, as_of: datetime.date) -> bool:
        """Issued, not closed on ``as_of``, and due before it (due on the day itself is not
        overdue yet)."""
        stage = self.stage_on(as_of)
        return stage is not None and stage != Stage.CLOSED and self.due_on < as_of

    def overdue_days_on(self, as_of: datetime.date) -> int | None:
        """The days ``as_of`` is past the due date when the order is overdue on it (1 the day
        after the due date), else None: not overdue (due on ``as_of`` itself, closed, not
        issued yet) has no days. ``SupervisionOrderQuerySet.with_stage``'s ``overdue_days_as_of``."""
        return (as_of - self.due_on).days if self.is_overdue_on(as_of) else None

    def clean(self):
        errors = validation.merge(
            validation.date_order_errors(self, ["issued_on", "due_on"]),
            validation.future_date_errors(self, ["issued_on"]),
        )
        if self.issued_on is not None and self.year is not None and self.issued_on.year != self.year:
            validation.add_error(
                errors,
                "year",
                gettext("An order is numbered in the year it is issued (%(year)s).") % {"year": self.issued_on.year},
            )
        taken = SupervisionOrder.objects.filter(year=self.year, number=self.number).exclude(pk=self.pk)
        if self.number is not None and self.year is not None and taken.exists():
            # On the field, where the clerk typed it (the constraint would say it for the record).
            validation.add_error(errors, "number", gettext("An order of this year already has this number."))
        named = [name for name in CONCERNING if getattr(self, f"{name}_id") is not None]
        if len(named) != 1:
            message = gettext(
                "Name exactly one record the order concerns: a key project, an attraction project or a problem."
            )
            for name in named[1:] or ["key_project"]:
                validation.add_error(errors, name, message)
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # The next free number of the year, taken under the unique constraint: two orders saved
        # at once cannot both take it (the second save fails and is refused, nothing written).
        if self.number is None:
            with transaction.atomic():
                last = SupervisionOrder.objects.filter(year=self.year).aggregate(last=Max("number"))["last"]
                self.number = (last or 0) + 1
                super().save(*args, **kwargs)
            return
        super().save(*args, **kwargs)


class OrderReply(TrackedModel):
    """A department's reply to an order, then the issuer's decision on it: accepted (the order is
    closed) or returned with a comment (the department replies again). Replies are made in turn:
    a new one only once the one before is returned, none after one was accepted."""

    # The order's department replies; the decision is the issuer's (``investment.dispatch``).
    owner_department = "order__department"
    # Its photos and documents (projects.models.attachments).
    attachment_record_type = "order-reply"
    attachments = attachments_relation()

    order = models.ForeignKey(
        SupervisionOrder,
        models.CASCADE,
        verbose_name=pgettext_lazy("supervision order", "order"),
        related_name="replies",
    )
    text = models.TextField(pgettext_lazy("supervision order", "what was done"))
    replied_on = models.DateField(_("replied on"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, help_text=_("Why a reply is returned; needed then."))

    class Meta:
        ordering = ["order_id", "replied_on", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        # Accepting or returning a reply: the issuers' (bureau staff, county leaders), not the
        # replying department's, whatever else they may change (investment.dispatch).
        permissions = [("decide_orderreply", _("Can accept or return a reply to a supervision order"))]
        indexes = [models.Index(fields=["order", "replied_on", "id"], name="investment_reply_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="", decided_on__isnull=True) | (~Q(decision="") & Q(decided_on__isnull=False)),
                name="%(app_label)s_%(class)s_decision_with_date",
                violation_error_message=_("A decision needs its date, and a date its decision."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:50]

    def save(self, *args, **kwargs):
        # Within the caller's transaction, or one of its own: the reply and its order's version
        # are written together.
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            self._order_changed()

    def delete(self, *args, **kwargs):
        with transaction.atomic(savepoint=False):
            deleted = super().delete(*args, **kwargs)
            self._order_changed()
        return deleted

    def _order_changed(self) -> None:
        """Raise the order's version by one (``SupervisionOrder``: it counts its replies'
        changes), in the database and on the order loaded with this reply, if it is. No history
        entry of the order: none of its fields changed, the reply's entry says what did."""
        SupervisionOrder._base_manager.filter(pk=self.order_id).update(version=F("version") + 1)
        order = self._state.fields_cache.get("order")
        if order is not None:
            order.version += 1

    def clean(self):
        errors = validation.merge(
            validation.date_order_errors(self, ["replied_on", "decided_on"]),
            validation.future_date_errors(self, ["replied_on", "decided_on"]),
        )
        if bool(self.decision) != (self.decided_on is not None):
            field = "decided_on" if self.decision else "decision"
            validation.add_error(errors, field, gettext("A decision needs its date, and a date its decision."))
        if self.decision == Decision.RETURNED and not self.comment.strip():
            validation.add_error(errors, "comment", gettext("Say why the reply is returned."))
        order = self.order if self.order_id is not None else None
        if order is not None and self.replied_on is not None:
            if self.replied_on < order.issued_on:
                validation.add_error(
                    errors,
                    "replied_on",
                    gettext("A reply cannot come before the order was issued (%(issued)s).")
                    % {"issued": order.issued_on.isoformat()},
                )
            errors = validation.merge(errors, self._turn_errors(order))
        if errors:
            raise ValidationError(errors)

    def _turn_errors(self, order: SupervisionOrder) -> dict[str, list]:
        """Replies in turn: every other reply of the order was decided, none accepted, and this
        one comes after their decisions."""
        errors: dict[str, list] = {}
        others = [reply for reply in order.replies.all() if reply.pk != self.pk]
        earlier = [
            reply for reply in others if (reply.replied_on, reply.pk or 0) < (self.replied_on, self.pk or 1 << 62)
        ]
        if any(reply.decision == Decision.ACCEPTED for reply in earlier):
            validation.add_error(errors, "replied_on", gettext("The order is closed: its reply was accepted."))
        undecided = [reply for reply in earlier if not reply.decision]
        if undecided:
            validation.add_error(
                errors, "replied_on", gettext("The reply before this one awaits its decision: decide it first.")
            )
        latest_decision = max((reply.decided_on for reply in earlier if reply.decided_on), default=None)
        if latest_decision is not None and self.replied_on < latest_decision:
            validation.add_error(
                errors,
                "replied_on",
                gettext("A new reply comes on or after the return of the one before (%(returned)s).")
                % {"returned": latest_decision.isoformat()},
            )
        return errors
