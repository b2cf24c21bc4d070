"""``manage.py bench_export --rows N``: how fast the quarterly export writes N attraction projects.

Fills the current database with N synthetic attraction projects of ``--year``, all signed by
the end of ``--quarter`` (names ``BENCH-X-…``, reference data and plans as ``bench_quotas``
makes them), then exports that quarter as XLSX and as CSV and prints one JSON line per format:

    {"format": "xlsx", "rows": 100000, "seconds": 3.9, "rows_per_s": 25641, "peak_rss_mb": 80.1}

``rows`` counts the data rows written (every sheet); ``peak_rss_mb`` is the peak resident size
of the process that ran that export (``getrusage``): each format runs in a fresh child process
(``manage.py bench_export --measure FORMAT``), so that each figure is its own and the fill's
memory is not counted. ``--in-process`` measures in this process instead (tests: their
database is not visible to a child).

Safe as bench_quotas is: DEBUG only; BENCH- records only; refuses a database holding other
attraction projects unless ``--force``; ``--delete`` removes the BENCH- records.
"""

from __future__ import annotations

import datetime
import json
import random
import resource
import subprocess
import sys
import tempfile
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from investment.exporters import QuarterlyExporter
from investment.models import AttractionProject
from jiaxian import periods
from jiaxian.exporting import Format
from jiaxian.params import command_argument
from projects.models import YearPlan

from .bench_quotas import PREFIX, YEARS, Filler, amount, batches, delete_synthetic, real_records, synthetic

NAME = f"{PREFIX}X-"


class ExportFiller(Filler):
    """bench_quotas' filler, its reference data and amounts, with every attraction project in
    one year and signed by the quarter's end (so that each is a row of the export)."""

    def __init__(self, rng: random.Random, rows: int, year: int, as_of: datetime.date):
        super().__init__(rng, rows, lambda label, total: _Silent())
        self.year, self.as_of = year, as_of

    def fill(self) -> None:
        self.reference_data()
        YearPlan.objects.get_or_create(year=self.year)
        start = datetime.date(self.year, 1, 1)
        span = (self.as_of - start).days + 1
        for chunk in batches(self.rows):
            projects = []
            for i in chunk:
                contract = self.quarters(10_000, 200_000) if self.rng.random() < 0.75 else self.quarters(500, 9_999)
                signed = start + datetime.timedelta(days=self.rng.randrange(span))
                started = (
                    signed + datetime.timedelta(days=self.rng.randint(0, 180)) if self.rng.random() < 0.8 else None
                )
                industries = self.key_industries if self.rng.random() < 0.75 else self.other_industries
                projects.append(
                    AttractionProject(
                        year=self.year,
                        name=f"{NAME}{i:07d}",
                        investor=f"{PREFIX}investor {i % 5_000}",
                        industry_id=self.rng.choice(industries),
                        area_id=self.rng.choice(self.areas),
                        department_id=self.rng.choice(self.departments),
                        contract_amount=amount(contract),
                        fixed_asset_investment=amount(self.part(contract, 0.6, 1)),
                        funds_in_place=amount(self.part(contract, 0, 1)),
                        signed_on=signed,
                        started_on=started if started and started <= datetime.date(YEARS[-1], 12, 31) else None,
                    )
                )
            self.save(AttractionProject, projects)


class _Silent:
    def advance(self, count):
        pass

    def close(self):
        pass


def measure(year: int, quarter: int, format: str) -> dict:
    """Export ``quarter`` of ``year`` in ``format`` to a temporary file; time and peak RSS."""
    exporter = QuarterlyExporter.for_quarter(year, quarter, format)
    with tempfile.TemporaryFile() as target:
        start = time.perf_counter()
        rows = exporter.write(target)
        seconds = time.perf_counter() - start
        size = target.tell()
    return {
        "format": format,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "bytes": size,
    }


class Command(BaseCommand):
    help = (
        "Benchmark the quarterly export (DEBUG only, never on real data): fill N synthetic attraction projects "
        "(BENCH-X-) of --year signed by the end of --quarter, export XLSX and CSV and print one JSON line per "
        'format {"format", "rows", "seconds", "rows_per_s", "peak_rss_mb", "bytes"}.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000, help="Attraction projects to make (default 10000).")
        parser.add_argument(
            "--year",
            type=command_argument(periods.parse_year),
            default=2023,
            help="Year of the projects and the export (2023).",
        )
        parser.add_argument(
            "--quarter", type=command_argument(periods.parse_quarter), default=4, help="Quarter exported (default 4)."
        )
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument("--format", choices=[f.value for f in Format], action="append", help="Default: both.")
        parser.add_argument("--in-process", action="store_true", help="Measure in this process, not in children.")
        parser.add_argument("--measure", choices=[f.value for f in Format], help="(internal) measure one format.")
        parser.add_argument("--delete", action="store_true", help="Only delete the BENCH- records, then stop.")
        parser.add_argument("--force", action="store_true", help="Run beside attraction projects not named BENCH-.")

    def handle(self, *args, rows, year, quarter, seed, format, in_process, measure: str | None, **options):
        if not settings.DEBUG:
            raise CommandError(
                "bench_export fills the database with synthetic records: it runs only with DJANGO_DEBUG=1, "
                "never on a deployment."
            )
        if measure:
            with override_settings(DEBUG=False):
                self.stdout.write(json.dumps(globals()["measure"](year, quarter, measure)))
            return
        if options["delete"]:
            self.stdout.write(f"Deleted {delete_synthetic()} BENCH- records.")
            return
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        try:
            as_of = periods.quarter_end(year, quarter)
        except ValueError:
            raise CommandError("--quarter must be 1, 2, 3 or 4.") from None
        if not options["force"] and real_records(AttractionProject).exists():
            raise CommandError(
                "This database holds attraction projects that bench_export did not make. "
                "Use an empty database, or pass --force to run beside them."
            )
        with override_settings(DEBUG=False):
            present = synthetic(AttractionProject).filter(name__startswith=NAME, year=year).count()
            if present != rows:
                if present:
                    synthetic(AttractionProject).filter(name__startswith=NAME).delete()
                ExportFiller(random.Random(seed), rows, year, as_of).fill()
            for each in format or [f.value for f in Format]:
                if in_process:
                    line = json.dumps(globals()["measure"](year, quarter, each))
                else:
                    command = [
                        sys.executable,
                        str(settings.BASE_DIR / "manage.py"),
                        "bench_export",
                        f"--year={year}",
                        f"--quarter={quarter}",
                        f"--measure={each}",
                    ]
                    line = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()
                self.stdout.write(line)
