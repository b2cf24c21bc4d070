"""The admin's monthly entry page: one table of the year's projects, pre-filled, saved at
once in one transaction; a bad row named by its project and nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiaxian import periods
from projects import monthly_entry
from projects.models import ProgressReport, ProgressReview

pytestmark = pytest.mark.django_db

d = datetime.date
D = Decimal
URL = reverse("monthly-entry")


@pytest.fixture
def projects(today, make_key_project, make_listing):
    """Three projects listed for 2023 (甲, 乙, 丙) and one listed only for 2022."""
    listed = []
    for name in ("甲项目", "乙项目", "丙项目"):
        project = make_key_project(name=name)
        make_listing(project=project, year=2023, planned_investment=D("12000.00"))
        listed.append(project)
    make_listing(project=make_key_project(name="旧项目"), year=2022, listed_on=d(2022, 2, 1))
    return sorted(listed, key=lambda p: p.name)


def table(client, year=2023, month=5):
    response = client.get(URL, {"year": year, "month": month})
    assert response.status_code == 200
    return response


def post_of(response, values: dict) -> dict:
    """The page's form as a browser posts it, with the amounts and notes of ``values`` (by
    project name: (amount, note))."""
    formset = response.context["formset"]
    month = response.context["month"]
    data = {
        "year": month.year,
        "month": month.month,
        "form-TOTAL_FORMS": len(formset.forms),
        "form-INITIAL_FORMS": len(formset.forms),
    }
    for i, (row, form) in enumerate(response.context["rows"]):
        amount, note = values.get(row["project"].name, (form.initial.get("completed_investment"), form.initial["note"]))
        data[f"form-{i}-project"] = row["project"].pk
        data[f"form-{i}-version"] = form.initial["version"] or ""  # the version the page showed
        data[f"form-{i}-completed_investment"] = "" if amount is None else str(amount)
        data[f"form-{i}-note"] = note
    return data


def test_the_page_lists_every_project_of_the_year_prefilled(zh_admin_client, projects):
    ProgressReport.objects.create(project=projects[0], month=d(2023, 5, 1), completed_investment=D("800.00"), note="ok")
    response = table(zh_admin_client)
    names = [row["project"].name for row, _form in response.context["rows"]]
    assert names == [p.name for p in projects]
    first = response.context["rows"][0][1]
    assert first.initial["completed_investment"] == D("800.00")
    assert first.initial["note"] == "ok"
    assert "800.00" in response.content.decode()


def test_one_save_writes_every_row(zh_admin_client, projects):
    response = table(zh_admin_client)
    values = {p.name: (f"{100 * (i + 1)}.00", f"备注{i}") for i, p in enumerate(projects)}
    saved = zh_admin_client.post(URL, post_of(response, values))
    assert saved.status_code == 302
    reports = {
        r.project.name: (r.completed_investment, r.note) for r in ProgressReport.objects.filter(month=d(2023, 5, 1))
    }
    assert reports == {name: (D(amount), note) for name, (amount, note) in values.items()}


def test_a_second_save_updates_and_a_blank_row_deletes(zh_admin_client, projects):
    for p in projects:
        ProgressReport.objects.create(project=p, month=d(2023, 5, 1), completed_investment=D("1.00"))
    response = table(zh_admin_client)
    values = {projects[0].name: ("2.00", ""), projects[1].name: (None, "")}
    assert zh_admin_client.post(URL, post_of(response, values)).status_code == 302
    reports = dict(
        ProgressReport.objects.filter(month=d(2023, 5, 1)).values_list("project__name", "completed_investment")
    )
    assert reports == {projects[0].name: D("2.00"), projects[2].name: D("1.00")}
    unchanged = ProgressReport.objects.get(project=projects[2])
    assert unchanged.version == 1


def test_a_bad_row_is_named_and_nothing_is_saved(zh_admin_client, projects):
    ProgressReport.objects.create(project=projects[0], month=d(2023, 5, 1), completed_investment=D("1.00"))
    response = table(zh_admin_client)
    values = {projects[0].name: ("5.00", ""), projects[1].name: ("-3.00", ""), projects[2].name: ("7.00", "")}
    refused = zh_admin_client.post(URL, post_of(response, values))
    assert refused.status_code == 400
    assert any(projects[1].name in error for error in refused.context["errors"])
    assert not any(projects[2].name in error for error in refused.context["errors"])
    assert list(ProgressReport.objects.values_list("completed_investment", flat=True)) == [D("1.00")]


def test_a_row_that_is_not_a_number_is_named_and_nothing_is_saved(zh_admin_client, projects):
    response = table(zh_admin_client)
    values = {projects[0].name: ("5.00", ""), projects[2].name: ("七千", "")}
    refused = zh_admin_client.post(URL, post_of(response, values))
    assert refused.status_code == 400
    assert any(projects[2].name in error for error in refused.context["errors"])
    assert not ProgressReport.objects.exists()


def test_a_month_not_begun_is_refused_for_every_row(zh_admin_client, projects):
    response = table(zh_admin_client, month=7)  # today is 2023-06-30
    refused = zh_admin_client.post(URL, post_of(response, {projects[0].name: ("5.00", "")}))
    assert refused.status_code == 400
    assert projects[0].name in refused.context["errors"][0]
    assert not ProgressReport.objects.exists()


def test_a_failure_while_saving_leaves_nothing_behind(zh_admin_client, projects, monkeypatch):
    """The new reports are written first, then the changed one: failing there undoes both."""
    ProgressReport.objects.create(project=projects[0], month=d(2023, 5, 1), completed_investment=D("1.00"))
    response = table(zh_admin_client)

    def disk_full(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(monthly_entry, "bulk_update_with_history", disk_full)
    zh_admin_client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        zh_admin_client.post(URL, post_of(response, {p.name: ("5.00", "") for p in projects}))
    assert list(ProgressReport.objects.values_list("completed_investment", "version")) == [(D("1.00"), 1)]


def test_a_bad_month_is_a_400_that_says_so(zh_admin_client, projects):
    response = zh_admin_client.get(URL, {"year": 2023, "month": 13})
    assert response.status_code == 400
    assert response.context["errors"]


def test_the_year_box_offers_the_range_every_period_parameter_accepts(zh_admin_client, projects):
    page = zh_admin_client.get(URL, {"year": 2023, "month": 5}).content.decode()
    assert f'min="{periods.YEAR_MIN}" max="{periods.YEAR_MAX}"' in page


@pytest.mark.parametrize(
    ("plans", "opens_on"),
    [
        ([2022], d(2022, 12, 1)),  # a past year: its December, not this month of a year without a plan
        ([2022, 2023], d(2023, 6, 1)),  # the year running: this month (today is 2023-06-30)
        ([2023, 2024], d(2024, 1, 1)),  # a year not begun yet: its January, as the dashboard opens on it
        ([], d(2023, 6, 1)),  # no plan at all: this month
    ],
)
def test_the_page_opens_on_the_latest_year_with_a_plan(zh_admin_client, today, make_year_plan, plans, opens_on):
    for year in plans:
        make_year_plan(year)
    response = zh_admin_client.get(URL)
    assert response.status_code == 200
    assert response.context["month"] == opens_on


def test_the_admin_index_links_to_the_page(zh_admin_client):
    assert URL in zh_admin_client.get(reverse("admin:index")).content.decode()


def test_a_clerk_without_the_permissions_gets_a_403(client, django_user_model, today):
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(clerk)
    assert client.get(URL).status_code == 403


# --- two clerks, one month: no lost update --------------------------------------------------


@pytest.fixture
def clerk_b(client, django_user_model):
    """A second clerk, on a browser of their own."""
    client.force_login(django_user_model.objects.create_superuser("clerk-b", "b@example.invalid", "pw"))
    return client


def stored() -> dict:
    """May's reports by project name: (amount, note, version)."""
    return {
        r.project.name: (r.completed_investment, r.note, r.version)
        for r in ProgressReport.objects.filter(month=d(2023, 5, 1)).select_related("project")
    }


