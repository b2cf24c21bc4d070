"""The clerks' ledgers of the projects app in the admin: pages in Chinese, a fixed number
of queries per changelist, the custom filters, and the add forms' validation."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from jiaxian.admin import wan
from projects.choices import AnnualListingCategoryChoices as Category, BondReserveStatusChoices as Status
from projects.models import AnnualListing, BondReserve, KeyProject, Problem, ProgressReport, YearPlan
from projects.tests.helpers import form_data

pytestmark = pytest.mark.django_db

d = datetime.date
D = Decimal

CHANGELISTS = ["keyproject", "bondreserve", "industry", "area", "department", "sector", "yearplan"]


def changelist_url(model: str) -> str:
    return reverse(f"admin:projects_{model}_changelist")


def changelist_names(client, model: str, **params) -> set[str]:
    """The names of the rows the changelist of ``model`` selects with the filters ``params``."""
    response = client.get(changelist_url(model), params)
    assert response.status_code == 200, response.get("Location")
    return {obj.name for obj in response.context["cl"].queryset}


@pytest.fixture
def make_row(
    key_industry,
    other_industry,
    make_key_project,
    make_listing,
    make_bond_reserve,
    make_industry,
    make_area,
    make_department,
    make_sector,
    make_year_plan,
):
    """``make_row[model](i)`` makes the i-th row of a changelist: rows of every shape the
    page shows (several listings, each status, key and other industries), so that a page of
    100 is a page of 10 repeated, not a page of identical rows."""

    def key_project(i: int):
        project = make_key_project(
            industry=key_industry if i % 2 else other_industry,
            started_on=d(2022, 1 + i % 12, 1),
            completed_on=d(2023, 6, 1) if i % 3 == 0 else None,
        )
        make_listing(project=project, year=2023, category=Category.CONTINUING)
        if i % 2:
            make_listing(project=project, year=2022, category=Category.NEW_START, listed_on=d(2022, 2, 1))

    def bond_reserve(i: int):
        # Reserved, submitted, approved, issued, rejected in turn.
        steps = ["reserved_on", "submitted_on", "approved_on", "issued_on"][: 1 + i % 5]
        if i % 5 == 4:
            steps = ["reserved_on", "submitted_on", "rejected_on"]
        dates = {step: d(2023, 3, 1 + n) for n, step in enumerate(steps)}
        if "issued_on" in dates:
            dates["issued_amount"] = D("5000.00")
        make_bond_reserve(year=2022 + i % 2, **dates)

    return {
        "keyproject": key_project,
        "bondreserve": bond_reserve,
        "industry": lambda i: make_industry(is_key=bool(i % 2)),
        "area": lambda i: make_area(),
        "department": lambda i: make_department(),
        "sector": lambda i: make_sector(),
        "yearplan": lambda i: make_year_plan(2000 + i),
    }


# --- pages in Chinese ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_renders_in_chinese_for_a_superuser(zh_admin_client, make_row, model):
    make_row[model](1)
    response = zh_admin_client.get(changelist_url(model))
    assert response.status_code == 200
    content = response.content.decode()
    assert response.headers["Content-Language"] == "zh-hans"
    # Django's own admin strings, translated: the "Add …" button and the page title.
    assert "增加" in content
    assert "选择" in content


# Our own labels, from locale/zh_Hans: these pass once the catalogue is compiled.
@pytest.mark.parametrize(
    ("model", "title"),
    [("keyproject", "选择 重点项目 来修改"), ("bondreserve", "选择 专项债储备项目 来修改")],
)
def test_changelist_title_names_the_ledger_in_chinese(zh_admin_client, model, title):
    response = zh_admin_client.get(changelist_url(model))
    assert title in response.content.decode()


# --- a fixed number of queries ------------------------------------------------------------------

# The queries of each changelist page, whatever the number of rows:
#   keyproject (9): session; user; the year plan whose thresholds the warning lights follow;
#     the years of the "listed for year" filter (the first and the last); the choices of the
#     industry, area and department filters (3); the count of the filtered rows (no count of
#     all: LedgerAdmin.show_full_result_count); the page of projects joined to industry, area
#     and department, with each one's warning light, problem counts and listings (correlated
#     subqueries of the same query). No date hierarchy: its distinct dates
#     scanned a city's whole table.
#   bondreserve (8): session; user; the years of the year filter; the choices of the sector,
#     department and area filters (3); the count; the page of reserves joined to sector,
#     department and area. Status and coverage are computed from the row's own columns.
#   industry, area, department, sector, yearplan (4): session; user; the count; the page.
QUERIES = {
    "keyproject": 9,
    "bondreserve": 8,
    "industry": 4,
    "area": 4,
    "department": 4,
    "sector": 4,
    "yearplan": 4,
}


@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_costs_the_same_queries_at_10_and_at_100_rows(
    zh_admin_client, make_row, django_assert_num_queries, model
):
    rows = apps.get_model("projects", model).objects
    # The reference rows the factories need count too: fill up to exactly 10, then 100.
    while rows.count() < 10:
        make_row[model](rows.count())
    zh_admin_client.get(changelist_url(model))  # warm up: the session and caches of a first request

    with CaptureQueriesContext(connection) as at_10:
        response = zh_admin_client.get(changelist_url(model))
    assert len(response.context["cl"].result_list) == 10
    assert len(at_10) == QUERIES[model], "\n".join(query["sql"] for query in at_10.captured_queries)

    while rows.count() < 100:
        make_row[model](rows.count())
    with django_assert_num_queries(len(at_10)):
        response = zh_admin_client.get(changelist_url(model))
    assert len(response.context["cl"].result_list) == 100


# --- filters ------------------------------------------------------------------------------------


@pytest.fixture
def listed_projects(make_key_project, make_listing):
    """Three key projects: one continuing (new start in 2022, continuing in 2023), one new
    start of 2023 only, one in preliminary work of 2022 only."""
    continuing = make_key_project(name="续建项目")
    make_listing(project=continuing, year=2022, category=Category.NEW_START, listed_on=d(2022, 2, 1))
    make_listing(project=continuing, year=2023, category=Category.CONTINUING)
    make_listing(project=make_key_project(name="新开工项目"), year=2023, category=Category.NEW_START)
    preliminary = make_key_project(name="前期项目")
    make_listing(project=preliminary, year=2022, category=Category.PRELIMINARY, listed_on=d(2022, 2, 1))
    make_key_project(name="未列入项目")


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, {"续建项目", "新开工项目", "前期项目", "未列入项目"}),
        ({"year": "2023"}, {"续建项目", "新开工项目"}),
        ({"year": "2022"}, {"续建项目", "前期项目"}),
        ({"year": "2021"}, set()),
        ({"category": Category.NEW_START}, {"续建项目", "新开工项目"}),
        ({"category": Category.COMPLETION}, set()),
        ({"year": "2023", "category": Category.NEW_START}, {"新开工项目"}),
        ({"year": "2023", "category": Category.CONTINUING}, {"续建项目"}),
        ({"year": "2022", "category": Category.CONTINUING}, set()),
        ({"year": "2022", "category": Category.NEW_START}, {"续建项目"}),
    ],
    ids=lambda value: "&".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None,
)
def test_key_project_listing_year_and_category_filters_select_the_right_projects(
    zh_admin_client, listed_projects, params, names
):
    assert changelist_names(zh_admin_client, "keyproject", **params) == names


def test_key_project_category_filter_without_a_year_lists_each_project_once(
    zh_admin_client, make_key_project, make_listing
):
    project = make_key_project(name="连年续建")
    for year in (2021, 2022, 2023):
        make_listing(project=project, year=year, category=Category.CONTINUING, listed_on=d(year, 2, 1))
    response = zh_admin_client.get(changelist_url("keyproject"), {"category": Category.CONTINUING})
    assert [obj.name for obj in response.context["cl"].result_list] == ["连年续建"]
    assert response.context["cl"].result_count == 1


def test_key_project_year_filter_offers_the_years_listed_newest_first(zh_admin_client, listed_projects):
    response = zh_admin_client.get(changelist_url("keyproject"))
    year_filter = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "year")
    assert [value for value, _label in year_filter.lookup_choices] == ["2023", "2022"]


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("keyproject", {"year": "abc"}),
        ("keyproject", {"year": "abc", "category": Category.NEW_START}),
        ("bondreserve", {"year": "abc"}),
    ],
)
def test_a_year_filter_value_that_is_not_a_year_does_not_break_the_changelist(
    zh_admin_client, make_listing, make_bond_reserve, model, params
):
    make_listing()
    make_bond_reserve()
    zh_admin_client.raise_request_exception = False
    response = zh_admin_client.get(changelist_url(model), params)
    assert response.status_code in (200, 302)


def test_key_project_warning_filter_selects_the_projects_by_their_light_today(
    zh_admin_client, make_key_project, make_listing, today
):
    # 10,000 planned for 2023 and nothing completed by 30 June: more than 30 points behind, red.
    make_listing(project=make_key_project(name="进度滞后"))
    make_key_project(name="未列入")  # nothing planned, nothing behind: green
    assert changelist_names(zh_admin_client, "keyproject", warning="red") == {"进度滞后"}
    assert changelist_names(zh_admin_client, "keyproject", warning="green") == {"未列入"}
    assert changelist_names(zh_admin_client, "keyproject", warning="blue") == {"进度滞后", "未列入"}


def test_key_project_problems_filter_selects_the_projects_with_open_or_overdue_problems_today(
    zh_admin_client, make_key_project, department, today
):
    with_open = make_key_project(name="有未解决问题")
    with_overdue = make_key_project(name="有逾期问题")
    solved = make_key_project(name="问题已解决")
    problem = {"department": department, "description": "用地指标", "raised_on": d(2023, 5, 1)}
    Problem.objects.create(project=with_open, due_on=today, **problem)
    Problem.objects.create(project=with_overdue, due_on=d(2023, 6, 29), **problem)
    Problem.objects.create(project=solved, due_on=d(2023, 6, 1), resolved_on=d(2023, 6, 10), **problem)
    assert changelist_names(zh_admin_client, "keyproject", problems="open") == {"有未解决问题", "有逾期问题"}
    assert changelist_names(zh_admin_client, "keyproject", problems="overdue") == {"有逾期问题"}
    everyone = {"有未解决问题", "有逾期问题", "问题已解决"}
    assert changelist_names(zh_admin_client, "keyproject", problems="closed") == everyone


def test_an_unknown_status_in_the_filter_is_ignored(zh_admin_client, make_bond_reserve):
    make_bond_reserve(name="储备项目")
    assert changelist_names(zh_admin_client, "bondreserve", status="pending") == {"储备项目"}


def test_bond_reserve_year_filter_selects_that_years_reserves(zh_admin_client, make_bond_reserve):
    make_bond_reserve(year=2022, name="二二年储备", reserved_on=d(2022, 3, 1))
    make_bond_reserve(year=2023, name="二三年储备")
    assert changelist_names(zh_admin_client, "bondreserve", year="2022") == {"二二年储备"}
    assert changelist_names(zh_admin_client, "bondreserve", year="2023") == {"二三年储备"}
    assert changelist_names(zh_admin_client, "bondreserve") == {"二二年储备", "二三年储备"}


@pytest.mark.parametrize("status", Status.values)
def test_bond_reserve_status_filter_selects_the_reserves_at_that_status_today(
    zh_admin_client, bond_reserves_by_status, status
):
    assert changelist_names(zh_admin_client, "bondreserve", status=status) == {bond_reserves_by_status[status].name}


def test_bond_reserve_changelist_shows_each_reserves_status_today(zh_admin_client, bond_reserves_by_status):
    # Every reserve reached its status on the frozen today, so the column shows that status.
    content = zh_admin_client.get(changelist_url("bondreserve")).content.decode()
    row = r'<th class="field-name"><a [^>]*>(.*?)</a></th>.*?<td class="field-status_today">(.*?)</td>'
    shown = dict(re.findall(row, content))
    with translation.override("zh-hans"):
        expected = {
            reserve.name: str(Status(status).label) if status else "—"
            for status, reserve in bond_reserves_by_status.items()
        }
    assert shown == expected


# --- add forms ----------------------------------------------------------------------------------


def error_next_to(response, field: str) -> str:
    """The error message the add form shows next to ``field``: above it in its own row, or above
    its box in a row of several fields (a key project's dates share one); fails if none."""
    content = response.content.decode()
    match = re.search(
        rf'<div class="form-row errors field-{field}">\s*<ul class="errorlist"[^>]*>\s*<li>(.*?)</li>', content
    ) or re.search(
        rf'<ul class="errorlist"[^>]*>\s*<li>([^<]*)</li>\s*</ul>\s*'
        rf'<div class="flex-container fieldBox field-{field} errors">',
        content,
    )
    assert match, f"no error shown next to {field}"
    return match.group(1)


@pytest.fixture
def key_project_form(key_industry, area, department):
    """The POST of a valid key project with one listing, as the add page sends it."""
    return {
        "name": "硅基负极材料产业园二期",
        "project_code": "2023-410425-30-03-01234x",
        "owner": "郏县新材料有限公司",
        "nature": "second_phase",
        "predecessor": "",
        "content": "年产2万吨硅基负极材料",
        "industry": key_industry.pk,
        "area": area.pk,
        "department": department.pk,
        "leader": "王县长",
        "total_investment": "50000.00",
        "started_on": "2023-03-01",
        "planned_completion_on": "2024-12-31",
        "completed_on": "",
        "listings-TOTAL_FORMS": "1",
        "listings-INITIAL_FORMS": "0",
        "listings-MIN_NUM_FORMS": "0",
        "listings-MAX_NUM_FORMS": "1000",
        "listings-0-year": "2023",
        "listings-0-category": Category.NEW_START,
        "listings-0-planned_investment": "20000.00",
        "listings-0-listed_on": "2023-02-15",
    }


def test_key_project_add_form_saves_a_valid_project_with_its_listing(today, zh_admin_client, key_project_form):
    response = zh_admin_client.post(reverse("admin:projects_keyproject_add"), key_project_form)
    assert response.status_code == 302
    project = KeyProject.objects.get()
    assert project.name == "硅基负极材料产业园二期"
    assert project.project_code == "2023-410425-30-03-01234X"
    assert project.total_investment == D("50000.00")
    assert project.version == 1
    assert list(project.listings.values_list("year", "category", "planned_investment")) == [
        (2023, Category.NEW_START, D("20000.00"))
    ]


def test_key_project_add_form_shows_the_error_next_to_completed_on_and_saves_nothing(
    today, zh_admin_client, key_project_form
):
    key_project_form["completed_on"] = "2023-02-28"  # the day before it started
    response = zh_admin_client.post(reverse("admin:projects_keyproject_add"), key_project_form)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["completed_on"]
    assert error_next_to(response, "completed_on") == form.errors["completed_on"][0]
    assert not KeyProject.objects.exists()
    assert not AnnualListing.objects.exists()


def test_key_project_add_form_refuses_a_listing_above_the_total_investment(today, zh_admin_client, key_project_form):
    key_project_form["listings-0-planned_investment"] = "50000.01"
    response = zh_admin_client.post(reverse("admin:projects_keyproject_add"), key_project_form)
    assert response.status_code == 200
    assert not KeyProject.objects.exists()
    listing_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert "planned_investment" in listing_form.errors


def test_key_project_change_form_refuses_a_listing_above_the_total_investment(
    today, zh_admin_client, make_key_project, key_project_form
):
    project = make_key_project(total_investment=D("50000.00"))
    key_project_form.update(name=project.name, project_code="", **{"listings-0-planned_investment": "50000.01"})
    response = zh_admin_client.post(reverse("admin:projects_keyproject_change", args=[project.pk]), key_project_form)
    assert response.status_code == 200
    listing_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert "planned_investment" in listing_form.errors
    assert not AnnualListing.objects.exists()


@pytest.fixture
def bond_reserve_form(department, area, sector):
    """The POST of a valid reserve, submitted and approved, coverage 1.25."""
    return {
        "year": "2023",
        "name": "县城污水处理厂提标改造",
        "project_code": "",
        "owner": "郏县城市建设投资有限公司",
        "sector": sector.pk,
        "department": department.pk,
        "area": area.pk,
        "total_investment": "20000.00",
        "bond_demand": "10000.00",
        "capital_portion": "0",
        "expected_income": "15000.00",
        "principal_and_interest": "12000.00",
        "issued_amount": "",
        "reserved_on": "2023-03-01",
        "submitted_on": "2023-03-10",
        "approved_on": "2023-04-01",
        "issued_on": "",
        "rejected_on": "",
    }


def test_bond_reserve_add_form_saves_a_valid_reserve(today, zh_admin_client, bond_reserve_form):
    response = zh_admin_client.post(reverse("admin:projects_bondreserve_add"), bond_reserve_form)
    assert response.status_code == 302
    reserve = BondReserve.objects.get()
    assert reserve.project_code is None
    assert reserve.bond_demand == D("10000.00")
    assert reserve.status == Status.APPROVED
    assert reserve.coverage_ratio == D("1.2500")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bond_demand": "20000.01"}, "bond_demand"),
        ({"capital_portion": "10000.01"}, "capital_portion"),
        ({"expected_income": "11999.99"}, "expected_income"),
        ({"approved_on": "2023-03-09"}, "approved_on"),
        ({"rejected_on": "2023-04-02"}, "rejected_on"),
        ({"issued_amount": "5000.00"}, "issued_on"),
        ({"submitted_on": "2023-07-01", "approved_on": ""}, "submitted_on"),
    ],
)
def test_bond_reserve_add_form_shows_the_error_next_to_the_field_and_saves_nothing(
    today, zh_admin_client, bond_reserve_form, changes, field
):
    bond_reserve_form.update(changes)
    response = zh_admin_client.post(reverse("admin:projects_bondreserve_add"), bond_reserve_form)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert field in form.errors
    assert error_next_to(response, field) == form.errors[field][0]
    assert not BondReserve.objects.exists()


