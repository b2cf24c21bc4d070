"""``manage.py send_reminders [--now YYYY-MM-DDTHH:MM] [--dry-run]``: tell each person what is
theirs to do (docs/reminders.md lists the events): a notification in the product, an e-mail,
and the department's group robot where it has one.

Meant for cron or a systemd timer, every hour or so (docs/operations.md). Running it again sends
nothing twice: what was sent is recorded per event, channel and recipient, and a channel that
failed is tried again on the next run, up to ``REMINDER_MAX_ATTEMPTS`` times. Prints one line of
counts; ``--dry-run`` lists the reminders found and sends nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from investment.notifications import deliver
from investment.reminders import due_reminders
from jiaxian import periods
from jiaxian.params import command_argument


class Command(BaseCommand):
    help = "Send what is due as of now: notifications, e-mails and group-robot messages, each once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            type=command_argument(periods.parse_moment),
            help="Find what is due as of this moment (YYYY-MM-DD or YYYY-MM-DDTHH:MM, county time; default: now).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List the reminders found; send nothing.")

    def handle(self, *args, now=None, dry_run=False, **options):
        now = now or timezone.now()
        reminders = due_reminders(now)
        if dry_run:
            for reminder in reminders:
                told = f"persons: {len(reminder.user_ids)}, robots: {len(reminder.webhooks)}"
                self.stdout.write(f"{reminder.event}\t{told}\t{reminder.text}")
            self.stdout.write(f"{len(reminders)} reminders due as of {timezone.localtime(now):%Y-%m-%d %H:%M}")
            return
        counts = deliver(reminders, now)
        self.stdout.write(
            f"{len(reminders)} reminders due as of {timezone.localtime(now):%Y-%m-%d %H:%M}: "
            + ", ".join(f"{name} {value}" for name, value in counts.items())
        )