def report_of(projects, name: str, amount: str) -> ProgressReport:
    """May's report of the project called ``name``."""
    project = next(p for p in projects if p.name == name)
    return ProgressReport.objects.create(project=project, month=d(2023, 5, 1), completed_investment=D(amount))


def test_the_page_remembers_the_version_of_each_rows_report(zh_admin_client, projects):
    report = report_of(projects, "甲项目", "1.00")
    ProgressReport.objects.filter(pk=report.pk).update(version=4)
    response = table(zh_admin_client)
    shown = {row["project"].name: form.initial["version"] for row, form in response.context["rows"]}
    assert shown == {"甲项目": 4, "乙项目": None, "丙项目": None}
    index = [row["project"].name for row, _form in response.context["rows"]].index("甲项目")
    assert f'name="form-{index}-version" value="4"' in response.content.decode()


@pytest.mark.parametrize(
    "a_values",
    [
        {"甲项目": ("30.00", ""), "乙项目": ("40.00", ""), "丙项目": ("50.00", "")},
        {"乙项目": ("40.00", ""), "丙项目": ("50.00", "")},  # 甲 left as A saw it
    ],
    ids=["both changed the row", "A left the row as shown"],
)
def test_two_clerks_saving_one_month_the_second_is_refused_naming_the_stale_row(
    zh_admin_client, clerk_b, projects, a_values
):
    report_of(projects, "甲项目", "1.00")
    report_of(projects, "乙项目", "2.00")
    page_a = table(zh_admin_client)  # clerk A opens the month
    page_b = table(clerk_b)  # clerk B opens it too
    assert clerk_b.post(URL, post_of(page_b, {"甲项目": ("10.00", "乙填的")})).status_code == 302
    refused = zh_admin_client.post(URL, post_of(page_a, a_values))
    assert refused.status_code == 400
    named = [p.name for p in projects if any(p.name in error for error in refused.context["errors"])]
    assert named == ["甲项目"]
    assert stored() == {"甲项目": (D("10.00"), "乙填的", 2), "乙项目": (D("2.00"), "", 1)}  # B's, none of A's


