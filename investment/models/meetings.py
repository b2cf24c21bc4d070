"""Dispatch meetings (调度会) and their decisions (议定事项).

The county's leaders meet the departments every month (and on a subject, or on a site) to
press the key projects: who chaired, which departments were there, which projects were
discussed, the minutes, and what was decided — each decision with the department responsible
and a date. A decision that needs pressing is turned into a supervision order (转督办,
``investment.dispatch.order_from_decision``): the decision keeps its order (``order``), the
order its decision (``order.decision``), so that a meeting's follow-up is read from the orders'
stages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy

from jiaxian.models import TrackedModel
from projects import validation
from projects.models import Department, KeyProject, department_field

from ..choices import DispatchMeetingKindChoices as Kind
from .dispatch import SupervisionOrder


class DispatchMeeting(TrackedModel):
    """A dispatch meeting: when, what kind, who chaired it, who was there, what was discussed."""

    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind of meeting"), max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    title = models.CharField(
        pgettext_lazy("meeting", "title"),
        max_length=200,
        blank=True,
        help_text=_("As the minutes are headed; left empty, its date and kind."),
    )
    # A name and a title as the minutes say it (县长 张某): the chair is rarely a user of the system.
    chaired_by = models.CharField(_("chaired by"), max_length=100)
    departments_present = models.ManyToManyField(
        Department, blank=True, verbose_name=_("departments present"), related_name="dispatch_meetings"
    )
    projects_discussed = models.ManyToManyField(
        KeyProject, blank=True, verbose_name=_("projects discussed"), related_name="dispatch_meetings"
    )
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("dispatch meeting")
        verbose_name_plural = _("dispatch meetings")
        indexes = [models.Index(fields=["-held_on", "-id"], name="investment_meeting_list")]

    def __str__(self) -> str:
        return self.title or f"{self.held_on.isoformat()} {self.get_kind_display()}"

    def clean(self):
        errors = validation.future_date_errors(self, ["held_on"])
        if errors:
            raise ValidationError(errors)


class MeetingDecision(TrackedModel):
    """What a meeting decided (议定事项): the text, the department responsible and by when, the
    key project it is about (needed to turn it into an order), and the order it became."""

    # The responsible department's; only bureau staff record a meeting's decisions (permissions).
    owner_department = "department"

    meeting = models.ForeignKey(
        DispatchMeeting, models.CASCADE, verbose_name=_("dispatch meeting"), related_name="decisions"
    )
    text = models.TextField(pgettext_lazy("meeting", "decision"))
    department = department_field("meeting_decisions")
    due_on = models.DateField(pgettext_lazy("supervision order", "due on"))
    key_project = models.ForeignKey(
        KeyProject,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("key project"),
        related_name="meeting_decisions",
        help_text=_("The project the decision is about; needed to turn it into a supervision order."),
    )
    order = models.OneToOneField(
        SupervisionOrder,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("supervision order"),
        related_name="decision",
    )

    class Meta:
        ordering = ["meeting_id", "id"]
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        indexes = [models.Index(fields=["meeting", "id"], name="investment_decision_meeting")]

    def __str__(self) -> str:
        return self.text[:50]

    def clean(self):
        errors: dict[str, list] = {}
        meeting = self.meeting if self.meeting_id is not None else None
        if meeting is not None and self.due_on is not None and meeting.held_on is not None:
            if self.due_on < meeting.held_on:
                validation.add_error(
                    errors,
                    "due_on",
                    gettext("A decision cannot be due before its meeting (%(held)s).")
                    % {"held": meeting.held_on.isoformat()},
                )
        if errors:
            raise ValidationError(errors)
