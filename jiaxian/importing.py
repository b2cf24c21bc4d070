"""Reading spreadsheets for import: the mirror of ``exporting.py``, and the one reader of the
command line's and the admin's imports.

``read_book(data, name)`` turns the bytes of an uploaded file into a ``Book``: every sheet's rows
as lists of cell values, row *i* of the list being row *i + 1* of the sheet as the clerk sees it
(title rows and blank rows included, so that an error can name the row Excel shows), and the
merged ranges of each sheet's top rows (where the headers are). What the file is comes from its
content, never from its name:

- ``PK`` (a zip): with ``[Content_Types].xml`` and ``xl/`` an Excel workbook (``.xlsx``,
  ``.xlsm``); with the ``mimetype`` of an OpenDocument spreadsheet an ``.ods``; with ``.csv``
  members the quarterly export's zip of CSVs (``1-汇总.csv``, ``2-重点项目.csv``, …: one sheet
  per file, named without the number and the extension);
- ``D0 CF 11 E0`` (an OLE2 compound file): an Excel 97–2003 ``.xls``;
- anything else: CSV text, UTF-8 with or without a byte-order mark, else GB18030 (a superset of
  GBK: what Excel on a Chinese Windows saves as "CSV"); one sheet, named after the file.

Workbooks are read by python-calamine (values rather than formulas; a date cell is a
``datetime.date``). calamine gives merged ranges for ``.xlsx`` and ``.xls`` only, so those of
an ``.ods`` are read here from its ``content.xml`` (``table:number-columns-spanned``), streamed.

``PreviewDiff`` draws the preview's changes of a row without style attributes, which the content
policy refuses.

Everything is bounded (``Limits``, from the settings ``IMPORT_MAX_*``): the file's size, each zip
member's uncompressed size as the archive's directory states it (checked before anything is
inflated, so a zip bomb is refused at once), the rows (counted as they are read) and the
columns. A file that cannot be read, or that is over a limit, raises ``UnreadableFile`` with one
sentence in the user's language that names the limit.

The cell parsers (``parse_amount``, ``parse_date``, ``parse_integer``) and the header finder
(``find_header``) are here too: they know spreadsheets, not ledgers. Which sheet, which headers
and what a row means is the resources' business (``projects/resources.py``).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast
from xml.etree import ElementTree

import python_calamine
import tablib
from diff_match_patch import diff_match_patch
from django.conf import settings
from django.utils.encoding import force_str
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from import_export.formats import base_formats
from import_export.resources import Diff

from jiaxian import periods

ENCODINGS = ("utf-8-sig", "gb18030")
_CSV_ENTRY = re.compile(r"^(?:\d+-)?(?P<name>.+)\.csv$", re.IGNORECASE)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Merged ranges are kept for the rows where headers are looked for (a sheet may merge cells
# all the way down; the import only needs them above the data).
MERGED_ROWS = 50
# Memory per MB once read (100,000 rows × 15 columns): sheet XML about 2.5 MB, CSV text about
# 11 MB (a Python string per cell), so CSV is held to a quarter of the member limit.
CSV_MEMORY_FACTOR = 4
# The cells a sheet may span per MB of the member limit: the measured sheet had a cell per
# 50 bytes of XML, so a sheet of IMPORT_MAX_MEMBER_MB holds about this many; calamine holds
# every cell from A1 to the last, empty or not, so this also bounds a sheet of scattered cells.
CELLS_PER_MEMBER_MB = 20_000

# (first row, first column, last row, last column), 0-based and inclusive.
Range = tuple[int, int, int, int]


class CellError(ValueError):
    """A cell's value that a parser refuses with a reason of its own (its message says it)."""


class FormulaError(str):
    """A cell showing a formula's error (``#N/A``, ``#DIV/0!``, …), as its text. calamine reads
    such a cell as empty, which would lose it without a word; the import refuses it."""


class Percentage(float):
    """A number cell formatted as a percentage (0.15 shown as 15%): the import refuses it where
    an amount is due (calamine gives the bare number; ``check_archive`` finds the format)."""

    def __str__(self) -> str:
        return f"{float(self) * 100:g}%"


class UnreadableFile(ValueError):
    """The file cannot be read (not a kind this reader knows, damaged, or over a limit); the
    message is one sentence that says why, in the user's language."""


