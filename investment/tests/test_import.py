"""Importing the ledgers: the round trip (the quarterly export imported back changes nothing),
a fresh install filled from an export, attraction projects, the command and the admin's
upload → preview → confirm."""

from __future__ import annotations

import datetime
import io
import json
import re
import tempfile
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import CheckConstraint
from django.test import Client
from django.utils import translation

from investment import headers as h
from investment.exporters import QuarterlyExporter
from investment.models import AttractionProject
from investment.resources import AttractionProjectResource
from jiaxian.resources import model_errors
from jiaxian.tests.import_helpers import csv_bytes, errors, kinds, run, xlsx_bytes
from projects.models import AnnualListing, BondReserve, ImportUpload, KeyProject, Milestone
from projects.resources import BondReserveResource, KeyProjectResource

RESOURCES = (KeyProjectResource, BondReserveResource, AttractionProjectResource)
MODELS = (KeyProject, AnnualListing, BondReserve, AttractionProject)
ATTRACTION_HEADERS = [
    h.SERIAL,
    h.NAME,
    h.PROJECT_CODE,
    h.INVESTOR,
    h.INVESTOR_ORIGIN,
    h.INDUSTRY,
    h.CONTRACT_AMOUNT,
    h.FIXED_ASSET_INVESTMENT,
    h.SIGNED_ON,
    h.STAGE,
    h.IS_BIG_PROJECT,
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def ledgers(make_year_plan, make_listing, make_key_project, make_bond_reserve, make_attraction_project, other_industry):
    """The 2023 ledgers: listed key projects (one with a code, started), reserves (one with a code,
    one submitted), attraction projects signed in 2023 (one started, one with a code, one whose
    name begins with "=": the export escapes it)."""
    plan = make_year_plan(2023)
    project = make_key_project(
        project_code="2023-410425-30-03-000001", started_on=datetime.date(2023, 3, 1), leader="李四"
    )
    make_listing(project=project, listed_on=datetime.date(2023, 2, 1))
    make_listing(listed_on=datetime.date(2023, 5, 1), category="continuing")
    make_bond_reserve(project_code="2023-410425-48-01-000002")
    make_bond_reserve(submitted_on=datetime.date(2023, 4, 1), capital_portion=Decimal("1000.50"))
    make_attraction_project(signed_on=datetime.date(2023, 1, 5), started_on=datetime.date(2023, 3, 1))
    make_attraction_project(
        signed_on=datetime.date(2023, 2, 5), industry=other_industry, project_code="2023-410425-30-03-000003"
    )
    make_attraction_project(name="=SUM(A1)项目", signed_on=datetime.date(2023, 3, 5), funds_in_place=Decimal("12.3"))
    return plan


def snapshot():
    """Every ledger record's (model, pk, version) and the number of history rows."""
    records = sorted(
        (model.__name__, pk, version) for model in MODELS for pk, version in model.objects.values_list("pk", "version")
    )
    return records, sum(model.history.count() for model in MODELS)


def exported(plan, format: str) -> dict[str, bytes]:
    """The Q4 export of ``plan``'s year: the workbook as one file, or each CSV of the zip."""
    content = QuarterlyExporter(plan, 4, format=format).render()
    if format == "xlsx":
        return {resource.sheet_name: content for resource in RESOURCES}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name.split("-", 1)[1].removesuffix(".csv"): archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("format", ["xlsx", "csv"])
def test_importing_the_quarterly_export_back_changes_nothing(ledgers, today, format):
    before = snapshot()
    files = exported(ledgers, format)
    for resource in RESOURCES:
        result = run(resource(year=2023), files[resource.sheet_name], name=f"{resource.sheet_name}.{format}")
        assert errors(result) == []
        assert {kind for _, kind in kinds(result)} == {"skip"}, resource
    assert snapshot() == before


def test_the_whole_exported_workbook_imports_without_a_year_given(ledgers, today):
    workbook = exported(ledgers, "xlsx")[h.KEY_PROJECT_SHEET]
    for resource in RESOURCES:
        result = run(resource(), workbook)
        assert errors(result) == []
        assert result.totals["skip"] == result.total_rows > 0


def test_a_fresh_install_is_filled_from_last_years_export(ledgers, today):
    workbook = exported(ledgers, "xlsx")[h.KEY_PROJECT_SHEET]
    fields = {
        KeyProject: (
            "name",
            "project_code",
            "owner",
            "industry",
            "area",
            "department",
            "leader",
            "total_investment",
            "started_on",
        ),
        AnnualListing: ("project__name", "year", "category", "planned_investment", "listed_on"),
        BondReserve: ("name", "year", "project_code", "sector", "total_investment", "capital_portion", "reserved_on"),
        AttractionProject: (
            "name",
            "year",
            "project_code",
            "industry",
            "contract_amount",
            "funds_in_place",
            "signed_on",
            "started_on",
        ),
    }
    before = {model: sorted(model.objects.values_list(*names)) for model, names in fields.items()}
    AttractionProject.objects.all().delete()
    BondReserve.objects.all().delete()
    KeyProject.objects.all().delete()
    for resource in RESOURCES:
        assert errors(run(resource(), workbook)) == []
    after = {model: sorted(model.objects.values_list(*names)) for model, names in fields.items()}
    assert after == before
    # Not in the export, so not restored: the reserve's later steps.
    assert not BondReserve.objects.filter(submitted_on__isnull=False).exists()


def test_an_attraction_row_is_keyed_by_code_then_by_name_and_year(make_attraction_project, key_industry, today):
    coded = make_attraction_project(name="旧名", project_code="2023-410425-30-03-000009")
    same_name_other_year = make_attraction_project(name="同名项目", year=2022)
    row = [
        None,
        "新名",
        "2023-410425-30-03-000009",
        "投资方",
        "省外",
        key_industry.name,
        12000,
        9000,
        "2023-01-05",
        "签约",
        "是",
    ]
    new = [None, "同名项目", None, "投资方", "本地", key_industry.code, 20000, 9000, "2023/2/5", "开工", "否"]
    result = run(AttractionProjectResource(year=2023), xlsx_bytes([ATTRACTION_HEADERS, row, new]))
    assert errors(result) == []
    assert kinds(result) == [(2, "update"), (3, "new")]
    coded.refresh_from_db()
    assert (coded.name, coded.signed_on, coded.version) == ("新名", datetime.date(2023, 1, 5), 2)
    assert AttractionProject.objects.get(name="同名项目", year=2023).investor_origin == "local"
    assert same_name_other_year.version == 1


def test_an_unknown_choice_names_the_column_and_the_labels(key_industry, today, db):
    row = [None, "项目", None, "投资方", "火星", key_industry.name, 12000, 9000, None, None, None]
    result = run(AttractionProjectResource(year=2023), xlsx_bytes([ATTRACTION_HEADERS, row]))
    assert errors(result) == [
        (2, h.INVESTOR_ORIGIN, "“火星” is not one of: Local、Elsewhere in Henan、Outside Henan、Overseas.")
    ]


# --- the command -------------------------------------------------------------------------------


def test_the_command_dry_run_prints_each_rows_change_and_writes_nothing(ledgers, today, tmp_path):
    path = tmp_path / "q4.xlsx"
    path.write_bytes(QuarterlyExporter(ledgers, 4).render())
    project = AttractionProject.objects.get(project_code="2023-410425-30-03-000003")
    AttractionProject.objects.filter(pk=project.pk).update(contract_amount=Decimal("99999"))
    out = io.StringIO()
    call_command(
        "import_ledger", str(path), model="attraction-projects", dry_run=True, stdout=out, stderr=io.StringIO()
    )
    lines = out.getvalue().splitlines()
    assert any("更新" in line and f"{h.CONTRACT_AMOUNT} 99999.00 → 12000.00" in line for line in lines)
    assert lines[-1] == "Dry run, nothing written: 0 created, 1 updated, 2 unchanged."
    project.refresh_from_db()
    assert project.contract_amount == Decimal("99999")


def test_the_command_fails_on_a_bad_row_printing_every_error_and_writing_nothing(key_industry, today, tmp_path, db):
    rows = [["招商引资项目台账"], ATTRACTION_HEADERS]
    rows.append([None, "好项目", None, "投资方", "本地", key_industry.name, 12000, 9000, None, None, None])
    rows.append([None, "坏项目", None, "投资方", "本地", "不存在", 12000, 19000, None, None, None])
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_ledger", str(path), model="attraction-projects", year=2023, stdout=io.StringIO(), stderr=err
        )
    assert refused.value.returncode == 1
    assert "nothing was imported" in str(refused.value)
    assert f"第4行 [{h.INDUSTRY}] There is no industry with the code or name “不存在”." in err.getvalue()
    assert not AttractionProject.objects.exists()


