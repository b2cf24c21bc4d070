"""The quarterly export: its summary is the quota report, its flags the report's conditions,
its files reproducible (CSV byte for byte, XLSX cell for cell), its text inert."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from investment import quotas
from investment.exporters import QuarterlyExporter
from jiaxian.exporting import Column, Format, Kind, Sheet, escape_formula, write_csv_zip, write_xlsx
from projects.tests.helpers import approved_report

Q2_END = datetime.date(2023, 6, 30)
GENERATED = datetime.datetime(2023, 7, 1, 9, 30)


def xlsx(exporter) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(exporter.render()))


def csv_sheets(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def table(workbook, name: str) -> list[dict]:
    """The data rows of sheet ``name`` (header in row 1, totals row last) as dicts."""
    rows = list(workbook[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:-1]]


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)


@pytest.fixture
def ledgers(plan, make_listing, make_bond_reserve, make_attraction_project, other_industry):
    make_listing(listed_on=datetime.date(2023, 2, 1))
    make_listing(listed_on=datetime.date(2023, 7, 1))  # after Q2: not on the Q2 list
    make_bond_reserve()
    make_bond_reserve(reserved_on=datetime.date(2023, 3, 1), submitted_on=datetime.date(2023, 4, 1))
    make_attraction_project(signed_on=datetime.date(2023, 1, 5), started_on=datetime.date(2023, 3, 1))
    make_attraction_project(signed_on=datetime.date(2023, 2, 5), industry=other_industry)
    make_attraction_project(signed_on=datetime.date(2023, 3, 5), contract_amount=Decimal("9999.99"))
    return plan


def test_the_summary_has_every_figure_of_the_quota_report_at_the_quarter_end(ledgers, today):
    workbook = xlsx(QuarterlyExporter(ledgers, 2, generated_at=GENERATED))
    rows = list(workbook["汇总"].iter_rows(values_only=True))
    header = rows.index(("指标", "完成值", "目标值", "是否达标", "计入项目数（个）", "基数项目数（个）"))
    assert rows[3][:2] == ("截至日期", datetime.datetime(2023, 6, 30))
    report = quotas.report(ledgers, Q2_END)
    lines = [*report.targets, *report.indicators]
    written = rows[header + 1 : header + 1 + len(lines)]
    assert len(written) == len(lines)
    # Below the figures, after an empty line, the signature block of the printed page.
    assert [row[0] for row in rows[header + 1 + len(lines) :]] == [None, "填报单位（盖章）：", "联系电话："]
    for line, row in zip(lines, written, strict=True):
        assert row[0] == str(line.label)
        assert Decimal(str(row[1])) == line.value
        assert (row[2] is None) == (line.threshold is None)
        if line.threshold is not None:
            assert Decimal(str(row[2])) == line.threshold
        assert row[3] == {True: "是", False: "否", None: "不考核"}[line.met]
        assert (row[4], row[5]) == (line.numerator, line.denominator)


@pytest.mark.parametrize(
    ("contract", "fixed", "expected"),
    [
        ("10000.00", "8000.00", "是"),
        ("9999.99", "8000.00", "否"),
        ("10000.00", "7999.99", "否"),
    ],
)
def test_the_100_million_flag_follows_the_plan_minimums_to_the_cent(
    plan, make_attraction_project, contract, fixed, expected
):
    make_attraction_project(
        signed_on=datetime.date(2023, 1, 5), contract_amount=Decimal(contract), fixed_asset_investment=Decimal(fixed)
    )
    (row,) = table(xlsx(QuarterlyExporter(plan, 2)), "招商引资项目")
    assert row["是否亿元以上项目"] == expected


@pytest.mark.parametrize(
    ("started_on", "expected", "shown"),
    [
        (datetime.date(2023, 6, 30), "是", datetime.datetime(2023, 6, 30)),
        (datetime.date(2023, 7, 1), "否", None),
        (None, "否", None),
    ],
)
def test_the_started_flag_counts_a_start_on_the_quarter_last_day_and_not_the_day_after(
    plan, make_attraction_project, started_on, expected, shown
):
    make_attraction_project(signed_on=datetime.date(2023, 1, 5), started_on=started_on)
    (row,) = table(xlsx(QuarterlyExporter(plan, 2)), "招商引资项目")
    assert row["是否开工"] == expected
    assert row["开工日期"] == shown  # a start after the as-of day was not known then


def test_the_key_industry_flag_follows_the_industry(plan, make_attraction_project, other_industry):
    make_attraction_project(name="A", signed_on=datetime.date(2023, 1, 5))
    make_attraction_project(name="B", signed_on=datetime.date(2023, 1, 5), industry=other_industry)
    rows = table(xlsx(QuarterlyExporter(plan, 2)), "招商引资项目")
    assert [row["是否重点产业"] for row in rows] == ["是", "否"]


def test_a_project_signed_the_day_after_the_quarter_is_left_out(plan, make_attraction_project):
    make_attraction_project(signed_on=datetime.date(2023, 6, 30))
    make_attraction_project(signed_on=datetime.date(2023, 7, 1))
    assert len(table(xlsx(QuarterlyExporter(plan, 2)), "招商引资项目")) == 1


def test_the_totals_rows_add_up_to_the_report(ledgers, today):
    workbook = xlsx(QuarterlyExporter(ledgers, 2))
    report = quotas.report(ledgers, Q2_END)
    key_total = list(workbook["重点项目"].iter_rows(values_only=True))[-1]
    assert Decimal(str(key_total[11])) == report["key_project_total_investment"].value
    reserve_total = list(workbook["专项债储备"].iter_rows(values_only=True))[-1]
    assert Decimal(str(reserve_total[8])) == report["bond_reserve_demand"].value
    attraction_total = list(workbook["招商引资项目"].iter_rows(values_only=True))[-1]
    assert attraction_total[1] == "合计（3个项目）"
    assert attraction_total[-3:] == (
        report["attraction_big_share"].numerator,
        report["attraction_key_industry_share"].numerator,
        report["attraction_started_share"].numerator,
    )


def test_the_xlsx_has_frozen_headers_autofilters_and_number_formats(ledgers):
    workbook = xlsx(QuarterlyExporter(ledgers, 2))
    sheet = workbook["招商引资项目"]
    assert workbook.sheetnames == ["汇总", "重点项目", "专项债储备", "招商引资项目", "督办事项", "年度目标指标"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:S")
    assert sheet["J2"].number_format == "#,##0.00"
    assert isinstance(sheet["J2"].value, int | float)
    assert sheet["M2"].is_date
    assert workbook["汇总"]["B15"].number_format == "0.00%"


def test_each_csv_starts_with_a_byte_order_mark_and_has_the_xlsx_columns(ledgers):
    sheets = csv_sheets(QuarterlyExporter(ledgers, 2, format=Format.CSV).render())
    assert list(sheets) == [
        "1-汇总.csv",
        "2-重点项目.csv",
        "3-专项债储备.csv",
        "4-招商引资项目.csv",
        "5-督办事项.csv",
        "6-年度目标指标.csv",
    ]
    for content in sheets.values():
        assert content.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(sheets["4-招商引资项目.csv"].decode("utf-8-sig"))))
    workbook = xlsx(QuarterlyExporter(ledgers, 2))
    assert tuple(header) == next(workbook["招商引资项目"].iter_rows(values_only=True))


def test_two_csv_exports_of_unchanged_data_are_byte_identical(ledgers):
    first = QuarterlyExporter(ledgers, 2, format="csv", generated_at=GENERATED).render()
    second = QuarterlyExporter(ledgers, 2, format="csv", generated_at=GENERATED + datetime.timedelta(hours=5)).render()
    assert first == second


def test_two_xlsx_exports_differ_only_in_the_generation_time(ledgers):
    first = xlsx(QuarterlyExporter(ledgers, 2, generated_at=GENERATED))
    second = xlsx(QuarterlyExporter(ledgers, 2, generated_at=GENERATED + datetime.timedelta(hours=5)))
    differences = [
        (sheet.title, cell.coordinate)
        for sheet in first
        for row in sheet.iter_rows()
        for cell in row
        if cell.value != second[sheet.title][cell.coordinate].value
    ]
    assert differences == [("汇总", "B5")]


def test_two_xlsx_exports_with_the_same_generation_time_are_byte_identical(ledgers):
    assert QuarterlyExporter(ledgers, 2, generated_at=GENERATED).render() == (
        QuarterlyExporter(ledgers, 2, generated_at=GENERATED).render()
    )


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x")'])
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_escaped_in_both_formats(text):
    sheets = [Sheet("s", [Column("名称"), Column("金额（万元）", Kind.AMOUNT)], [[text, Decimal("-5.00")]])]
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer, fixed_time=datetime.datetime(2023, 6, 30), generated_at=GENERATED)
    sheet = openpyxl.load_workbook(buffer)["s"]
    assert sheet["A2"].value == "'" + text
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5  # numbers are not text: left alone
    buffer = io.BytesIO()
    sheets = [Sheet("s", [Column("名称"), Column("金额（万元）", Kind.AMOUNT)], [[text, Decimal("-5.00")]])]
    write_csv_zip(sheets, buffer, fixed_time=datetime.datetime(2023, 6, 30))
    rows = list(csv.reader(io.StringIO(csv_sheets(buffer.getvalue())["1-s.csv"].decode("utf-8-sig"))))
    assert rows[1] == ["'" + text, "-5.00"]
    assert escape_formula("郏县") == "郏县"


def test_a_project_name_starting_with_an_equals_sign_is_escaped_in_the_export(plan, make_attraction_project):
    make_attraction_project(name="=CMD()", signed_on=datetime.date(2023, 1, 5))
    (row,) = table(xlsx(QuarterlyExporter(plan, 2)), "招商引资项目")
    assert row["项目名称"] == "'=CMD()"


def test_the_export_asks_the_same_number_of_queries_at_10_and_100_projects(
    plan, make_attraction_project, build_attraction_project, django_assert_num_queries
):
    from investment.models import AttractionProject

    def export():
        QuarterlyExporter(plan, 2, format="csv").render()

    AttractionProject.objects.bulk_create(
        [build_attraction_project(signed_on=datetime.date(2023, 1, 5)) for _ in range(10)]
    )
    # The report's four aggregates (one per ledger, one of the key projects' monthly progress),
    # then one query per ledger sheet, one for the supervision orders and one for the plan's
    # indicators.
    with django_assert_num_queries(9):
        export()
    AttractionProject.objects.bulk_create(
        [build_attraction_project(signed_on=datetime.date(2023, 1, 5)) for _ in range(90)]
    )
    with django_assert_num_queries(9):
        export()


def test_key_projects_show_the_quarters_and_the_years_completed_investment(plan, make_listing):
    listing = make_listing(year=2023, listed_on=datetime.date(2023, 2, 1), planned_investment=Decimal("1000.00"))
    for month, amount in ((3, "100.00"), (4, "20.00"), (6, "3.00"), (7, "999.00")):
        approved_report(listing.project, datetime.date(2023, month, 1), amount)
    workbook = xlsx(QuarterlyExporter(plan, 2))
    [row] = table(workbook, "重点项目")
    # Q2 is April to June; the year to the quarter's end is March to June; July is after it.
    assert Decimal(str(row["本季度完成投资（万元）"])) == Decimal("23.00")
    assert Decimal(str(row["年度累计完成投资（万元）"])) == Decimal("123.00")
    totals = list(workbook["重点项目"].iter_rows(values_only=True))[-1]
    assert [Decimal(str(value)) for value in totals[13:15]] == [Decimal("23.00"), Decimal("123.00")]


def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_its_header_row_on_every_page(ledgers, today):
    workbook = xlsx(QuarterlyExporter(ledgers, 2, generated_at=GENERATED))
    for sheet in workbook.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize), int(setup.fitToWidth)) == ("landscape", 9, 1), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        header_row = next(row[0].row for row in sheet.iter_rows() if row[0].value in {"指标", "序号", "项目名称"})
        assert sheet.print_title_rows == f"${header_row}:${header_row}"
        assert sheet.oddHeader.center.text == "郏县 2023年第2季度 截至2023-06-30"
        assert (sheet.oddFooter.left.text, sheet.oddFooter.right.text) == ("&A", "第 &P 页，共 &N 页")
    # The summary on one page; the ledgers as many pages long as they take.
    assert [int(sheet.page_setup.fitToHeight) for sheet in workbook.worksheets] == [1, 0, 0, 0, 0, 0]


def test_the_csv_has_no_signature_block(ledgers, today):
    members = csv_sheets(QuarterlyExporter(ledgers, 2, format="csv", generated_at=GENERATED).render())
    summary = next(data.decode("utf-8-sig") for name, data in members.items() if "汇总" in name)
    assert "各项指标" in summary and "填报单位" not in summary and "负责人" not in summary


def test_the_export_asks_the_same_number_of_queries_whatever_the_number_of_records_of_every_ledger(
    plan,
    make_listing,
    build_bond_reserve,
    build_attraction_project,
    make_attraction_project,
    make_order,
    make_indicator,
    department,
    django_assert_num_queries,
):
    """Each ledger grown fivefold, rows of each sheet: no query per row (a sheet reading model
    instances and their relations would ask one per reserve, or per project, or per order and
    its replies and what it concerns)."""
    from investment.models import AttractionProject
    from investment.tests.helpers import reply
    from projects.models import BondReserve, Problem
    from projects.tests.helpers import approved_value

    def grow(count: int) -> None:
        for number in range(count):
            approved_value(make_indicator(), datetime.date(2023, 1, 1), "10")
            listing = make_listing(year=2023, listed_on=datetime.date(2023, 2, 1))
            # Orders about each kind of record, replied to or not.
            concerning = [
                {"key_project": listing.project},
                {"attraction_project": make_attraction_project(signed_on=datetime.date(2023, 7, 5))},
                {
                    "problem": Problem.objects.create(
                        project=listing.project,
                        description="问题",
                        raised_on=datetime.date(2023, 2, 1),
                        department=department,
                    )
                },
            ][number % 3]
            order = make_order(**concerning)
            if number % 2:
                reply(order, datetime.date(2023, 3, 10))
        BondReserve.objects.bulk_create([build_bond_reserve() for _ in range(count)])
        AttractionProject.objects.bulk_create(
            [build_attraction_project(signed_on=datetime.date(2023, 1, 5)) for _ in range(count)]
        )

    def rows(format: str) -> int:
        return QuarterlyExporter(plan, 2, format=format).write(io.BytesIO())

    # The report's four aggregates, one query per ledger sheet, one for the orders, one for the
    # plan's indicators.
    grow(4)
    before = {}
    for format in ("xlsx", "csv"):
        with django_assert_num_queries(9):
            before[format] = rows(format)
    grow(16)
    for format in ("xlsx", "csv"):
        with django_assert_num_queries(9):
            assert rows(format) - before[format] == 16 * 5  # every new record is a row


def test_the_reserves_sheet_says_which_of_the_three_documents_each_had_by_the_quarter_end(
    plan, make_bond_reserve, attachments_in_a_temporary_folder
):
    from django.utils import timezone

    from projects.attachments import Upload, attach
    from projects.choices import AttachmentKindChoices as Doc
    from projects.models import Attachment
    from projects.tests.test_attachments import pdf

    complete = make_bond_reserve(name="甲储备", reserved_on=datetime.date(2023, 3, 1))
    partial = make_bond_reserve(name="乙储备", reserved_on=datetime.date(2023, 3, 1))
    for kind in (Doc.IMPLEMENTATION_PLAN, Doc.FINANCIAL_EVALUATION, Doc.LEGAL_OPINION):
        attach(complete, [Upload(f"{kind}.pdf", pdf())], kind=kind)
    [late] = attach(partial, [Upload("方案.pdf", pdf())], kind=Doc.IMPLEMENTATION_PLAN)
    attach(partial, [Upload("合同.pdf", pdf())], kind=Doc.CONTRACT)  # not one of the three
    in_q2 = timezone.make_aware(datetime.datetime(2023, 6, 30, 23, 30))
    Attachment.objects.exclude(pk=late.pk).update(created_at=in_q2)
    # Uploaded on the first day of Q3 (the county's day): not yet there at the end of Q2.
    Attachment.objects.filter(pk=late.pk).update(created_at=timezone.make_aware(datetime.datetime(2023, 7, 1, 0, 10)))
    columns = ("是否有实施方案", "是否有财务评价报告", "是否有法律意见书")
    q2, q3 = xlsx(QuarterlyExporter(plan, 2)), xlsx(QuarterlyExporter(plan, 3))
    assert {row["项目名称"]: [row[c] for c in columns] for row in table(q2, "专项债储备")} == {
        "甲储备": ["是", "是", "是"],
        "乙储备": ["否", "否", "否"],
    }
    assert {row["项目名称"]: [row[c] for c in columns] for row in table(q3, "专项债储备")}["乙储备"] == [
        "是",
        "否",
        "否",
    ]
    # The totals row counts the reserves that have each.
    assert list(q3["专项债储备"].iter_rows(values_only=True))[-1][-3:] == (2, 1, 1)
