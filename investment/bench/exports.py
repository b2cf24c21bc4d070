"""The quarterly export's benchmark (``manage.py bench_export``): N synthetic attraction projects
of one year, all signed by the end of the quarter (names ``BENCH-X-…``, reference data and plans
as ``data.Filler`` makes them), exported as XLSX and as CSV after a floor (the queries and every
cell typed, nothing written), each measure in a fresh child process (``manage.py bench_export
--measure NAME``) unless ``in_process``; ``MEASURES`` names them.

``run_scale`` measures on the records of ``bench_pages --scale`` instead (every ledger, as a city
keeps them), never filling nor deleting: the quarter of the year with the most listed key
projects, its reserves and its attraction projects, also through the API's download."""

from __future__ import annotations

import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Count
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from investment.exporters import QuarterlyExporter
from investment.models import AttractionProject
from jiaxian import periods
from jiaxian.exporting import GENERATED_AT, NUMBER_FORMATS, Format, Kind, Sheet, reading, typed_rows
from projects.models import AnnualListing, YearPlan

from . import pages, timing
from .data import PREFIX, YEARS, Filler, amount, batches, expected_counts, real_records, synthetic
from .quotas import refuse_real_records

NAME = f"{PREFIX}X-"
USER = "bench-export"


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


def write_xlsx_openpyxl(
    sheets: Iterable[Sheet], target: BinaryIO, *, fixed_time: datetime.datetime, generated_at
) -> int:
    """The same workbook through openpyxl's public write-only API (a styled ``WriteOnlyCell`` per
    value): the alternative the export's XLSX writer (``jiaxian.xlsx``) is measured against."""
    workbook = openpyxl.Workbook(write_only=True)
    workbook.properties.creator = "jiaxian"
    workbook.properties.created = workbook.properties.modified = fixed_time
    header_style = {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor="DDEBF7"),
        "alignment": Alignment(wrap_text=True, vertical="center"),
    }
    total = 0
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name)

        def cell(
            typed: tuple[Kind, Any] | None, style: dict | None = None, worksheet=worksheet
        ) -> Cell | None:  # WriteOnlyCell is a function that makes a Cell
            if typed is None:
                return None
            kind, value = typed
            result = WriteOnlyCell(worksheet, value=value)
            if kind != Kind.TEXT:
                result.number_format = NUMBER_FORMATS[kind]
            for name, part in (style or {}).items():
                setattr(result, name, part)
            return result

        for index, column in enumerate(sheet.columns, 1):
            worksheet.column_dimensions[get_column_letter(index)].width = column.xlsx_width()
        header_row = len(sheet.preamble) + 1
        worksheet.freeze_panes = f"A{header_row + 1}"
        preamble = [[generated_at if value is GENERATED_AT else value for value in line] for line in sheet.preamble]
        for line in typed_rows(preamble):
            worksheet.append([cell(typed) for typed in line])
        worksheet.append([cell((Kind.TEXT, str(column.header)), header_style) for column in sheet.columns])
        rows = header_row
        for cells in typed_rows(sheet.rows, sheet.columns):
            worksheet.append([cell(typed) for typed in cells])
            rows += 1
        total += rows - header_row
        worksheet.auto_filter.ref = f"A{header_row}:{get_column_letter(max(len(sheet.columns), 1))}{rows}"
    workbook.save(target)
    return total


def floor(sheets: Iterable[Sheet]) -> int:
    """What every writer does before writing a byte: the queries and every cell typed. A
    writer's ``ratio`` is its time over this one, which a busy machine slows alike."""
    return sum(1 for sheet in sheets for _cells in typed_rows(sheet.rows, sheet.columns))


# What can be measured: (the file format, the writer); the floor first, the ratios' base.
MEASURES: dict[str, tuple[str | None, str]] = {
    "floor": (None, "no writer"),
    "xlsx": (Format.XLSX.value, "jiaxian.xlsx"),
    "xlsx-openpyxl": (Format.XLSX.value, "openpyxl write-only"),
    "csv": (Format.CSV.value, "csv"),
    "api": (Format.XLSX.value, "GET /api/exports/quarterly/"),
}