def test_amounts_are_shown_with_thousands_separators_and_two_places():
    assert wan(D("1234567.5")) == "1,234,567.50"
    assert wan(D("0")) == "0.00"
    assert wan(None) == ""


@pytest.fixture
def year_plan_form():
    """The POST of the default plan for 2024, as the add page sends it."""
    plan = YearPlan(year=2024)
    fields = [field.name for field in YearPlan._meta.fields if field.editable and field.name != "id"]
    data = {name: getattr(plan, name) for name in fields if name not in ("created_at", "updated_at")}
    # The plan's indicators inline, left empty.
    management = {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0, "MIN_NUM_FORMS": 0, "MAX_NUM_FORMS": 1000}
    return data | {f"indicators-{name}": value for name, value in management.items()}


def test_year_plan_add_form_saves_a_valid_plan(zh_admin_client, year_plan_form):
    year_plan_form["attraction_count_target"] = 65
    year_plan_form["progress_due_day"] = 28
    response = zh_admin_client.post(reverse("admin:projects_yearplan_add"), year_plan_form)
    assert response.status_code == 302
    assert YearPlan.for_year(2024).attraction_count_target == 65
    assert YearPlan.for_year(2024).progress_due_day == 28


def test_year_plan_page_shows_the_monthly_report_due_day(zh_admin_client):
    content = zh_admin_client.get(reverse("admin:projects_yearplan_add")).content.decode()
    assert 'name="progress_due_day"' in content
    assert "月报截止日" in content


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"investment_yellow_gap": "0.3000", "investment_red_gap": "0.2999"}, "investment_red_gap"),
        ({"coverage_refusal_ratio": "1.2001", "coverage_warning_ratio": "1.2000"}, "coverage_refusal_ratio"),
        ({"attraction_big_share_target": "1.0001"}, "attraction_big_share_target"),
        ({"progress_due_day": "29"}, "progress_due_day"),
    ],
)
def test_year_plan_add_form_shows_the_error_next_to_the_field_and_saves_nothing(
    zh_admin_client, year_plan_form, changes, field
):
    year_plan_form.update(changes)
    response = zh_admin_client.post(reverse("admin:projects_yearplan_add"), year_plan_form)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert error_next_to(response, field) == form.errors[field][0]
    assert not YearPlan.objects.exists()


