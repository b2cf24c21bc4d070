"""The full-cycle service of a key project: its milestones (节点), monthly progress reports
(月度进度) and problems (问题台账). They point at their project by name
(``"projects.KeyProject"``) so that this module does not import ``key_projects``, which
imports it (a new key project creates its standard milestones)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian.models import amount_field, non_negative, unique_errors

from .. import validation
from ..choices import MilestoneKindChoices, ReviewActionChoices
from ..querysets import ProblemQuerySet
from .attachments import attachments_relation
from .base import KeyProjectPart
from .reference import department_field
from .reviewed import ReviewedMonth, ReviewEvent, return_reason_field, review_event_fields, review_time_field


class Milestone(KeyProjectPart):
    """A planned step (节点) of a key project: one of the standard kinds or one the clerk
    names, with the date it is planned for and the date it was done. A new key project gets
    the standard set with blank dates. Late on a date D when planned before D and not done
    by D (``is_late_on``); the worst late milestone decides the milestone signal of the
    warning light."""

    project = models.ForeignKey(
        "projects.KeyProject", models.CASCADE, verbose_name=_("key project"), related_name="milestones"
    )
    kind = models.CharField(_("milestone"), max_length=30, choices=MilestoneKindChoices.choices)
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("Required for a milestone of kind “other”.")
    )
    planned_on = models.DateField(_("planned on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    department = department_field("milestones", optional=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        # By project id (not ``"project"``, which orders by the project's name through a join
        # and sorts every milestone for each page), then by planned date, undated last (as
        # PostgreSQL's index keeps them), then as created: one project's, on its page, in the
        # same order as before, and the whole list read in order from ``projects_milestone_order``.
        ordering = ["project_id", models.F("planned_on").asc(nulls_last=True), "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [
            # The warning light's "worst late milestone" of each project.
            models.Index(fields=["project", "planned_on", "done_on"], name="projects_milestone_late"),
            models.Index(fields=["project", "planned_on", "id"], name="projects_milestone_order"),
        ]

    def __str__(self) -> str:
        return self.name if self.kind == MilestoneKindChoices.CUSTOM else self.get_kind_display()

    @staticmethod
    def late_condition(as_of: datetime.date) -> Q:
        """Milestones late on ``as_of``: planned before it, not done by it."""
        return Q(planned_on__lt=as_of) & (Q(done_on__isnull=True) | Q(done_on__gt=as_of))

    def is_late_on(self, as_of: datetime.date) -> bool:
        if self.planned_on is None or self.planned_on >= as_of:
            return False
        return self.done_on is None or self.done_on > as_of

    def days_late(self, as_of: datetime.date) -> int:
        """Days late on ``as_of`` (``as_of`` − planned date), 0 when not late."""
        return (as_of - self.planned_on).days if self.is_late_on(as_of) else 0

    def clean(self):
        errors = validation.future_date_errors(self, ["done_on"])
        if self.kind == MilestoneKindChoices.CUSTOM and not self.name.strip():
            validation.add_error(errors, "name", gettext("A milestone of kind “other” needs a name."))
        if errors:
            raise ValidationError(errors)


class ProgressReport(ReviewedMonth, KeyProjectPart):
    """The investment a key project completed in one month (月度进度), in 万元. ``month`` is
    the month's first day; one report per project and month; no month after the current one.

    A report is reviewed (``projects.review``): the department submits it, the bureau approves
    or returns it. Its stage is the latest of the three times (``REVIEW``), never stored apart
    from them; each event is also kept in the trail (``ProgressReview``), an approval with the
    amount it approved. Only approved amounts count in the figures: the row carries its latest
    approval's time and amount (``approved_at``, ``approved_investment``), so that a year's
    completed investment stays one sum over an index, and ``counted_investment(K)`` gives the
    amount known on a past day K from the trail (``KeyProject.completed_investment``). What the
    review needs of a record is shared with the plan indicators' values (``ReviewedMonth``)."""

    REVIEWED_AMOUNT = "completed_investment"
    APPROVED_AMOUNT = "approved_investment"
    REVIEW_PERMISSION = "projects.review_progressreport"

    project = models.ForeignKey(
        "projects.KeyProject", models.CASCADE, verbose_name=_("key project"), related_name="progress_reports"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    completed_investment = amount_field(_("investment completed in the month (万元)"))
    note = models.TextField(_("progress note"), blank=True)
    # Written by the review alone (``projects.review``), never by a form or a serializer.
    submitted_at = review_time_field(_("submitted at"))
    approved_at = review_time_field(_("approved at"))
    approved_investment = amount_field(_("approved investment (万元)"), null=True, blank=True, editable=False)
    returned_at = review_time_field(_("returned at"))
    return_reason = return_reason_field()

    # Its photos and documents (projects.models.attachments).
    attachment_record_type = "progress-report"
    attachments = attachments_relation()

    class Meta:
        # By project id, not through the project's name (a join and a sort of every report for
        # each page): the unique (project, month) index reads it in order. One project's
        # reports, on its page, keep the same order.
        ordering = ["project_id", "month"]
        verbose_name = _("monthly progress report")
        verbose_name_plural = _("monthly progress reports")
        permissions = [("review_progressreport", _("Can approve and return monthly progress reports"))]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month"],
                name="%(app_label)s_%(class)s_one_per_project_and_month",
                violation_error_message=_("This project already has a report for that month."),
            ),
            *non_negative("completed_investment", "approved_investment"),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True, approved_investment__isnull=True)
                | Q(approved_at__isnull=False, approved_investment__isnull=False),
                name="%(app_label)s_%(class)s_approved_with_amount",
                violation_error_message=_("An approval keeps the amount it approved."),
            ),
        ]
        # The year's approved investment of each project (the warning light: one project's
        # months), and of all the listed projects together (the quota report: the year's
        # months of every project, then those of the listed ones). The amount is a key column
        # rather than an INCLUDE, as in the other covering indexes, so that SQLite's index
        # covers the sum too; the approval time beside it answers "known on K".
        indexes = [
            models.Index(
                fields=["project", "month", "approved_investment", "approved_at"], name="projects_progress_cover"
            ),
            models.Index(
                fields=["month", "project", "approved_investment", "approved_at"], name="projects_progress_month_cover"
            ),
        ]

    @classmethod
    def counted_investment(cls, known_on: datetime.date | None = None):
        """The amount a report counts as known on ``known_on`` (``ReviewedMonth.counted_amount``)."""
        return cls.counted_amount(known_on)

    def investment_known_on(self, known_on: datetime.date | None = None):
        """``counted_investment`` for this report (``ReviewedMonth.amount_known_on``)."""
        return self.amount_known_on(known_on)

    def __str__(self) -> str:
        return f"{self.project_id and self.project} {self.month:%Y-%m}" if self.month else str(self.project_id)

    def clean(self):
        errors = validation.merge(
            self.month_errors(),
            unique_errors(
                self,
                "month",
                lambda: (
                    gettext("This project already has a report for %(month)s.")
                    % {"month": self.month.strftime("%Y-%m")}
                ),
                project_id=self.project_id,
                month=self.month,
            ),
        )
        if errors:
            raise ValidationError(errors)


