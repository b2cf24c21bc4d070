"""Importing key projects and bond reserves from XLSX and CSV (``projects/resources.py``): dry run,
all or nothing with errors naming row and column, natural keys, blank cells, references,
departments, title rows and encodings, and the queries an import costs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from jiaxian.importing import LedgerCSV
from jiaxian.tests.import_helpers import csv_bytes, errors, kinds, run, xlsx_bytes
from projects import headers as h, validation
from projects.choices import MilestoneKindChoices
from projects.models import AnnualListing, BondReserve, KeyProject, Milestone
from projects.resources import BondReserveResource, KeyProjectResource

KEY_HEADERS = [
    h.SERIAL,
    h.NAME,
    h.PROJECT_CODE,
    h.OWNER,
    h.INDUSTRY,
    h.AREA,
    h.DEPARTMENT,
    h.NATURE,
    h.LISTING_CATEGORY,
    h.LISTED_ON,
    h.TOTAL_INVESTMENT,
    h.PLANNED_INVESTMENT,
    h.STARTED_ON,
    h.PROGRESS,
]
BOND_HEADERS = [
    h.NAME,
    h.PROJECT_CODE,
    h.SECTOR,
    h.OWNER,
    h.DEPARTMENT,
    h.AREA,
    h.TOTAL_INVESTMENT,
    h.BOND_DEMAND,
    h.CAPITAL_PORTION,
    h.EXPECTED_INCOME,
    h.PRINCIPAL_AND_INTEREST,
    h.COVERAGE_RATIO,
    h.RESERVED_ON,
]
CODE = "2023-410425-30-03-000001"


@pytest.fixture(autouse=True)
def english():
    """Messages in English, as the tests spell them (the clerk reads their translation)."""
    with translation.override("en"):
        yield


def line(headers, **values) -> list:
    """A row in the order of ``headers``; keyword names are the headers' constant names."""
    by_header = {getattr(h, key): value for key, value in values.items()}
    return [by_header.get(header) for header in headers]


@pytest.fixture
def key_row(key_industry, area, department):
    def make(**values):
        values = {
            "NAME": "郏县新材料产业园",
            "OWNER": "郏县建投",
            "INDUSTRY": key_industry.code,
            "AREA": area.name,
            "DEPARTMENT": department.name,
            "NATURE": "新建",
            "TOTAL_INVESTMENT": 50000,
            "STARTED_ON": datetime.datetime(2023, 3, 1),
            "PROGRESS": "在建",
            **values,
        }
        return line(KEY_HEADERS, **values)

    return make


@pytest.fixture
def bond_row(sector, area, department):
    def make(**values):
        values = {
            "NAME": "郏县城区污水管网",
            "SECTOR": sector.name,
            "OWNER": "郏县水务",
            "DEPARTMENT": department.code,
            "AREA": area.code,
            "TOTAL_INVESTMENT": "20000.00",
            "BOND_DEMAND": "10000.00",
            "CAPITAL_PORTION": "0.00",
            "EXPECTED_INCOME": "15000.00",
            "PRINCIPAL_AND_INTEREST": "12000.00",
            "COVERAGE_RATIO": "1.2500",
            "RESERVED_ON": "2023-03-01",
            **values,
        }
        return line(BOND_HEADERS, **values)

    return make


def test_a_dry_run_reports_each_row_and_writes_nothing(key_row, today):
    data = xlsx_bytes([KEY_HEADERS, key_row(), key_row(NAME="第二个项目")])
    result = run(KeyProjectResource(), data, dry_run=True)
    assert errors(result) == []
    assert kinds(result) == [(2, "new"), (3, "new")]
    assert not KeyProject.objects.exists()