def test_the_command_records_the_user_in_the_history(key_industry, admin_user, today, tmp_path, db):
    path = tmp_path / "ledger.csv"
    path.write_bytes(
        csv_bytes([ATTRACTION_HEADERS, [None, "项目", None, "投资方", "本地", key_industry.name, 1, 1]], "gb18030")
    )
    out = io.StringIO()
    call_command(
        "import_ledger",
        str(path),
        model="attraction-projects",
        year=2023,
        user="admin",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().strip().endswith("1 created, 0 updated, 0 unchanged.")
    assert AttractionProject.objects.get().history.get().history_user == admin_user


def test_the_command_refuses_an_unknown_user_and_an_unreadable_file(tmp_path, db):
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\x81")
    with pytest.raises(CommandError, match="There is no user nobody"):
        call_command("import_ledger", str(path), model="key-projects", user="nobody")
    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        call_command("import_ledger", str(path), model="key-projects")


# --- the admin ---------------------------------------------------------------------------------


def importer(django_user_model):
    user = django_user_model.objects.create_user("importer", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "add_attractionproject",
                "change_attractionproject",
                "view_attractionproject",
                "edit_all_departments",
            ]
        )
    )
    return user


def upload(client, rows, year=2023):
    data = xlsx_bytes([ATTRACTION_HEADERS, *rows])
    file = SimpleUploadedFile("ledger.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return client.post(
        "/admin/investment/attractionproject/import/",
        {"import_file": file, "format": "0", "resource": "0", "year": year},
    )