def test_the_monthly_grid_has_an_empty_box_for_each_month_owed_and_saves_only_the_filled(
    admin_client, make_key_project, make_listing, today
):
    project = make_key_project(name="月度网格项目")
    make_listing(project=project, year=today.year)
    ProgressReport.objects.create(project=project, month=datetime.date(today.year, 2, 1), completed_investment=D("5"))
    url = reverse("admin:projects_keyproject_change", args=[project.pk])
    page = admin_client.get(url)
    formset = next(
        inline.formset for inline in page.context["inline_admin_formsets"] if inline.formset.model is ProgressReport
    )
    owed = [datetime.date(today.year, month, 1) for month in range(1, today.month + 1) if month != 2]
    assert [form.initial["month"] for form in formset.extra_forms] == owed
    assert f"month-{owed[-1].month}" in page.content.decode()
    data = form_data(page)
    # Saved untouched, the empty boxes write nothing; a figure typed in one writes its month.
    assert admin_client.post(url, data).status_code == 302
    assert ProgressReport.objects.filter(project=project).count() == 1
    # The saved February is form 0; the empty boxes follow it, January first.
    data = {**form_data(admin_client.get(url)), f"{formset.prefix}-1-completed_investment": "12.50"}
    assert admin_client.post(url, data).status_code == 302
    assert list(project.progress_reports.order_by("month").values_list("month", "completed_investment")) == [
        (owed[0], D("12.50")),
        (datetime.date(today.year, 2, 1), D("5.00")),
    ]


def test_a_project_not_listed_this_year_owes_no_month(make_key_project, make_listing, today):
    project = make_key_project()
    make_listing(project=project, year=today.year - 1)
    assert project.unreported_months(today) == []