def test_one_bad_row_writes_nothing_and_each_error_names_its_row_and_column(bond_row, today):
    data = xlsx_bytes(
        [
            ["郏县2023年专项债券储备项目台账"],
            [],
            BOND_HEADERS,
            bond_row(),
            bond_row(NAME="坏行", BOND_DEMAND="很多", SECTOR="不存在的领域"),
            bond_row(NAME="另一个", BOND_DEMAND="30000.00"),
        ]
    )
    result = run(BondReserveResource(year=2023), data)
    assert errors(result) == [
        (5, h.SECTOR, "There is no bond sector with the code or name “不存在的领域”."),
        (5, h.BOND_DEMAND, "Enter an amount in 万元, not “很多”."),
        (6, h.BOND_DEMAND, "bond demand (万元) (30000.00) cannot exceed total investment (万元) (20000.00)."),
    ]
    assert not BondReserve.objects.exists()


def test_re_importing_updates_by_code_or_by_name_without_duplicating(key_row, make_key_project, admin_user, today):
    coded = make_key_project(name="旧名称", project_code=CODE)
    named = make_key_project(name="按名称匹配的项目")
    data = xlsx_bytes(
        [
            KEY_HEADERS,
            key_row(NAME="新名称", PROJECT_CODE=CODE.replace("-", "-", 4), TOTAL_INVESTMENT=60000),
            key_row(NAME="按名称匹配的项目", TOTAL_INVESTMENT="70,000.50"),
        ]
    )
    result = run(KeyProjectResource(), data, user=admin_user)
    assert errors(result) == []
    assert kinds(result) == [(2, "update"), (3, "update")]
    assert KeyProject.objects.count() == 2
    coded.refresh_from_db()
    named.refresh_from_db()
    assert (coded.name, coded.total_investment, coded.version) == ("新名称", Decimal("60000.00"), 2)
    assert (named.total_investment, named.version) == (Decimal("70000.50"), 2)
    assert named.history.first().history_user == admin_user


def test_bond_reserves_are_keyed_by_name_and_year(bond_row, make_bond_reserve, today):
    earlier = make_bond_reserve(name="郏县城区污水管网", year=2022, reserved_on=datetime.date(2022, 3, 1))
    same_year = make_bond_reserve(name="郏县城区污水管网", year=2023)
    result = run(BondReserveResource(year=2023), xlsx_bytes([BOND_HEADERS, bond_row(OWNER="新的项目单位")]))
    assert errors(result) == []
    assert kinds(result) == [(2, "update")]
    same_year.refresh_from_db()
    earlier.refresh_from_db()
    assert same_year.owner == "新的项目单位"
    assert earlier.version == 1


def test_an_unchanged_row_is_not_saved_and_leaves_version_and_history_alone(bond_row, make_bond_reserve, today):
    reserve = make_bond_reserve(name="郏县城区污水管网", owner="郏县水务")
    before = reserve.history.count()
    result = run(BondReserveResource(year=2023), xlsx_bytes([BOND_HEADERS, bond_row()]))
    assert kinds(result) == [(2, "skip")]
    reserve.refresh_from_db()
    assert (reserve.version, reserve.history.count()) == (1, before)


def test_a_blank_cell_leaves_the_existing_value_and_a_new_record_empty(key_row, make_key_project, today):
    existing = make_key_project(name="已有项目", started_on=datetime.date(2023, 2, 1), leader="张三")
    data = xlsx_bytes([KEY_HEADERS, key_row(NAME="已有项目", STARTED_ON=None), key_row(NAME="新项目", STARTED_ON="")])
    result = run(KeyProjectResource(), data)
    assert errors(result) == []
    existing.refresh_from_db()
    assert existing.started_on == datetime.date(2023, 2, 1)
    assert existing.leader == "张三"
    assert KeyProject.objects.get(name="新项目").started_on is None


def test_a_new_record_without_a_required_value_is_refused_naming_the_column(key_row, today):
    result = run(KeyProjectResource(), xlsx_bytes([KEY_HEADERS, key_row(OWNER=None)]))
    assert errors(result) == [(2, h.OWNER, "This field cannot be blank.")]


