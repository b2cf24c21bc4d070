"""Reading spreadsheets for import: the mirror of ``exporting.py``.

``read_book(data, name)`` turns the bytes of an uploaded file into a ``Book``: every sheet's rows
as lists of cell values, row *i* of the list being row *i + 1* of the sheet as the clerk sees it
(title rows and blank rows included, so that an error can name the row Excel shows). It reads

- XLSX (openpyxl, read-only, values rather than formulas): every sheet, by name;
- CSV: UTF-8 with or without a byte-order mark, else GB18030 (a superset of GBK: what Excel on
  a Chinese Windows saves as "CSV"), tried in that order; one sheet, named after the file;
- a zip of CSVs (the quarterly export's CSV format, ``1-汇总.csv``, ``2-重点项目.csv``, …): one
  sheet per file, named without the number and the extension.

``PreviewDiff`` draws the preview's changes of a row without style attributes, which the content
policy refuses.

``LedgerXLSX`` and ``LedgerCSV`` are the formats the admin's import (django-import-export)
offers: they hand the whole ``Book`` to the resource (``BookDataset``), which picks its sheet
and finds its header row; tablib's own readers would take the first row of the active sheet.

Nothing here knows a ledger: which sheet, which headers and what a row means is the resources'
business (``projects/resources.py``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import tablib
from diff_match_patch import diff_match_patch
from django.utils.encoding import force_str
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from import_export.formats import base_formats
from import_export.resources import Diff

ENCODINGS = ("utf-8-sig", "gb18030")
_CSV_ENTRY = re.compile(r"^(?:\d+-)?(?P<name>.+)\.csv$", re.IGNORECASE)


class UnreadableFile(ValueError):
    """The file is not an XLSX, a CSV or a zip of CSVs that can be read; the message says why."""


@dataclass
class Book:
    """The sheets of a file, in order: name → rows (lists of values; None for an empty cell)."""

    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)

    def sheet(self, name: str) -> tuple[str, list[list[Any]]]:
        """The sheet called ``name`` if there is one, else the first; (its name, its rows).
        A book without sheets gives ("", [])."""
        if name in self.sheets:
            return name, self.sheets[name]
        for first in self.sheets:
            return first, self.sheets[first]
        return "", []

    def row_count(self) -> int:
        return sum(len(rows) for rows in self.sheets.values())


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (a byte-order mark is dropped), else GB18030."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("The CSV file is neither UTF-8 nor GB18030 (GBK) text.")


def read_csv_rows(text: str) -> list[list[Any]]:
    """Every line of a CSV text as a list of strings ("" for an empty cell)."""
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]


def read_xlsx(data: bytes) -> Book:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFile(f"The file cannot be read as an XLSX workbook ({type(error).__name__}).") from error
    book = Book()
    try:
        for worksheet in workbook.worksheets:
            # Read-only worksheets yield the rows that have no cells as empty tuples, so row
            # numbers stay those of the sheet.
            book.sheets[worksheet.title] = [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return book


def read_csv_zip(data: bytes) -> Book:
    book = Book()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            match = _CSV_ENTRY.match(info.filename.rsplit("/", 1)[-1])
            if match is None or info.is_dir():
                continue
            book.sheets[match["name"]] = read_csv_rows(decode_text(archive.read(info)))
    return book


def read_book(data: bytes, name: str = "") -> Book:
    """The sheets of ``data``, told apart by their content (an XLSX and a zip both start with
    ``PK``): an XLSX, a zip of CSVs, else CSV text named after ``name`` without its extension."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_workbook = "[Content_Types].xml" in archive.namelist()
        return read_xlsx(data) if is_workbook else read_csv_zip(data)
    sheet = re.sub(r"\.csv$", "", name.rsplit("/", 1)[-1], flags=re.IGNORECASE)
    return Book({sheet: read_csv_rows(decode_text(data))})


class BookDataset(tablib.Dataset):
    """What the admin's formats give the resource: an empty tablib dataset carrying the whole
    ``book``; its length is the book's number of rows (the admin refuses an empty file)."""

    def __init__(self, book: Book):
        super().__init__()
        self.book = book

    def __len__(self) -> int:
        return self.book.row_count()

    def __bool__(self) -> bool:
        return self.book.row_count() > 0


class LedgerXLSX(base_formats.XLSX):
    """XLSX for the admin's import: every sheet, handed to the resource as a ``Book``."""

    def create_dataset(self, in_stream):
        return BookDataset(read_xlsx(bytes(in_stream)))


class LedgerCSV(base_formats.CSV):
    """CSV (or the export's zip of CSVs) for the admin's import, read as bytes so that the
    encoding is found here (UTF-8, else GB18030) rather than fixed by the admin."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        data = in_stream if isinstance(in_stream, bytes) else str(in_stream).encode("utf-8")
        return BookDataset(read_book(data, "csv"))


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
