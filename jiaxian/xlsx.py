"""A streaming XLSX writer: each sheet's XML goes straight into its zip member, deflated, as the
rows come, so that memory stays flat whatever the number of rows, and nothing waits in a
temporary file.

What it writes is what the export needs and no more: inline strings, numbers and dates in a
few cell styles, column widths, a frozen top, an autofilter, the page margins, the document's
creator and dates. The hot path is the cell: ``text_cells(style)``, ``number_cells(style)``
and ``date_cells(style)`` (dates and times) each give a function from a value to its
``<c>`` element (a ``%`` template, or a dict of the values seen, each escaped once), and
``Worksheet.row`` takes a row of those elements. Cells carry no ``r`` attribute (a reader counts
them in their row), so a gap is an empty ``<c/>``.

Deterministic: the zip's entries carry the time given, the document's properties are fixed, so
that the same rows give the same bytes. Excel's limits are refused rather than cut silently
(``ROWS_MAX`` rows, ``COLUMNS_MAX`` columns), except text: a text longer than Excel holds
(``TEXT_MAX``) is cut, and says so in the cell (``cell_text``).
"""

from __future__ import annotations

import datetime
import re
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext

ROWS_MAX = 1_048_576
COLUMNS_MAX = 16_384
TEXT_MAX = 32_767  # in UTF-16 units, as Excel counts
SHEET_NAME_MAX = 31

EMPTY = "<c/>"  # a cell with nothing in it, holding its place in the row

# zlib's fastest level: deflating the 63 MB of XML of 100,000 export rows takes 0.2 CPU-seconds
# at level 1 and 0.6 at level 6 (zipfile's default), for a file of 7.0 MB instead of 4.1
# (docs/benchmarks.md).
COMPRESS_LEVEL = 1

_HEADER = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"

# The Office 2007 default theme, which the fonts' theme colour refers to (as XlsxWriter wrote it).
_THEME = (Path(__file__).resolve().parent / "xlsx_theme.xml").read_bytes()


