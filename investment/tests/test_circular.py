"""The 排名通报 admin page and the monthly circular (issue 18 items 1 and 2): the page's marks,
sorting, links and 400s; the circular's sheets through its three doors (the admin page, the
command, the API), as of the month's end, with the red and the black lists named."""

from __future__ import annotations

import datetime
import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from investment import rankings
from investment.circular import AREA_SHEET, DEPARTMENT_SHEET, SUMMARY_SHEET, CircularExporter

d = datetime.date


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)


@pytest.fixture
def case(plan, make_department, make_area, make_attraction_project):
    """Seven departments ranked by their signed attraction projects in June (6, 5, 4, 4, 3, 1, 1),
    each in an area of its own; a project signed in July, after the circular's day, for U7."""
    made = {}
    for code, count in {"U1": 6, "U2": 5, "U3": 4, "U4": 4, "U5": 3, "U6": 1, "U7": 1}.items():
        department, area = make_department(code=code, name=f"局{code}"), make_area(code=f"A{code}", name=f"镇{code}")
        made[code] = department
        for _ in range(count):
            make_attraction_project(department=department, area=area, signed_on=d(2023, 6, 10))
    make_attraction_project(department=made["U7"], signed_on=d(2023, 7, 1))
    return made


def rows_of(workbook, name: str) -> list[tuple]:
    return list(workbook[name].iter_rows(values_only=True))


