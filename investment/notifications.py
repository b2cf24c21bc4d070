"""Telling people their reminders: ``deliver(reminders, now)`` turns the reminders that
``investment.reminders.due_reminders`` found into what each person concerned is told.

- **In the product**: a ``Notification`` per person and event, made once (its unique key).
- **By e-mail**: to each person concerned who is active, has an address and has not turned
  e-mail off (``NotificationSetting``), once; all messages over one connection of the
  configured backend (``EMAIL_*`` settings, docs/notifications.md).
- **By group robot**: once per event and robot (``Webhook.key``), however many of the robot's
  unit are concerned (``jiaxian.notify.post_webhook``).

What was sent, or tried, is a ``ReminderDelivery`` per event, channel and recipient: a failure
is logged and counted on its row (``attempts``, ``last_error``), and the next run tries it again
until ``REMINDER_MAX_ATTEMPTS`` tries have failed; a success is never sent again. So running it
every hour sends nothing twice. Two runs at the same moment could both send what neither has
recorded yet: cron or the systemd timer runs one at a time.

A fixed number of queries whatever the number of reminders and people (six, fewer when there is
nothing to write): the people, the notifications already made, the new ones, the deliveries
already recorded, and the deliveries' writes (new rows, then the changed ones, in one
transaction). The database's limit on a statement's parameters splits a very large run: the
lookups take ``LOOKUP_SIZE`` keys a query, the writes ``BATCH_SIZE`` rows a statement.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext

from jiaxian.notify import Reminder, Webhook, WebhookError, post_webhook
from jiaxian.subqueries import count_related

from .choices import ReminderDeliveryChannelChoices as Channel
from .models import Notification, ReminderDelivery

logger = logging.getLogger(__name__)

# Bulk writes in batches of this many rows (each a statement).
BATCH_SIZE = 500
# Lookups by key (``event IN (…)``) this many keys a query: a statement's parameters are
# bounded (PostgreSQL's protocol: 65,535; SQLite: 32,766), and a city's run may name more events.
LOOKUP_SIZE = 5000


def _chunks(items: list) -> Iterable[list]:
    size = LOOKUP_SIZE  # read at each call (a test makes it small)
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class DeliveryCounts:
    """What one run did: notifications made, e-mails and robot posts sent, tries that failed."""

    notifications: int = 0
    emails: int = 0
    webhooks: int = 0
    failures: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "notifications": self.notifications,
            "emails": self.emails,
            "webhooks": self.webhooks,
            "failures": self.failures,
        }


@dataclass
class _Deliveries:
    """The deliveries recorded before this run, by (event, channel, recipient), and this run's
    writes to them."""

    known: dict[tuple[str, str, str], ReminderDelivery]
    now: Any
    created: list[ReminderDelivery] = field(default_factory=list)
    changed: list[ReminderDelivery] = field(default_factory=list)

    def due(self, event: str, channel: str, recipient: str) -> bool:
        """Whether this run should try: never sent, and tried fewer than the maximum times."""
        row = self.known.get((event, channel, recipient))
        return row is None or (row.sent_at is None and row.attempts < settings.REMINDER_MAX_ATTEMPTS)

    def record(self, event: str, channel: str, recipient: str, error: str | None) -> None:
        """Record a try: sent when ``error`` is None, else failed for that reason."""
        row = self.known.get((event, channel, recipient))
        if row is None:
            row = ReminderDelivery(event=event, channel=channel, recipient=recipient, attempts=0)
            self.created.append(row)
        else:
            self.changed.append(row)
        row.attempts += 1
        row.last_attempt_at = self.now
        row.last_error = error or ""
        if error is None:
            row.sent_at = self.now

    def save(self) -> None:
        if not (self.created or self.changed):
            return
        with transaction.atomic():
            # ignore_conflicts: a row another run recorded meanwhile keeps that run's account.
            ReminderDelivery.objects.bulk_create(self.created, batch_size=BATCH_SIZE, ignore_conflicts=True)
            ReminderDelivery.objects.bulk_update(
                self.changed, ["attempts", "last_attempt_at", "last_error", "sent_at"], batch_size=BATCH_SIZE
            )


def absolute(link: str) -> str:
    """The link as a reader outside the product follows it: ``SITE_URL`` before a path."""
    return f"{settings.SITE_URL}{link}" if link.startswith("/") else link


def message_text(reminder: Reminder) -> str:
    """The text of an e-mail or a robot's message: the reminder, then the page to act on."""
    return f"{reminder.text}\n{absolute(reminder.link)}" if reminder.link else reminder.text


