"""The exporter base: an exporter yields sheets; this module writes them as XLSX or as a zip of CSVs.

Modelled on pretix's ``BaseExporter`` / ``ListExporter``, much smaller: an exporter has a stable
``identifier``, a Chinese ``verbose_name`` and plain parameters (``year``, ``quarter``,
``format``), and its ``sheets()`` yields ``Sheet`` objects, each a name, optional lines above the
header (``preamble``), a header row of ``Column`` objects and data rows. ``write(target)`` does
the rest, for both formats through one path: every cell goes through ``typed_rows`` (the value
given its kind, text that a spreadsheet would take for a formula escaped), then is serialised
as XLSX or as CSV.

- XLSX: openpyxl's write-only workbook, a frozen header row, an autofilter over the table,
  widths from the columns, amounts (万元) kept numeric with ``#,##0.00``, ratios ``0.00%``,
  dates as dates. The rows of a sheet are serialised by ``_XlsxRowWriter`` straight into
  openpyxl's write-only stream: openpyxl's own per-cell path writes some 9,000 rows of 18
  cells a second, a fifth of what a 100,000-row ledger needs (see ``bench_export``).
- CSV: a zip of one CSV per sheet, UTF-8 with a byte-order mark (``utf-8-sig``) so that Excel
  and WPS read the Chinese.

Deterministic: the same data gives the same bytes. Zip entries carry ``fixed_time`` (the
as-of day) instead of the clock, and so do the workbook's created/modified properties. The
one exception is the cell ``GENERATED_AT`` stands for (the generation time): the XLSX writes
the time of the run there, the CSV leaves that line out, so that two CSV exports of unchanged
data are byte-identical and two XLSX exports differ only in that cell.

Streaming: rows are written as they come, to a seekable binary file (a temporary file for the
HTTP doors), so memory stays bounded whatever the number of rows; exporters feed querysets
through ``.iterator(chunk_size=...)``.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, BinaryIO, ClassVar

import openpyxl
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter


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

# Default widths in character units, when a column names none and its header is shorter.
DEFAULT_WIDTHS: dict[Kind, float] = {
    Kind.TEXT: 14,
    Kind.INTEGER: 10,
    Kind.AMOUNT: 16,
    Kind.RATIO: 10,
    Kind.MULTIPLE: 12,
    Kind.DATE: 12,
    Kind.DATETIME: 20,
}

# A text cell starting with one of these is taken for a formula by Excel, WPS or LibreOffice
# (OWASP "CSV injection"); tab and carriage return too, which some of them strip first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

EXCEL_EPOCH = datetime.date(1899, 12, 30)


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

    def xlsx_width(self) -> float:
        """The given width, or one that fits the header (a CJK character counts two) and the
        kind's usual values."""
        if self.width is not None:
            return self.width
        header = str(self.header)
        length = sum(2 if ord(char) > 0x2E80 else 1 for char in header) + 2
        return max(DEFAULT_WIDTHS[self.kind], min(length, 40))


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


def typed_rows(rows: Iterable[Sequence[Any]], columns: Sequence[Column] | None = None) -> Iterator[list[Typed]]:
    """The one path of every cell to both writers: each row as (kind, value) pairs. With
    ``columns``, each value takes its column's kind; without (preamble lines), numbers and
    dates keep theirs and the rest is text."""
    for row in rows:
        if columns is None:
            yield [_typed(value, _natural_kind(value)) for value in row]
        else:
            yield [_typed(value, column.kind) for value, column in zip(row, columns, strict=False)]


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


def _csv_text(cell: Typed) -> str:
    """A typed cell as CSV text: amounts with two places, ratios as percentages with two
    (exact: they have four places), multiples with four, dates in ISO form."""
    if cell is None:
        return ""
    kind, value = cell
    if kind == Kind.TEXT:
        return value
    if kind == Kind.AMOUNT:
        return f"{value:.2f}"
    if kind == Kind.RATIO:
        return f"{Decimal(value).scaleb(2):.2f}%"
    if kind == Kind.MULTIPLE:
        return f"{value:.4f}"
    if kind == Kind.DATETIME:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat() if kind == Kind.DATE else str(value)