@pytest.mark.parametrize("a_value", [("30.00", ""), (None, "")], ids=["A enters it", "A leaves it blank as shown"])
def test_a_row_whose_report_someone_else_created_meanwhile_is_refused(zh_admin_client, clerk_b, projects, a_value):
    page_a = table(zh_admin_client)
    page_b = table(clerk_b)
    assert clerk_b.post(URL, post_of(page_b, {"甲项目": ("10.00", "")})).status_code == 302
    refused = zh_admin_client.post(URL, post_of(page_a, {"甲项目": a_value, "乙项目": ("40.00", "")}))
    assert refused.status_code == 400
    assert [error for error in refused.context["errors"] if "甲项目" in error]
    assert not [error for error in refused.context["errors"] if "乙项目" in error]
    assert stored() == {"甲项目": (D("10.00"), "", 1)}


def test_a_row_whose_report_someone_else_deleted_meanwhile_is_refused(zh_admin_client, clerk_b, projects):
    report_of(projects, "甲项目", "1.00")
    page_a = table(zh_admin_client)
    page_b = table(clerk_b)
    assert clerk_b.post(URL, post_of(page_b, {"甲项目": (None, "")})).status_code == 302  # B blanks it
    refused = zh_admin_client.post(URL, post_of(page_a, {"甲项目": ("30.00", ""), "乙项目": ("40.00", "")}))
    assert refused.status_code == 400
    assert any("甲项目" in error for error in refused.context["errors"])
    assert stored() == {}


