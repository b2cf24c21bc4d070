"""``manage.py export_circular --year Y --month M [--format xlsx|csv] [--output PATH]``: the monthly
rankings circular (``investment.circular``) as of the month's last day written to a file, by
default ``郏县-Y-MM-排名通报.xlsx`` (or ``.csv.zip``) in the current folder. Prints the path, the
number of rows and the SHA-256."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from investment.circular import CircularExporter
from jiaxian import periods
from jiaxian.exporting import Format, write_export
from jiaxian.params import command_argument
from projects.models import NoPlan


def month_argument(raw: str) -> int:
    """A month, 1 to 12; anything else ends the command naming ``--month``."""
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 12:
        raise argparse.ArgumentTypeError(f"“{raw}” is not a month (1 to 12).")
    return int(raw)


class Command(BaseCommand):
    help = "Write the monthly rankings circular of --year and --month (as of the month's last day)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=command_argument(periods.parse_year), required=True, help="Plan year, e.g. 2023."
        )
        parser.add_argument("--month", type=month_argument, required=True, help="Month, 1 to 12.")
        parser.add_argument("--format", choices=[f.value for f in Format], default=Format.XLSX.value)
        parser.add_argument("--output", help="File to write (default: <county>-<year>-<month>-排名通报.<ext> here).")

    def handle(self, *args, year, month, format, output, **options):
        try:
            exporter = CircularExporter.for_month(year, month, format)
        except NoPlan:
            raise CommandError(f"There is no year plan for {year}: enter it first (admin: year plans).") from None
        path = Path(output) if output else Path.cwd() / exporter.filename
        try:
            written = write_export(exporter, path)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        self.stdout.write(f"{written.path}\t{written.rows} rows\tsha256 {written.sha256}")