def test_title_rows_above_the_header_and_blank_rows_after_the_data_are_skipped(bond_row, today):
    rows = [["专项债券储备项目台账"], ["填报单位：县发改委", None, "2023年"], [], BOND_HEADERS, bond_row()]
    rows += [bond_row(NAME="第二行", PRINCIPAL_AND_INTEREST="0")] + [[]] * 5 + [[None, "  "], line(BOND_HEADERS)]
    rows += [line(BOND_HEADERS, COVERAGE_RATIO="1.2500")]  # a derived value only: nothing to import
    result = run(BondReserveResource(year=2023), xlsx_bytes(rows))
    assert errors(result) == [(6, h.PRINCIPAL_AND_INTEREST, "Ensure this value is greater than or equal to 0.01.")]
    assert result.total_rows == 2


def test_the_totals_row_and_derived_columns_are_ignored(bond_row, today):
    total = line(BOND_HEADERS, NAME=h.total_label(1), TOTAL_INVESTMENT="20000.00", COVERAGE_RATIO="不是数字")
    result = run(BondReserveResource(year=2023), xlsx_bytes([BOND_HEADERS, bond_row(COVERAGE_RATIO="9.99"), total]))
    assert errors(result) == []
    assert kinds(result) == [(2, "new")]


def test_references_are_found_by_code_or_by_name_and_an_unknown_one_names_its_column(
    key_row, make_industry, department, area, today
):
    industry = make_industry(code="SI", name="硅材料")
    data = xlsx_bytes(
        [
            KEY_HEADERS,
            key_row(NAME="按代码", INDUSTRY="si", DEPARTMENT=department.code, AREA=area.code),
            key_row(NAME="按名称", INDUSTRY="硅材料", DEPARTMENT=department.name, AREA=area.name),
        ]
    )
    assert errors(run(KeyProjectResource(), data)) == []
    assert set(KeyProject.objects.values_list("industry", flat=True)) == {industry.pk}
    bad = run(KeyProjectResource(), xlsx_bytes([KEY_HEADERS, key_row(NAME="第三个", AREA="火星")]))
    assert errors(bad) == [(2, h.AREA, "There is no area with the code or name “火星”.")]


def test_a_name_two_references_share_is_ambiguous(key_row, make_industry, today):
    make_industry(name="同名产业")
    make_industry(name="同名产业")
    result = run(KeyProjectResource(), xlsx_bytes([KEY_HEADERS, key_row(INDUSTRY="同名产业")]))
    assert errors(result) == [(2, h.INDUSTRY, "Several industry records are named “同名产业”: give the code.")]


def test_two_rows_about_one_project_are_an_error(key_row, today):
    result = run(KeyProjectResource(), xlsx_bytes([KEY_HEADERS, key_row(), key_row()]))
    assert errors(result) == [(3, h.NAME, "Row 2 is already about this project.")]
    assert not KeyProject.objects.exists()


def test_with_a_year_a_key_project_row_creates_then_updates_its_listing(key_row, today):
    row = key_row(LISTING_CATEGORY="新开工", LISTED_ON="2023-02-15", PLANNED_INVESTMENT=10000)
    assert errors(run(KeyProjectResource(year=2023), xlsx_bytes([KEY_HEADERS, row]))) == []
    listing = AnnualListing.objects.get()
    assert (listing.year, listing.category, listing.planned_investment) == (2023, "new_start", Decimal("10000"))
    row = key_row(LISTING_CATEGORY="续建", LISTED_ON="2023-02-15", PLANNED_INVESTMENT=10000)
    result = run(KeyProjectResource(year=2023), xlsx_bytes([KEY_HEADERS, row]))
    assert kinds(result) == [(2, "update")]
    listing.refresh_from_db()
    assert (listing.category, listing.version) == ("continuing", 2)
    assert KeyProject.objects.get().version == 1  # only the listing changed


