"""The export writer (``jiaxian/exporting.py``) on its own: what the XLSX keeps of each cell and
column, and text that could break or inject into the workbook's XML."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from jiaxian.exporting import (
    Column,
    Kind,
    Sheet,
    write_xlsx,
)

GENERATED = datetime.datetime(2023, 7, 1, 9, 30)


def workbook_of(sheets: list[Sheet]) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer, fixed_time=datetime.datetime(2023, 6, 30), generated_at=GENERATED)
    return openpyxl.load_workbook(buffer)


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
    assert widths == {"A": 36, "B": 10, "C": 12, "D": 20, "E": 10}
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
