"""``manage.py export_quarter --year Y --quarter Q [--known-on K] [--format xlsx|csv] [--output PATH]``:
the quarterly compliance export written to a file, by default ``郏县-Y-QQ.xlsx`` (or
``.csv.zip``) in the current folder; with ``--known-on`` the monthly progress as approved by
the end of day K (a filing's recomputation). Prints the path, the number of rows and the
SHA-256."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from investment.exporters import QuarterlyExporter
from jiaxian import periods
from jiaxian.exporting import Format, write_export
from jiaxian.params import command_argument
from projects.models import NoPlan


class Command(BaseCommand):
    help = (
        "Write the quarterly compliance export of --year and --quarter (as of the quarter's last day) "
        "as XLSX or as a zip of CSVs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=command_argument(periods.parse_year), required=True, help="Plan year, e.g. 2023."
        )
        parser.add_argument(
            "--quarter", type=command_argument(periods.parse_quarter), required=True, help="Quarter, 1 to 4."
        )
        parser.add_argument(
            "--known-on",
            type=command_argument(lambda raw: periods.parse_date(raw, "known_on")),
            help="Count the monthly reports as approved by the end of this day (default: now).",
        )
        parser.add_argument("--format", choices=[f.value for f in Format], default=Format.XLSX.value)
        parser.add_argument("--output", help="File to write (default: <county>-<year>-Q<quarter>.<ext> here).")

    def handle(self, *args, year, quarter, format, output, known_on=None, **options):
        try:
            exporter = QuarterlyExporter.for_quarter(year, quarter, format, known_on=known_on)
        except NoPlan:
            raise CommandError(f"There is no year plan for {year}: enter it first (admin: year plans).") from None
        path = Path(output) if output else Path.cwd() / exporter.filename
        try:
            written = write_export(exporter, path)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        self.stdout.write(f"{written.path}\t{written.rows} rows\tsha256 {written.sha256}")
