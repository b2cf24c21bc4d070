"""What every reviewed monthly record shares (a key project's progress report, a plan
indicator's monthly value): the three times of its review and the reason of a return, its stage
(the latest of the times), the amount it counts as known on a day K (its latest approval by
then, from its trail), whether it was handed in by a day, and the rules of its ``month``. The
review itself (who submits, approves, returns) is ``projects.review``'s, for each of them.

A concrete record names its two amounts (``REVIEWED_AMOUNT``, what the department enters;
``APPROVED_AMOUNT``, what the latest approval kept), the permission that reviews it, and has a
trail model (a ``ReviewEvent``) whose ``report`` points at it with ``related_name="reviews"``."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, When
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.steps import LatestEvent

from .. import validation
from ..choices import ReviewActionChoices, ReviewStageChoices


def review_time_field(verbose_name) -> models.DateTimeField:
    """The time of a review event (submitted, approved, returned), null until it happens:
    written by the review alone (``projects.review``), never by a form or a serializer."""
    return models.DateTimeField(verbose_name, null=True, blank=True, editable=False)


def return_reason_field() -> models.TextField:
    """The reason of the latest return, which the department sees; written by the review alone."""
    return models.TextField(_("reason for return"), blank=True, editable=False)


class ReviewedMonth(models.Model):
    """A month's figure reviewed before it counts: see the module's docstring. ``month`` is
    the month's first day (declared by the concrete model, with its own help text)."""

    REVIEW = LatestEvent(
        ("approved_at", ReviewStageChoices.APPROVED),
        ("returned_at", ReviewStageChoices.RETURNED),
        ("submitted_at", ReviewStageChoices.SUBMITTED),
        before=ReviewStageChoices.DRAFT,
        noun="review stage",
    )
    REVIEWED_AMOUNT: ClassVar[str]
    APPROVED_AMOUNT: ClassVar[str]
    REVIEW_PERMISSION: ClassVar[str]
    # The trail's events that say a record was handed in: a submission, or an approval (what
    # bureau staff enter is approved as it saves, with no submission of its own).
    HANDED_IN = (ReviewActionChoices.SUBMITTED, ReviewActionChoices.APPROVED)

    # The concrete model declares its fields (``review_time_field``, ``return_reason_field``),
    # in the order its rows were first written in: a mixin's fields would come first.
    month: models.DateField
    submitted_at: models.DateTimeField
    approved_at: models.DateTimeField
    returned_at: models.DateTimeField
    return_reason: models.TextField

    class Meta:
        abstract = True

    @classmethod
    def trail_model(cls) -> type[ReviewEvent]:
        """The model of this record's review trail (its ``reviews``)."""
        return cls._meta.get_field("reviews").related_model  # type: ignore[return-value]

    @property
    def stage(self) -> str:
        """The review stage (``ReviewStageChoices``), from the times: ``REVIEW.annotation()``
        in a query."""
        return self.REVIEW.state_of(self)

    def get_stage_display(self) -> str:
        return str(ReviewStageChoices(self.stage).label)

    @classmethod
    def counted_amount(cls, known_on: datetime.date | None = None):
        """The amount a record counts in the figures as known on ``known_on`` (None: now), as an
        expression: its latest amount approved by the end of that day, null when none was (a
        sum skips it). Now, the row's own latest approval; on a past day, the row's approval
        when it was made by then, else the trail's latest approval by then (a record reopened
        and approved again since). ``amount_known_on`` for one record."""
        if known_on is None:
            return F(cls.APPROVED_AMOUNT)
        known_by = periods.known_by(known_on)
        earlier = (
            cls.trail_model()
            .objects.filter(report=OuterRef("pk"), action=ReviewActionChoices.APPROVED, at__lt=known_by)
            .order_by("-at", "-id")
            .values("amount")[:1]
        )
        return Case(
            When(approved_at__lt=known_by, then=F(cls.APPROVED_AMOUNT)),
            default=Subquery(earlier),
            output_field=cls._meta.get_field(cls.APPROVED_AMOUNT).clone(),
        )

    def amount_known_on(self, known_on: datetime.date | None = None):
        """``counted_amount`` for this record (None when it counts nothing then)."""
        approved = getattr(self, self.APPROVED_AMOUNT)
        if known_on is None or self.approved_at is None:
            return approved
        known_by = periods.known_by(known_on)
        if self.approved_at < known_by:
            return approved
        earlier = [
            review
            for review in self.reviews.all()  # type: ignore[attr-defined]
            if review.action == ReviewActionChoices.APPROVED and review.at < known_by
        ]
        return max(earlier, key=lambda review: (review.at, review.pk)).amount if earlier else None

    @classmethod
    def submitted_by_condition(cls, day: datetime.date) -> Q:
        """Records submitted on or before ``day`` (by its end, in the county's time zone): whose
        trail has a submission or an approval made by then. Read from the trail, not from the
        row, whose ``submitted_at`` is the latest submission: a record submitted on time,
        returned and submitted again after ``day`` was still submitted by ``day``; and what the
        trail says of a past day never changes. ``was_submitted_by`` for one record."""
        handed_in = cls.trail_model().objects.filter(
            report=OuterRef("pk"), action__in=cls.HANDED_IN, at__lt=periods.known_by(day)
        )
        return Q(Exists(handed_in))

    def was_submitted_by(self, day: datetime.date) -> bool:
        """``submitted_by_condition`` for this record (reads its trail, ``reviews``)."""
        known_by = periods.known_by(day)
        return any(
            review.action in self.HANDED_IN and review.at < known_by
            for review in self.reviews.all()  # type: ignore[attr-defined]
        )

    def month_errors(self) -> dict[str, list]:
        """The rules of ``month`` alone (a first day, a month begun), which need no query: the
        monthly entry page checks them on every row, knowing the month's reports already."""
        errors: dict[str, list] = {}
        if self.month is not None:
            if self.month.day != 1:
                validation.add_error(
                    errors,
                    "month",
                    gettext("A month is written as its first day (%(first)s), not %(date)s.")
                    % {"first": self.month.replace(day=1).isoformat(), "date": self.month.isoformat()},
                )
            elif self.month > periods.month_start(periods.today()):
                validation.add_error(
                    errors,
                    "month",
                    gettext("%(month)s has not begun yet.") % {"month": self.month.strftime("%Y-%m")},
                )
        return errors


def review_event_fields() -> tuple[models.CharField, models.DateTimeField, models.ForeignKey]:
    """A trail event's ``action``, ``at`` and ``by`` (``action, at, by = review_event_fields()``
    in the concrete trail, after its ``report``, in the order its rows were first written in)."""
    return (
        models.CharField(_("review event"), max_length=10, choices=ReviewActionChoices.choices),
        models.DateTimeField(_("at")),
        models.ForeignKey(
            settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("by"), related_name="+"
        ),
    )


class ReviewEvent(models.Model):
    """One event of a review trail: submitted, approved (with the amount it approved) or
    returned (with the reason the department sees), when and by whom. Written once and never
    changed: the trail is its own history, so it has no version. The concrete trail declares
    ``report`` (the reviewed record, ``related_name="reviews"``), ``action``, ``at`` and ``by``
    (``review_event_fields``), ``amount`` and ``reason``."""

    report: models.ForeignKey
    action: models.CharField
    at: models.DateTimeField
    reason: models.TextField

    class Meta:
        abstract = True

    def __str__(self) -> str:
        label = self.get_action_display()  # type: ignore[attr-defined]
        return f"{label} {self.at:%Y-%m-%d %H:%M}" if self.at else label