def table(rows: list[tuple], first: str) -> list[tuple]:
    """The rows from the header that starts with ``first`` on."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == first)
    return rows[start:]


def test_the_circular_has_the_summary_with_both_lists_then_departments_and_areas(plan, case):
    workbook = openpyxl.load_workbook(io.BytesIO(CircularExporter(plan, 6).render()))
    assert workbook.sheetnames == [SUMMARY_SHEET, DEPARTMENT_SHEET, AREA_SHEET]
    summary = rows_of(workbook, SUMMARY_SHEET)
    assert ("截至日期", datetime.datetime(2023, 6, 30), None, None, None) in summary
    lines = [row[:4] for row in table(summary, "榜单")[1:]]
    red_departments = [row[3] for row in lines if row[:2] == ("红榜", "部门")]
    black_departments = [row[3] for row in lines if row[:2] == ("黑榜", "部门")]
    assert red_departments == ["局U1", "局U2", "局U3", "局U4"]  # U3 and U4 tie for the third place
    assert black_departments == ["局U6", "局U7", "局U5"]  # July's signing is not counted in June's
    assert [row[3] for row in lines if row[:2] == ("红榜", "区域")] == ["镇U1", "镇U2", "镇U3", "镇U4"]
    departments = table(rows_of(workbook, DEPARTMENT_SHEET), "名次")
    header = departments[0]
    assert len(header) == 5 + 3 * len(rankings.INDICATORS)
    first = dict(zip(header, departments[1], strict=True))
    assert (first["名次"], first["代码"], first["综合得分"], first["榜单"]) == (1, "U1", 100, "红榜")
    signed = next(h for h in header if h.startswith("招商项目签约数") and "权重" in h)
    assert first[signed] == 6
    # Every department is there, the ones with nothing to rank without a rank.
    assert {row[1] for row in departments[1:]} >= {"U1", "U7"}
    assert table(rows_of(workbook, AREA_SHEET), "名次")[1][1] == "AU1"


def test_the_circular_prints_readably(plan, case):
    """The summary on one page; each ranking three pages wide (one page wide its 32 columns
    printed too small to read), the rank, code and name heading every page."""
    workbook = openpyxl.load_workbook(io.BytesIO(CircularExporter(plan, 6).render()))
    summary = workbook[SUMMARY_SHEET]
    assert (summary.page_setup.fitToWidth, summary.page_setup.fitToHeight) == (1, 1)
    # The preamble's day and time stand in the 类别 column: wide enough to show them, not ###.
    assert summary.column_dimensions["B"].width >= 19
    for name in (DEPARTMENT_SHEET, AREA_SHEET):
        sheet = workbook[name]
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (3, 0)
        assert sheet.print_title_cols == "$A:$C"
        header_row = int(sheet.print_title_rows.split(":")[0].lstrip("$"))
        assert [sheet.cell(header_row, column).value for column in (1, 2, 3)] == ["名次", "代码", "单位"]


def test_the_circular_ranks_as_of_the_months_end(plan, case):
    exporter = CircularExporter(plan, 7)
    assert exporter.as_of == d(2023, 7, 31)
    assert {unit.code: unit.figures["attraction_signed"].value for unit in exporter.departments.units}["U7"] == 2
    assert exporter.page_header.endswith("2023年7月排名通报 截至2023-07-31")


def test_a_month_outside_the_year_is_refused(plan):
    with pytest.raises(ValueError):
        CircularExporter.for_month(2023, 13)


def test_the_command_writes_the_circular(plan, case, tmp_path):
    out = io.StringIO()
    path = tmp_path / "circular.xlsx"
    call_command("export_circular", "--year", "2023", "--month", "6", "--output", str(path), stdout=out)
    assert str(path) in out.getvalue() and "sha256" in out.getvalue()
    assert openpyxl.load_workbook(path).sheetnames == [SUMMARY_SHEET, DEPARTMENT_SHEET, AREA_SHEET]


@pytest.mark.parametrize(
    ("arguments", "word"),
    [(["--year", "2023", "--month", "13"], "--month"), (["--year", "20x3", "--month", "6"], "--year")],
)
def test_the_command_refuses_a_bad_argument_naming_it(plan, arguments, word):
    with pytest.raises(CommandError, match=word):
        call_command("export_circular", *arguments)


def test_the_command_needs_a_plan(db):
    with pytest.raises(CommandError, match="no year plan"):
        call_command("export_circular", "--year", "2030", "--month", "6")


def test_the_api_answers_the_circular_and_refuses_bad_parameters(admin_user, plan, case):
    client = APIClient()
    client.force_authenticate(admin_user)
    answer = client.get("/api/exports/circular/", {"year": 2023, "month": 6})
    assert answer.status_code == 200
    body = b"".join(answer.streaming_content)
    assert openpyxl.load_workbook(io.BytesIO(body)).sheetnames[0] == SUMMARY_SHEET
    for query, name in (({"year": 2023, "month": 13}, "month"), ({"year": 2023}, "month"), ({"month": 6}, "year")):
        refused = client.get("/api/exports/circular/", query)
        assert refused.status_code == 400 and list(refused.json()) == [name]
    assert client.get("/api/exports/circular/", {"year": 2030, "month": 6}).status_code == 404


def test_the_admin_page_downloads_the_circular(admin_client, plan, case):
    assert admin_client.get("/admin/exports/circular/?year=2023&month=6").status_code == 200
    answer = admin_client.post("/admin/exports/circular/", {"year": "2023", "month": "6", "format": "xlsx"})
    assert answer.status_code == 200
    assert "排名通报" in answer["Content-Disposition"] or "%E6%8E%92" in answer["Content-Disposition"]
    assert admin_client.post("/admin/exports/circular/", {"year": "2023", "month": "0"}).status_code == 400


# --- the 排名通报 page ---------------------------------------------------------------------------


def test_the_page_marks_the_red_and_black_lists_and_links_the_figures(admin_client, plan, case):
    page = admin_client.get("/admin/rankings/", {"year": 2023, "as_of": "2023-06-30"})
    assert page.status_code == 200
    text = page.content.decode()
    red = re.findall(r'<tr class="on-red-list" data-unit="(\w+)"', text)
    black = re.findall(r'<tr class="on-black-list" data-unit="(\w+)"', text)
    assert red == ["U1", "U2", "U3", "U4"] and sorted(black) == ["U5", "U6", "U7"]
    links = [html.unescape(each) for each in re.findall(r'href="(/admin/investment/attractionproject/\?[^"]*)"', text)]
    u1 = next(
        each
        for each in links
        if f"department__id__exact={case['U1'].pk}&" in each + "&" and "quota=attraction_count" in each
    )
    # The list behind U1's count of signed projects holds its six projects.
    listed = admin_client.get(u1)
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 6


def test_the_page_sorts_by_an_indicator(admin_client, plan, case, listed_late):
    page = admin_client.get("/admin/rankings/", {"year": 2023, "as_of": "2023-06-30", "sort": "late_reports"})
    order = re.findall(r'data-unit="(\w+)"', page.content.decode())
    # Only the late department has a rank on it: first, the rest after it.
    assert order[0] == listed_late.code


@pytest.fixture
def listed_late(make_department, make_listing, make_key_project):
    department = make_department(code="LATE")
    make_listing(project=make_key_project(department=department), planned_investment=Decimal("100.00"))
    return department


@pytest.mark.parametrize(
    "query",
    [
        {"year": "20x3"},
        {"year": 2023, "as_of": "2023-02-30"},
        {"year": 2023, "by": "town"},
        {"year": 2023, "sort": "x"},
    ],
)
def test_the_page_refuses_a_bad_parameter(admin_client, plan, query):
    page = admin_client.get("/admin/rankings/", query)
    assert page.status_code == 400
    assert 'class="errornote"' in page.content.decode()