def download(year: int, quarter: int, target: BinaryIO) -> None:
    """The API's XLSX download of the quarter, as a client gets it (the request, the export to a
    temporary file, its checksum, the streamed response), copied to ``target``."""
    client = Client()
    user, _created = get_user_model().objects.get_or_create(
        username=USER, defaults={"is_staff": True, "is_superuser": True}
    )
    client.force_login(user)
    url = reverse("quarterly-export")
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        response = client.get(url, {"year": str(year), "quarter": str(quarter), "format": Format.XLSX.value})
        if response.status_code != 200:
            raise CommandError(f"GET {url} answered {response.status_code}.")
        for chunk in response.streaming_content:  # type: ignore[attr-defined]  # a FileResponse
            target.write(chunk)


def measure(year: int, quarter: int, measured: str) -> dict:
    """Export ``quarter`` of ``year`` as ``measured`` says to a temporary file; time and peak RSS."""
    format, writer = MEASURES[measured]
    exporter = QuarterlyExporter.for_quarter(year, quarter, format or Format.CSV)
    with tempfile.TemporaryFile() as target, translation.override("zh-hans"):
        start = time.perf_counter()
        if measured == "floor":
            with reading():  # as the export reads
                rows = floor(exporter.sheets())
        elif measured == "xlsx-openpyxl":
            generated_at = datetime.datetime.now().replace(microsecond=0)
            with reading():
                rows = write_xlsx_openpyxl(
                    exporter.sheets(), target, fixed_time=exporter.fixed_time, generated_at=generated_at
                )
        elif measured == "api":
            download(year, quarter, target)
            rows = None  # the response does not say; ``run`` gives the floor's
        else:
            rows = exporter.write(target)
        seconds = time.perf_counter() - start
        size = target.tell()
    return {
        "measure": measured,
        "format": format,
        "writer": writer,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if rows and seconds else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "bytes": size,
    }


def run(
    rows: int,
    year: int,
    quarter: int,
    seed: int,
    formats: list[str],
    in_process: bool,
    force: bool,
    openpyxl_too: bool = False,
) -> Iterator[str]:
    """Fill the projects (unless the right number is there) and yield one JSON line a measure:
    the floor first, then each format (and openpyxl's writer beside the export's own when asked),
    each with its ``ratio`` to the floor's seconds."""
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
    measured = ["floor"]
    for each in formats:
        measured += [each, "xlsx-openpyxl"] if each == Format.XLSX and openpyxl_too else [each]
    yield from measure_all(year, quarter, measured, in_process)


def measure_all(year: int, quarter: int, measured: list[str], in_process: bool) -> Iterator[str]:
    """One JSON line per measure (the floor first), each with its ``ratio`` to the floor's
    seconds and the load average of the machine when it ended (others may be working)."""
    base = rows = None
    for each in measured:
        if in_process:
            line = measure(year, quarter, each)
        else:
            command = [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "bench_export",
                f"--year={year}",
                f"--quarter={quarter}",
                f"--measure={each}",
            ]
            line = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        base = base or line["seconds"]
        rows = rows or line["rows"]
        if line["rows"] is None:  # the API's download: the same rows as the floor's
            line["rows"] = rows
            line["rows_per_s"] = timing.rows_per_s(rows, line["seconds"])
        line["ratio"] = round(line["seconds"] / base, 2) if base else None
        line["load_1m"] = round(os.getloadavg()[0], 2)
        yield json.dumps(line)


def busiest_year() -> int:
    """The year with the most listed synthetic key projects (the builder lists each for a few
    consecutive years, so the middle years have the most); the latest of equals."""
    counts = (
        AnnualListing.objects.filter(project__name__startswith=PREFIX)
        .values("year")
        .annotate(listed=Count("id"))
        .order_by("-listed", "-year")
    )
    first = counts.first()
    if first is None:
        raise CommandError("No synthetic key project is listed.")
    return first["year"]


def run_scale(scale: str, quarter: int, formats: list[str], in_process: bool, force: bool) -> Iterator[str]:
    """Measure on the records ``bench_pages --scale`` made (refused when they are not there in
    that number: fill them with that command; nothing here fills or deletes): the floor, each
    format and the API's download of ``quarter`` of the busiest year."""
    if not force:
        refuse_real_records("bench_export")
    rows = pages.SCALES[scale]["rows"]
    wanted = expected_counts(rows)
    present = {model: synthetic(model).count() for model in wanted}
    if present != wanted:
        found = ", ".join(f"{count} {model.__name__}" for model, count in present.items())
        raise CommandError(
            f"The database does not hold bench_pages' records of --scale {scale} ({found}): "
            f"fill them with `manage.py bench_pages --scale {scale}` first."
        )
    yield from measure_all(busiest_year(), quarter, ["floor", *formats, "api"], in_process)
