"""The quarterly export's benchmark (``manage.py bench_export``): N synthetic attraction projects
of one year, all signed by the end of the quarter (names ``BENCH-X-…``, reference data and plans
as ``data.Filler`` makes them), exported as XLSX and as CSV, each format measured in a fresh
child process (``manage.py bench_export --measure FORMAT``) unless ``in_process``."""

from __future__ import annotations

import datetime
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.management.base import CommandError

from investment.exporters import QuarterlyExporter
from investment.models import AttractionProject
from jiaxian import periods
from projects.models import YearPlan

from . import timing
from .data import PREFIX, YEARS, Filler, amount, batches, real_records, synthetic

NAME = f"{PREFIX}X-"


class ExportFiller(Filler):
    """bench_quotas' filler, its reference data and amounts, with every attraction project in
    one year and signed by the quarter's end (so that each is a row of the export)."""

    def __init__(self, rng: random.Random, rows: int, year: int, as_of: datetime.date):
        super().__init__(rng, rows, timing.silent)
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


def run(
    rows: int, year: int, quarter: int, seed: int, formats: list[str], in_process: bool, force: bool
) -> Iterator[str]:
    """Fill the projects (unless the right number is there) and yield one JSON line a format."""
    try:
        as_of = periods.quarter_end(year, quarter)
    except ValueError:
        raise CommandError("--quarter must be 1, 2, 3 or 4.") from None
    if not force and real_records(AttractionProject).exists():
        raise CommandError(
            "This database holds attraction projects that bench_export did not make. "
            "Use an empty database, or pass --force to run beside them."
        )
    present = synthetic(AttractionProject).filter(name__startswith=NAME, year=year).count()
    if present != rows:
        if present:
            synthetic(AttractionProject).filter(name__startswith=NAME).delete()
        ExportFiller(random.Random(seed), rows, year, as_of).fill()
    for each in formats:
        if in_process:
            yield json.dumps(measure(year, quarter, each))
        else:
            command = [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "bench_export",
                f"--year={year}",
                f"--quarter={quarter}",
                f"--measure={each}",
            ]
            yield subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()