# --- limits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one import may read (see the settings ``IMPORT_MAX_*``)."""

    upload_mb: int = 20
    member_mb: int = 100
    rows: int = 200_000
    columns: int = 200

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            upload_mb=settings.IMPORT_MAX_UPLOAD_MB,
            member_mb=settings.IMPORT_MAX_MEMBER_MB,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
        )

    def check_upload(self, size: int) -> None:
        if size > self.upload_mb * 1024 * 1024:
            raise UnreadableFile(
                gettext(
                    "The file is %(size)s MB, more than the %(limit)s MB an import may read (IMPORT_MAX_UPLOAD_MB)."
                )
                % {"size": f"{size / 1024 / 1024:.1f}", "limit": self.upload_mb}
            )

    @property
    def csv_mb(self) -> int:
        """The most CSV text read from one file or member: a quarter of ``member_mb``, as CSV
        takes about four times the memory of sheet XML once read (docs/operations.md, "The import's limits")."""
        return max(1, self.member_mb // CSV_MEMORY_FACTOR)

    def check_member(self, name: str, size: int) -> None:
        is_csv = name.lower().endswith(".csv")
        limit = self.csv_mb if is_csv else self.member_mb
        if size <= limit * 1024 * 1024:
            return
        if is_csv:
            message = gettext(
                "The file unpacks “%(member)s” to %(size)s MB of CSV, more than the %(limit)s MB an import may "
                "read (a quarter of IMPORT_MAX_MEMBER_MB: CSV takes four times the memory of a workbook)."
            )
        else:
            message = gettext(
                "The file unpacks “%(member)s” to %(size)s MB, more than the %(limit)s MB an import may read "
                "(IMPORT_MAX_MEMBER_MB)."
            )
        raise UnreadableFile(message % {"member": name, "size": f"{size / 1024 / 1024:.0f}", "limit": limit})

    def check_members(self, archive: zipfile.ZipFile) -> None:
        """Refuse an archive any member of which unpacks to more than the limits, from the
        sizes its central directory states: nothing is inflated."""
        for info in archive.infolist():
            self.check_member(info.filename, info.file_size)

    def check_rows(self, count: int, sheet: str) -> None:
        if count > self.rows:
            raise UnreadableFile(
                gettext("The sheet “%(sheet)s” has more than %(limit)s rows (IMPORT_MAX_ROWS).")
                % {"sheet": sheet, "limit": f"{self.rows:,}"}
            )

    @property
    def cells(self) -> int:
        """The most cells (rows × columns, the empty ones within included) a sheet may span:
        ``CELLS_PER_MEMBER_MB`` for each MB of ``member_mb``."""
        return self.member_mb * CELLS_PER_MEMBER_MB

    def check_cells(self, rows: int, columns: int, sheet: str) -> None:
        if rows * columns > self.cells:
            raise UnreadableFile(
                gettext(
                    "The sheet “%(sheet)s” spans %(rows)s rows × %(columns)s columns, more than the %(limit)s cells "
                    "an import may hold (20,000 for each MB of IMPORT_MAX_MEMBER_MB)."
                )
                % {"sheet": sheet, "rows": f"{rows:,}", "columns": f"{columns:,}", "limit": f"{self.cells:,}"}
            )

    def check_columns(self, count: int, sheet: str) -> None:
        if count > self.columns:
            raise UnreadableFile(
                gettext("The sheet “%(sheet)s” has more than %(limit)s columns (IMPORT_MAX_COLUMNS).")
                % {"sheet": sheet, "limit": self.columns}
            )


# --- the book --------------------------------------------------------------------------------


class _Sheets(Mapping):
    """The sheets of a book by name, each read when first asked for (a workbook's other sheets
    cost nothing)."""

    def __init__(self, book: Book):
        self.book = book

    def __getitem__(self, name: str) -> list[list[Any]]:
        return self.book.rows(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.book.names)

    def __len__(self) -> int:
        return len(self.book.names)


class Book:
    """The sheets of a file, in order: name → rows (lists of values; None or "" for an empty
    cell), and name → the merged ranges of its top rows. ``kind`` says what the file was
    (``xlsx``, ``xls``, ``ods``, ``csv``, ``csv.zip``)."""

    def __init__(self, sheets: Mapping[str, list[list[Any]]] | None = None, *, kind: str = "", loader=None, names=()):
        self._rows: dict[str, list[list[Any]]] = dict(sheets or {})
        self._merged: dict[str, list[Range]] = {}
        self.names: list[str] = list(names) or list(self._rows)
        self.kind = kind
        # name → (rows, merged ranges): how a sheet not read yet is read.
        self._loader = loader

    @property
    def sheets(self) -> Mapping[str, list[list[Any]]]:
        return _Sheets(self)

    def rows(self, name: str) -> list[list[Any]]:
        if name not in self._rows:
            if self._loader is None or name not in self.names:
                raise KeyError(name)
            self._rows[name], self._merged[name] = self._loader(name)
        return self._rows[name]

    def merged(self, name: str) -> list[Range]:
        self.rows(name)
        return self._merged.get(name, [])

    def set_merged(self, name: str, ranges: Iterable[Range]) -> None:
        self._merged[name] = list(ranges)

    def sheet(self, name: str) -> tuple[str, list[list[Any]]]:
        """The sheet called ``name`` if there is one, else the first; (its name, its rows).
        A book without sheets gives ("", [])."""
        if name in self.names:
            return name, self.rows(name)
        for first in self.names:
            return first, self.rows(first)
        return "", []

    def row_count(self) -> int:
        return sum(len(self.rows(name)) for name in self.names)


# --- reading ---------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (a byte-order mark is dropped), else GB18030."""
    if b"\x00" in data:  # no CSV holds a NUL: binary, or UTF-16 (which Excel never saves as CSV)
        raise UnreadableFile(_not_readable())
    for encoding in ENCODINGS:
        try:
            return codecs.decode(data, encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_not_readable())


def _not_readable() -> str:
    return gettext(
        "The file is not a workbook (.xlsx, .xlsm, .xls, .ods) or a zip of CSV files, and its text is neither "
        "UTF-8 nor GB18030 (GBK)."
    )


def _damaged(kind: str) -> str:
    return gettext("The file looks like %(kind)s but is damaged or incomplete: save it again and upload the copy.") % {
        "kind": kind
    }


def read_csv_rows(text: str, sheet: str = "", limits: Limits | None = None) -> list[list[Any]]:
    """Every line of a CSV text as a list of strings ("" for an empty cell), within ``limits``."""
    limits = limits or Limits.from_settings()
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
            limits.check_rows(len(rows), sheet)
            limits.check_columns(len(row), sheet)
    except csv.Error:
        raise UnreadableFile(_damaged("CSV")) from None
    return rows


def read_csv_zip(archive: zipfile.ZipFile, limits: Limits) -> Book:
    book = Book(kind="csv.zip")
    for info in archive.infolist():
        match = _CSV_ENTRY.match(info.filename.rsplit("/", 1)[-1])
        if match is None or info.is_dir():
            continue
        book.names.append(match["name"])
        book._rows[match["name"]] = read_csv_rows(decode_text(archive.read(info)), match["name"], limits)
    return book


def read_workbook(data: bytes, kind: str, limits: Limits) -> Book:
    """An ``.xlsx``/``.xlsm``, ``.xls`` or ``.ods`` through calamine; each sheet read when asked."""
    # First what calamine would spread over memory (it reads an .ods's every table at once).
    facts = ArchiveFacts()
    if kind in ("xlsx", "ods"):
        try:
            facts = check_archive(data, kind, limits)
        except UnreadableFile:
            raise
        # (ElementTree's ParseError is a SyntaxError, not a ValueError.)
        except (zipfile.BadZipFile, ValueError, KeyError, ElementTree.ParseError, EOFError, OSError, zlib.error,
                struct.error) as error:  # fmt: skip
            raise UnreadableFile(_damaged(kind)) from error
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = [meta.name for meta in workbook.sheets_metadata]
    except Exception as error:  # calamine raises its own kinds, and others, for a damaged file
        raise UnreadableFile(_damaged(kind)) from error

    def load(name: str) -> tuple[list[list[Any]], list[Range]]:
        try:
            sheet = workbook.get_sheet_by_name(name)
            first_row, first_column = sheet.start or (0, 0)
            limits.check_columns(first_column + sheet.width, name)
            limits.check_rows(first_row + sheet.height, name)  # before a row is made
            rows: list[list[Any]] = []
            # iter_rows gives the sheet's rows from its first (empty rows above the data included)
            # and its columns from the first that holds a value: put the empty ones back.
            padding = [None] * first_column
            for values in sheet.iter_rows():
                # A calamine value as the import takes it: None for an empty cell, a whole number
                # as an ``int`` (calamine gives every number as a float; ``3.0`` would read as text
                # "3.0"). Inline, not a function: this runs for every cell of the sheet.
                row = [
                    *padding,
                    *(
                        None
                        if value == ""
                        else int(value)
                        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53
                        else value
                        for value in values
                    ),
                ]
                while row and row[-1] is None:
                    row.pop()
                rows.append(row)
                limits.check_rows(len(rows), name)
            for first_row_at, first_column_at, last_row_at, last_column_at in facts.percent.get(name, []):
                for row in rows[first_row_at : last_row_at + 1]:
                    for column_at in range(first_column_at, min(last_column_at + 1, len(row))):
                        value = row[column_at]
                        if isinstance(value, int | float) and not isinstance(value, bool):
                            row[column_at] = Percentage(value)
            for (row_at, column_at), code in facts.errors.get(name, {}).items():
                while len(rows) <= row_at:
                    rows.append([])
                row = rows[row_at]
                row.extend([None] * (column_at + 1 - len(row)))
                row[column_at] = FormulaError(code)
            merged = facts.merged.get(name, []) if kind == "ods" else _calamine_merged(sheet)
        except UnreadableFile:
            raise
        except Exception as error:
            raise UnreadableFile(_damaged(kind)) from error
        return rows, merged

    return Book(kind=kind, loader=load, names=names)


def _calamine_merged(sheet) -> list[Range]:
    ranges = sheet.merged_cell_ranges or []
    return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges if r0 < MERGED_ROWS]


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def read_ods_content(pieces: Iterable[bytes], limits: Limits) -> tuple[dict[str, list[Range]], dict[str, list[Range]]]:
    """The merged ranges and the percentage cells of each table of an ``.ods`` (calamine gives
    neither), from its
    ``content.xml`` given a piece at a time (its size was checked against the limits). Refuses
    a table that would span more cells than ``limits`` allow (``number-columns-repeated`` and
    ``number-rows-repeated`` make millions of cells out of a few bytes) before calamine spreads it.
    Raises ``ValueError`` (``ParseError``, a bad number) for a damaged file."""
    merged: dict[str, list[Range]] = {}
    percent: dict[str, list[Range]] = {}
    row_percent: list[tuple[int, int]] = []  # (first, last column) of the current row's percentages
    name, row, column = "", 0, 0
    extent_columns = 0  # of the current table, holding values
    row_columns = 0  # of the current row, holding values
    open_elements: list[ElementTree.Element] = []
    parser = ElementTree.XMLPullParser(events=("start", "end"))
    for piece in _with_end(pieces):
        if piece:
            parser.feed(piece)
        else:
            parser.close()
        for event, element in _start_and_end_events(parser):
            tag = element.tag
            if event == "start":
                open_elements.append(element)
                if tag == f"{_TABLE}table":
                    name, row, extent_columns = element.get(f"{_TABLE}name", ""), 0, 0
                    merged[name], percent[name] = [], []
                elif tag == f"{_TABLE}table-row":
                    column = row_columns = 0
                    row_percent = []
                elif tag in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                    columns = int(element.get(f"{_TABLE}number-columns-spanned", "1"))
                    rows = int(element.get(f"{_TABLE}number-rows-spanned", "1"))
                    if tag == f"{_TABLE}table-cell" and (columns > 1 or rows > 1) and row < MERGED_ROWS:
                        merged[name].append((row, column, row + rows - 1, column + columns - 1))
                    repeated = int(element.get(f"{_TABLE}number-columns-repeated", "1"))
                    if element.get(f"{_OFFICE}value-type") == "percentage":
                        row_percent.append((column, column + repeated - 1))
                    column += repeated
                    if element.get(f"{_OFFICE}value-type"):
                        row_columns = column
                continue
            open_elements.pop()
            if tag == f"{_TABLE}table-row":
                repeated = int(element.get(f"{_TABLE}number-rows-repeated", "1"))
                percent[name].extend((row, first, row + repeated - 1, last) for first, last in row_percent)
                row += repeated
                if row_columns:
                    extent_columns = max(extent_columns, row_columns)
                    limits.check_cells(row, extent_columns, name)
                # Nothing of a read row is needed again: drop it from its parent too.
                if open_elements:
                    open_elements[-1].remove(element)
    return merged, percent


