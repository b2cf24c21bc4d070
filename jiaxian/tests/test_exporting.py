"""The export writer (``jiaxian/exporting.py``) on its own: what the XLSX keeps of each cell and
column, text that could break or inject into the workbook's XML, and ``write_export``, the one
way the doors write a file (its path, rows and SHA-256; never a half-written file)."""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from jiaxian.exporting import (
    GENERATED_AT,
    WIDTH_SAMPLE,
    BaseExporter,
    Column,
    Format,
    Kind,
    Sheet,
    export_response,
    write_export,
    write_xlsx,
)

GENERATED = datetime.datetime(2023, 7, 1, 9, 30)


def workbook_of(sheets: list[Sheet]) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer, fixed_time=datetime.datetime(2023, 6, 30), generated_at=GENERATED)
    return openpyxl.load_workbook(buffer)


class Ledger(BaseExporter):
    """Two sheets of plain rows, no database; ``fail_after`` rows, the rows raise."""

    identifier = "ledger"
    verbose_name = "ledger"

    def __init__(self, rows: int = 3, fail_after: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.count, self.fail_after = rows, fail_after

    def rows(self):
        for number in range(self.count):
            if number == self.fail_after:
                raise RuntimeError("the database went away")
            yield [number + 1, f"项目{number}", Decimal("1234.50")]

    def sheets(self):
        columns = [Column("序号", Kind.INTEGER), Column("名称"), Column("金额（万元）", Kind.AMOUNT)]
        yield Sheet("甲", columns, self.rows(), preamble=[["生成时间", GENERATED_AT], []])
        yield Sheet("乙", columns, [[1, "x", None]])


@pytest.mark.parametrize("text", ["<r>", "<r><t>x</t></r>", "<r></r>", '<r><rPr><b/></rPr><t a="1">y</t></r>'])
def test_text_shaped_like_rich_text_markup_is_written_as_that_text(text):
    sheet = workbook_of([Sheet("s", [Column("名称")], [[text]])])["s"]
    assert sheet["A2"].value == text


def test_characters_xml_cannot_hold_are_dropped_and_the_rest_kept_as_typed():
    texts = ["a\x00b\x08c\x1fd", " 前后有空格 ", "A&B <c> \"d\" 'e'", "第一行\n第二行\t制表"]
    sheet = workbook_of([Sheet("s", [Column("名称")], [[text] for text in texts])])["s"]
    assert [sheet.cell(row, 1).value for row in range(2, 2 + len(texts))] == [
        "abcd",
        " 前后有空格 ",
        "A&B <c> \"d\" 'e'",
        "第一行\n第二行\t制表",
    ]


def test_text_shaped_like_an_excel_escape_is_escaped_so_excel_shows_it_as_typed():
    buffer = io.BytesIO()
    write_xlsx([Sheet("s", [Column("名称")], [["_x0041_"]])], buffer, fixed_time=GENERATED, generated_at=GENERATED)
    with zipfile.ZipFile(buffer) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    # Excel reads _x0041_ as "A" and _x005F_ as "_" (openpyxl's reader decodes neither).
    assert "<t>_x005F_x0041_</t>" in sheet


def test_numbers_dates_and_widths_are_kept_exactly():
    columns = [
        Column("金额（万元）", Kind.AMOUNT, width=36),
        Column("占比", Kind.RATIO),
        Column("日期", Kind.DATE),
        Column("时间", Kind.DATETIME),
        Column("个数", Kind.INTEGER),
    ]
    row = [Decimal("12345678.90"), Decimal("0.1234"), datetime.date(2023, 6, 30), GENERATED, 7]
    sheet = workbook_of([Sheet("s", columns, [row])])["s"]
    assert [cell.value for cell in sheet[2]] == [12345678.9, 0.1234, datetime.datetime(2023, 6, 30), GENERATED, 7]
    formats = ["#,##0.00", "0.00%", "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "#,##0"]
    assert [cell.number_format for cell in sheet[2]] == formats
    widths = {
        openpyxl.utils.get_column_letter(index): dimension.width
        for dimension in sheet.column_dimensions.values()
        for index in range(dimension.min, dimension.max + 1)
    }
    # A given width stands; the others fit what the cells show ("12.34%", a date, a time, "7",
    # each with a margin of two, at least six).
    assert widths == {"A": 36, "B": 8, "C": 12, "D": 21, "E": 6}
    assert sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb.endswith("DDEBF7") and sheet["A1"].alignment.wrap_text
    margins = sheet.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer) == (
        0.75,
        0.75,
        1,
        1,
        0.5,
        0.5,
    )


def test_write_export_returns_the_path_the_rows_and_the_sha256(tmp_path):
    path = tmp_path / "ledger.xlsx"
    written = write_export(Ledger(rows=3, generated_at=GENERATED), path)
    assert (written.path, written.rows) == (path, 4)
    assert written.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert openpyxl.load_workbook(path).sheetnames == ["甲", "乙"]
    assert list(tmp_path.iterdir()) == [path]
    again = write_export(Ledger(rows=3, format=Format.CSV), tmp_path / "ledger.csv.zip")
    assert again.sha256 == write_export(Ledger(rows=3, format=Format.CSV), tmp_path / "copy.csv.zip").sha256


def test_write_export_without_a_path_writes_a_temporary_file_for_the_caller(tmp_path):
    written = write_export(Ledger(format="csv"))
    try:
        assert written.path.name.startswith("ledger-") and written.path.name.endswith(".csv.zip")
        assert written.sha256 == hashlib.sha256(written.path.read_bytes()).hexdigest()
    finally:
        written.path.unlink()


@pytest.mark.parametrize("format", list(Format))
def test_a_failed_export_leaves_no_file_and_keeps_the_one_it_would_have_replaced(tmp_path, monkeypatch, format):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))  # where a writer would keep temporary files
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"last quarter's file")
    with pytest.raises(RuntimeError, match="went away"):
        write_export(Ledger(rows=10, fail_after=5, format=format), path)
    assert sorted(tmp_path.iterdir()) == [path, scratch]
    assert path.read_bytes() == b"last quarter's file"
    assert list(scratch.iterdir()) == []
    with pytest.raises(RuntimeError, match="went away"):
        write_export(Ledger(rows=10, fail_after=5, format=format))
    assert list(scratch.iterdir()) == []


