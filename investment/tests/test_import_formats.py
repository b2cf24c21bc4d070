"""Importing ledgers as clerks keep them (issue 13, reading): a two-row merged-header ledger
saved by LibreOffice as .xlsx, .xls and .ods (``files/``, made by ``files/make_ledgers.py``),
sheets built with openpyxl for each way of drawing a header and of writing a cell, and what the
command says about the columns it read and those it did not."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from investment import headers as h
from investment.models import AttractionProject
from investment.resources import AttractionProjectResource
from investment.tests.files.make_ledgers import PROJECTS
from jiaxian.tests.import_helpers import errors, kinds, run, xlsx_bytes
from projects.resources import BondReserveResource, KeyProjectResource

FILES = Path(__file__).resolve().parent / "files"
# The ledger's words for where an investor comes from, as the import reads them.
ORIGINS = {"省内": "in_province", "省外": "out_of_province", "本地": "local"}


def stored_date(written: str | None) -> datetime.date | None:
    return None if written is None else datetime.date.fromisoformat(written)


def as_stored(project: tuple) -> dict:
    """A project that files/make_ledgers.py writes, as the ledger stores it: the year the command
    is given, the amounts in Decimal, the dates as dates."""
    (
        name,
        investor,
        origin,
        industry,
        contract,
        fixed_assets,
        funds,
        signed,
        started,
        in_production,
        department,
        _note,
    ) = project
    return {
        "name": name,
        "year": 2024,
        "investor": investor,
        "investor_origin": ORIGINS[origin],
        "industry__name": industry,
        "department__name": department,
        "contract_amount": Decimal(str(contract)),
        "fixed_asset_investment": Decimal(str(fixed_assets)),
        "funds_in_place": Decimal(str(funds)),
        "signed_on": stored_date(signed),
        "started_on": stored_date(started),
        "in_production_on": stored_date(in_production),
    }


EXPECTED = [as_stored(project) for project in PROJECTS]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def references(key_industry, other_industry, department):
    return key_industry, other_industry, department


def command(path: Path, *options, **kwargs) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ledger", str(path), *options, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_a_two_row_merged_header_ledger_saved_by_libreoffice_imports_every_value(kind, references, tmp_path, db):
    path = tmp_path / f"ledger.{kind}"
    path.write_bytes((FILES / f"merged-header.{kind}").read_bytes())
    out, _ = command(path, model="attraction-projects", year=2024)
    lines = out.splitlines()
    assert lines[:3] == [
        "Sheet “招商引资项目”, header in row(s) 2–3.",
        "Columns imported: 项目名称、投资方、投资方来源、产业、签约金额（万元）、固定资产投资（万元）、"
        "到位资金（万元）、签约日期、开工日期、投产日期、责任单位",
        "Columns not imported: 序号、备注",
    ]
    assert lines[-1] == "3 created, 0 updated, 0 unchanged."
    assert list(AttractionProject.objects.order_by("pk").values(*EXPECTED[0])) == EXPECTED


def test_the_dry_run_names_the_columns_not_imported_in_chinese(references, tmp_path, db):
    path = tmp_path / "ledger.ods"
    path.write_bytes((FILES / "merged-header.ods").read_bytes())
    with translation.override("zh-hans"):
        out, _ = command(path, model="attraction-projects", year=2024, dry_run=True)
    assert "未导入的列：序号、备注" in out.splitlines()
    assert "工作表“招商引资项目”，表头在第 2–3 行。" in out.splitlines()
    assert not AttractionProject.objects.exists()


def test_a_sheet_without_the_name_header_is_an_error_naming_it(tmp_path, db):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx_bytes([["名称", h.CONTRACT_AMOUNT, h.SIGNED_ON], ["甲", 1, None]]))
    with pytest.raises(CommandError, match="nothing was imported"):
        command(path, model="attraction-projects", year=2024)
    resource = AttractionProjectResource(year=2024)
    result = run(resource, path.read_bytes())
    assert errors(result) == [
        (None, "", f"The sheet “Sheet1” has no header row: no row holds {h.NAME} and the other headers.")
    ]
    assert resource.missing_columns == [h.NAME]


# --- headers drawn by hand (openpyxl) -----------------------------------------------------------


def attraction_sheet(rows, merges=()) -> bytes:
    return xlsx_bytes(rows, sheet=h.ATTRACTION_SHEET, merges=merges)


TWO_ROW_HEADER = [
    ["2024年招商引资项目台账"],
    [h.NAME, h.INVESTOR, h.INVESTOR_ORIGIN, h.INDUSTRY, "投资情况（万元）", None, "项目进度", None, None, "备注"],
    [
        None,
        None,
        None,
        None,
        h.CONTRACT_AMOUNT,
        h.FIXED_ASSET_INVESTMENT,
        h.SIGNED_ON,
        h.STARTED_ON,
        h.IN_PRODUCTION_ON,
        None,
    ],
]
TWO_ROW_MERGES = ["A1:J1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2", "G2:I2", "J2:J3"]


def project_row(industry, contract=12000, fixed=9000, signed=datetime.date(2024, 3, 1), started=None, note=None):
    return ["甲项目", "投资方", "本地", industry.name, contract, fixed, signed, started, None, note]


def test_merged_group_headings_over_amounts_and_dates_give_every_value(key_industry, db):
    rows = [*TWO_ROW_HEADER, project_row(key_industry, 12345.5, "9,000.25", started="2024年5月1日", note="x")]
    resource = AttractionProjectResource(year=2024)
    result = run(resource, attraction_sheet(rows, TWO_ROW_MERGES))
    assert errors(result) == [] and kinds(result) == [(4, "new")]
    project = AttractionProject.objects.get()
    assert (project.contract_amount, project.fixed_asset_investment) == (Decimal("12345.50"), Decimal("9000.25"))
    assert (project.signed_on, project.started_on) == (datetime.date(2024, 3, 1), datetime.date(2024, 5, 1))
    assert (resource.sheet, resource.header_rows) == (h.ATTRACTION_SHEET, [2, 3])
    assert resource.ignored_columns == ["备注"] and resource.missing_columns == []


def test_three_header_rows_with_the_name_merged_down_all_three(key_industry, db):
    rows = [
        [h.NAME, "基本情况", None, None, None, None],
        [None, "投资方信息", None, "投资情况（万元）", None, h.SIGNED_ON],
        [None, h.INVESTOR, h.INVESTOR_ORIGIN, h.CONTRACT_AMOUNT, h.FIXED_ASSET_INVESTMENT, None],
        ["甲项目", "投资方", "本地", 500, 400, "2024.3.1"],
    ]
    merges = ["A1:A3", "B1:F1", "B2:C2", "D2:E2", "F2:F3"]
    resource = AttractionProjectResource(year=2024)
    result = run(resource, attraction_sheet([*rows[:3], [*rows[3]]], merges), name="x.xlsx")
    assert resource.header_rows == [1, 2, 3]
    assert errors(result) == [(4, h.INDUSTRY, "This field cannot be null.")]
    rows[3].append(key_industry.name)
    rows[2].append(h.INDUSTRY)
    result = run(AttractionProjectResource(year=2024), attraction_sheet(rows, merges))
    assert errors(result) == []
    project = AttractionProject.objects.get()
    assert (project.contract_amount, project.signed_on) == (Decimal("500"), datetime.date(2024, 3, 1))


def test_every_column_the_import_does_not_use_is_named_with_or_without_a_header(key_industry, db):
    rows = [[*TWO_ROW_HEADER[1], None, "联系人"], [*TWO_ROW_HEADER[2]], [*project_row(key_industry), "备用", "张三"]]
    resource = AttractionProjectResource(year=2024)
    result = run(resource, attraction_sheet(rows, ["E1:F1", "G1:I1"]))
    assert errors(result) == []
    assert resource.ignored_columns == ["备注", "column K (no header)", "联系人"]
    # The headers it knows, in the sheet's order: the first four on the upper row, the amounts and
    # dates on the lower one.
    assert resource.imported_columns == [*TWO_ROW_HEADER[1][:4], *TWO_ROW_HEADER[2][4:9]]


def test_the_key_projects_listing_columns_without_a_year_are_named_as_not_imported(db):
    resource = KeyProjectResource()
    run(resource, xlsx_bytes([[h.NAME, h.OWNER, h.LISTING_CATEGORY, h.LISTED_ON], ["甲", "单位", None, None]]))
    assert resource.ignored_columns == [h.LISTING_CATEGORY, h.LISTED_ON]
    assert resource.imported_columns == [h.NAME, h.OWNER]


def test_a_header_that_stands_twice_is_an_error_naming_it_and_its_columns(db):
    result = run(BondReserveResource(year=2024), xlsx_bytes([[h.NAME, h.RESERVED_ON, h.OWNER, h.RESERVED_ON]]))
    assert errors(result) == [
        (None, "", f"The column {h.RESERVED_ON} stands more than once in the sheet “Sheet1” (B、D): keep one.")
    ]


def test_a_sheet_named_for_the_ledger_wins_else_the_first_with_its_header(key_industry, db):
    header = [h.NAME, h.INVESTOR, h.INVESTOR_ORIGIN, h.INDUSTRY, h.CONTRACT_AMOUNT, h.FIXED_ASSET_INVESTMENT]
    row = ["甲项目", "投资方", "本地", key_industry.name, 10, 5]
    notes = {"填表说明": [["本表按季度填报"]], "其他": [[h.NAME, h.INVESTOR], ["别的", "x"]]}
    resource = AttractionProjectResource(year=2024)
    run(resource, xlsx_bytes([header, row], sheet=h.ATTRACTION_SHEET, extra_sheets=notes))
    assert resource.sheet == h.ATTRACTION_SHEET
    resource = AttractionProjectResource(year=2024)
    row[0] = "乙项目"
    result = run(resource, xlsx_bytes([header, row], sheet="台账", extra_sheets={"填表说明": [["本表按季度填报"]]}))
    assert resource.sheet == "台账" and kinds(result) == [(2, "new")]


def test_a_totals_row_with_its_label_before_the_name_column_is_skipped(key_industry, db):
    header = [h.SERIAL, h.NAME, h.INVESTOR, h.INVESTOR_ORIGIN, h.INDUSTRY, h.CONTRACT_AMOUNT, h.FIXED_ASSET_INVESTMENT]
    rows = [header, [1, "甲项目", "投资方", "本地", key_industry.name, 10, 5], ["合计", None, None, None, None, 10, 5]]
    result = run(AttractionProjectResource(year=2024), xlsx_bytes(rows))
    assert errors(result) == [] and kinds(result) == [(2, "new")]


# --- cells ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signed",
    [datetime.date(2024, 3, 1), "2024-03-01", "2024/3/1", "2024.3.1", "2024年3月1日", 45352, "45352"],
    ids=["date-cell", "iso", "slashes", "dots", "chinese", "excel-serial", "serial-text"],
)
def test_each_date_form_and_an_excel_serial_is_read_as_the_day(signed, key_industry, db):
    rows = [*TWO_ROW_HEADER, project_row(key_industry, signed=signed)]
    result = run(AttractionProjectResource(year=2024), attraction_sheet(rows, TWO_ROW_MERGES))
    assert errors(result) == []
    assert AttractionProject.objects.get().signed_on == datetime.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("column", "cells", "message"),
    [
        (h.CONTRACT_AMOUNT, {"contract": "一万二"}, "Enter an amount in 万元, not “一万二”."),
        (h.CONTRACT_AMOUNT, {"contract": "15%"}, "“15%” is a percentage, not an amount."),
        (h.FIXED_ASSET_INVESTMENT, {"fixed": "12,34"}, "Enter an amount in 万元, not “12,34”."),
        (h.SIGNED_ON, {"signed": "三月一日"}, "Enter a date such as 2023-03-01, not “三月一日”."),
        (h.SIGNED_ON, {"signed": 12000}, "Enter a date such as 2023-03-01, not “12000”."),
        (h.SIGNED_ON, {"signed": "2024-02-30"}, "Enter a date such as 2023-03-01, not “2024-02-30”."),
    ],
    ids=["text-amount", "percentage", "bad-grouping", "text-date", "amount-as-date", "no-such-day"],
)
def test_a_cell_the_column_cannot_take_is_an_error_of_its_row_and_column(column, cells, message, key_industry, db):
    rows = [*TWO_ROW_HEADER, project_row(key_industry), project_row(key_industry, **cells)]
    rows[4][0] = "乙项目"
    result = run(AttractionProjectResource(year=2024), attraction_sheet(rows, TWO_ROW_MERGES))
    assert errors(result) == [(5, column, message)]
    assert not AttractionProject.objects.exists()


def test_a_sheet_over_the_row_limit_is_an_error_of_the_file_naming_the_setting(settings, tmp_path, db):
    settings.IMPORT_MAX_ROWS = 5
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx_bytes([[h.NAME, h.INVESTOR], *([f"项目{i}", "x"] for i in range(10))]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_ledger", str(path), model="attraction-projects", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == "文件 The sheet “Sheet1” has more than 5 rows (IMPORT_MAX_ROWS).\n"


@pytest.mark.parametrize(("at", "column"), [(4, h.CONTRACT_AMOUNT), (1, h.INVESTOR)], ids=["amount", "text"])
def test_a_cell_showing_a_formula_error_is_an_error_of_its_row_and_column(at, column, key_industry, db):
    rows = [*TWO_ROW_HEADER, project_row(key_industry)]
    rows[3][at] = "#N/A"  # openpyxl writes it as an error cell, as Excel saves a failed VLOOKUP
    result = run(AttractionProjectResource(year=2024), attraction_sheet(rows, TWO_ROW_MERGES))
    assert errors(result) == [
        (4, column, "The cell shows the formula error #N/A: correct the formula or type the value.")
    ]


def test_a_number_formatted_as_a_percentage_in_an_amount_column_is_an_error(key_industry, db):
    workbook = openpyxl.load_workbook(io.BytesIO(attraction_sheet([*TWO_ROW_HEADER, project_row(key_industry)])))
    sheet = workbook.active
    sheet["F4"] = 0.8
    sheet["F4"].number_format = "0%"  # 固定资产投资 typed as 80%
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(AttractionProjectResource(year=2024), buffer.getvalue())
    assert errors(result) == [(4, h.FIXED_ASSET_INVESTMENT, "“80%” is a percentage, not an amount.")]