def test_the_admin_previews_each_rows_change_then_imports_on_confirmation(
    make_attraction_project, key_industry, client, django_user_model, today
):
    existing = make_attraction_project(
        name="已有项目", investor="投资方", investor_origin="local", contract_amount=Decimal("12000")
    )
    client.force_login(importer(django_user_model))
    changelist = client.get("/admin/investment/attractionproject/")
    assert b"/admin/investment/attractionproject/import/" in changelist.content
    rows = [
        [None, "已有项目", None, "投资方", "本地", key_industry.name, 15000, 9000, None, None, None],
        [None, "新项目", None, "投资方", "本地", key_industry.name, 12000, 9000, "2023-02-01", None, None],
    ]
    preview = upload(client, rows)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert '<tr class="update">' in page and '<tr class="new">' in page
    assert "<ins" in page and "<del" in page  # 12000.00 → 15000.00, drawn by diff-match-patch
    assert AttractionProject.objects.count() == 1
    confirm = preview.context["confirm_form"]
    response = client.post("/admin/investment/attractionproject/process_import/", {**confirm.initial})
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.contract_amount == Decimal("15000.00")
    assert existing.history.first().history_user.username == "importer"
    assert AttractionProject.objects.get(name="新项目").signed_on == datetime.date(2023, 2, 1)


