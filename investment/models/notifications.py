"""What the product tells each person (``Notification``), what was sent where outside it
(``ReminderDelivery``), and each person's choice of channels (``NotificationSetting``).

The sending is ``investment.notifications.deliver``: a reminder (``jiaxian.notify.Reminder``,
found by ``investment.reminders``) becomes one notification per person concerned, one e-mail per
person who has an address and wants e-mail, and one post per group robot. The unique keys make
it idempotent: a reminder's event found again on the next run gives nothing new.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ReminderDeliveryChannelChoices as Channel

# The longest event key (``"order-due-soon:123456"``), and a webhook key (``"department:5"``).
EVENT_LENGTH = 200


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A notification to one person of one event: what (``text``), where to act on it
    (``link``, a path of this site), about which record (``about``, optional), when it was made
    and when its person read it (empty while unread). One per person and event."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, verbose_name=_("user"), related_name="notifications"
    )
    event = models.CharField(_("event"), max_length=EVENT_LENGTH)
    text = models.TextField(_("notification text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, models.CASCADE, null=True, blank=True, verbose_name=_("kind of record")
    )
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    # A generic foreign key takes no verbose_name argument; without one it is the field's name.
    about.verbose_name = _("record concerned")
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event"],
                name="%(app_label)s_%(class)s_unique_event",
                violation_error_message=_("This person has already been notified of this event."),
            )
        ]
        indexes = [
            # A person's list, newest first (the admin's page and GET /api/notifications/).
            models.Index(fields=["user", "-created_at", "-id"], name="investment_notification_list"),
            # The bell's count of a person's unread notifications, asked on every admin page.
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="investment_notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def local_link(self) -> str:
        """The link when it is a path of this site (what the pages make a link of), else empty:
        a notification never sends its reader elsewhere."""
        link = self.link
        return link if link.startswith("/") and not link.startswith("//") and "\\" not in link else ""


class ReminderDelivery(models.Model):
    """What was sent, or tried, of one event by one channel to one recipient: a person's id for
    e-mail, a robot's key (``"department:5"``) for a webhook. ``sent_at`` stays empty until a
    try succeeds; ``attempts`` counts the tries and ``last_error`` says why the last one failed,
    so that the next run tries again until ``REMINDER_MAX_ATTEMPTS``."""

    event = models.CharField(_("event"), max_length=EVENT_LENGTH)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=EVENT_LENGTH)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_attempt_at", "-id"]
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "recipient"],
                name="%(app_label)s_%(class)s_unique_recipient",
                violation_error_message=_("This event has already been sent to this recipient by this channel."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.get_channel_display()} {self.recipient}"


class NotificationSetting(models.Model):
    """A person's choice of channels; a person without one gets every channel (the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, verbose_name=_("user"), related_name="notification_setting"
    )
    email_enabled = models.BooleanField(
        _("reminders by e-mail"), default=True, help_text=_("Send me my reminders by e-mail too.")
    )

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)