def test_a_total_investment_below_a_stored_listings_planned_investment_is_an_error_of_its_column(key_row, today):
    row = key_row(LISTING_CATEGORY="新开工", LISTED_ON="2023-02-15", PLANNED_INVESTMENT=30000)
    assert errors(run(KeyProjectResource(year=2023), xlsx_bytes([KEY_HEADERS, row]))) == []
    # Another year's import: the 2023 listing is only in the database, not in the sheet.
    row = key_row(TOTAL_INVESTMENT=20000)
    result = run(KeyProjectResource(year=2024), xlsx_bytes([KEY_HEADERS, row]))
    assert [(number, column) for number, column, _ in errors(result)] == [(2, h.TOTAL_INVESTMENT)]
    assert KeyProject.objects.get().total_investment == Decimal("50000")


def test_without_a_year_the_listing_columns_are_ignored(key_row, today):
    row = key_row(LISTING_CATEGORY="不是类别", PLANNED_INVESTMENT=10000)
    assert errors(run(KeyProjectResource(), xlsx_bytes([KEY_HEADERS, row]))) == []
    assert not AnnualListing.objects.exists()


def test_a_listing_error_names_the_listing_column(key_row, today):
    row = key_row(LISTING_CATEGORY="新开工", LISTED_ON="2023-02-15", PLANNED_INVESTMENT=90000)
    result = run(KeyProjectResource(year=2023), xlsx_bytes([KEY_HEADERS, row]))
    assert [(number, column) for number, column, _ in errors(result)] == [(2, h.PLANNED_INVESTMENT)]
    assert not KeyProject.objects.exists()


def test_the_year_of_a_workbook_comes_from_its_summary_sheet(bond_row, today):
    summary = [["县（区）", "郏县"], [h.YEAR, "2022"]]
    data = xlsx_bytes(
        [BOND_HEADERS, bond_row(RESERVED_ON="2022-03-01")], h.BOND_RESERVE_SHEET, {h.SUMMARY_SHEET: summary}
    )
    assert errors(run(BondReserveResource(), data)) == []
    assert BondReserve.objects.get().year == 2022


def test_a_bond_reserve_without_any_year_is_refused_naming_the_year(bond_row, today):
    result = run(BondReserveResource(), xlsx_bytes([BOND_HEADERS, bond_row()]))
    assert [(number, column) for number, column, _ in errors(result)] == [(2, h.YEAR)]


def test_a_sheet_without_the_header_row_is_refused_as_a_whole(today, db):
    result = run(BondReserveResource(year=2023), xlsx_bytes([["项目"], ["随便", "什么"]]))
    assert errors(result) == [
        (None, "", "The sheet “Sheet1” has no header row: no row holds 项目名称 and the other headers.")
    ]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(bond_row, encoding, today):
    data = csv_bytes([["专项债储备"], BOND_HEADERS, bond_row()], encoding)
    assert errors(run(BondReserveResource(year=2023), data, name="储备.csv")) == []
    assert BondReserve.objects.get().name == "郏县城区污水管网"


def test_a_department_clerk_may_import_only_their_departments_rows(
    bond_row, make_department, make_bond_reserve, django_user_model, department, today
):
    theirs = department
    other = make_department(name="县交通运输局")
    clerk = django_user_model.objects.create_user("clerk")
    theirs.members.add(clerk)
    result = run(
        BondReserveResource(year=2023), xlsx_bytes([BOND_HEADERS, bond_row(DEPARTMENT=other.name)]), user=clerk
    )
    assert errors(result) == [
        (2, h.DEPARTMENT, "You may import only the records of your own departments; this one belongs to 县交通运输局.")
    ]
    make_bond_reserve(name="别人的项目", department=other)
    data = xlsx_bytes([BOND_HEADERS, bond_row(NAME="别人的项目", DEPARTMENT=theirs.name)])
    moved = run(BondReserveResource(year=2023), data, user=clerk)
    assert [(number, column) for number, column, _ in errors(moved)] == [(2, h.DEPARTMENT)]
    assert errors(run(BondReserveResource(year=2023), xlsx_bytes([BOND_HEADERS, bond_row()]), user=clerk)) == []


