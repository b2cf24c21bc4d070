"""The exporter base: an exporter yields sheets; this module writes them as XLSX or as a zip of CSVs.

Modelled on pretix's ``BaseExporter`` / ``ListExporter``, much smaller: an exporter has a stable
``identifier``, a Chinese ``verbose_name`` and plain parameters (``year``, ``quarter``,
``format``), and its ``sheets()`` yields ``Sheet`` objects, each a name, optional lines above the
header (``preamble``), a header row of ``Column`` objects and data rows. ``write(target)`` does
the rest, for both formats through one path: every cell goes through ``typed_rows`` (the value
given its kind, text that a spreadsheet would take for a formula escaped), then is serialised
as XLSX or as CSV.

- XLSX: the project's own streaming writer (``jiaxian.xlsx``: each row goes into the sheet's
  zip entry as it comes), a frozen header row, an autofilter over the table, widths from the
  columns, amounts (万元) kept numeric with ``#,##0.00``, ratios ``0.00%``, dates as dates.
- CSV: a zip of one CSV per sheet, UTF-8 with a byte-order mark (``utf-8-sig``) so that Excel
  and WPS read the Chinese.

Deterministic: the same data gives the same bytes. The CSV zip's entries carry ``fixed_time``
(the as-of day) instead of the clock, and so do the workbook's entries and its created and
modified properties. The one exception is the cell ``GENERATED_AT`` stands
for (the generation time): the XLSX writes the time of the run there, the CSV leaves that line
out, so that two CSV exports of unchanged data are byte-identical and two XLSX exports differ
only in that cell.

Streaming: rows are written as they come, so memory stays bounded whatever the number of
rows; exporters feed querysets through ``.iterator(chunk_size=...)`` of ``values_list`` (plain
tuples: a model instance per row costs more than writing it), all in one snapshot
(``reading``). ``write_export`` is the one way the doors write an export: to a file, returning
its path, rows and SHA-256.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import itertools
import math
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise

from . import xlsx


class Format(StrEnum):
    """The formats every exporter writes."""

    XLSX = "xlsx"
    CSV = "csv"


CONTENT_TYPES: dict[Format, str] = {
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Format.CSV: "application/zip",
}
EXTENSIONS: dict[Format, str] = {Format.XLSX: "xlsx", Format.CSV: "csv.zip"}


class Kind(StrEnum):
    """What a cell holds, which decides how it is written."""

    TEXT = "text"
    INTEGER = "integer"
    AMOUNT = "amount"  # 万元, two places
    RATIO = "ratio"  # a share, four places, shown as a percentage
    MULTIPLE = "multiple"  # a ratio shown as a number (本息覆盖倍数), four places
    DATE = "date"
    DATETIME = "datetime"


NUMBER_FORMATS: dict[Kind, str] = {
    Kind.INTEGER: "#,##0",
    Kind.AMOUNT: "#,##0.00",
    Kind.RATIO: "0.00%",
    Kind.MULTIPLE: "0.0000",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm:ss",
}

# A column's width (in characters) when it names none: its widest value among the sheet's
# first WIDTH_SAMPLE rows (the width is written before the rows, so a sample rather than the
# whole sheet is held back), or half its header when that is wider (the header wraps onto two
# lines), plus a margin; between WIDTH_MIN and WIDTH_MAX (longer text overflows or is cut).
WIDTH_SAMPLE = 500
WIDTH_MIN = 6
WIDTH_MAX = 40
WIDTH_MARGIN = 2


def display_width(text: str) -> int:
    """``text``'s width in characters of a spreadsheet's default font: a CJK character (and a
    full-width sign) takes two; of several lines, the longest."""
    return max((sum(2 if ord(char) > 0x2E80 else 1 for char in line) for line in text.split("\n")), default=0)


def _shown_width(cell: Typed) -> int:
    """The width of ``cell`` as its number format shows it."""
    if cell is None:
        return 0
    kind, value = cell
    if kind == Kind.TEXT:
        return display_width(value)
    if kind == Kind.AMOUNT:
        return len(f"{value:,.2f}")
    if kind == Kind.INTEGER:
        return len(f"{value:,}")
    if kind == Kind.RATIO:
        return len(f"{Decimal(value).scaleb(2):.2f}%")
    if kind == Kind.MULTIPLE:
        return len(f"{value:.4f}")
    return 19 if kind == Kind.DATETIME else 10


# A text cell starting with one of these is taken for a formula by Excel, WPS or LibreOffice
# (OWASP "CSV injection"); tab and carriage return too, which some of them strip first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """``text`` made inert for a spreadsheet: an apostrophe before a leading ``= + - @`` (or
    tab, carriage return), which Excel shows as text; any other text unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Column:
    """A column: its header (Chinese, with the unit), the kind of its values and, optionally,
    its width in characters."""

    header: str | Promise
    kind: Kind = Kind.TEXT
    width: float | None = None

    def xlsx_width(self, cells: Iterable[Typed] = ()) -> float:
        """The given width, or one that fits the widest of ``cells`` (typed, as ``typed_rows``
        gives them) and half the header (see WIDTH_SAMPLE)."""
        if self.width is not None:
            return self.width
        content = max(map(_shown_width, cells), default=0)
        wanted = max(content, math.ceil(display_width(str(self.header)) / 2)) + WIDTH_MARGIN
        return min(max(wanted, WIDTH_MIN), WIDTH_MAX)

    def header_lines(self, width: float) -> int:
        """The lines the header takes in a column ``width`` wide (it wraps)."""
        return max(1, math.ceil(display_width(str(self.header)) / max(width - WIDTH_MARGIN, 1)))


