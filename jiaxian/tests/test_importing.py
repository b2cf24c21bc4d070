"""The import's reader (``jiaxian/importing.py``): every kind of file told apart by its content,
damaged and hostile files refused with a sentence, the limits, the cell parsers and the header
finder. The ledgers' side (which columns, what a row does) is tested in the apps."""

from __future__ import annotations

import csv
import datetime
import io
import struct
import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from investment.tests.files.make_ledgers import PROJECTS
from jiaxian import importing
from jiaxian.importing import (
    CellError,
    Limits,
    UnreadableFile,
    column_letter,
    find_header,
    parse_amount,
    parse_date,
    parse_integer,
    read_book,
)
from jiaxian.tests.import_helpers import xlsx_bytes

FILES = Path(__file__).resolve().parents[2] / "investment" / "tests" / "files"
LEDGER = "招商引资项目"
KNOWN = {"项目名称", "签约金额（万元）", "固定资产投资（万元）", "签约日期", "开工日期", "投资方"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- kinds ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_a_workbook_saved_by_libreoffice_is_read_by_its_content_whatever_its_name(kind):
    book = read_book((FILES / f"merged-header.{kind}").read_bytes(), "ledger.csv")
    assert (book.kind, book.names) == (kind, ["填表说明", LEDGER])
    rows = book.rows(LEDGER)
    # The first project as make_ledgers.py writes it: its number, the texts and amounts, then the
    # signing and start, which it writes as date cells.
    written = PROJECTS[0]
    assert rows[3][:10] == [1, *written[:7], *(datetime.date.fromisoformat(day) for day in written[7:9])]
    # The merged cells, calamine's for .xlsx and .xls, read from content.xml for .ods: the same.
    assert (1, 5, 1, 7) in book.merged(LEDGER) and (1, 1, 2, 1) in book.merged(LEDGER)
    assert (0, 0, 0, 12) in book.merged(LEDGER)


def test_the_ods_merged_ranges_are_those_calamine_gives_for_the_xlsx_of_the_same_sheet():
    ods = read_book((FILES / "merged-header.ods").read_bytes())
    xlsx_book = read_book((FILES / "merged-header.xlsx").read_bytes())
    assert sorted(ods.merged(LEDGER)) == sorted(xlsx_book.merged(LEDGER))
    assert len(ods.merged(LEDGER)) == 11


def test_an_xlsm_is_read_as_a_workbook():
    workbook = openpyxl.Workbook()
    workbook.active.append(["项目名称", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # An .xlsm is an .xlsx whose content types declare macros: the same members.
    book = read_book(buffer.getvalue(), "ledger.xlsm")
    assert book.kind == "xlsx" and book.rows("Sheet") == [["项目名称", 1]]


def test_a_sheet_that_begins_below_and_right_of_a1_keeps_its_row_and_column_numbers():
    workbook = openpyxl.Workbook()
    workbook.active["C3"] = "项目名称"
    workbook.active["D5"] = 2.5
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_book(buffer.getvalue()).rows("Sheet")
    assert rows == [[], [], [None, None, "项目名称"], [], [None, None, None, 2.5]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_else_in_gb18030(encoding):
    book = read_book('项目名称,签约金额（万元）\r\n硅基项目,"12,000.50"\r\n'.encode(encoding), "台账.csv")
    assert (book.kind, book.names) == ("csv", ["台账"])
    assert book.rows("台账") == [["项目名称", "签约金额（万元）"], ["硅基项目", "12,000.50"]]


def test_the_exports_zip_of_csv_files_is_one_sheet_per_file():
    data = zipped(
        {"1-汇总.csv": "年度,2024\r\n".encode("utf-8-sig"), "2-重点项目.csv": "项目名称\r\n".encode("gb18030")}
    )
    book = read_book(data, "export.zip")
    assert (book.kind, book.names) == ("csv.zip", ["汇总", "重点项目"])
    assert book.rows("汇总") == [["年度", "2024"]]


# --- damaged and hostile files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n", "The file is empty."),
        (b"PK\x03\x04 this is no zip at all", "The file looks like zip but is damaged or incomplete"),
        (bytes(range(256)) * 40, "its text is neither UTF-8 nor GB18030 (GBK)."),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "The file looks like xls but is damaged or incomplete"),
        (zipped({"readme.txt": b"hello"}), "The zip file holds no workbook and no CSV file."),
    ],
    ids=["empty", "blank", "PK-not-zip", "binary", "broken-xls", "zip-of-other"],
)
def test_a_file_that_is_no_spreadsheet_is_one_sentence(data, message):
    with pytest.raises(UnreadableFile) as refused:
        read_book(data, "ledger.xlsx")
    assert message in str(refused.value)
    assert str(refused.value).count(". ") == 0  # one sentence


def test_a_truncated_workbook_is_refused_as_damaged():
    data = xlsx_bytes([["项目名称", "签约金额（万元）"], ["甲", 1]])
    with pytest.raises(UnreadableFile, match="looks like zip but is damaged"):
        read_book(data[: len(data) // 2])
    # The zip's directory intact but a sheet's data cut: calamine fails reading it.
    broken = bytearray(data)
    start = data.index(b"xl/worksheets/sheet1.xml") + 30
    broken[start : start + 40] = b"\x00" * 40
    with pytest.raises(UnreadableFile, match="damaged"):
        book = read_book(bytes(broken))
        for name in book.names:
            book.rows(name)


def test_the_errors_speak_chinese_to_a_chinese_admin():
    with translation.override("zh-hans"), pytest.raises(UnreadableFile) as refused:
        read_book(b"PK\x03\x04 broken")
    assert str(refused.value) == "这个文件看起来是 zip，但已损坏或不完整：请重新保存后上传副本。"


def stream_member(archive: zipfile.ZipFile, name: str, chunk: bytes, size: int, head: bytes = b"", tail: bytes = b""):
    """Write a member of ``size`` bytes or so, chunk by chunk (never all in memory)."""
    with archive.open(name, "w", force_zip64=True) as member:
        member.write(head)
        for _ in range(size // len(chunk)):
            member.write(chunk)
        member.write(tail)


@pytest.fixture(scope="module")
def csv_bomb(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("bomb") / "bomb.csv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        stream_member(archive, "2-招商引资项目.csv", b"1,a,2,b\r\n" * 1024, 80 * 1024 * 1024, "项目名称,x\r\n".encode())
    return path.read_bytes()


@pytest.fixture(scope="module")
def xlsx_bomb(tmp_path_factory) -> bytes:
    """An .xlsx whose sheet XML is 380 MB of rows, in a file of a few MB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    shell = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["项目名称", "x"]])))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for info in shell.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(info.filename, shell.read(info))
        head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        row = b'<row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c></row>' * 64
        stream_member(archive, "xl/worksheets/sheet1.xml", row, 380 * 1024 * 1024, head, b"</sheetData></worksheet>")
    return path.read_bytes()


def refused_without_inflating(data: bytes, monkeypatch) -> tuple[str, int]:
    """Read ``data`` expecting a refusal: (the message, the reader's peak of Python memory).
    Fails if the reader got as far as calamine or reading a zip member."""

    def must_not_inflate(*args, **kwargs):
        raise AssertionError("the reader inflated a member")

    monkeypatch.setattr(importing, "read_workbook", must_not_inflate)
    monkeypatch.setattr(importing, "read_csv_zip", must_not_inflate)
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFile) as refused:
            read_book(data, "bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return str(refused.value), peak


def test_a_csv_zip_bomb_is_refused_from_the_archives_directory(csv_bomb, monkeypatch):
    assert len(csv_bomb) < 1024 * 1024
    message, peak = refused_without_inflating(csv_bomb, monkeypatch)
    assert message == (
        "The file unpacks “2-招商引资项目.csv” to 80 MB of CSV, more than the 25 MB an import may read "
        "(a quarter of IMPORT_MAX_MEMBER_MB: CSV takes four times the memory of a workbook)."
    )
    assert peak < 2 * 1024 * 1024


def test_an_xlsx_whose_sheet_xml_is_380_mb_is_refused_from_the_archives_directory(xlsx_bomb, monkeypatch):
    assert len(xlsx_bomb) < 20 * 1024 * 1024
    message, peak = refused_without_inflating(xlsx_bomb, monkeypatch)
    assert message == (
        "The file unpacks “xl/worksheets/sheet1.xml” to 380 MB, more than the 100 MB an import may read "
        "(IMPORT_MAX_MEMBER_MB)."
    )
    assert peak < 2 * 1024 * 1024


def test_the_member_limit_follows_its_setting(settings):
    settings.IMPORT_MAX_MEMBER_MB = 1
    data = xlsx_bytes([["项目名称"], *([f"项目{i}" * 20] for i in range(20_000))])
    with pytest.raises(UnreadableFile, match=r"more than the 1 MB an import may read \(IMPORT_MAX_MEMBER_MB\)"):
        read_book(data)


def test_a_file_over_the_upload_limit_is_refused_naming_the_setting(settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    with pytest.raises(UnreadableFile) as refused:
        read_book(b"a" * (1024 * 1024 + 1), "big.csv")
    assert str(refused.value) == "The file is 1.0 MB, more than the 1 MB an import may read (IMPORT_MAX_UPLOAD_MB)."


def test_rows_past_the_limit_are_refused_as_they_are_read(settings, monkeypatch):
    settings.IMPORT_MAX_ROWS = 100
    text = "项目名称\r\n" + "甲\r\n" * 1000
    made = []
    real_reader = csv.reader

    def counting_reader(*args, **kwargs):
        for row in real_reader(*args, **kwargs):
            made.append(row)
            yield row

    monkeypatch.setattr(importing.csv, "reader", counting_reader)
    with pytest.raises(UnreadableFile, match=r"“台账” has more than 100 rows \(IMPORT_MAX_ROWS\)"):
        read_book(text.encode(), "台账.csv")
    assert len(made) == 101  # stopped at the first row too many
    workbook = read_book(xlsx_bytes([["项目名称"], *([f"项目{i}"] for i in range(150))]))
    with pytest.raises(UnreadableFile, match=r"“Sheet1” has more than 100 rows \(IMPORT_MAX_ROWS\)"):
        workbook.rows("Sheet1")


def test_columns_past_the_limit_are_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 10
    with pytest.raises(UnreadableFile, match=r"more than 10 columns \(IMPORT_MAX_COLUMNS\)"):
        read_book(xlsx_bytes([["项目名称", *range(10)]])).rows("Sheet1")
    with pytest.raises(UnreadableFile, match=r"more than 10 columns \(IMPORT_MAX_COLUMNS\)"):
        read_book(",".join(["x"] * 11).encode(), "a.csv")
    assert read_book(xlsx_bytes([["项目名称", *range(9)]])).rows("Sheet1")[0][-1] == 8


def test_the_limits_default_to_the_documented_figures():
    assert Limits.from_settings() == Limits(upload_mb=20, member_mb=100, rows=200_000, columns=200)
    assert Limits().csv_mb == 25


# --- cells -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-01",
        "2024/3/1",
        "2024.3.1",
        "2024年3月1日",
        "2024 年 3 月 1 日",
        "２０２４-０３-０１",
        "2024-03-01 00:00:00",
        datetime.date(2024, 3, 1),
        datetime.datetime(2024, 3, 1, 14, 30),
        45352,
        45352.0,
        "45352",
    ],
)
def test_a_date_is_read_from_a_date_cell_each_written_form_and_an_excel_serial(value):
    assert parse_date(value) == datetime.date(2024, 3, 1)


@pytest.mark.parametrize(
    "value", ["2024-02-30", "3/1/2024", "2024-03", "下月", "12000", 12000, 36525, 73416, True, "2024-03-01 14:00"]
)
def test_a_date_that_cannot_be_read_or_a_serial_outside_2000_to_2100_is_refused(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_the_excel_serial_bounds_are_the_first_and_last_days_of_2000_and_2100():
    assert parse_date(36526) == datetime.date(2000, 1, 1)
    assert parse_date(73415) == datetime.date(2100, 12, 31)


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        (12345.5, Decimal("12345.5")),
        (0.1, Decimal("0.1")),
        (12000, Decimal("12000")),
        (Decimal("1.25"), Decimal("1.25")),
        ("12,345.50", Decimal("12345.50")),
        ("12，345.50", Decimal("12345.50")),
        ("１２，３４５", Decimal("12345")),
        (" -3 ", Decimal("-3")),
        ("1,234,567", Decimal("1234567")),
    ],
)
def test_an_amount_is_read_exactly_from_a_number_or_text_with_thousands_separators(value, amount):
    parsed = parse_amount(value)
    assert parsed == amount and str(parsed) == str(amount)


@pytest.mark.parametrize("value", ["12,34", "1,2345", "abc", "NaN", "Infinity", "1e5", "", True, "12 000"])
def test_text_that_is_no_amount_is_refused(value):
    with pytest.raises(ValueError):
        parse_amount(value)


@pytest.mark.parametrize("value", ["15%", "15.5 %", "１５％"])
def test_a_percentage_is_refused_as_a_percentage(value):
    with pytest.raises(CellError, match="is a percentage, not an amount"):
        parse_amount(value)


def test_a_whole_number_is_read_from_an_integer_or_text_and_a_fraction_is_refused():
    assert parse_integer(2024) == parse_integer("2024") == parse_integer(" 2,024 ") == 2024
    for value in ("2024.5", 2024.5, "二〇二四", True):
        with pytest.raises(ValueError):
            parse_integer(value)


def test_column_letters_are_the_spreadsheets():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# --- headers ---------------------------------------------------------------------------------------


def header_of(rows, merges=()):
    book = read_book(xlsx_bytes(rows, merges=merges))
    return find_header(book.rows("Sheet1"), book.merged("Sheet1"), KNOWN, "项目名称")


def test_a_merged_group_heading_over_dates_gives_each_column_its_own_header():
    rows = [
        ["台账"],
        ["项目名称", "项目进度", None, "备注"],
        [None, "签约日期", "开工日期", None],
        ["甲", datetime.date(2024, 3, 1), None, "x"],
    ]
    header = header_of(rows, ["A1:D1", "A2:A3", "B2:C2", "D2:D3"])
    assert (header.first_row, header.last_row) == (1, 2)
    assert header.columns == {"项目名称": 0, "签约日期": 1, "开工日期": 2}
    assert header.others == {3: "备注"}


def test_a_blank_cell_beside_an_unmerged_group_heading_belongs_to_it():
    rows = [
        ["项目名称", "投资情况", None, "签约日期"],
        [None, "签约金额（万元）", "固定资产投资（万元）", None],
        ["甲", 1, 1, None],
    ]
    header = header_of(rows)
    assert header.columns == {"项目名称": 0, "签约金额（万元）": 1, "固定资产投资（万元）": 2, "签约日期": 3}
    assert (header.first_row, header.last_row) == (0, 1)


def test_three_header_rows_with_a_header_merged_down_all_three():
    rows = [
        ["项目名称", "基本情况", None, None],
        [None, "投资情况", None, "投资方"],
        [None, "签约金额（万元）", "固定资产投资（万元）", None],
        ["甲", 1, 1, "乙"],
    ]
    header = header_of(rows, ["A1:A3", "B1:D1", "B2:C2", "D2:D3"])
    assert (header.first_row, header.last_row) == (0, 2)
    assert header.columns == {"项目名称": 0, "签约金额（万元）": 1, "固定资产投资（万元）": 2, "投资方": 3}


def test_a_header_split_over_two_lines_in_its_cell_is_the_same_header():
    header = header_of([["项目\n名称", "签约金额\n（万元）"], ["甲", 1]])
    assert header.columns == {"项目名称": 0, "签约金额（万元）": 1}


def test_no_header_without_the_anchor_and_another_known_header():
    assert header_of([["名称", "签约金额（万元）"], ["甲", 1]]) is None
    assert header_of([["项目名称", "说明"], ["甲", 1]]) is None


def test_a_known_header_in_two_columns_is_reported_and_one_merged_over_two_is_not():
    assert header_of([["项目名称", "签约日期", "签约日期"], ["甲", 1, 2]]).duplicates == {"签约日期": [1, 2]}
    merged = header_of([["项目名称", "签约日期", None], ["甲", 1, None]], ["B1:C1"])
    assert merged.duplicates == {} and merged.columns == {"项目名称": 0, "签约日期": 1}


class CalamineCalled(BaseException):
    """Not an ``Exception``: the reader's handling of calamine's errors must not swallow it."""


class NoCalamine:
    """Stands for python_calamine where the reader must refuse before calling it."""

    class CalamineWorkbook:
        @staticmethod
        def from_filelike(*args):
            raise CalamineCalled


def test_an_xlsx_of_two_cells_far_apart_is_refused_before_calamine_spreads_it(monkeypatch):
    # calamine holds a sheet as one block from A1 to its last cell: 4.9 kB asking for 17 billion.
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "项目名称"
    workbook.active["XFD1048576"] = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    monkeypatch.setattr(importing, "python_calamine", NoCalamine)
    with pytest.raises(UnreadableFile) as refused:
        read_book(buffer.getvalue())
    assert str(refused.value) == (
        "The sheet “xl/worksheets/sheet1.xml” spans 1,048,576 rows × 16,384 columns, more than the 2,000,000 cells "
        "an import may hold (20,000 for each MB of IMPORT_MAX_MEMBER_MB)."
    )


def ods(content_rows: str) -> bytes:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        f'<table:table table:name="台账">{content_rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", body, zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return buffer.getvalue()


def test_an_ods_that_repeats_a_value_into_millions_of_cells_is_refused_before_calamine_reads_it(monkeypatch):
    cell = '<table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000"/>'
    data = ods(f'<table:table-row table:number-rows-repeated="1000000">{cell}</table:table-row>')
    assert len(data) < 1024
    monkeypatch.setattr(importing, "python_calamine", NoCalamine)
    with pytest.raises(UnreadableFile, match=r"“台账” spans 1,000,000 rows × 1,000 columns, more than the 2,000,000"):
        read_book(data)


def test_an_ods_with_formatted_empty_rows_down_to_the_sheets_end_is_read():
    filled = '<table:table-cell table:number-columns-repeated="1024"/>'
    data = ods(
        '<table:table-row><table:table-cell office:value-type="string"><text:p>项目名称</text:p>'
        "</table:table-cell></table:table-row>"
        f'<table:table-row table:number-rows-repeated="1048575">{filled}</table:table-row>'
    )
    assert read_book(data).rows("台账") == [["项目名称"]]


def lying_about(data: bytes, member: str, size: int) -> bytes:
    """``data`` (a zip) whose local header and central directory say ``member`` unpacks to ``size``."""
    patched = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    patched[info.header_offset + 22 : info.header_offset + 26] = struct.pack("<I", size)
    central = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack("<H", data[central + 28 : central + 30])[0]
        if data[central + 46 : central + 46 + name_length] == member.encode():
            break
        central = data.index(b"PK\x01\x02", central + 4)
    patched[central + 24 : central + 28] = struct.pack("<I", size)
    return bytes(patched)


def test_a_workbook_whose_directory_understates_a_members_size_is_refused_before_calamine(monkeypatch):
    data = xlsx_bytes([["项目名称", "签约金额（万元）"], *([f"项目{i}", i] for i in range(20_000))])
    lying = lying_about(data, "xl/worksheets/sheet1.xml", 1000)
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo("xl/worksheets/sheet1.xml").file_size == 1000
    monkeypatch.setattr(importing, "python_calamine", NoCalamine)
    with pytest.raises(UnreadableFile, match="looks like xlsx but is damaged"):
        read_book(lying)


def test_a_cell_showing_a_formula_error_is_read_as_that_error_not_as_empty():
    # openpyxl writes "#N/A" as an error cell (t="e"), which calamine reads as empty.
    rows = [["项目名称", "签约金额（万元）"], ["甲", "#DIV/0!"], ["乙", 1], [None, None, "#N/A"]]
    book = read_book(xlsx_bytes(rows, sheet="台账"))
    read = book.rows("台账")
    assert read[1] == ["甲", "#DIV/0!"] and isinstance(read[1][1], importing.FormulaError)
    assert read[2] == ["乙", 1] and not isinstance(read[2][1], importing.FormulaError)
    assert read[3] == [None, None, "#N/A"] and isinstance(read[3][2], importing.FormulaError)


def test_an_ods_whose_content_is_not_xml_is_refused_as_damaged():
    with pytest.raises(UnreadableFile, match="looks like ods but is damaged"):
        read_book(ods("<table:table-row><unclosed></table:table-row>"))


def test_a_number_formatted_as_a_percentage_is_read_as_a_percentage():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["项目名称", "签约金额（万元）", "到位率"])
    sheet.append(["甲", 0.15, 0.5])
    sheet.append(["乙", 12000, 1])
    sheet["B2"].number_format = "0%"
    sheet["C2"].number_format = '0.0"%"'  # a % in quotes is text, not a percentage format
    sheet["C3"].number_format = "0.00%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_book(buffer.getvalue()).rows("Sheet")
    assert [type(value).__name__ for value in rows[1] + rows[2]] == [
        "str",
        "Percentage",
        "float",
        "str",
        "int",
        "Percentage",
    ]
    assert str(rows[1][1]) == "15%" and rows[1][1] == 0.15
    with pytest.raises(CellError, match="“15%” is a percentage, not an amount."):
        parse_amount(rows[1][1])


def test_an_ods_percentage_cell_is_read_as_a_percentage():
    cell = (
        '<table:table-cell office:value-type="percentage" office:value="0.15"><text:p>15%</text:p></table:table-cell>'
    )
    number = '<table:table-cell office:value-type="float" office:value="2"><text:p>2</text:p></table:table-cell>'
    data = ods(f'<table:table-row table:number-rows-repeated="2">{number}{cell}</table:table-row>')
    rows = read_book(data).rows("台账")
    assert rows == [[2, 0.15], [2, 0.15]]
    assert [type(value).__name__ for row in rows for value in row] == ["int", "Percentage"] * 2