class _FixedTimeZipFile(zipfile.ZipFile):
    """A zip whose every entry carries ``fixed_time`` instead of the clock or a file's mtime,
    so that the same content gives the same bytes."""

    def __init__(self, file: BinaryIO, fixed_time: datetime.datetime):
        super().__init__(file, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.fixed_time = fixed_time.timetuple()[:6]

    def entry(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.fixed_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        super().writestr(self.entry(name), data)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl hands over each write-only sheet as a temporary file: copied in blocks.
        with open(filename, "rb") as source, self.open(self.entry(arcname or filename), "w", force_zip64=True) as sink:
            shutil.copyfileobj(source, sink, 1 << 20)


# --- XLSX ----------------------------------------------------------------------------------


class _XlsxStyles:
    """The style ids of a workbook's cells by kind, registered through openpyxl (so that its
    stylesheet holds them), plus the header's and the preamble's."""

    def __init__(self, worksheet):
        self.ids: dict[Kind, int] = {}
        for kind, number_format in NUMBER_FORMATS.items():
            cell = WriteOnlyCell(worksheet)
            cell.number_format = number_format
            self.ids[kind] = cell.style_id
        header = WriteOnlyCell(worksheet)
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor="DDEBF7")
        header.alignment = Alignment(wrap_text=True, vertical="center")
        self.header = header.style_id
        label = WriteOnlyCell(worksheet)
        label.font = Font(bold=True)
        self.label = label.style_id


# Characters that need escaping in XML text, or that XML cannot hold (dropped, as openpyxl refuses them).
_NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(text: str) -> str:
    if _NEEDS_ESCAPING.search(text) is None:  # nearly always: skip the four passes
        return text
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _XlsxRowWriter:
    """Appends typed rows to a write-only worksheet.

    With openpyxl's own XML writer (et_xmlfile, no lxml installed), each row is serialised to
    one string and written raw into the worksheet's stream, inside the ``sheetData`` element
    openpyxl opened: the same cells openpyxl would write, five times faster. With lxml
    present, the rows go through openpyxl's ``append`` as styled cells.
    """

    def __init__(self, worksheet, styles: _XlsxStyles, width: int):
        self.worksheet, self.styles = worksheet, styles
        self.letters = [get_column_letter(index) for index in range(1, max(width, 1) + 1)]
        self.rows = 0
        self.fast = not openpyxl.LXML
        if self.fast:
            worksheet._get_writer()
            # openpyxl's generator hands each appended row to write_row(xf, row, row_idx).
            worksheet._values_to_row = lambda values, row_idx: values
            worksheet._writer.write_row = self._write_raw

    def append(self, cells: Sequence[Typed], style: int | None = None) -> None:
        self.rows += 1
        if self.fast:
            self.worksheet.append((cells, style))
        else:
            self.worksheet.append([self._cell(cell, style) for cell in cells])

    def _cell(self, cell: Typed, style: int | None):
        if cell is None:
            return None
        kind, value = cell
        result = WriteOnlyCell(self.worksheet, value=value)
        # openpyxl's private style slot (its stubs declare none); issue 14 moves the writer to a public API.
        if style is not None:
            result._style = self.worksheet.parent._cell_styles[style]  # type: ignore[attr-defined]
        elif kind != Kind.TEXT:
            result._style = self.worksheet.parent._cell_styles[self.styles.ids[kind]]  # type: ignore[attr-defined]
        return result

    def _write_raw(self, xf, row, row_idx: int) -> None:
        cells, style = row
        parts = [f'<row r="{row_idx}">']
        ids = self.styles.ids
        for letter, cell in zip(self.letters, cells, strict=False):
            if cell is None:
                continue
            kind, value = cell
            if kind == Kind.TEXT:
                space = ' xml:space="preserve"' if value != value.strip() else ""
                s = f' s="{style}"' if style is not None else ""
                parts.append(f'<c r="{letter}{row_idx}"{s} t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>')
                continue
            if kind == Kind.DATE:
                number = str((value - EXCEL_EPOCH).days)
            elif kind == Kind.DATETIME:
                delta = value - datetime.datetime.combine(EXCEL_EPOCH, datetime.time())
                number = repr(delta.days + delta.seconds / 86400)
            elif isinstance(value, Decimal):
                number = format(value, "f")
            else:
                number = str(value)
            parts.append(f'<c r="{letter}{row_idx}" s="{ids[kind] if style is None else style}"><v>{number}</v></c>')
        parts.append("</row>")
        xf._file("".join(parts))


def write_xlsx(sheets: Iterable[Sheet], target: BinaryIO, *, fixed_time: datetime.datetime, generated_at) -> int:
    """Write ``sheets`` as one workbook to ``target``; return the number of data rows."""
    workbook = openpyxl.Workbook(write_only=True)
    workbook.properties.creator = "jiaxian"
    workbook.properties.created = workbook.properties.modified = fixed_time
    total = 0
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name)
        styles = _XlsxStyles(worksheet)
        width = max(len(sheet.columns), *(len(line) for line in sheet.preamble), 1)
        for index, column in enumerate(sheet.columns, 1):
            worksheet.column_dimensions[get_column_letter(index)].width = column.xlsx_width()
        header_row = len(sheet.preamble) + 1
        worksheet.freeze_panes = f"A{header_row + 1}"
        writer = _XlsxRowWriter(worksheet, styles, width)
        preamble = [[generated_at if value is GENERATED_AT else value for value in line] for line in sheet.preamble]
        for line in typed_rows(preamble):
            writer.append(line)
        writer.append([(Kind.TEXT, str(column.header)) for column in sheet.columns], styles.header)
        for cells in typed_rows(sheet.rows, sheet.columns):
            writer.append(cells)
            total += 1
        last = max(writer.rows, header_row)
        worksheet.auto_filter.ref = f"A{header_row}:{get_column_letter(max(len(sheet.columns), 1))}{last}"
    archive = _FixedTimeZipFile(target, fixed_time)
    ExcelWriter(workbook, archive).save()  # closes the archive, not the target
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
                    writer.writerow([_csv_text(cell) for cell in cells])
                    total += 1
                text.flush()
                text.detach()
    return total


WRITERS: dict[Format, Callable[..., int]] = {Format.XLSX: write_xlsx, Format.CSV: write_csv_zip}


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
    def filename(self) -> str:
        return f"{self.identifier}.{EXTENSIONS[self.format]}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def write(self, target: BinaryIO) -> int:
        """Write the export to ``target`` (a seekable binary file); return the number of data rows."""
        if self.format == Format.XLSX:
            generated_at = self.generated_at or timezone.localtime()
            if timezone.is_aware(generated_at):
                generated_at = timezone.localtime(generated_at).replace(tzinfo=None)  # Excel has no time zones
            return write_xlsx(self.sheets(), target, fixed_time=self.fixed_time, generated_at=generated_at)
        return write_csv_zip(self.sheets(), target, fixed_time=self.fixed_time)

    def render(self) -> bytes:
        """The whole export as bytes (tests, filing); prefer ``write`` for large exports."""
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()