@dataclass(frozen=True)
class Cell:
    """A value with a kind of its own, for a column of mixed values (a summary's figures)."""

    value: Any
    kind: Kind


class _GeneratedAt:
    """The generation time: written by the XLSX writer, left out of the CSV (see the module)."""

    def __repr__(self) -> str:
        return "GENERATED_AT"


GENERATED_AT = _GeneratedAt()


@dataclass
class Sheet:
    """One sheet: ``preamble`` lines above the header (free values; a line holding
    ``GENERATED_AT`` is left out of the CSV), the header of ``columns``, then ``rows``, each a
    sequence of values in the order of the columns (``None`` for an empty cell, a ``Cell`` to
    give one value its own kind). ``rows`` may be a generator: it is consumed once."""

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    preamble: Sequence[Sequence[Any]] = ()
    # Lines below the rows on the printed page only (a signature block): the XLSX writes
    # them, the CSV, read by programs, leaves them out.
    signature: Sequence[Sequence[Any]] = ()
    # Printed on one page (a summary), rather than one page wide and as long as it takes.
    one_page: bool = False
    # A table too wide for one page (one column per indicator) prints this many pages wide,
    # its first ``title_columns`` columns (the row's name) repeated on each.
    pages_wide: int = 1
    title_columns: int = 0


Typed = tuple[Kind, Any] | None


def _typed(value: Any, kind: Kind) -> Typed:
    """``value`` as a (kind, value) pair for the writers: None stays None; text is escaped;
    booleans become 是/否; a value that is not of the column's kind is written as text."""
    if value is None:
        return None
    if type(value) is str:  # the commonest cell first
        return Kind.TEXT, escape_formula(value)
    if isinstance(value, Cell):
        return _typed(value.value, value.kind)
    if isinstance(value, bool):
        return Kind.TEXT, "是" if value else "否"
    if kind == Kind.TEXT or isinstance(value, str | Promise):
        return Kind.TEXT, escape_formula(str(value))
    if kind in (Kind.INTEGER, Kind.AMOUNT, Kind.RATIO, Kind.MULTIPLE) and isinstance(value, int | Decimal):
        return kind, value
    if kind == Kind.DATETIME and isinstance(value, datetime.datetime):
        return kind, value
    if kind == Kind.DATE and isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return kind, value
    return Kind.TEXT, escape_formula(str(value))