def test_the_refusal_says_that_someone_else_saved_and_nothing_was(client, django_user_model, projects):
    client.force_login(django_user_model.objects.create_superuser("clerk-a", "a@example.invalid", "pw"))
    report_of(projects, "甲项目", "1.00")
    page = table(client)
    ProgressReport.objects.get().save()
    refused = client.post(URL, post_of(page, {"甲项目": ("30.00", "")}), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.context["errors"] == [
        "甲项目: someone else saved the progress of 2023-05 after you opened the page. Nothing was saved: open "
        "the month again to see their figures, then enter yours."
    ]


@pytest.fixture
def moved_after_the_read(monkeypatch):
    """Another clerk's save lands (committed) after this request read the month: each of
    ``moves`` is called with the rows read, so that only the claim or the unique constraint
    can see it."""
    read = monthly_entry.rows_of
    moves = []

    def read_then_move(month, user=None, selection=None, back=""):
        found = read(month, user, selection, back)
        for move in moves:
            move(found.rows)
        return found

    monkeypatch.setattr(monthly_entry, "rows_of", read_then_move)
    return moves


def test_a_report_changed_after_the_read_is_caught_by_the_claim(zh_admin_client, projects, moved_after_the_read):
    report = report_of(projects, "甲项目", "1.00")
    page = table(zh_admin_client)
    moved_after_the_read.append(
        lambda rows: ProgressReport.objects.filter(pk=report.pk).update(version=F("version") + 1)
    )
    refused = zh_admin_client.post(URL, post_of(page, {"甲项目": ("30.00", ""), "乙项目": ("40.00", "")}))
    assert refused.status_code == 400
    assert [error for error in refused.context["errors"] if "甲项目" in error]
    assert stored() == {"甲项目": (D("1.00"), "", 2)}  # only the other clerk's raise


def test_a_report_created_after_the_read_is_caught_by_the_unique_constraint(
    zh_admin_client, projects, moved_after_the_read
):
    page = table(zh_admin_client)
    moved_after_the_read.append(lambda rows: report_of(projects, "甲项目", "10.00"))
    refused = zh_admin_client.post(URL, post_of(page, {"甲项目": ("30.00", ""), "乙项目": ("40.00", "")}))
    assert refused.status_code == 400
    assert [error for error in refused.context["errors"] if "甲项目" in error]
    assert not [error for error in refused.context["errors"] if "乙项目" in error]
    assert stored() == {"甲项目": (D("10.00"), "", 1)}


def test_a_save_records_each_report_in_its_history_by_the_clerk(zh_admin_client, projects):
    report_of(projects, "甲项目", "1.00")
    page = table(zh_admin_client)
    values = {"甲项目": ("2.00", "改"), "乙项目": ("3.00", "新")}
    assert zh_admin_client.post(URL, post_of(page, values)).status_code == 302
    assert stored() == {"甲项目": (D("2.00"), "改", 2), "乙项目": (D("3.00"), "新", 1)}
    history = ProgressReport.history.filter(history_user__username="admin").order_by("history_id")
    assert [(h.project.name, h.history_type, h.completed_investment, h.version) for h in history] == [
        ("乙项目", "+", D("3.00"), 1),
        ("甲项目", "~", D("2.00"), 2),
    ]
    # The page opened again carries the new versions, and saves again.
    page = table(zh_admin_client)
    assert zh_admin_client.post(URL, post_of(page, {"甲项目": ("4.00", "")})).status_code == 302
    assert stored()["甲项目"] == (D("4.00"), "", 3)


def test_a_project_sent_in_two_rows_is_refused(zh_admin_client, projects):
    page = table(zh_admin_client)
    first = next(p for p in projects if p.name == "甲项目")
    data = post_of(page, {})
    data |= {f"form-{i}-project": first.pk for i in range(3)} | {"form-1-completed_investment": "2.00"}
    refused = zh_admin_client.post(URL, data)
    assert refused.status_code == 400
    assert any("甲项目" in error for error in refused.context["errors"])
    assert stored() == {}


# --- queries: the same for a few rows and for many --------------------------------------------


@pytest.mark.parametrize("size", [4, 40])
def test_saving_the_month_takes_as_many_queries_for_4_rows_as_for_40(
    zh_admin_client, today, make_key_project, make_listing, size, django_assert_num_queries
):
    """Half the rows have a report that changes, half get a new one. The POST's queries: the
    session and its user (2); the projects listed, the month's reports, the projects by name
    (3); a savepoint (1) around the claim of the changed reports (1), the new reports
    created and their history (2), the changed ones updated and their history (2), the review
    trail's approvals (1: an administrator's entries are approved as they save); releasing the
    savepoint (1)."""
    for n in range(size):
        project = make_key_project(name=f"项目{n:03}")
        make_listing(project=project, year=2023, planned_investment=D("100.00"))
        if n % 2:
            ProgressReport.objects.create(project=project, month=d(2023, 5, 1), completed_investment=D("1.00"))
    page = table(zh_admin_client)
    data = post_of(page, {f"项目{n:03}": (f"{n}.50", "") for n in range(size)})
    with django_assert_num_queries(13):
        assert zh_admin_client.post(URL, data).status_code == 302
    assert sorted(ProgressReport.objects.values_list("completed_investment", flat=True)) == [
        D(f"{n}.50") for n in range(size)
    ]
    assert sorted(ProgressReport.objects.values_list("approved_investment", flat=True)) == [
        D(f"{n}.50") for n in range(size)
    ]
    assert ProgressReview.objects.filter(action="approved").count() == size
    assert ProgressReport.history.count() == size + size // 2  # the creations, then one entry per save


# --- paging: 100 rows a page, a page saved alone -------------------------------------------------


@pytest.fixture
def many(make_key_project, make_listing):
    """205 projects listed for 2023 (项目000 … 项目204): three pages."""
    listed = []
    for n in range(205):
        project = make_key_project(name=f"项目{n:03}")
        make_listing(project=project, year=2023, planned_investment=D("10.00"))
        listed.append(project)
    return listed


def test_the_page_shows_100_rows_by_name_and_the_selections_total(zh_admin_client, many):
    first = table(zh_admin_client)
    assert [row["project"].name for row, _form in first.context["rows"]] == [f"项目{n:03}" for n in range(100)]
    assert first.context["count"] == 205
    assert first.context["total_planned"] == D("2050.00")  # every page's, not this page's
    content = first.content.decode()
    assert "year=2023&amp;month=5&amp;page=2" in content  # the pager keeps the month
    assert "所选范围共 205 个项目，本年计划投资合计 2,050.00 万元（含各页）。" in content
    assert '<td class="amount">10.00</td>' in content  # a row's planned investment, as the lists write it
    assert "第 1 页，共 3 页" in content
    assert f'href="/admin/projects/keyproject/{many[0].pk}/change/"' in content
    last = zh_admin_client.get(URL, {"year": 2023, "month": 5, "page": 3})
    assert [row["project"].name for row, _form in last.context["rows"]] == [f"项目{n:03}" for n in range(200, 205)]


def test_saving_page_2_writes_only_page_2s_rows_and_comes_back_to_it(zh_admin_client, many):
    page = zh_admin_client.get(URL, {"year": 2023, "month": 5, "page": 2})
    data = post_of(page, {f"项目{n:03}": ("1.00", "") for n in range(205)}) | {"page": 2}
    saved = zh_admin_client.post(URL, data)
    assert saved.status_code == 302
    assert saved["Location"] == f"{URL}?year=2023&month=5&page=2"
    assert sorted(ProgressReport.objects.values_list("project__name", flat=True)) == [
        f"项目{n:03}" for n in range(100, 200)
    ]


def test_a_stale_row_on_page_2_is_refused_and_nothing_saved(zh_admin_client, clerk_b, many):
    ProgressReport.objects.create(project=many[150], month=d(2023, 5, 1), completed_investment=D("1.00"))
    page_a = zh_admin_client.get(URL, {"year": 2023, "month": 5, "page": 2})
    page_b = clerk_b.get(URL, {"year": 2023, "month": 5, "page": 2})
    assert clerk_b.post(URL, post_of(page_b, {"项目150": ("2.00", "")}) | {"page": 2}).status_code == 302
    data = post_of(page_a, {"项目150": ("3.00", ""), "项目151": ("4.00", "")}) | {"page": 2}
    refused = zh_admin_client.post(URL, data)
    assert refused.status_code == 400
    assert any("项目150" in error for error in refused.context["errors"])
    assert stored() == {"项目150": (D("2.00"), "", 2)}


def test_an_area_narrows_the_page(zh_admin_client, make_area, make_key_project, make_listing):
    here, there = make_area(name="城关镇"), make_area(name="新区")
    for name, area in (("甲项目", here), ("乙项目", there)):
        make_listing(project=make_key_project(name=name, area=area), year=2023)
    response = zh_admin_client.get(URL, {"year": 2023, "month": 5, "area": there.pk})
    assert [row["project"].name for row, _form in response.context["rows"]] == ["乙项目"]
    assert f'name="area" value="{there.pk}"' in response.content.decode()  # posted back with the page


def test_an_empty_selection_says_it_is_the_selection_that_is_empty(
    zh_admin_client, make_area, make_key_project, make_listing
):
    here, there = make_area(name="城关镇"), make_area(name="新区")
    make_listing(project=make_key_project(name="甲项目", area=here), year=2023)
    narrowed = zh_admin_client.get(URL, {"year": 2023, "month": 5, "area": there.pk}).content.decode()
    assert "所选责任单位和区域在2023年度没有列入计划的重点项目。" in narrowed
    empty_year = zh_admin_client.get(URL, {"year": 2022, "month": 5}).content.decode()
    assert "2022年度没有列入计划的重点项目。" in empty_year


@pytest.mark.parametrize("query", [{}, {"page": 2}], ids=["page 1", "page 2"])
def test_a_page_takes_as_many_queries_for_110_projects_as_for_330(
    zh_admin_client, make_key_project, make_listing, query
):
    counts = []
    for size in (110, 330):
        ProgressReport.objects.all().delete()
        for n in range(len(counts) * 110, size):
            project = make_key_project(name=f"项目{n:03}")
            make_listing(project=project, year=2023, planned_investment=D("10.00"))
            ProgressReport.objects.create(project=project, month=d(2023, 5, 1), completed_investment=D("1.00"))
        with CaptureQueriesContext(connection) as queries:
            assert len(zh_admin_client.get(URL, {"year": 2023, "month": 5, **query}).context["rows"]) in (10, 100)
        counts.append(len(queries))
    assert counts[0] == counts[1]
