"""The streaming XLSX writer (``jiaxian/xlsx.py``), through the export's ``write_xlsx`` and on its
own: every kind of cell as openpyxl and calamine (the import's reader) read it back, text that
could break the XML, empty cells, a sheet without rows, the same bytes for the same rows, and
Excel's limits."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import python_calamine
from django.utils import translation

from jiaxian import xlsx
from jiaxian.exporting import Cell, Column, Kind, Sheet, _typed, typed_rows, write_xlsx

FIXED = datetime.datetime(2023, 6, 30)
GENERATED = datetime.datetime(2023, 7, 1, 9, 30)

COLUMNS = [
    Column("序号", Kind.INTEGER),
    Column("名称"),
    Column("金额（万元）", Kind.AMOUNT),
    Column("占比", Kind.RATIO),
    Column("倍数", Kind.MULTIPLE),
    Column("日期", Kind.DATE),
    Column("时间", Kind.DATETIME),
]


def written(sheets: list[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer, fixed_time=FIXED, generated_at=GENERATED)
    return buffer.getvalue()


def opened(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def calamine_rows(content: bytes, sheet: str) -> list[list]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_each_kind_keeps_its_value_type_and_number_format():
    row = [
        7,
        "名称",
        Decimal("12345678.90"),
        Decimal("0.1234"),
        Decimal("1.5000"),
        datetime.date(2023, 6, 30),
        GENERATED,
    ]
    content = written([Sheet("s", COLUMNS, [row])])
    cells = opened(content)["s"][2]
    assert [cell.value for cell in cells] == [
        7,
        "名称",
        12345678.9,
        0.1234,
        1.5,
        datetime.datetime(2023, 6, 30),
        GENERATED,
    ]
    assert [cell.data_type for cell in cells] == ["n", "s", "n", "n", "n", "d", "d"]
    assert [cell.number_format for cell in cells] == [
        "#,##0",
        "General",
        "#,##0.00",
        "0.00%",
        "0.0000",
        "yyyy-mm-dd",
        "yyyy-mm-dd hh:mm:ss",
    ]
    assert calamine_rows(content, "s")[1] == [
        7,
        "名称",
        12345678.9,
        0.1234,
        1.5,
        datetime.date(2023, 6, 30),
        GENERATED,
    ]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    # A Decimal keeps its places; a date is Excel's serial of its day, a time the fraction too.
    assert "<v>12345678.90</v>" in sheet and "<v>45107</v>" in sheet and "<v>45108.39583333334</v>" in sheet


def test_a_value_not_of_its_columns_kind_is_text_and_a_cell_may_carry_its_own_kind():
    row = ["待定", True, Cell(3, Kind.INTEGER), Decimal("0.5"), "1.5", GENERATED, datetime.date(2023, 6, 30)]
    cells = opened(written([Sheet("s", COLUMNS, [row])]))["s"][2]
    assert [cell.value for cell in cells] == ["待定", "是", 3, 0.5, "1.5", "2023-07-01 09:30:00", "2023-06-30"]
    assert [cell.number_format for cell in cells] == ["General"] * 2 + ["#,##0", "0.00%"] + ["General"] * 3


def test_empty_cells_keep_the_others_in_their_columns():
    rows = [[None, "乙", None, Decimal("0.25")], [1, None, None, None], [None] * 7, [2]]
    content = written([Sheet("s", COLUMNS, rows)])
    sheet = opened(content)["s"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2, max_col=4)] == [
        [None, "乙", None, 0.25],
        [1, None, None, None],
        [None, None, None, None],
        [2, None, None, None],
    ]
    assert sheet.dimensions == "A1:G5"
    assert [row[:4] for row in calamine_rows(content, "s")[1:]] == [
        ["", "乙", "", 0.25],
        [1, "", "", ""],
        ["", "", "", ""],
        [2, "", "", ""],
    ]


@pytest.mark.parametrize(
    "text,read",
    [
        ("A&B <c> \"d\" 'e'", "A&B <c> \"d\" 'e'"),
        ("</t></is></c><c><v>1</v></c>", "</t></is></c><c><v>1</v></c>"),
        (" 前后有空格 ", " 前后有空格 "),
        ("第一行\n第二行\t制表", "第一行\n第二行\t制表"),
        ("a\x00b\x08c\x0bd\x1fe\ufffef\uffffg\ud800h", "abcdefgh"),  # what XML cannot hold is dropped
        ("\u3000全角空格", "\u3000全角空格"),
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),  # the formula escaping stays
        ("-1", "'-1"),
        ("", None),  # an empty cell
    ],
)
def test_text_is_escaped_and_reads_back_as_typed(text, read):
    content = written([Sheet("s", [Column("名称")], [[text]])])
    assert opened(content)["s"]["A2"].value == read
    if read:
        assert calamine_rows(content, "s")[1] == [read]


def test_text_shaped_like_an_excel_escape_keeps_its_underscore_escaped():
    content = written([Sheet("s", [Column("名称")], [["_x0041_ and _x005f_"]])])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    # Excel reads _x0041_ as "A" and _x005F_ as "_": so it shows the text as typed.
    assert "<t>_x005F_x0041_ and _x005F_x005f_</t>" in sheet


def test_a_text_longer_than_a_cell_holds_is_cut_and_says_so():
    text = "长" * 40_000
    with translation.override("en"):
        content = written([Sheet("s", [Column("名称")], [[text], ["短"]])])
    value = opened(content)["s"]["A2"].value
    assert len(value) == xlsx.TEXT_MAX and value.startswith("长" * 32_000)
    assert value.endswith("(cut: the text has 40,000 characters, more than the 32,767 a cell holds)")
    assert opened(content)["s"]["A3"].value == "短"


def test_characters_beyond_the_basic_plane_count_two_towards_the_limit():
    text = "😀" * 20_000  # 40,000 UTF-16 units
    cut = xlsx.cell_text(text)
    assert len(cut.encode("utf-16-le")) // 2 <= xlsx.TEXT_MAX
    assert cut.startswith("😀" * 16_000) and "40,000" in cut
    assert xlsx.cell_text("😀" * 16_383) == "😀" * 16_383  # 32,766 units: kept whole


def test_a_sheet_without_rows_has_its_header_filter_and_frozen_row():
    content = written([Sheet("空", COLUMNS, [])])
    sheet = opened(content)["空"]
    assert [cell.value for cell in sheet[1]] == [str(column.header) for column in COLUMNS]
    assert (sheet.max_row, sheet.auto_filter.ref, sheet.freeze_panes) == (1, "A1:G1", "A2")
    assert calamine_rows(content, "空") == [[str(column.header) for column in COLUMNS]]


def test_a_workbook_without_sheets_gets_an_empty_one():
    assert opened(written([])).sheetnames == ["Sheet1"]


def test_the_preamble_header_filter_and_frozen_rows_follow_the_preamble():
    sheet = Sheet("s", COLUMNS[:2], [[1, "a"], [2, "b"]], preamble=[["标题"], []])
    content = written([sheet, Sheet("t", COLUMNS[:1], [[1]])])
    book = opened(content)
    first = book["s"]
    assert (first["A1"].value, first["A3"].value, first["A4"].value) == ("标题", "序号", 1)
    assert (first.freeze_panes, first.auto_filter.ref) == ("A4", "A3:B5")
    assert book.sheetnames == ["s", "t"] and book.active.title == "s"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    # Excel keeps an autofilter's range in a hidden name of its sheet too.
    assert 'localSheetId="0" hidden="1">\'s\'!$A$3:$B$5</definedName>' in workbook


def test_the_same_rows_give_the_same_bytes_and_the_entries_carry_the_fixed_time():
    rows = [[1, "甲", Decimal("1.00"), None, None, datetime.date(2023, 1, 2), GENERATED]]
    first, second = written([Sheet("s", COLUMNS, rows)]), written([Sheet("s", COLUMNS, rows)])
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.testzip() is None
        assert {info.date_time for info in archive.infolist()} == {(2023, 6, 30, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "<dc:creator>jiaxian</dc:creator>" in core and ">2023-06-30T00:00:00Z</dcterms:created>" in core
    assert opened(first).properties.created == FIXED


def test_a_time_with_a_time_zone_is_refused():
    aware = datetime.datetime(2023, 6, 30, tzinfo=datetime.UTC)
    with pytest.raises(TypeError, match="time zones"):
        written([Sheet("s", COLUMNS, [[None] * 6 + [aware]])])


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", "[x]", "'x"])
def test_a_name_excel_refuses_for_a_sheet_is_refused(name):
    with pytest.raises(ValueError, match="cannot name a sheet"):
        xlsx.Workbook(io.BytesIO(), created=FIXED, creator="jiaxian").add_sheet(name)


def test_two_sheets_of_one_name_are_refused():
    workbook = xlsx.Workbook(io.BytesIO(), created=FIXED, creator="jiaxian")
    workbook.add_sheet("Sheet")
    with pytest.raises(ValueError, match="Two sheets"):
        workbook.add_sheet("sheet")


def test_rows_beyond_excels_last_are_refused_not_dropped(monkeypatch):
    monkeypatch.setattr(xlsx, "ROWS_MAX", 3)
    with pytest.raises(ValueError, match="at most 3 rows"):
        written([Sheet("s", COLUMNS[:1], [[1], [2], [3]])])  # the header is the first of the 3


VALUES = [
    None,
    "",
    "text",
    "=1",
    "+1",
    "\tx",
    True,
    False,
    0,
    7,
    Decimal("1.50"),
    datetime.date(2023, 6, 30),
    datetime.datetime(2023, 6, 30, 9, 30),
    Cell(3, Kind.INTEGER),
    Cell("=x", Kind.TEXT),
    1.5,
]


@pytest.mark.parametrize("kind", list(Kind))
def test_the_fast_path_of_typed_rows_gives_what_typed_gives(kind):
    columns = [Column("x", kind)] * len(VALUES)
    assert next(typed_rows([VALUES], columns)) == [_typed(value, kind) for value in VALUES]
