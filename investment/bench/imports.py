"""The ledger import's benchmark (``manage.py bench_import``): an N-row sheet of a ledger imported
twice (created, then unchanged) through the same resource as ``import_ledger``, against the floor
(the same validated rows written by plain ``bulk_create``, a key project's eight milestones and
its listing too, without history, reading or validation), each part in a transaction rolled
back. The reference data is ``data.Filler``'s, made inside the same transactions."""

from __future__ import annotations

import datetime
import io
import multiprocessing
import random
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import openpyxl
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Model

from investment import headers as h
from investment.management.commands.import_ledger import RESOURCES
from investment.models import AttractionProject
from jiaxian import bulk
from jiaxian.importing import BookDataset, read_book
from jiaxian.resources import error_lines
from projects.choices import MilestoneKindChoices
from projects.models import AnnualListing, BondReserve, KeyProject, Milestone, YearPlan

from . import timing
from .data import AREAS, DEPARTMENTS, PREFIX, SECTORS, Filler

YEAR = 2023
# The reference codes of the sheets' rows, which ``Filler.reference_data`` makes: three key
# industries and one other (data.INDUSTRIES), every area, department and sector.
INDUSTRY_CODES = [PREFIX + code for code in ("IND-01", "IND-02", "IND-03", "IND-05")]
AREA_CODES = [PREFIX + code for code in AREAS]
DEPARTMENT_CODES = [PREFIX + code for code in DEPARTMENTS]
SECTOR_CODES = [PREFIX + code for code in SECTORS]


def attraction_rows(rng: random.Random, rows: int) -> Iterator[list[Any]]:
    yield [h.SERIAL, h.NAME, h.INVESTOR, h.INVESTOR_ORIGIN, h.INDUSTRY, h.AREA, h.DEPARTMENT]
    yield [h.CONTRACT_AMOUNT, h.FIXED_ASSET_INVESTMENT, h.FUNDS_IN_PLACE, h.SIGNED_ON, h.STARTED_ON, h.STAGE]
    for n in range(rows):
        contract = rng.randint(500, 200_000)
        signed = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(120))
        yield [
            n + 1,
            f"{PREFIX}I-{n:07d}",
            f"投资方{n % 5000}",
            "省外",
            INDUSTRY_CODES[n % len(INDUSTRY_CODES)],
            AREA_CODES[n % len(AREA_CODES)],
            DEPARTMENT_CODES[n % len(DEPARTMENT_CODES)],
            contract,
            contract * 4 // 5,
            contract * 3 // 10,
            signed,
            signed + datetime.timedelta(days=30) if n % 5 else None,
            "开工",
        ]


def key_project_rows(rng: random.Random, rows: int) -> Iterator[list[Any]]:
    yield [h.SERIAL, h.NAME, h.OWNER, h.INDUSTRY, h.AREA, h.DEPARTMENT, h.NATURE, h.LISTING_CATEGORY]
    yield [h.LISTED_ON, h.TOTAL_INVESTMENT, h.PLANNED_INVESTMENT, h.STARTED_ON]
    for n in range(rows):
        total = rng.randint(5_000, 500_000)
        yield [
            n + 1,
            f"{PREFIX}K-{n:07d}",
            f"项目单位{n}",
            INDUSTRY_CODES[n % len(INDUSTRY_CODES)],
            AREA_CODES[n % len(AREA_CODES)],
            DEPARTMENT_CODES[n % len(DEPARTMENT_CODES)],
            "新建",
            "新开工",
            datetime.date(YEAR, 2, 15),
            total,
            total // 4,
            datetime.date(YEAR, 3, 1) if n % 2 else None,
        ]


def bond_reserve_rows(rng: random.Random, rows: int) -> Iterator[list[Any]]:
    yield [h.SERIAL, h.NAME, h.SECTOR, h.OWNER, h.DEPARTMENT, h.AREA, h.TOTAL_INVESTMENT, h.BOND_DEMAND]
    yield [h.CAPITAL_PORTION, h.EXPECTED_INCOME, h.PRINCIPAL_AND_INTEREST, h.COVERAGE_RATIO, h.RESERVED_ON]
    for n in range(rows):
        demand = rng.randint(1_000, 100_000)
        yield [
            n + 1,
            f"{PREFIX}B-{n:07d}",
            SECTOR_CODES[n % len(SECTOR_CODES)],
            f"项目单位{n}",
            DEPARTMENT_CODES[n % len(DEPARTMENT_CODES)],
            AREA_CODES[n % len(AREA_CODES)],
            demand * 2,
            demand,
            0,
            demand * 3 // 2,
            demand * 6 // 5,
            1.25,
            datetime.date(YEAR, 3, 1),
        ]