def test_a_row_that_turned_bad_after_the_preview_imports_nothing_and_says_so(
    key_industry, client, django_user_model, today
):
    client.force_login(importer(django_user_model))
    rows = [[None, "新项目", None, "投资方", "本地", key_industry.name, 12000, 9000, None, None, None]]
    preview = upload(client, rows)
    confirm = preview.context["confirm_form"]
    # Between preview and confirmation the industry is renamed: the row's reference is now unknown.
    key_industry.name = "改名后的产业"
    key_industry.save()
    response = client.post("/admin/investment/attractionproject/process_import/", {**confirm.initial}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/investment/attractionproject/import/"
    [message] = [str(m) for m in response.context["messages"]]
    assert "1" in message and message.startswith(("Nothing was imported", "没有导入"))
    assert not AttractionProject.objects.exists()


def test_the_admin_shows_each_bad_rows_errors_with_its_row_and_column_and_offers_no_confirmation(
    key_industry, client, django_user_model, today
):
    client.force_login(importer(django_user_model))
    rows = [
        [None, "好项目", None, "投资方", "本地", key_industry.name, 12000, 9000, None, None, None],
        [None, "坏项目", None, "投资方", "本地", key_industry.name, 12000, 19000, None, None, None],
    ]
    response = upload(client, rows)
    assert "confirm_form" not in response.context
    [invalid] = response.context["result"].invalid_rows
    assert invalid.number == 3
    assert list(invalid.field_specific_errors) == [h.FIXED_ASSET_INVESTMENT]
    assert h.FIXED_ASSET_INVESTMENT in response.content.decode()
    assert not AttractionProject.objects.exists()


def test_the_admin_import_speaks_chinese(client, django_user_model, db):
    client.force_login(importer(django_user_model))
    with translation.override("zh-hans"):
        page = client.get(
            "/admin/investment/attractionproject/import/", HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    assert "预览" not in page and "导入文件" in page and "格式" in page


def test_the_admin_import_needs_add_and_change_permissions(client, django_user_model, db):
    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_attractionproject", "change_attractionproject"])
    )
    client.force_login(user)
    assert client.get("/admin/investment/attractionproject/import/").status_code == 403


def confirm_token(preview) -> str:
    return preview.context["confirm_form"].initial["token"]


def an_attraction_row(industry, name="新项目", amount=12000):
    return [None, name, None, "投资方", "本地", industry.name, amount, 9000, None, None, None]


@pytest.mark.parametrize("case", ["missing", "altered", "expired", "another user's", "used already"])
def test_a_confirmation_missing_altered_expired_another_users_or_used_is_refused_and_writes_nothing(
    case, key_industry, client, django_user_model, settings, today
):
    client.force_login(importer(django_user_model))
    token = confirm_token(upload(client, [an_attraction_row(key_industry)]))
    data = {"token": token}
    if case == "missing":
        data = {}
    elif case == "altered":
        data = {"token": token[:-1] + ("A" if token[-1] != "A" else "B")}
    elif case == "expired":
        settings.IMPORT_CONFIRM_MAX_AGE = -1
    elif case == "another user's":
        other = django_user_model.objects.create_user("other", is_staff=True)
        other.user_permissions.set(
            Permission.objects.filter(codename__in=["add_attractionproject", "change_attractionproject"])
        )
        client.force_login(other)
    elif case == "used already":
        assert client.post("/admin/investment/attractionproject/process_import/", data).status_code == 302
        AttractionProject.objects.all().delete()
    response = client.post("/admin/investment/attractionproject/process_import/", data)
    assert response.status_code == 400
    assert "没有导入任何数据，请重新上传文件。" in response.content.decode()  # the admin speaks Chinese
    assert not AttractionProject.objects.exists()


def test_the_confirmation_carries_a_signed_token_only_and_works_on_another_server(
    key_industry, client, django_user_model, today
):
    user = importer(django_user_model)
    client.force_login(user)
    preview = upload(client, [an_attraction_row(key_industry)])
    page = preview.content.decode()
    form = page[page.index('action="/admin/investment/attractionproject/process_import/"') :]
    form = form[: form.index("</form>")]
    hidden = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)
    assert [name for name, _ in hidden] == ["csrfmiddlewaretoken", "token"]
    assert "/" not in hidden[1][1] and "import_file_name" not in page and tempfile.gettempdir() not in page
    # The other server shares only the database: a fresh client, another session, same user.
    other_server = Client()
    other_server.force_login(user)
    response = other_server.post("/admin/investment/attractionproject/process_import/", {"token": hidden[1][1]})
    assert response.status_code == 302
    assert AttractionProject.objects.get().history.get().history_user == user
    assert not ImportUpload.objects.exists()


def test_a_record_changed_between_preview_and_confirmation_is_an_error_of_its_row(
    make_attraction_project, key_industry, client, django_user_model, today
):
    existing = make_attraction_project(name="已有项目", investor="投资方", investor_origin="local")
    client.force_login(importer(django_user_model))
    preview = upload(client, [an_attraction_row(key_industry, "已有项目", 15000), an_attraction_row(key_industry)])
    assert [row.import_type for row in preview.context["result"].rows] == ["update", "new"]
    existing.funds_in_place = Decimal("5")
    existing.save()  # by someone else, between the two steps
    response = client.post(
        "/admin/investment/attractionproject/process_import/", {"token": confirm_token(preview)}, follow=True
    )
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("没有导入任何数据")
    assert "第2行 导入读取这条记录之后（预览时或导入开始时）有其他人修改了它" in message
    existing.refresh_from_db()
    assert (existing.contract_amount, existing.funds_in_place, existing.version) == (Decimal("12000"), Decimal("5"), 2)
    assert AttractionProject.objects.count() == 1


def test_the_preview_names_the_sheet_and_columns_and_each_bad_rows_errors_in_chinese(
    key_industry, client, django_user_model, today
):
    client.force_login(importer(django_user_model))
    rows = [an_attraction_row(key_industry, "好项目"), an_attraction_row(key_industry, "坏项目", amount="很多")]
    with translation.override("zh-hans"):
        page = upload(client, rows).content.decode()
    assert "某些行验数据证失败" not in page and "有错误的行" in page and "工作表" in page and "Sheet1" in page
    bad_row = page[page.index('<tr class="invalid">') :]
    bad_row = bad_row[: bad_row.index("</tr>")]
    assert f"<strong>{h.CONTRACT_AMOUNT}</strong>：" in bad_row and "很多" in bad_row
    assert "确认导入" not in page