# A cell's or a row's position in a sheet's XML (``<c r="B7">``, ``<row r="7">``), any quoting.
# (A literal "r" first is what lets the regular expression skip ahead fast; an attribute whose name
# merely ends in r can only make the extent larger, never hide a cell.)
_XLSX_ROW = re.compile(rb"""r\s*=\s*["'][A-Za-z]{0,3}([0-9]{1,9})["']""")
_XLSX_COLUMN = re.compile(rb"""r\s*=\s*["']([A-Za-z]{1,3})[0-9]""")
_XLSX_CELL = re.compile(rb"<c\s[^>]*>")
_XLSX_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,9})["']""")
_XLSX_TYPE = re.compile(rb"""\st\s*=\s*["'](\w+)["']""")
_XLSX_VALUE = re.compile(rb"\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?\s*<v>([^<]{1,32})</v>")
_XLSX_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def inflate_member(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The content of the member ``info`` of the zip ``data``, a piece at a time, refusing it
    as damaged the moment it inflates past the size the archive's directory states: the limits
    were checked against that size, and calamine, which inflates on its own, trusts the data."""
    offset = info.header_offset
    if data[offset : offset + 4] != b"PK\x03\x04" or info.flag_bits & 0x1:  # no local header, or encrypted
        raise zipfile.BadZipFile(info.filename)
    name_length, extra_length = struct.unpack("<HH", data[offset + 26 : offset + 30])
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        if len(raw) != info.file_size:
            raise zipfile.BadZipFile(info.filename)
        yield bytes(raw)
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise zipfile.BadZipFile(info.filename)
    inflater, size = zlib.decompressobj(-zlib.MAX_WBITS), 0
    for at in range(0, len(raw), 64 * 1024):
        pending = bytes(raw[at : at + 64 * 1024])
        while pending:
            piece = inflater.decompress(pending, 1024 * 1024)
            pending = inflater.unconsumed_tail
            size += len(piece)
            if size > info.file_size:
                raise zipfile.BadZipFile(info.filename)
            yield piece
    if size != info.file_size:
        raise zipfile.BadZipFile(info.filename)


@dataclass
class ArchiveFacts:
    """What ``check_archive`` learnt of a workbook that calamine does not say: the merged ranges
    of an ``.ods``'s tables, the formula errors of an ``.xlsx``'s sheets and the number cells
    formatted as percentages, by sheet name."""

    merged: dict[str, list[Range]] = field(default_factory=dict)
    errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    percent: dict[str, list[Range]] = field(default_factory=dict)


def check_archive(data: bytes, kind: str, limits: Limits) -> ArchiveFacts:
    """Before calamine reads an ``.xlsx`` or ``.ods``: every member inflates to no more than its
    stated size (``inflate_member``), and no sheet spans more cells than ``limits`` allow. For
    an ``.xlsx`` the sheet XML is scanned, whole tags at a time, for the positions of its rows
    and cells (calamine holds a sheet as one block from A1 to its last cell: a few bytes naming
    A1 and XFD1048576 ask for 17 billion) and its formula errors; an ``.ods``'s ``content.xml``
    is parsed for its repeats, merged ranges and percentages (``read_ods_content``)."""
    facts = ArchiveFacts()
    errors: dict[str, dict[tuple[int, int], str]] = {}
    percent: dict[str, list[Range]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        percent_styles = xlsx_percent_styles(data, archive) if kind == "xlsx" else None
        for info in archive.infolist():
            pieces = inflate_member(data, info)
            if kind == "ods" and info.filename == "content.xml":
                facts.merged, facts.percent = read_ods_content(pieces, limits)
            elif kind == "xlsx" and _XLSX_SHEET.match(info.filename):
                errors[info.filename], percent[info.filename] = scan_xlsx_sheet(
                    pieces, info.filename, limits, percent_styles
                )
            else:
                for _ in pieces:
                    pass
        if any(errors.values()) or any(percent.values()):
            members = xlsx_sheet_members(data, archive)
            facts.errors = {name: errors[member] for name, member in members.items() if errors.get(member)}
            facts.percent = {name: percent[member] for name, member in members.items() if percent.get(member)}
    return facts


def xlsx_percent_styles(data: bytes, archive: zipfile.ZipFile) -> re.Pattern | None:
    """A pattern finding the style attribute (``s="3"``) of a cell formatted as a percentage,
    from ``xl/styles.xml``: the cell formats (``cellXfs``) whose number format is 0% or 0.00%
    (built in: 9 and 10) or a format of its own with a % outside quotes. None: there is none."""
    if "xl/styles.xml" not in archive.namelist():
        return None
    root = ElementTree.fromstring(b"".join(inflate_member(data, archive.getinfo("xl/styles.xml"))))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    formats = {9, 10}
    for number_format in root.iter(f"{main}numFmt"):
        code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format.get("formatCode", ""))
        if "%" in code:
            formats.add(int(number_format.get("numFmtId", "-1")))
    cell_formats = root.find(f"{main}cellXfs")
    styles = [
        str(index).encode()
        for index, xf in enumerate([] if cell_formats is None else cell_formats.iter(f"{main}xf"))
        if int(xf.get("numFmtId", "0")) in formats
    ]
    if not styles:
        return None
    return re.compile(rb"""\ss\s*=\s*["'](?:""" + b"|".join(styles) + rb""")["']""")


def xlsx_sheet_members(data: bytes, archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the member holding its XML, from ``xl/workbook.xml`` and its relations."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    package = "{http://schemas.openxmlformats.org/package/2006/relationships}"

    def parse(member: str) -> ElementTree.Element:
        return ElementTree.fromstring(b"".join(inflate_member(data, archive.getinfo(member))))

    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in parse("xl/_rels/workbook.xml.rels").iter(f"{package}Relationship")
    }
    members = {}
    for sheet in parse("xl/workbook.xml").iter(f"{main}sheet"):
        target = targets.get(sheet.get(relation), "")
        members[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return members


def scan_xlsx_sheet(
    pieces: Iterable[bytes], sheet: str, limits: Limits, percent_styles: re.Pattern | None = None
) -> tuple[dict[tuple[int, int], str], list[Range]]:
    """Refuse the sheet if it spans more cells than ``limits`` allow; its formula errors,
    (row, column) 0-based → the error's text, and its number cells of a ``percent_styles``."""
    rows = columns = 0
    errors: dict[tuple[int, int], str] = {}
    percent: list[Range] = []
    rest = b""
    for piece in _with_end(pieces):
        text = rest + piece
        # Up to the last "<": every tag whole ("<" stands in no attribute value).
        cut = text.rfind(b"<") if piece else len(text)
        cut = len(text) if cut < 0 else cut
        # In C loops: a sheet has a million positions and a few column names.
        rows = max(rows, max(map(int, _XLSX_ROW.findall(text, 0, cut)), default=0))
        columns = max(columns, max(map(_column_number, set(_XLSX_COLUMN.findall(text, 0, cut))), default=0))
        has_errors = b'"e"' in text or b"'e'" in text  # a cell of type e (error) somewhere
        has_percent = percent_styles is not None and percent_styles.search(text, 0, cut)
        for tag in _XLSX_CELL.finditer(text, 0, cut) if has_errors or has_percent else ():
            position = _XLSX_CELL_REF.search(tag[0])
            if position is None:
                continue
            at = (int(position[2]) - 1, _column_number(position[1]) - 1)
            kind = _XLSX_TYPE.search(tag[0])
            if kind is not None and kind[1] == b"e":
                value = _XLSX_VALUE.match(text, tag.end())
                errors[at] = value[1].decode("utf-8", "replace") if value else "#ERROR"
            elif (
                has_percent
                and percent_styles is not None
                and (kind is None or kind[1] == b"n")
                and percent_styles.search(tag[0])
            ):
                percent.append((*at, *at))
        rest = text[cut:]
    limits.check_cells(rows, columns, sheet)
    return errors, percent


def _start_and_end_events(parser: ElementTree.XMLPullParser) -> Iterator[tuple[str, ElementTree.Element]]:
    """The parser's pending events, each with its element: a parser asked for "start" and "end"
    events only gives no other kind (whose second item would not be an element)."""
    return cast(Iterator[tuple[str, ElementTree.Element]], parser.read_events())


def _with_end(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """``pieces``, then an empty one to say the end."""
    yield from pieces
    yield b""


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - ord("A") + 1
    return number


def detect_kind(data: bytes, limits: Limits) -> str:
    """``xlsx``, ``ods``, ``csv.zip``, ``xls`` or ``csv``, from the content (see the module)."""
    if data.startswith(OLE2_MAGIC[:4]):
        return "xls"
    if not data.startswith(b"PK"):
        return "csv"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            limits.check_members(archive)
            names = archive.namelist()
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                return "ods"
            if any(_CSV_ENTRY.match(n.rsplit("/", 1)[-1]) for n in names):
                return "csv.zip"
    except zipfile.BadZipFile as error:
        raise UnreadableFile(_damaged("zip")) from error
    raise UnreadableFile(gettext("The zip file holds no workbook and no CSV file."))


def read_book(data: bytes, name: str = "", limits: Limits | None = None) -> Book:
    """The sheets of ``data``, told apart by their content (see the module); a CSV's sheet is
    named after ``name`` without its extension. Raises ``UnreadableFile``."""
    limits = limits or Limits.from_settings()
    limits.check_upload(len(data))
    if not data.strip():
        raise UnreadableFile(gettext("The file is empty."))
    kind = detect_kind(data, limits)
    if kind in ("xlsx", "xls", "ods"):
        return read_workbook(data, kind, limits)
    if kind == "csv.zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            try:
                return read_csv_zip(archive, limits)
            except (zipfile.BadZipFile, EOFError, OSError) as error:
                raise UnreadableFile(_damaged("zip")) from error
    sheet = re.sub(r"\.csv$", "", name.rsplit("/", 1)[-1], flags=re.IGNORECASE)
    limits.check_member(f"{sheet}.csv", len(data))
    return Book({sheet: read_csv_rows(decode_text(data), sheet, limits)}, kind="csv")


# --- cells -----------------------------------------------------------------------------------

# 12345.50, -3, 12,345.50 (commas between groups of three); after NFKC, so full-width too.
_NUMBER = re.compile(r"^[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$")
_DATE_TEXT = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: 00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$"),
)
# Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in); a serial is taken as a date only
# within the ledgers' years, so that an amount in a date column is not read as a day silently.
EXCEL_EPOCH = datetime.date(1899, 12, 30)
SERIAL_YEARS = (periods.YEAR_MIN, periods.YEAR_MAX)


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().replace("，", ",")


def parse_amount(value: Any) -> Decimal:
    """A number cell, or text such as ``12,345.50`` or ``１２，３４５``, as the Decimal it shows
    (a float through its shortest text: money never goes through float arithmetic). A
    percentage or anything else: ``ValueError`` with the reason."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, Percentage):
        raise CellError(gettext("“%(value)s” is a percentage, not an amount.") % {"value": value})
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = _text(value)
        if text.endswith("%"):
            raise CellError(gettext("“%(value)s” is a percentage, not an amount.") % {"value": value})
        if not _NUMBER.match(text):
            raise ValueError(value)
        number = Decimal(text.replace(",", ""))
    if not number.is_finite():
        raise ValueError(value)
    return number


def parse_integer(value: Any) -> int:
    """A whole number: an integer cell, or text such as ``2024``."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    try:
        number = parse_amount(value)
    except (ValueError, InvalidOperation):
        raise ValueError(value) from None
    if number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def parse_date(value: Any) -> datetime.date:
    """A date cell (a date-time's day), text such as ``2024-03-01``, ``2024/3/1``, ``2024.3.1``
    or ``2024年3月1日``, or an Excel serial day number of the years ``SERIAL_YEARS``."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        return serial_date(value)
    text = _text(value)
    if text.isdigit() and len(text) == 5:
        return serial_date(int(text))
    for pattern in _DATE_TEXT:
        match = pattern.match(text)
        if match:
            return datetime.date(*(int(part) for part in match.groups()))  # ValueError for 2024-02-30
    raise ValueError(value)


def serial_date(number: float | int | Decimal) -> datetime.date:
    """The day of an Excel serial number (its fraction, a time of day, dropped)."""
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(number)
    day = EXCEL_EPOCH + datetime.timedelta(days=int(number))
    if not SERIAL_YEARS[0] <= day.year <= SERIAL_YEARS[1]:
        raise ValueError(number)
    return day


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- headers ---------------------------------------------------------------------------------


@dataclass
class Header:
    """Where a sheet's header is (``find_header``): its rows (0-based, first and last), each
    known header's column, the other columns' labels (column → label) and the known headers that
    stand over several columns (header → columns)."""

    first_row: int
    last_row: int
    columns: dict[str, int] = field(default_factory=dict)
    others: dict[int, str] = field(default_factory=dict)
    duplicates: dict[str, list[int]] = field(default_factory=dict)


def _label(value: Any) -> str:
    # A header typed over two lines in one cell, or with stray spaces, is the same header.
    return "" if is_blank(value) else re.sub(r"\s+", "", str(value))


def header_grid(rows: Sequence[Sequence[Any]], merged: Iterable[Range], depth: int) -> list[list[str]]:
    """The first ``depth`` rows as labels, a merged cell's label in every cell it covers."""
    width = max((len(row) for row in rows[:depth]), default=0)
    grid = [[_label(row[c]) if c < len(row) else "" for c in range(width)] for row in rows[:depth]]
    for first_row, first_column, last_row, last_column in merged:
        if first_row >= len(grid):
            continue
        value = grid[first_row][first_column] if first_column < width else ""
        for r in range(first_row, min(last_row, len(grid) - 1) + 1):
            for c in range(first_column, min(last_column, width - 1) + 1):
                grid[r][c] = value
    return grid


def find_header(
    rows: Sequence[Sequence[Any]],
    merged: Iterable[Range],
    known: set[str],
    anchor: str,
    *,
    search_rows: int = 30,
    max_depth: int = 4,
) -> Header | None:
    """The header of a sheet as clerks draw them: the first row holding ``anchor`` (after the
    merged cells are spread), down to the last row under it (at most ``max_depth``) that holds a
    header of ``known`` written in its own cell, above the first row whose ``anchor`` column
    holds something else (data). A column's header is the lowest known header in it (a merged
    group heading or a header merged over the rows itself counts), else its lowest label; a
    blank cell with a label below belongs to the group heading on its left. None: no row holds
    ``anchor`` and another known header."""
    merged = list(merged)
    grid = header_grid(rows, merged, search_rows + max_depth)
    own = set()  # (row, column) of the cells that hold their label themselves (not spread)
    covered = {(r, c) for r0, c0, r1, c1 in merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    covered -= {(r0, c0) for r0, c0, _, _ in merged}
    for r, line in enumerate(grid):
        for c, label in enumerate(line):
            if label and (r, c) not in covered:
                own.add((r, c))
    for top in range(min(search_rows, len(grid))):
        if anchor not in grid[top]:
            continue
        anchor_at = grid[top].index(anchor)
        bottom = top
        for r in range(top + 1, min(top + max_depth, len(grid))):
            if grid[r][anchor_at] not in ("", anchor):
                break  # the first row of data
            if any((r, c) in own and label in known for c, label in enumerate(grid[r])):
                bottom = r
        block = [list(line) for line in grid[top : bottom + 1]]
        # A blank cell whose column has a label below takes the group heading on its left.
        for r in range(len(block) - 1):
            for c in range(1, len(block[r])):
                if not block[r][c] and block[r + 1][c] and block[r][c - 1]:
                    block[r][c] = block[r][c - 1]
        header = Header(top, bottom)
        for c in range(len(block[0])):
            labels = [block[r][c] for r in range(len(block)) if block[r][c]]
            found = [label for label in labels if label in known]
            if not found:
                if labels:
                    header.others[c] = labels[-1]
                continue
            label = found[-1]
            if label not in header.columns:
                header.columns[label] = c
            elif any((top + r, c) in own and block[r][c] == label for r in range(len(block))):
                header.duplicates.setdefault(label, [header.columns[label]]).append(c)
            # else: one header cell merged across columns; its value is in its first column.
        if len(header.columns) >= 2 and anchor in header.columns:
            return header
    return None


def column_letter(index: int) -> str:
    """The spreadsheet's name of the 0-based column ``index``: A, …, Z, AA, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- the admin's formats -----------------------------------------------------------------------


class BookDataset(tablib.Dataset):
    """What the admin's formats give the resource: an empty tablib dataset carrying the whole
    ``book``; true when the book has a sheet (an empty file is refused by ``read_book``)."""

    def __init__(self, book: Book):
        super().__init__()
        self.book = book

    def __len__(self) -> int:
        return self.book.row_count()

    def __bool__(self) -> bool:
        return bool(self.book.names)


class LedgerFile(base_formats.Format):
    """Any file ``read_book`` reads, told apart by its content, for the admin's import."""

    def get_title(self):
        return "xlsx / xls / ods / csv"

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_import(self):
        return True

    def get_extension(self):
        return "xlsx"

    def create_dataset(self, in_stream):
        data = in_stream if isinstance(in_stream, bytes) else str(in_stream).encode("utf-8")
        return BookDataset(read_book(bytes(data), "csv"))


class LedgerXLSX(base_formats.XLSX):
    """The admin's "xlsx" choice: whatever the file is, read by its content."""

    def create_dataset(self, in_stream):
        return LedgerFile().create_dataset(in_stream)


class LedgerCSV(base_formats.CSV):
    """The admin's "csv" choice: whatever the file is, read by its content, as bytes so that
    the encoding is found here (UTF-8, else GB18030) rather than fixed by the admin."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return LedgerFile().create_dataset(in_stream)


# --- the preview's changes --------------------------------------------------------------------

# How the preview marks each part of a value: inserted, deleted, unchanged.
_DIFF_TAGS = {
    diff_match_patch.DIFF_INSERT: "ins",
    diff_match_patch.DIFF_DELETE: "del",
    diff_match_patch.DIFF_EQUAL: "span",
}


class PreviewDiff(Diff):
    """django-import-export's ``Diff`` of a row (each column's old value against its new one,
    everything new for a new record), drawn as ``<ins>``, ``<del>`` and ``<span>`` without the
    ``style`` attributes of diff-match-patch's ``diff_prettyHtml``: the content policy would block
    them, so the admin's stylesheet colours the tags instead. Text is escaped; a line break shows
    as ¶ and a break, as diff-match-patch shows it."""

    def as_html(self) -> list[SafeString]:
        return [
            preview_html("" if old != new and self.new else old, new)
            for old, new in zip(self.left, self.right, strict=True)
        ]


_DIFFER = diff_match_patch()


def preview_html(old, new) -> SafeString:
    """The change of one value from ``old`` to ``new`` as ``PreviewDiff`` draws it."""
    diff = _DIFFER.diff_main(force_str(old), force_str(new))
    _DIFFER.diff_cleanupSemantic(diff)
    parts = ((_DIFF_TAGS[op], mark_safe(escape(text).replace("\n", "&para;<br>")), _DIFF_TAGS[op]) for op, text in diff)
    return format_html_join("", "<{}>{}</{}>", parts)