ROWS = {"attraction-projects": attraction_rows, "key-projects": key_project_rows, "bond-reserves": bond_reserve_rows}


def workbook(model: str, rng: random.Random, rows: int) -> bytes:
    """An N-row sheet of ``model`` named as the export names it: a title row, the header, the
    rows, a totals row."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(RESOURCES[model].sheet_name)
    lines = ROWS[model](rng, rows)
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
    """``workbook`` of the rows ``seed`` draws."""
    return workbook(model, random.Random(seed), rows)


def run(model: str, rows: int, seed: int, trace: bool) -> list[dict[str, Any]]:
    """The lines of the benchmark: one a pass (``create``, ``unchanged``, ``floor``), then the
    summary. The sheet is written by a child process, so that openpyxl's memory is not counted
    in this process's peak; the import runs first, then the floor, each in a transaction rolled
    back, with the rolled-back rows vacuumed away before each (PostgreSQL keeps them in the
    indexes, where the next inserts of the same names would step over them)."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        data = pool.apply(workbook_of, (model, seed, rows))
    vacuum()
    with transaction.atomic():
        reference_data(seed)
        passes = [
            measure(model, data, phase, expected, trace)
            for phase, expected in (("create", "new"), ("unchanged", "skip"))
        ]
        transaction.set_rollback(True)
    peak = timing.peak_rss_mb()
    vacuum()
    with transaction.atomic():
        reference_data(seed)
        floor_line = floor(model, data)
        transaction.set_rollback(True)
    (created, unchanged), floor_rate = (line["rows_per_s"] for line in passes), floor_line["rows_per_s"]
    summary = {
        "model": model,
        "vendor": connection.vendor,
        "pass": "summary",
        "rows": rows,
        "created_rows_per_s": created,
        "floor_rows_per_s": floor_rate,
        "ratio": timing.ratio(floor_rate, created),
        "unchanged_rows_per_s": unchanged,
        "peak_rss_mb": peak,
    }
    return [*passes, floor_line, summary]


def reference_data(seed: int) -> None:
    """The reference data the sheets' codes name, and the plan of their year."""
    Filler(random.Random(seed), 10, timing.silent).reference_data()
    YearPlan.objects.get_or_create(year=YEAR)


def vacuum() -> None:
    models = [KeyProject, Milestone, AnnualListing, BondReserve, AttractionProject]
    if not connection.in_atomic_block:
        timing.vacuum_analyze(timing.tables_of(*models, *(model.history.model for model in models)))


def measure(model: str, data: bytes, phase: str, expected: str, trace: bool) -> dict[str, Any]:
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
    return line(model, phase, result.total_rows, seconds, cpu_seconds=round(cpu, 2), tracemalloc_peak_mb=peak_mb)


def floor(model: str, data: bytes) -> dict[str, Any]:
    """The same rows as the create pass, validated by a dry run of the import, then written
    by plain ``bulk_create`` without history: only the writing is timed."""
    records: list[Model] = []
    related: list[Model] = []

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
    type(records[0])._default_manager.bulk_create(records, batch_size=bulk.BATCH_SIZE)
    if isinstance(records[0], KeyProject):
        milestones = [Milestone(project_id=project.pk, kind=kind) for project in records for kind in kinds]
        Milestone.objects.bulk_create(milestones, batch_size=bulk.BATCH_SIZE)
    if related:
        type(related[0])._default_manager.bulk_create(related, batch_size=bulk.BATCH_SIZE)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return line(model, "floor", len(records), seconds, cpu_seconds=round(cpu, 2), tracemalloc_peak_mb=None)


def line(model: str, phase: str, rows: int, seconds: float, **more) -> dict[str, Any]:
    return {
        "model": model,
        "vendor": connection.vendor,
        "pass": phase,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_s": timing.rows_per_s(rows, seconds),
        "peak_rss_mb": timing.peak_rss_mb(),
        **more,
    }