# The types a kind keeps as they are, exactly these (a bool is not an int here): the fast path
# of ``typed_rows``, which gives what ``_typed`` gives without a call for each cell.
_KEPT_TYPES: dict[Kind, frozenset[type]] = {
    Kind.TEXT: frozenset(),
    Kind.INTEGER: frozenset({int, Decimal}),
    Kind.AMOUNT: frozenset({int, Decimal}),
    Kind.RATIO: frozenset({int, Decimal}),
    Kind.MULTIPLE: frozenset({int, Decimal}),
    Kind.DATE: frozenset({datetime.date}),
    Kind.DATETIME: frozenset({datetime.datetime}),
}
_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def typed_rows(rows: Iterable[Sequence[Any]], columns: Sequence[Column] | None = None) -> Iterator[list[Typed]]:
    """The one path of every cell to both writers: each row as (kind, value) pairs. With
    ``columns``, each value takes its column's kind; without (preamble lines), numbers and
    dates keep theirs and the rest is text."""
    if columns is None:
        for row in rows:
            yield [_typed(value, _natural_kind(value)) for value in row]
        return
    kinds = [(column.kind, _KEPT_TYPES[column.kind]) for column in columns]
    text = Kind.TEXT
    for row in rows:
        # The commonest cells inline (the column's own type, plain text), the rest by _typed.
        yield [
            None
            if value is None
            else (kind, value)
            if type(value) in kept
            else (text, value)
            if type(value) is str and value[:1] not in _FORMULA_FIRST
            else _typed(value, kind)
            for value, (kind, kept) in zip(row, kinds, strict=False)
        ]


def _natural_kind(value: Any) -> Kind:
    if isinstance(value, datetime.datetime):
        return Kind.DATETIME
    if isinstance(value, datetime.date):
        return Kind.DATE
    if isinstance(value, Decimal):
        return Kind.AMOUNT
    if isinstance(value, int) and not isinstance(value, bool):
        return Kind.INTEGER
    return Kind.TEXT


# --- CSV -----------------------------------------------------------------------------------


# A typed cell's value as CSV text, by its kind: amounts with two places, ratios as percentages
# with two (exact: they have four places), multiples with four, dates in ISO form. Bound methods
# and built-ins, not functions of ours: a quarter at a city's size is millions of cells.
_CSV_TEXT: dict[Kind, Callable[[Any], str]] = {
    Kind.TEXT: str,
    Kind.INTEGER: str,
    Kind.AMOUNT: "{:.2f}".format,
    Kind.RATIO: lambda value: f"{Decimal(value).scaleb(2):.2f}%",
    Kind.MULTIPLE: "{:.4f}".format,
    Kind.DATE: datetime.date.isoformat,
    Kind.DATETIME: lambda value: value.strftime("%Y-%m-%d %H:%M:%S"),
}


def _csv_text(cell: Typed) -> str:
    """A typed cell as CSV text (``_CSV_TEXT``); an empty cell is empty."""
    return "" if cell is None else _CSV_TEXT[cell[0]](cell[1])


def _csv_row(cells: list[Typed], text: Kind = Kind.TEXT, formats: dict = _CSV_TEXT) -> list[str]:
    """``[_csv_text(cell) for cell in cells]``, the commonest cells (empty, text) inline."""
    return ["" if cell is None else cell[1] if cell[0] is text else formats[cell[0]](cell[1]) for cell in cells]