# --- the benchmark -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["attraction-projects", "key-projects", "bond-reserves"])
def test_bench_import_prints_a_line_per_pass_and_leaves_the_database_as_it_was(model, settings, today, db):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("bench_import", rows=20, model=model, tracemalloc=True, stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["pass"], line["rows"]) for line in lines] == [
        ("create", 20),
        ("unchanged", 20),
        ("floor", 20),
        ("summary", 20),
    ]
    assert all(line["tracemalloc_peak_mb"] > 0 and line["peak_rss_mb"] > 0 for line in lines[:2])
    summary = lines[-1]
    assert {"created_rows_per_s", "floor_rows_per_s", "ratio", "unchanged_rows_per_s", "peak_rss_mb"} <= set(summary)
    assert summary["created_rows_per_s"] == lines[0]["rows_per_s"] > 0 and summary["floor_rows_per_s"] > 0
    assert not any(model.objects.exists() for model in (*MODELS, Milestone))


def test_bench_import_refuses_to_run_without_debug(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("bench_import", rows=5)


# --- the import's validation leaves the check constraints to clean()'s twins --------------------

# Each check constraint of an imported ledger, a violation of it, and the column (field) whose
# error must say so without the database: model_errors skips the constraints' own queries.
CHECK_TWINS = {
    "projects_keyproject_total_investment_gte_zero": ("key", {"total_investment": Decimal("-0.01")}),
    "projects_keyproject_completed_after_start": (
        "key",
        {"started_on": datetime.date(2023, 4, 1), "completed_on": datetime.date(2023, 3, 31)},
    ),
    "projects_annuallisting_planned_investment_gte_zero": ("listing", {"planned_investment": Decimal("-0.01")}),
    "projects_bondreserve_total_investment_gte_zero": ("bond", {"total_investment": Decimal("-0.01")}),
    "projects_bondreserve_bond_demand_gte_zero": ("bond", {"bond_demand": Decimal("-0.01")}),
    "projects_bondreserve_capital_portion_gte_zero": ("bond", {"capital_portion": Decimal("-0.01")}),
    "projects_bondreserve_expected_income_gte_zero": ("bond", {"expected_income": Decimal("-0.01")}),
    "projects_bondreserve_issued_amount_gte_zero": ("bond", {"issued_amount": Decimal("-0.01")}),
    "projects_bondreserve_principal_and_interest_positive": ("bond", {"principal_and_interest": Decimal("0.00")}),
    "projects_bondreserve_demand_within_total": ("bond", {"bond_demand": Decimal("20000.01")}),
    "projects_bondreserve_capital_within_demand": ("bond", {"capital_portion": Decimal("10000.01")}),
    "investment_attractionproject_contract_amount_gte_zero": ("attraction", {"contract_amount": Decimal("-0.01")}),
    "investment_attractionproject_fixed_asset_investment_gte_zero": (
        "attraction",
        {"fixed_asset_investment": Decimal("-0.01")},
    ),
    "investment_attractionproject_funds_in_place_gte_zero": ("attraction", {"funds_in_place": Decimal("-0.01")}),
    "investment_attractionproject_fixed_assets_within_contract": (
        "attraction",
        {"fixed_asset_investment": Decimal("12000.01")},
    ),
}
IMPORTED_MODELS = (KeyProject, AnnualListing, BondReserve, AttractionProject)


def test_every_check_constraint_of_an_imported_ledger_has_a_twin_case():
    names = {c.name for m in IMPORTED_MODELS for c in m._meta.constraints if isinstance(c, CheckConstraint)}
    # A new constraint without a row above could let a bad row reach the database unnamed.
    assert names == set(CHECK_TWINS)


@pytest.mark.parametrize("name", sorted(CHECK_TWINS))
def test_the_import_names_the_column_of_each_check_constraint_without_asking_the_database(
    name, build_key_project, build_listing, build_bond_reserve, build_attraction_project, db
):
    kind, violation = CHECK_TWINS[name]
    build = {
        "key": build_key_project,
        "listing": build_listing,
        "bond": build_bond_reserve,
        "attraction": build_attraction_project,
    }[kind]
    record = build(**violation)
    errors = model_errors(record, {})
    assert set(violation) & set(errors), (name, errors)
