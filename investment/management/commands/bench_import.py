"""``manage.py bench_import --rows N [--model attraction-projects|key-projects|bond-reserves]``:
how fast the ledger import reads, validates and writes N rows, against the floor, and with how
much memory.

Builds an N-row XLSX of the ledger with the export's headers (a title row above, a totals row
below). It imports the sheet twice through the same resource as ``import_ledger``: into a
ledger without those records (every row created), then again (every row unchanged). Then the
floor: the same rows, validated by a dry run of the import, written by plain ``bulk_create`` (a
key project's eight milestones and its listing too) without history, reading or validation,
and timed alone. Each part runs in a transaction that is rolled back (the database is left as
it was). Prints one JSON line per pass (``create``, ``unchanged``, ``floor``: ``seconds``,
``rows_per_s``, ``cpu_seconds`` — this process's CPU time, which a loaded machine stretches
less than the seconds; on PostgreSQL the server's is not in it —, …), then the summary:

    {"model": "attraction-projects", "vendor": "postgresql", "pass": "summary", "rows": 10000,
     "created_rows_per_s": 3500, "floor_rows_per_s": 9000, "ratio": 2.6,
     "unchanged_rows_per_s": 12000, "peak_rss_mb": 150.2}

``ratio`` is the floor's rows per second over the import's (created); ``peak_rss_mb`` the
process's peak resident size through the two import passes (``getrusage``; a child process
writes the sheet, and the floor runs after them); ``--tracemalloc`` also traces Python's
allocations and gives each pass's peak (slower: the seconds are then not comparable). On
PostgreSQL the rolled-back rows are vacuumed away before each part (``VACUUM ANALYZE`` of the
ledgers' tables).

DEBUG only (its reference data is made with ``BENCH-`` codes, as bench_quotas makes them, and
rolled back with the rest).
"""

from __future__ import annotations

import datetime
import io
import json
import multiprocessing
import random
import resource
import time
import tracemalloc

import openpyxl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings

from investment.models import AttractionProject
from jiaxian import bulk
from jiaxian.importing import BookDataset, read_book
from projects import headers as h
from projects.choices import MilestoneKindChoices
from projects.models import AnnualListing, BondReserve, KeyProject, Milestone, YearPlan
from projects.resources import error_lines

from .bench_quotas import PREFIX, Filler
from .import_ledger import RESOURCES

YEAR = 2023


def attraction_rows(filler: Filler, rows: int):
    yield [h.SERIAL, h.NAME, h.INVESTOR, h.INVESTOR_ORIGIN, h.INDUSTRY, h.AREA, h.DEPARTMENT]
    yield [h.CONTRACT_AMOUNT, h.FIXED_ASSET_INVESTMENT, h.FUNDS_IN_PLACE, h.SIGNED_ON, h.STARTED_ON, h.STAGE]
    rng = filler.rng
    for n in range(rows):
        contract = rng.randint(500, 200_000)
        signed = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(120))
        yield [
            n + 1,
            f"{PREFIX}I-{n:07d}",
            f"投资方{n % 5000}",
            "省外",
            filler.industry_codes[n % len(filler.industry_codes)],
            filler.area_codes[n % len(filler.area_codes)],
            filler.department_codes[n % len(filler.department_codes)],
            contract,
            contract * 4 // 5,
            contract * 3 // 10,
            signed,
            signed + datetime.timedelta(days=30) if n % 5 else None,
            "开工",
        ]


def key_project_rows(filler: Filler, rows: int):
    yield [h.SERIAL, h.NAME, h.OWNER, h.INDUSTRY, h.AREA, h.DEPARTMENT, h.NATURE, h.LISTING_CATEGORY]
    yield [h.LISTED_ON, h.TOTAL_INVESTMENT, h.PLANNED_INVESTMENT, h.STARTED_ON]
    for n in range(rows):
        total = filler.rng.randint(5_000, 500_000)
        yield [
            n + 1,
            f"{PREFIX}K-{n:07d}",
            f"项目单位{n}",
            filler.industry_codes[n % len(filler.industry_codes)],
            filler.area_codes[n % len(filler.area_codes)],
            filler.department_codes[n % len(filler.department_codes)],
            "新建",
            "新开工",
            datetime.date(YEAR, 2, 15),
            total,
            total // 4,
            datetime.date(YEAR, 3, 1) if n % 2 else None,
        ]