def import_queries(rows: int, bond_row) -> list[str]:
    """The statements of an import of ``rows`` new reserves, then of the same file again (every
    row unchanged), then of the file with every row's 项目单位 changed."""
    data = xlsx_bytes([BOND_HEADERS, *[bond_row(NAME=f"项目{rows}-{n}") for n in range(rows)]])
    changed = xlsx_bytes([BOND_HEADERS, *[bond_row(NAME=f"项目{rows}-{n}", OWNER="郏县城投") for n in range(rows)]])
    statements = []
    for expected, sheet in (("new", data), ("skip", data), ("update", changed)):
        with CaptureQueriesContext(connection) as queries:
            result = run(BondReserveResource(year=2023), sheet)
        assert errors(result) == []
        assert {kind for _, kind in kinds(result)} == {expected}
        statements.append([query["sql"] for query in queries.captured_queries])
    return statements


def test_an_import_costs_a_fixed_number_of_queries_per_batch_not_per_row(bond_row, today):
    # Per import: the savepoint and its release, the three reference tables, the year plans.
    # Per batch of up to 2,000 rows: its stored records (one query, by code or name); the claim
    # of the changed records (none here); the inserts of the new records and of their history
    # rows, as many rows a statement as the database takes (SQLite: 999 parameters, some 40 rows;
    # PostgreSQL: one COPY a table, after one query taking the new records' keys from the sequence).
    (small, small_again, small_changed), (large, large_again, large_changed) = (
        import_queries(10, bond_row),
        import_queries(1000, bond_row),
    )
    writes = ("INSERT", "COPY", "SELECT nextval(", "UPDATE")

    def reads(statements):
        return [sql for sql in statements if not sql.startswith(writes)]

    assert len(reads(large)) == len(reads(small)) <= 8
    inserts = [sql for sql in large if sql.startswith(writes)]
    assert 2 <= len(inserts) <= 2 * 1000 // 20  # 2,000 rows (records and history) at 20 or more a statement
    # Unchanged rows: the same queries whatever their number, and nothing written.
    assert len(large_again) == len(small_again) == len(reads(small))
    assert not any(sql.startswith((*writes, "UPDATE")) for sql in large_again)
    # Changed rows: one more read, of the changed records' timestamps (deferred when the batch
    # was read) rather than one a record and field; the claim (an UPDATE) and the updates (on
    # SQLite, 999 parameters: some 200 records a statement) and the history rows.
    assert len(reads(large_changed)) == len(reads(small_changed)) == len(reads(small)) + 1
    assert len([sql for sql in large_changed if sql.startswith("UPDATE")]) <= 1 + 1000 // 100


def test_a_batch_judges_a_future_date_by_the_day_it_was_made(today):
    # Each record of an import's batch asks the batch for today rather than the clock.
    reserve = BondReserve(reserved_on=today - datetime.timedelta(days=5))
    assert validation.future_date_errors(reserve, ["reserved_on"]) == {}
    reserve._validation_batch = validation.Batch(today=today - datetime.timedelta(days=10))
    assert list(validation.future_date_errors(reserve, ["reserved_on"])) == ["reserved_on"]
    assert validation.Batch().today == today


def test_the_admin_csv_format_reads_gb18030_bytes(bond_row, today):
    text = LedgerCSV().create_dataset(csv_bytes([BOND_HEADERS, bond_row()], "gb18030"))
    assert errors(BondReserveResource(year=2023).import_data(text, dry_run=True)) == []
    assert LedgerCSV().is_binary() and LedgerCSV().get_read_mode() == "rb"


@pytest.mark.parametrize("model", ["keyproject", "bondreserve"])
def test_the_key_project_and_reserve_lists_link_to_their_import_page(admin_client, model):
    assert f"/admin/projects/{model}/import/".encode() in admin_client.get(f"/admin/projects/{model}/").content
    assert admin_client.get(f"/admin/projects/{model}/import/").status_code == 200