def email_subject(reminder: Reminder) -> str:
    """The subject: the prefix, then the text's first line, cut short (subjects are one line)."""
    first = reminder.text.splitlines()[0] if reminder.text else ""
    if len(first) > 60:
        first = first[:59] + "…"
    return f"{settings.EMAIL_SUBJECT_PREFIX}{gettext('Reminder')}: {first}"


def _unique(reminders: Iterable[Reminder]) -> list[Reminder]:
    seen: dict[str, Reminder] = {}
    for reminder in reminders:
        seen.setdefault(reminder.event, reminder)
    return list(seen.values())


def _people(reminders: list[Reminder]) -> dict[int, tuple[str, bool]]:
    """The people concerned who exist and are active: id → (e-mail address, wants e-mail).
    One query; a person without a setting wants e-mail (the default)."""
    ids = sorted({user_id for reminder in reminders for user_id in reminder.user_ids})
    people: dict[int, tuple[str, bool]] = {}
    for chunk in _chunks(ids):
        rows = (
            get_user_model()
            .objects.filter(pk__in=chunk, is_active=True)
            .values_list("pk", "email", F("notification_setting__email_enabled"))
        )
        people.update({pk: (email or "", enabled is not False) for pk, email, enabled in rows})
    return people


def _notify(reminders: list[Reminder], people: dict[int, tuple[str, bool]], now) -> int:
    """Make the notifications not made yet; their number. Two queries (the existing, the new)."""
    events = [reminder.event for reminder in reminders]
    existing = {
        pair
        for chunk in _chunks(events)
        for pair in Notification.objects.filter(event__in=chunk).values_list("user_id", "event")
    }
    models = {type(reminder.about) for reminder in reminders if reminder.about is not None}
    # Cached after the first run of the process; at most one query.
    content_types = ContentType.objects.get_for_models(*models) if models else {}
    new = [
        Notification(
            user_id=user_id,
            event=reminder.event,
            text=reminder.text,
            link=reminder.link,
            content_type=content_types[type(reminder.about)] if reminder.about is not None else None,
            object_id=reminder.about.pk if reminder.about is not None else None,
            created_at=now,
        )
        for reminder in reminders
        for user_id in dict.fromkeys(reminder.user_ids)
        if user_id in people and (user_id, reminder.event) not in existing
    ]
    Notification.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(new)


def _send_emails(
    reminders: list[Reminder], people: dict[int, tuple[str, bool]], deliveries: _Deliveries, counts: DeliveryCounts
) -> None:
    """Send the e-mails due, each to its person, over one connection opened once (none when
    nothing is due). Each message is sent on its own over that connection so that a refusal
    is the failure of that message only (a batch that fails half-way cannot tell which of its
    messages went, and trying them again would send some twice)."""
    due = []
    for reminder in reminders:
        for user_id in dict.fromkeys(reminder.user_ids):
            address, wanted = people.get(user_id, ("", False))
            if address and wanted and deliveries.due(reminder.event, Channel.EMAIL, str(user_id)):
                due.append((reminder, user_id, address))
    if not due:
        return
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:  # the server cannot be reached: every message fails this run
        for reminder, user_id, _address in due:
            _failed(deliveries, counts, reminder.event, Channel.EMAIL, str(user_id), exc)
        return
    try:
        for reminder, user_id, address in due:
            message = EmailMessage(email_subject(reminder), message_text(reminder), to=[address], connection=connection)
            try:
                connection.send_messages([message])
            except Exception as exc:  # refused by the server, or the connection dropped
                _failed(deliveries, counts, reminder.event, Channel.EMAIL, str(user_id), exc)
            else:
                deliveries.record(reminder.event, Channel.EMAIL, str(user_id), None)
                counts.emails += 1
    finally:
        try:
            connection.close()
        except Exception:  # a connection that died already: nothing left to close
            logger.debug("closing the e-mail connection failed", exc_info=True)