def test_the_download_carries_the_sha256_of_its_bytes_and_leaves_no_temporary_file(db, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    response = export_response(Ledger(generated_at=GENERATED))
    assert list(tmp_path.iterdir()) == []
    content = b"".join(response.streaming_content)
    response.close()
    assert response["X-Content-SHA256"] == hashlib.sha256(content).hexdigest()
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="ledger.xlsx"' in response["Content-Disposition"]


def test_widths_fit_the_widest_value_of_the_first_rows_and_the_header_wraps():
    columns = [Column("项目名称"), Column("固定资产投资（万元）", Kind.AMOUNT), Column("备注")]
    rows = [["短", Decimal("9.00"), "x" * 100], ["郏县城区污水管网工程", Decimal("1234567.50"), None]]
    late = [["很长的名称" * 20, Decimal("1.00"), None]]  # past the sample: does not widen the column
    sheet = workbook_of([Sheet("s", columns, rows + [["一"]] * (WIDTH_SAMPLE - 2) + late)])["s"]
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABC"}
    # 郏县城区污水管网工程: 10 characters, 20 wide; 1,234,567.50: 12; a long remark: at most 40.
    assert widths == {"A": 22, "B": 14, "C": 40}
    # 固定资产投资（万元） is 20 wide in a column of 14: it wraps onto two lines.
    assert sheet.row_dimensions[1].height == 30


@pytest.mark.django_db(transaction=True)
def test_reading_is_one_snapshot_a_read_only_transaction():
    from django.db import connection

    from jiaxian.exporting import reading

    with reading():
        assert connection.in_atomic_block
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW transaction_isolation")
                assert cursor.fetchone() == ("repeatable read",)
                cursor.execute("SHOW transaction_read_only")
                assert cursor.fetchone() == ("on",)
    assert not connection.in_atomic_block


def test_reading_within_a_transaction_is_part_of_it(db):
    from django.db import connection

    from jiaxian.exporting import reading

    depth = len(connection.savepoint_ids)
    with reading():
        assert connection.in_atomic_block and len(connection.savepoint_ids) == depth