def test_the_admin_previews_a_key_project_rows_listing(admin_client, key_row, today):
    row = key_row(LISTING_CATEGORY="新开工", LISTED_ON="2023-02-15", PLANNED_INVESTMENT=10000)
    upload = SimpleUploadedFile("重点项目.xlsx", xlsx_bytes([KEY_HEADERS, row]))
    response = admin_client.post(
        "/admin/projects/keyproject/import/", {"import_file": upload, "format": "0", "resource": "0", "year": 2023}
    )
    assert [row.import_type for row in response.context["result"].rows] == ["new"]
    assert "confirm_form" in response.context
    assert not KeyProject.objects.exists()


def test_new_key_projects_get_their_standard_milestones_and_history_rows_recording_the_user(key_row, admin_user, today):
    rows = [
        key_row(NAME=f"项目{n}", LISTING_CATEGORY="新开工", LISTED_ON="2023-02-15", PLANNED_INVESTMENT=100)
        for n in range(3)
    ]
    result = run(KeyProjectResource(year=2023), xlsx_bytes([KEY_HEADERS, *rows]), user=admin_user)
    assert errors(result) == []
    for project in KeyProject.objects.all():
        assert sorted(project.milestones.values_list("kind", flat=True)) == sorted(
            kind for kind in MilestoneKindChoices.values if kind != MilestoneKindChoices.CUSTOM
        )
        assert project.version == 1
    for model in (KeyProject, Milestone, AnnualListing):
        histories = model.history.all()
        assert histories.count() == {KeyProject: 3, Milestone: 24, AnnualListing: 3}[model]
        assert {(history.history_type, history.history_user) for history in histories} == {("+", admin_user)}


def test_a_record_changed_since_the_preview_is_an_error_of_its_row_and_nothing_is_written(
    bond_row, make_bond_reserve, admin_user, today
):
    reserve = make_bond_reserve(name="郏县城区污水管网", owner="郏县水务")
    data = xlsx_bytes([BOND_HEADERS, bond_row(OWNER="新的项目单位"), bond_row(NAME="新项目")])
    preview = BondReserveResource(year=2023)
    assert kinds(run(preview, data, dry_run=True)) == [(2, "update"), (3, "new")]
    # Someone else saves the record between the preview and the confirmation.
    reserve.owner = "别人改的"
    reserve.save()
    result = run(BondReserveResource(year=2023), data, user=admin_user, versions=preview.read_versions)
    [(row, column, message)] = errors(result)
    assert (row, column) == (2, "") and message.startswith("Someone else changed this record")
    reserve.refresh_from_db()
    assert (reserve.owner, reserve.version) == ("别人改的", 2)
    assert not BondReserve.objects.filter(name="新项目").exists()
    # Read again, the same file imports.
    assert errors(run(BondReserveResource(year=2023), data, user=admin_user)) == []
    reserve.refresh_from_db()
    assert (reserve.owner, reserve.version) == ("新的项目单位", 3)
    latest = reserve.history.first()
    assert latest.history_user == admin_user
    # The timestamps the import read only for the changed record: kept, and in its history row.
    assert (latest.created_at, latest.updated_at) == (reserve.created_at, reserve.updated_at)
    assert reserve.updated_at > reserve.created_at


def test_a_row_may_not_take_the_name_or_the_code_of_another_record(bond_row, make_bond_reserve, today):
    make_bond_reserve(name="已有项目", project_code=CODE)
    coded = make_bond_reserve(name="有代码的项目", project_code=CODE.replace("000001", "000002"))
    data = xlsx_bytes(
        [
            BOND_HEADERS,
            bond_row(NAME="已有项目", PROJECT_CODE=coded.project_code),  # the code's record renamed to a taken name
            bond_row(NAME="新项目", PROJECT_CODE=CODE.replace("000001", "000003")),
            bond_row(NAME="另一个新项目", PROJECT_CODE=CODE.replace("000001", "000003").lower()),
        ]
    )
    result = run(BondReserveResource(year=2023), data)
    assert errors(result) == [
        (2, h.NAME, "A reserve of this name already exists for that year."),
        (4, h.NAME, "Row 3 is already about this project."),
    ]
    coded.refresh_from_db()
    assert coded.name == "有代码的项目"