def _post_webhooks(reminders: list[Reminder], deliveries: _Deliveries, counts: DeliveryCounts) -> None:
    """Post each event once to each of its robots that is due. A robot that failed once in
    this run is not tried again in it: its other events wait for the next run, untried and
    uncounted (a robot that is down would otherwise cost its timeout once per event)."""
    failed: set[str] = set()
    for reminder in reminders:
        robots: dict[str, Webhook] = {webhook.key: webhook for webhook in reminder.webhooks if webhook.url}
        for key, webhook in robots.items():
            if key in failed or not deliveries.due(reminder.event, Channel.WEBHOOK, key):
                continue
            try:
                post_webhook(webhook, message_text(reminder))
            except WebhookError as exc:
                failed.add(key)
                _failed(deliveries, counts, reminder.event, Channel.WEBHOOK, key, exc)
            else:
                deliveries.record(reminder.event, Channel.WEBHOOK, key, None)
                counts.webhooks += 1


def _failed(
    deliveries: _Deliveries, counts: DeliveryCounts, event: str, channel: str, recipient: str, exc: Exception
) -> None:
    error = f"{type(exc).__name__}: {exc}"
    row = deliveries.known.get((event, channel, recipient))
    attempt = (row.attempts if row else 0) + 1
    logger.warning(
        "reminder %s by %s to %s failed (try %d of %d): %s",
        event,
        channel,
        recipient,
        attempt,
        settings.REMINDER_MAX_ATTEMPTS,
        error,
    )
    deliveries.record(event, channel, recipient, error)
    counts.failures += 1


def mark_read(notifications: QuerySet[Notification], now) -> int:
    """Mark the unread ones of ``notifications`` read at ``now``; how many. A notification read
    already keeps the time it was first read. One query."""
    return notifications.filter(read_at__isnull=True).update(read_at=now)


def deliver(reminders: Iterable[Reminder], now) -> dict[str, int]:
    """Tell everyone concerned of ``reminders`` as of ``now`` (an aware datetime: the
    notifications' ``created_at``, the deliveries' times), by each channel, what has not been
    told yet. Returns the counts: ``notifications`` made, ``emails`` and ``webhooks`` sent,
    ``failures`` (tries that failed, to be tried again on the next run). A reminder's event
    given twice counts once (the first); people who do not exist or are inactive are skipped."""
    reminders = _unique(reminders)
    counts = DeliveryCounts()
    if not reminders:
        return counts.as_dict()
    people = _people(reminders)
    counts.notifications = _notify(reminders, people, now)
    known = {
        (row.event, row.channel, row.recipient): row
        for chunk in _chunks([reminder.event for reminder in reminders])
        for row in ReminderDelivery.objects.filter(event__in=chunk)
    }
    deliveries = _Deliveries(known, now)
    _send_emails(reminders, people, deliveries, counts)
    _post_webhooks(reminders, deliveries, counts)
    deliveries.save()
    return counts.as_dict()


class NotifiedModelBackend(ModelBackend):
    """Django's authentication by username and password, whose signed-in user carries the
    number of their unread notifications (``unread_notification_count``), counted in the query
    that loads the user on every request: the bell of every admin page costs no query of its own
    (``investment.templatetags.notifications``)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            unread_notification_count=count_related(get_user_model(), "notifications", Q(read_at__isnull=True))
        )
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
