"""``manage.py export_oc4ids --year Y [--as-of D] [--known-on K] [--output FILE]``: the OC4IDS
package of the key projects listed for Y by D (``projects.oc4ids``), the same as
``GET /api/oc4ids/`` gives a reader of key projects, written to FILE (default
``oc4ids-<prefix>-Y.json`` here) through a temporary file, so that a failure leaves nothing
half-written. Prints the path and the number of projects."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jiaxian import periods
from jiaxian.params import command_argument
from projects import oc4ids


class Command(BaseCommand):
    help = "Write the OC4IDS project package of the key projects listed for --year as of --as-of."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=command_argument(periods.parse_year), required=True, help="Key list year, e.g. 2023."
        )
        parser.add_argument(
            "--as-of",
            type=command_argument(lambda raw: periods.parse_date(raw, "as_of")),
            help="Publish as of this day (default: today, or the year's last day when the year is past).",
        )
        parser.add_argument(
            "--known-on",
            type=command_argument(lambda raw: periods.parse_date(raw, "known_on")),
            help="Count the monthly reports as approved by the end of this day (default: today).",
        )
        parser.add_argument("--output", help="File to write (default: oc4ids-<prefix>-<year>.json here).")

    def handle(self, *args, year, as_of=None, known_on=None, output=None, **options):
        if not settings.SITE_URL:
            raise CommandError(_("Set JIAXIAN_SITE_URL: the package's uri is the address that publishes it."))
        as_of = as_of or periods.default_as_of(year)
        known_on = known_on or periods.today()
        queryset = oc4ids.key_projects(year, as_of)
        if not queryset.exists():
            raise CommandError(
                _("No key project is listed for %(year)s by %(as_of)s.") % {"year": year, "as_of": as_of}
            )
        path = Path(output) if output else Path.cwd() / f"oc4ids-{settings.OC4IDS_ID_PREFIX}-{year}.json"
        uri = oc4ids.package_uri(settings.SITE_URL, year, as_of, known_on)
        counted = _Counter(oc4ids.projects(queryset, as_of, known_on))
        try:
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s.") % {"path": path, "error": error.strerror}
            ) from None
        try:
            with os.fdopen(handle, "wb") as file:
                for piece in oc4ids.package_chunks(uri, counted):
                    file.write(piece)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(f"{path}\t{counted.count} projects")


class _Counter:
    """The projects as they pass, counted."""

    def __init__(self, records):
        self.records = records
        self.count = 0

    def __iter__(self):
        for record in self.records:
            self.count += 1
            yield record