@dataclass(frozen=True)
class Style:
    """A cell style: a number format (None: General), bold, a solid fill (RGB, ``DDEBF7``),
    wrapped text, a vertical alignment (``center``)."""

    number_format: str | None = None
    bold: bool = False
    fill: str | None = None
    wrap_text: bool = False
    vertical: str | None = None


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: on A4, landscape or not, ``fit_width`` pages wide and ``fit_height``
    pages high at most (0: as many as it takes); ``title_rows`` (the first and last, numbered
    from 1) repeated at the top of every page, and the first ``title_columns`` columns at the
    left of every page (a table too wide for one page keeps its row names); ``header`` and ``footer`` as Excel's header
    codes (``&L``, ``&C``, ``&R`` sections, ``&P`` the page, ``&N`` the pages, ``&A`` the sheet;
    a literal ampersand is ``&&``: ``header_text``)."""

    landscape: bool = True
    fit_width: int = 1
    fit_height: int = 0
    title_rows: tuple[int, int] | None = None
    title_columns: int = 0
    header: str = ""
    footer: str = ""


def header_text(text: str) -> str:
    """``text`` as it must stand in a header or footer code: ampersands doubled."""
    return text.replace("&", "&&")


A4 = 9  # Excel's paperSize of A4


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --- cells ---------------------------------------------------------------------------------

# Characters XML cannot hold (controls but tab, line feed, carriage return; surrogates; the two
# non-characters): dropped. Excel's own ``_x0001_`` escapes would read back as control
# characters nobody typed.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text that looks like one of those escapes: its underscore escaped (``_x005F_``), so that Excel
# shows it as typed.
_LOOKS_ESCAPED = re.compile("_(x[0-9A-Fa-f]{4}_)")
_CACHED_TEXT_MAX = 200  # longer texts are escaped each time, so that the cache stays small
_CACHE_MAX = 20_000  # values a cache holds before it starts again


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def cell_text(text: str) -> str:
    """``text`` as a cell keeps it: without the characters XML cannot hold and, if it is longer
    than Excel holds (``TEXT_MAX``), cut with a note saying how long it was, so that nothing is
    lost without a word (the CSV export keeps every text whole)."""
    if not text.isprintable():  # the rare text with a control character (or a space but " ")
        text = _ILLEGAL.sub("", text)
    if len(text) > TEXT_MAX // 2 and _utf16_length(text) > TEXT_MAX:
        note = gettext("… (cut: the text has %(length)s characters, more than the %(limit)s a cell holds)") % {
            "length": f"{_utf16_length(text):,}",
            "limit": f"{TEXT_MAX:,}",
        }
        kept = text[: TEXT_MAX - _utf16_length(note)]
        while _utf16_length(kept) + _utf16_length(note) > TEXT_MAX:  # characters outside the BMP count two
            kept = kept[:-1]
        text = kept + note
    return text


def _text_element(style: int) -> Callable[[str], str]:
    start = f'<c s="{style}" t="inlineStr"><is>' if style else '<c t="inlineStr"><is>'
    empty = f'<c s="{style}"/>' if style else EMPTY

    def element(text: str) -> str:
        if text.isprintable() and len(text) <= TEXT_MAX // 2:  # no character to drop, not too long
            if "&" not in text and "<" not in text and ">" not in text and "_x" not in text:
                if text and text[0] != " " and text[-1] != " ":  # the commonest text, as it is
                    return f"{start}<t>{text}</t></is></c>"
        text = cell_text(text)
        if not text:
            return empty  # an empty cell, as Excel saves one
        if "_x" in text:
            text = _LOOKS_ESCAPED.sub(r"_x005F_\1", text)
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        # Without it, Excel strips a space at either end.
        opening = '<t xml:space="preserve">' if text[:1].isspace() or text[-1:].isspace() else "<t>"
        return f"{start}{opening}{text}</t></is></c>"

    return element


class _Elements(dict):
    """The ``<c>`` element of each value, made once by ``element`` on first use (texts up to
    ``_CACHED_TEXT_MAX`` characters), so that a repeated value costs one dict look-up. At
    ``_CACHE_MAX`` values it starts again, so that memory stays bounded."""

    def __init__(self, element: Callable):
        super().__init__()
        self.element = element

    def __missing__(self, value):
        element = self.element(value)
        if not isinstance(value, str) or len(value) <= _CACHED_TEXT_MAX:
            if len(self) >= _CACHE_MAX:
                self.clear()
            self[value] = element
        return element


def text_cells(style: int = 0) -> Callable[[str], str]:
    """The function from a text to its inline-string cell in ``style`` (0: the default)."""
    return _Elements(_text_element(style)).__getitem__


def number_cells(style: int = 0) -> Callable[[int | Decimal], str]:
    """The function from an int or a Decimal to its number cell in ``style``. The number is
    written as Python writes it (a Decimal keeps its places: ``1234.50``)."""
    template = f'<c s="{style}"><v>%s</v></c>' if style else "<c><v>%s</v></c>"
    return template.__mod__


# Excel's day 0 for a serial number, and its 29 February 1900, which never was: the serials of
# the days after it are one more than their distance from day 0.
_EXCEL_DAY_ZERO = datetime.datetime(1899, 12, 31)
_EXCEL_LEAP_DAY = 60


def _serial(value: datetime.date) -> float:
    if type(value) is datetime.date:
        serial: float = value.toordinal() - _EXCEL_DAY_ZERO.toordinal()
    elif isinstance(value, datetime.datetime) and value.tzinfo is None:
        delta = value - _EXCEL_DAY_ZERO
        serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86_400
    else:
        raise TypeError(f"Excel has no time zones: {value!r} must be naive.")
    return serial + 1 if serial > _EXCEL_LEAP_DAY - 1 else serial


def date_cells(style: int) -> Callable[[datetime.date], str]:
    """The function from a date (or a naive datetime) to its cell: Excel's serial number of the
    day (and fraction of the day) in ``style``, which gives the date format."""
    template = f'<c s="{style}"><v>%.16G</v></c>'
    return _Elements(lambda value: template % _serial(value)).__getitem__


# --- the zip -------------------------------------------------------------------------------


class _Zip:
    """A zip written in one pass to a seekable ``target``, every entry deflated and carrying
    ``date_time``. Entries are written one at a time (``entry``), each up to 4 GiB (no Zip64)."""

    def __init__(self, target: BinaryIO, date_time: datetime.datetime):
        self.target = target
        year = max(date_time.year, 1980)  # the format counts from 1980
        self.date = (year - 1980) << 9 | date_time.month << 5 | date_time.day
        self.time = date_time.hour << 11 | date_time.minute << 5 | date_time.second // 2
        self.central: list[bytes] = []

    def entry(self, name: str) -> _Entry:
        return _Entry(self, name)

    def add(self, name: str, data: bytes) -> None:
        with self.entry(name) as entry:
            entry.write(data)

    def close(self) -> None:
        start = self.target.tell()
        directory = b"".join(self.central)
        self.target.write(directory)
        count = len(self.central)
        self.target.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))


class _Entry:
    _LOCAL = struct.Struct("<4s5H3L2H")
    _SIZES = struct.Struct("<3L")

    def __init__(self, archive: _Zip, name: str):
        self.archive, self.name = archive, name.encode()
        self.offset = archive.target.tell()
        self.crc = self.size = self.compressed = 0
        self.compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)  # raw deflate, as zip wants
        archive.target.write(self._header(0, 0, 0) + self.name)

    def _header(self, crc: int, compressed: int, size: int) -> bytes:
        archive = self.archive
        return self._LOCAL.pack(
            b"PK\x03\x04", 20, 0, zlib.DEFLATED, archive.time, archive.date, crc, compressed, size, len(self.name), 0
        )

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        deflated = self.compressor.compress(data)
        self.compressed += len(deflated)
        self.archive.target.write(deflated)

    def __enter__(self) -> _Entry:
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is None:
            self.close()

    def close(self) -> None:
        """Finish the entry: the sizes and checksum go back into its header (the target is
        seekable), and into the central directory."""
        target = self.archive.target
        deflated = self.compressor.flush()
        self.compressed += len(deflated)
        target.write(deflated)
        if max(self.size, self.compressed, self.offset) > 0xFFFFFFFF:
            raise ValueError(f"{self.name.decode()} is larger than a zip without Zip64 holds (4 GiB).")
        end = target.tell()
        target.seek(self.offset + 14)  # the local header's checksum and sizes
        target.write(self._SIZES.pack(self.crc, self.compressed, self.size))
        target.seek(end)
        archive = self.archive
        archive.central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                3 << 8 | 20,  # made by: Unix (the file mode below), zip 2.0
                20,
                0,
                zlib.DEFLATED,
                archive.time,
                archive.date,
                self.crc,
                self.compressed,
                self.size,
                len(self.name),
                0,
                0,
                0,
                0,
                0o100644 << 16,
                self.offset,
            )
            + self.name
        )


# --- the workbook --------------------------------------------------------------------------

_FLUSH_PARTS = 50_000  # the XML pieces gathered before they go to the zip (about 1 MB)
_INVALID_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def _print_titles(sheet: str, page: PageSetup | None) -> str:
    """The value of a sheet's ``_xlnm.Print_Titles``: its title columns then its title rows
    (Excel's order), ``'部门排名'!$A:$C,'部门排名'!$1:$1``; empty when it has neither."""
    if page is None:
        return ""
    parts = []
    if page.title_columns:
        parts.append(f"{sheet}!$A:${_column_name(page.title_columns - 1)}")
    if page.title_rows:
        parts.append(f"{sheet}!${page.title_rows[0]}:${page.title_rows[1]}")
    return ",".join(parts)


def _column_name(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


class Worksheet:
    """One sheet being written: ``row(cells)`` for each row in turn, then ``close``. Made by
    ``Workbook.add_sheet``."""

    def __init__(
        self,
        entry: _Entry,
        *,
        selected: bool,
        widths: Sequence[float],
        frozen_rows: int,
        page: PageSetup | None = None,
    ):
        self.entry = entry
        self.rows = 0  # the rows written so far, empty ones included: the last one's number
        self.filter: str | None = None
        self.page = page
        pane = ""
        if frozen_rows:
            pane = (
                f'<pane ySplit="{frozen_rows}" topLeftCell="A{frozen_rows + 1}" activePane="bottomLeft" '
                'state="frozen"/>'
                '<selection pane="bottomLeft"/>'
            )
        columns = "".join(
            f'<col min="{first + 1}" max="{last + 1}" width="{width:.16g}" customWidth="1"/>'
            for first, last, width in _runs(widths)
        )
        tab = ' tabSelected="1"' if selected else ""
        self.parts: list[str] = [
            _HEADER,
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">',
            # Fitting to pages (the page set-up's fitToWidth/fitToHeight) is switched on here.
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if page else "",
            f'<sheetViews><sheetView{tab} workbookViewId="0">{pane}</sheetView></sheetViews>',
            '<sheetFormatPr defaultRowHeight="15"/>',
            f"<cols>{columns}</cols>" if columns else "",
            "<sheetData>",
        ]

    def row(self, cells: list[str], height: float | None = None) -> None:
        """Write the next row: ``cells`` are the elements of ``text_cells`` and the others, or
        ``EMPTY``; ``height`` in points (default: the sheet's). Trailing empty cells are
        dropped, an empty row is only counted."""
        self.rows += 1
        if self.rows > ROWS_MAX or len(cells) > COLUMNS_MAX:
            raise ValueError(f"A sheet holds at most {ROWS_MAX:,} rows of {COLUMNS_MAX:,} columns.")
        while cells and cells[-1] is EMPTY:
            cells.pop()
        if cells:
            parts = self.parts
            parts.append(
                f'<row r="{self.rows}">'
                if height is None
                else f'<row r="{self.rows}" ht="{height:g}" customHeight="1">'
            )
            parts += cells
            parts.append("</row>")
            if len(parts) > _FLUSH_PARTS:
                self._flush()

    def autofilter(self, first_row: int, columns: int) -> None:
        """An autofilter from row ``first_row`` (numbered from 1, the header) to the last row
        written, over the first ``columns`` columns; set before ``close``."""
        self.filter = f"$A${first_row}:${_column_name(columns - 1)}${max(self.rows, first_row)}"

    def _flush(self) -> None:
        self.entry.write("".join(self.parts).encode())
        self.parts.clear()

    def close(self) -> None:
        self.parts.append("</sheetData>")
        if self.filter:
            self.parts.append(f'<autoFilter ref="{self.filter.replace("$", "")}"/>')
        page = self.page
        if page:
            self.parts.append('<printOptions horizontalCentered="1"/>')
        self.parts.append('<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>')
        if page:
            orientation = "landscape" if page.landscape else "portrait"
            self.parts.append(
                f'<pageSetup paperSize="{A4}" orientation="{orientation}" fitToWidth="{page.fit_width}" '
                f'fitToHeight="{page.fit_height}"/>'
            )
            header = f"<oddHeader>{_attribute(page.header)}</oddHeader>" if page.header else ""
            footer = f"<oddFooter>{_attribute(page.footer)}</oddFooter>" if page.footer else ""
            if header or footer:
                self.parts.append(f"<headerFooter>{header}{footer}</headerFooter>")
        self.parts.append("</worksheet>")
        self._flush()
        self.entry.close()


def _runs(widths: Sequence[float]) -> list[tuple[int, int, float]]:
    """Adjacent columns of one width as one run: (first, last, width)."""
    runs: list[tuple[int, int, float]] = []
    for index, width in enumerate(widths):
        if runs and runs[-1][2] == width and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index, width)
        else:
            runs.append((index, index, width))
    return runs


class Workbook:
    """A workbook written to ``target`` (a seekable binary file) as its sheets come: ``style``
    registers the cell styles (before the cells that use them are made), ``add_sheet`` starts
    each sheet (the one before is closed), ``close`` writes the rest. ``created`` is the
    document's created and modified time, and the zip entries' time."""

    def __init__(self, target: BinaryIO, *, created: datetime.datetime, creator: str):
        self.zip = _Zip(target, created)
        self.created, self.creator = created, creator
        self.styles: list[Style] = [Style()]
        self.sheets: list[tuple[str, str | None]] = []  # name, autofilter range
        self.titles: list[PageSetup | None] = []  # each sheet's rows and columns printed on every page
        self.open: Worksheet | None = None

    def style(self, style: Style) -> int:
        """The index of ``style`` for the cell functions (0: the default style)."""
        if style not in self.styles:
            self.styles.append(style)
        return self.styles.index(style)

    def add_sheet(
        self, name: str, *, widths: Sequence[float] = (), frozen_rows: int = 0, page: PageSetup | None = None
    ) -> Worksheet:
        """Start the sheet ``name`` (at most 31 characters, none of ``[]:*?/\\``, unique), its
        columns ``widths`` wide (in characters), its top ``frozen_rows`` rows frozen, printed
        as ``page`` says (without: as the spreadsheet program likes)."""
        if not name or len(name) > SHEET_NAME_MAX or _INVALID_SHEET_NAME.search(name) or name.startswith("'"):
            raise ValueError(f"{name!r} cannot name a sheet: 1 to 31 characters, none of []:*?/\\.")
        if name.casefold() in (each.casefold() for each, _filter in self.sheets):
            raise ValueError(f"Two sheets are named {name!r}.")
        self._close_sheet()
        entry = self.zip.entry(f"xl/worksheets/sheet{len(self.sheets) + 1}.xml")
        self.open = Worksheet(entry, selected=not self.sheets, widths=widths, frozen_rows=frozen_rows, page=page)
        self.titles.append(page)
        self.sheets.append((name, None))
        return self.open

    def _close_sheet(self) -> None:
        if self.open is not None:
            self.open.close()
            self.sheets[-1] = (self.sheets[-1][0], self.open.filter)
            self.open = None

    def close(self) -> None:
        """Close the last sheet and write the workbook's other parts and the zip's directory. A
        workbook without a sheet gets an empty one: Excel opens none without."""
        if not self.sheets:
            self.add_sheet("Sheet1")
        self._close_sheet()
        add = self.zip.add
        add("xl/workbook.xml", self._workbook())
        add("xl/_rels/workbook.xml.rels", self._workbook_relationships())
        add("xl/styles.xml", self._stylesheet())
        add("xl/theme/theme1.xml", _THEME)
        add("docProps/core.xml", self._core_properties())
        add("docProps/app.xml", self._app_properties())
        add("_rels/.rels", _ROOT_RELATIONSHIPS)
        add("[Content_Types].xml", self._content_types())
        self.zip.close()

    def _workbook(self) -> bytes:
        sheets = "".join(
            f'<sheet name="{_attribute(name)}" sheetId="{number}" r:id="rId{number}"/>'
            for number, (name, _filter) in enumerate(self.sheets, 1)
        )
        # Excel keeps each sheet's autofilter range under this hidden name, and wants it there.
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
            f"{_attribute(_quoted(name))}!{filter}</definedName>"
            for index, (name, filter) in enumerate(self.sheets)
            if filter
        )
        # The columns a sheet prints at the left and the rows at the top of every page.
        names += "".join(
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">{_attribute(titles)}</definedName>'
            for index, ((name, _filter), page) in enumerate(zip(self.sheets, self.titles, strict=True))
            if (titles := _print_titles(_quoted(name), page))
        )
        return (
            f'{_HEADER}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
            '<workbookPr defaultThemeVersion="124226"/>'
            '<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
            f"<sheets>{sheets}</sheets>"
            f"{f'<definedNames>{names}</definedNames>' if names else ''}"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        ).encode()

    def _workbook_relationships(self) -> bytes:
        kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        relationships = [f"{kind}worksheet|worksheets/sheet{number}.xml" for number in range(1, len(self.sheets) + 1)]
        relationships += [f"{kind}theme|theme/theme1.xml", f"{kind}styles|styles.xml"]
        return _relationships(relationships)

    def _stylesheet(self) -> bytes:
        number_formats = [style.number_format for style in self.styles if style.number_format]
        format_ids = {number_format: 164 + index for index, number_format in enumerate(dict.fromkeys(number_formats))}
        fills = list(dict.fromkeys(style.fill for style in self.styles if style.fill))
        font = '<sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
        xfs = []
        for style in self.styles:
            attributes = [
                f'numFmtId="{format_ids.get(style.number_format or "", 0)}"',
                f'fontId="{int(style.bold)}"',
                f'fillId="{fills.index(style.fill) + 2 if style.fill else 0}"',
                'borderId="0" xfId="0"',
            ]
            if style.number_format:
                attributes.append('applyNumberFormat="1"')
            if style.bold:
                attributes.append('applyFont="1"')
            if style.fill:
                attributes.append('applyFill="1"')
            alignment = (f' vertical="{style.vertical}"' if style.vertical else "") + (
                ' wrapText="1"' if style.wrap_text else ""
            )
            if alignment:
                xfs.append(f'<xf {" ".join(attributes)} applyAlignment="1"><alignment{alignment}/></xf>')
            else:
                xfs.append(f"<xf {' '.join(attributes)}/>")
        formats = "".join(
            f'<numFmt numFmtId="{number}" formatCode="{_attribute(code)}"/>' for code, number in format_ids.items()
        )
        fill_elements = "".join(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{fill}"/><bgColor indexed="64"/>'
            "</patternFill></fill>"
            for fill in fills
        )
        return (
            f'{_HEADER}<styleSheet xmlns="{_MAIN}">'
            f'<numFmts count="{len(format_ids)}">{formats}</numFmts>'
            f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            f'<fills count="{len(fills) + 2}"><fill><patternFill patternType="none"/></fill>'
            f'<fill><patternFill patternType="gray125"/></fill>{fill_elements}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
        ).encode()

    def _core_properties(self) -> bytes:
        when = self.created.strftime("%Y-%m-%dT%H:%M:%SZ")
        creator = _attribute(self.creator)
        return (
            f"{_HEADER}"
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{creator}</cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>'
        ).encode()

    def _app_properties(self) -> bytes:
        count = len(self.sheets)
        titles = "".join(f"<vt:lpstr>{_attribute(name)}</vt:lpstr>" for name, _filter in self.sheets)
        return (
            f"{_HEADER}"
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"<Application>{_attribute(self.creator)}</Application><DocSecurity>0</DocSecurity>"
            "<ScaleCrop>false</ScaleCrop><HeadingPairs>"
            '<vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>'
            f"<vt:variant><vt:i4>{count}</vt:i4></vt:variant></vt:vector></HeadingPairs>"
            f'<TitlesOfParts><vt:vector size="{count}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
            "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
            "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
        ).encode()

    def _content_types(self) -> bytes:
        document = "application/vnd.openxmlformats-officedocument."
        overrides = [
            ("/docProps/app.xml", f"{document}extended-properties+xml"),
            ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
            ("/xl/styles.xml", f"{document}spreadsheetml.styles+xml"),
            ("/xl/theme/theme1.xml", f"{document}theme+xml"),
            ("/xl/workbook.xml", f"{document}spreadsheetml.sheet.main+xml"),
        ]
        overrides += [
            (f"/xl/worksheets/sheet{number}.xml", f"{document}spreadsheetml.worksheet+xml")
            for number in range(1, len(self.sheets) + 1)
        ]
        return (
            f'{_HEADER}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
            + "</Types>"
        ).encode()


def _quoted(sheet_name: str) -> str:
    """A sheet's name as a formula names it: in quotes, a quote in it doubled."""
    return "'" + sheet_name.replace("'", "''") + "'"


def _relationships(relationships: list[str]) -> bytes:
    """The relationships part of ``type|target`` pairs, numbered from rId1."""
    items = "".join(
        f'<Relationship Id="rId{number}" Type="{kind}" Target="{target}"/>'
        for number, (kind, target) in ((number, each.split("|")) for number, each in enumerate(relationships, 1))
    )
    return f'{_HEADER}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">{items}</Relationships>'.encode()


_ROOT_RELATIONSHIPS = _relationships(
    [
        f"{_RELATIONSHIPS}/officeDocument|xl/workbook.xml",
        f"{_PACKAGE_RELATIONSHIPS}/metadata/core-properties|docProps/core.xml",
        f"{_RELATIONSHIPS}/extended-properties|docProps/app.xml",
    ]
)