def bond_reserve_rows(filler: Filler, rows: int):
    yield [h.SERIAL, h.NAME, h.SECTOR, h.OWNER, h.DEPARTMENT, h.AREA, h.TOTAL_INVESTMENT, h.BOND_DEMAND]
    yield [h.CAPITAL_PORTION, h.EXPECTED_INCOME, h.PRINCIPAL_AND_INTEREST, h.COVERAGE_RATIO, h.RESERVED_ON]
    for n in range(rows):
        demand = filler.rng.randint(1_000, 100_000)
        yield [
            n + 1,
            f"{PREFIX}B-{n:07d}",
            filler.sector_codes[n % len(filler.sector_codes)],
            f"项目单位{n}",
            filler.department_codes[n % len(filler.department_codes)],
            filler.area_codes[n % len(filler.area_codes)],
            demand * 2,
            demand,
            0,
            demand * 3 // 2,
            demand * 6 // 5,
            1.25,
            datetime.date(YEAR, 3, 1),
        ]


ROWS = {"attraction-projects": attraction_rows, "key-projects": key_project_rows, "bond-reserves": bond_reserve_rows}


def workbook(model: str, filler: Filler, rows: int) -> bytes:
    """An N-row sheet of ``model`` named as the export names it: a title row, the header, the
    rows, a totals row."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(RESOURCES[model].sheet_name)
    lines = ROWS[model](filler, rows)
    header = next(lines) + next(lines)
    sheet.append([f"{PREFIX}{model} {rows}"])
    sheet.append(header)
    for line in lines:
        sheet.append(line)
    sheet.append([None, h.total_label(rows)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook_of(model: str, seed: int, rows: int) -> bytes:
    """``workbook`` of the bench's reference codes (which ``Command.reference_data`` makes)."""
    return workbook(model, Command.codes(Filler(random.Random(seed), 10, lambda label, total: None)), rows)


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Command(BaseCommand):
    help = (
        "Benchmark the ledger import (DEBUG only): build an N-row XLSX of --model, import it into the current "
        "database twice (created, then unchanged) and write the same validated rows by plain bulk_create (the "
        "floor), inside a transaction that is rolled back, and print one JSON line per pass and a summary "
        '{"created_rows_per_s", "floor_rows_per_s", "ratio", "unchanged_rows_per_s", "peak_rss_mb"}.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000, help="Rows of the sheet (default 10000).")
        parser.add_argument("--model", choices=sorted(ROWS), default="attraction-projects")
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument("--tracemalloc", action="store_true", help="Also trace Python's allocations (slower).")

    def handle(self, *args, rows, model, seed, **options):
        if not settings.DEBUG:
            raise CommandError("bench_import writes synthetic records: it runs only with DJANGO_DEBUG=1.")
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        with override_settings(DEBUG=False):
            # The sheet is written by a child process, so that openpyxl's memory is not counted in
            # this process's peak; the import runs first, then the floor, each in a transaction
            # rolled back, with the rolled-back rows vacuumed away before each (PostgreSQL keeps
            # them in the indexes, where the next inserts of the same names would step over them).
            with multiprocessing.get_context("fork").Pool(1) as pool:
                data = pool.apply(workbook_of, (model, seed, rows))
            self.vacuum()
            with transaction.atomic():
                self.reference_data(seed)
                passes = [
                    self.measure(model, data, phase, expected, options["tracemalloc"])
                    for phase, expected in (("create", "new"), ("unchanged", "skip"))
                ]
                transaction.set_rollback(True)
            peak = rss_mb()
            self.vacuum()
            with transaction.atomic():
                self.reference_data(seed)
                floor = self.floor(model, data)
                transaction.set_rollback(True)
            for line in (*passes, floor):
                self.stdout.write(json.dumps(line))
            (created, unchanged), floor_rate = (line["rows_per_s"] for line in passes), floor["rows_per_s"]
            summary = {
                "model": model,
                "vendor": connection.vendor,
                "pass": "summary",
                "rows": rows,
                "created_rows_per_s": created,
                "floor_rows_per_s": floor_rate,
                "ratio": round(floor_rate / created, 2),
                "unchanged_rows_per_s": unchanged,
                "peak_rss_mb": peak,
            }
            self.stdout.write(json.dumps(summary))

    @classmethod
    def reference_data(cls, seed: int) -> Filler:
        filler = Filler(random.Random(seed), 10, lambda label, total: None)
        filler.reference_data()
        YearPlan.objects.get_or_create(year=YEAR)
        return cls.codes(filler)

    @staticmethod
    def codes(filler: Filler) -> Filler:
        """The codes of the reference data ``Filler.reference_data`` makes, for the sheet."""
        filler.industry_codes = [f"{PREFIX}{code}" for code in ("IND-01", "IND-02", "IND-03", "IND-05")]
        filler.area_codes = [f"{PREFIX}AREA-{n:02d}" for n in range(1, 13)]
        filler.department_codes = [f"{PREFIX}DEPT-{n:02d}" for n in range(1, 16)]
        filler.sector_codes = [f"{PREFIX}SEC-{n:02d}" for n in range(1, 7)]
        return filler

    @staticmethod
    def vacuum() -> None:
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return
        models = [KeyProject, Milestone, AnnualListing, BondReserve, AttractionProject]
        tables = [model._meta.db_table for model in models] + [model.history.model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")  # noqa: S608 - the models' own table names

    def measure(self, model: str, data: bytes, phase: str, expected: str, trace: bool) -> dict:
        if trace:
            tracemalloc.start()
        start, cpu = time.perf_counter(), time.process_time()
        result = RESOURCES[model](year=YEAR, preview=False).import_data(BookDataset(read_book(data, "bench.xlsx")))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        if trace:
            tracemalloc.stop()
        problems = error_lines(result)
        if problems:
            raise CommandError(f"The import refused its own sheet: {problems[:3]}")
        done = result.totals[expected]
        if done != result.total_rows:
            raise CommandError(f"{phase}: {done} of {result.total_rows} rows were {expected}.")
        peak_mb = peak and round(peak / 2**20, 1)
        cpu = round(cpu, 2)
        return self.line(model, phase, result.total_rows, seconds, cpu_seconds=cpu, tracemalloc_peak_mb=peak_mb)

    def floor(self, model: str, data: bytes) -> dict:
        """The same rows as the create pass, validated by a dry run of the import, then written
        by plain ``bulk_create`` without history: only the writing is timed."""
        records, related = [], []

        def keep(pending):
            records.extend(record for _, record, _ in pending.created)
            related.extend(record for _, record, _ in pending.related_created)

        resource = RESOURCES[model](year=YEAR, preview=False)
        resource.validated = keep
        resource.import_data(BookDataset(read_book(data, "bench.xlsx")), dry_run=True)
        if not records:
            raise CommandError("floor: the dry run validated no new record.")
        kinds = [kind for kind in MilestoneKindChoices.values if kind != MilestoneKindChoices.CUSTOM]
        start, cpu = time.perf_counter(), time.process_time()
        type(records[0]).objects.bulk_create(records, batch_size=bulk.BATCH_SIZE)
        if isinstance(records[0], KeyProject):
            milestones = [Milestone(project=project, kind=kind) for project in records for kind in kinds]
            Milestone.objects.bulk_create(milestones, batch_size=bulk.BATCH_SIZE)
        if related:
            type(related[0]).objects.bulk_create(related, batch_size=bulk.BATCH_SIZE)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        return self.line(model, "floor", len(records), seconds, cpu_seconds=round(cpu, 2), tracemalloc_peak_mb=None)

    @staticmethod
    def line(model: str, phase: str, rows: int, seconds: float, **more) -> dict:
        return {
            "model": model,
            "vendor": connection.vendor,
            "pass": phase,
            "rows": rows,
            "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds) if seconds else None,
            "peak_rss_mb": rss_mb(),
            **more,
        }