class _FixedTimeZipFile(zipfile.ZipFile):
    """A zip whose every entry carries ``fixed_time`` instead of the clock, so that the same
    content gives the same bytes."""

    def __init__(self, file: BinaryIO, fixed_time: datetime.datetime):
        super().__init__(file, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.fixed_time = fixed_time.timetuple()[:6]

    def entry(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.fixed_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info


# --- XLSX ----------------------------------------------------------------------------------

_STYLES: dict[Kind, xlsx.Style] = {Kind.TEXT: xlsx.Style()} | {
    kind: xlsx.Style(number_format) for kind, number_format in NUMBER_FORMATS.items()
}
_HEADER_STYLE = xlsx.Style(bold=True, fill="DDEBF7", wrap_text=True, vertical="center")


def _cell_writers(workbook: xlsx.Workbook) -> dict[Kind, Callable[[Any], str]]:
    """The function that writes a typed cell's value, by its kind. A date is its serial number
    in the date format, as Excel keeps it."""
    writers: dict[Kind, Callable[[Any], str]] = {}
    for kind, style in _STYLES.items():
        index = workbook.style(style)
        if kind == Kind.TEXT:
            writers[kind] = xlsx.text_cells(index)
        elif kind in (Kind.DATE, Kind.DATETIME):
            writers[kind] = xlsx.date_cells(index)
        else:
            writers[kind] = xlsx.number_cells(index)
    return writers


# Points a line of the header row takes (Calibri 11's default row is 15).
HEADER_LINE_HEIGHT = 15

# Every sheet's footer: its name on the left, the page of the pages on the right.
PAGE_FOOTER = "&L&A&R第 &P 页，共 &N 页"


def write_xlsx(
    sheets: Iterable[Sheet],
    target: BinaryIO,
    *,
    fixed_time: datetime.datetime,
    generated_at,
    page_header: str = "",
) -> int:
    """Write ``sheets`` as one workbook to ``target`` (seekable); return the number of data rows.

    Through ``jiaxian.xlsx``: each row goes into the sheet's zip entry as it comes, so memory
    stays flat whatever the number of rows. The document's times are ``fixed_time``, so that
    unchanged data gives the same bytes. On an error ``target`` holds an incomplete file
    (``write_export`` removes it).

    Every sheet prints on A4 landscape, one page wide (or ``pages_wide``, its ``title_columns``
    repeated), its header row repeated on every page,
    ``page_header`` (plain text) centred above and the sheet's name and page number below; a
    ``one_page`` sheet on one page, its ``signature`` lines below its rows."""
    workbook = xlsx.Workbook(target, created=fixed_time, creator="jiaxian")
    writers = _cell_writers(workbook)
    header_cell = xlsx.text_cells(workbook.style(_HEADER_STYLE))
    empty = xlsx.EMPTY
    total = 0
    for sheet in sheets:
        header_row = len(sheet.preamble) + 1  # numbered from 1: the header is below the preamble
        page = xlsx.PageSetup(
            fit_width=sheet.pages_wide,
            fit_height=1 if sheet.one_page else 0,
            title_rows=(header_row, header_row),
            title_columns=sheet.title_columns,
            header=f"&C{xlsx.header_text(page_header)}" if page_header else "",
            footer=PAGE_FOOTER,
        )
        rows = typed_rows(sheet.rows, sheet.columns)
        sample = list(itertools.islice(rows, WIDTH_SAMPLE))
        widths = [
            column.xlsx_width(row[index] for row in sample if index < len(row))
            for index, column in enumerate(sheet.columns)
        ]
        worksheet = workbook.add_sheet(sheet.name, widths=widths, frozen_rows=header_row, page=page)
        preamble = [[generated_at if value is GENERATED_AT else value for value in line] for line in sheet.preamble]
        write = worksheet.row
        for line in typed_rows(preamble):
            write([empty if cell is None else writers[cell[0]](cell[1]) for cell in line])
        # As high as its longest wrapped header: Excel does not fit a row to wrapped text itself.
        lines = max(
            (column.header_lines(width) for column, width in zip(sheet.columns, widths, strict=True)), default=1
        )
        write([header_cell(str(column.header)) for column in sheet.columns], height=HEADER_LINE_HEIGHT * lines)
        for cells in itertools.chain(sample, rows):
            write([empty if cell is None else writers[cell[0]](cell[1]) for cell in cells])
        total += worksheet.rows - header_row
        worksheet.autofilter(header_row, max(len(sheet.columns), 1))
        for line in typed_rows(sheet.signature):
            write([empty if cell is None else writers[cell[0]](cell[1]) for cell in line])
    workbook.close()
    return total


def write_csv_zip(sheets: Iterable[Sheet], target: BinaryIO, *, fixed_time: datetime.datetime) -> int:
    """Write ``sheets`` as a zip of ``<n>-<name>.csv`` files to ``target``, each UTF-8 with a
    byte-order mark; return the number of data rows. The generation-time line is left out."""
    total = 0
    with _FixedTimeZipFile(target, fixed_time) as archive:
        for number, sheet in enumerate(sheets, 1):
            with archive.open(archive.entry(f"{number}-{sheet.name}.csv"), "w", force_zip64=True) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="", write_through=False)
                writer = csv.writer(text, lineterminator="\r\n")
                preamble = [line for line in sheet.preamble if GENERATED_AT not in line]
                for line in typed_rows(preamble):
                    writer.writerow([_csv_text(cell) for cell in line])
                writer.writerow([escape_formula(str(column.header)) for column in sheet.columns])
                for cells in typed_rows(sheet.rows, sheet.columns):
                    writer.writerow(_csv_row(cells))
                    total += 1
                text.flush()
                text.detach()
    return total


@contextmanager
def reading(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Every query of the block sees one snapshot of the database: an export's summary and its
    ledgers, read by several queries over seconds, must agree even while clerks save records.

    A transaction, on PostgreSQL ``REPEATABLE READ, READ ONLY`` (one snapshot for the whole
    transaction; ``READ COMMITTED``, the default, takes a new one per statement). In it the
    querysets' ``.iterator()`` cursors are plain server-side cursors: outside a transaction
    Django declares them ``WITH HOLD``, which makes PostgreSQL copy the whole result at the
    cursor's first commit. SQLite's transaction is a snapshot already. Inside a caller's
    transaction (a test's, a view's) the block is part of it: its isolation is the caller's."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The transaction's first statement: PostgreSQL refuses it after any query.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class BaseExporter:
    """An export: subclasses set ``identifier`` (stable: file names, URLs and filings use
    it) and ``verbose_name``, and yield their sheets from ``sheets()``.

    ``format`` is ``xlsx`` or ``csv`` (anything else is a ValueError); ``generated_at`` is the
    time written in the generation-time cell (default: now, in the county's time zone).
    """

    identifier: ClassVar[str]
    verbose_name: ClassVar[Promise]

    def __init__(self, *, format: Format | str = Format.XLSX, generated_at: datetime.datetime | None = None):
        self.format = Format(format)
        self.generated_at = generated_at

    def sheets(self) -> Iterator[Sheet]:
        raise NotImplementedError

    @property
    def fixed_time(self) -> datetime.datetime:
        """The time the files carry instead of the clock: 1980-01-01 unless a subclass gives
        one that follows from its parameters (an as-of day)."""
        return datetime.datetime(1980, 1, 1)

    @property
    def page_header(self) -> str:
        """The line above every printed page of the XLSX (what the export is of); none here."""
        return ""

    @property
    def filename(self) -> str:
        return f"{self.identifier}.{EXTENSIONS[self.format]}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def write(self, target: BinaryIO) -> int:
        """Write the export to ``target`` (a seekable binary file); return the number of data
        rows. An exporter that reads the database writes within ``reading()``."""
        if self.format == Format.XLSX:
            generated_at = self.generated_at or timezone.localtime()
            if timezone.is_aware(generated_at):
                generated_at = timezone.localtime(generated_at).replace(tzinfo=None)  # Excel has no time zones
            return write_xlsx(
                self.sheets(),
                target,
                fixed_time=self.fixed_time,
                generated_at=generated_at,
                page_header=self.page_header,
            )
        return write_csv_zip(self.sheets(), target, fixed_time=self.fixed_time)

    def render(self) -> bytes:
        """The whole export as bytes (tests); the doors use ``write_export``."""
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()


@dataclass(frozen=True)
class WrittenExport:
    """An export written to a file: where it is, its number of data rows, the SHA-256 of its bytes."""

    path: Path
    rows: int
    sha256: str


def write_export(exporter: BaseExporter, path: str | os.PathLike[str] | None = None) -> WrittenExport:
    """Write ``exporter`` to ``path``, or without one to a new temporary file that the caller
    removes; return where, how many data rows and the SHA-256 of the bytes written. The one
    path of every door (the command, the admin page, the API, filing).

    To ``path`` through ``<path>.partial``, renamed when complete: a file under the final name
    is never half-written. On any error the file being written is removed."""
    if path is None:
        descriptor, name = tempfile.mkstemp(prefix=f"{exporter.identifier}-", suffix=f".{EXTENSIONS[exporter.format]}")
        final = writing = Path(name)
        target = os.fdopen(descriptor, "wb")
    else:
        final = Path(path)
        writing = final.with_name(final.name + ".partial")
        target = open(writing, "wb")  # closed by the with below, or on error
    try:
        with target:
            rows = exporter.write(target)
        with open(writing, "rb") as written:
            sha256 = hashlib.file_digest(written, "sha256").hexdigest()
        os.replace(writing, final)
    except BaseException:
        target.close()
        writing.unlink(missing_ok=True)
        raise
    return WrittenExport(final, rows, sha256)


def export_response(exporter: BaseExporter) -> FileResponse:
    """The export as a download with its ``X-Content-SHA256``, streamed from a temporary file so
    that memory stays bounded whatever its size (the admin page and the API)."""
    written = write_export(exporter)
    try:
        content = open(written.path, "rb")  # the response closes it
    finally:
        # Removed at once: the open file stays readable until the response closes it (POSIX).
        written.path.unlink()
    response = FileResponse(content, as_attachment=True, filename=exporter.filename, content_type=exporter.content_type)
    response["X-Content-SHA256"] = written.sha256
    return response