class ProgressReview(ReviewEvent):
    """One event of a report's review trail (``ReviewEvent``): "as known on K" reads the
    amounts approved by K from it (``ProgressReport.counted_investment``)."""

    report = models.ForeignKey(
        ProgressReport, models.CASCADE, verbose_name=_("monthly progress report"), related_name="reviews"
    )
    action, at, by = review_event_fields()
    amount = amount_field(_("approved investment (万元)"), null=True, blank=True)
    reason = models.TextField(_("reason for return"), blank=True)

    class Meta:
        ordering = ["report_id", "at", "id"]
        verbose_name = _("review event")
        verbose_name_plural = _("review trail")
        indexes = [models.Index(fields=["report", "action", "at"], name="projects_review_known")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action=ReviewActionChoices.APPROVED) | Q(amount__isnull=False),
                name="%(app_label)s_%(class)s_approval_amount",
                violation_error_message=_("An approval keeps the amount it approved."),
            ),
            *non_negative("amount"),
        ]


class Problem(KeyProjectPart):
    """A problem of a key project (问题台账), followed up until solved. Open on a date when
    raised by then and not resolved by then; overdue when open and due before that date
    (``ProblemQuerySet``; ``is_open_on`` and ``is_overdue_on`` for one record)."""

    project = models.ForeignKey(
        "projects.KeyProject", models.CASCADE, verbose_name=_("key project"), related_name="problems"
    )
    description = models.TextField(_("problem"))
    raised_on = models.DateField(_("raised on"))
    department = department_field("problems")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    objects = ProblemQuerySet.as_manager()

    # Its photos and documents (projects.models.attachments).
    attachment_record_type = "problem"
    attachments = attachments_relation()

    class Meta:
        # By project id, not through the project's name (a join and a sort of every problem for
        # each page), then as raised: read in order from ``projects_problem_order``; one
        # project's, on its page, in the same order as before.
        ordering = ["project_id", "raised_on", "id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [models.Index(fields=["project", "raised_on", "id"], name="projects_problem_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("raised_on")),
                name="%(app_label)s_%(class)s_resolved_after_raised",
                violation_error_message=_("A problem cannot be resolved before it is raised."),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:50]

    def is_open_on(self, as_of: datetime.date) -> bool:
        return self.raised_on <= as_of and (self.resolved_on is None or self.resolved_on > as_of)

    def is_overdue_on(self, as_of: datetime.date) -> bool:
        """Open on ``as_of`` and due before it (due on ``as_of`` itself is not overdue yet)."""
        return self.is_open_on(as_of) and self.due_on is not None and self.due_on < as_of

    def clean(self):
        errors = validation.merge(
            validation.date_order_errors(self, ["raised_on", "resolved_on"]),
            validation.future_date_errors(self, ["raised_on", "resolved_on"]),
        )
        if self.due_on is not None and self.raised_on is not None and self.due_on < self.raised_on:
            validation.add_error(
                errors,
                "due_on",
                gettext("The due date (%(due)s) cannot be before the problem was raised (%(raised)s).")
                % {"due": self.due_on.isoformat(), "raised": self.raised_on.isoformat()},
            )
        if self.resolved_on is not None and not self.resolution.strip():
            validation.add_error(errors, "resolution", gettext("Say how the problem was resolved."))
        if errors:
            raise ValidationError(errors)
