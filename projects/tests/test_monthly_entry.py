"""The admin's monthly entry page: one table of the year's projects, pre-filled, saved at
once in one transaction; a bad row named by its project and nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ProgressReport

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
    response = table(zh_admin_client)
    calls = []
    original = ProgressReport.save

    def fail_on_second(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ProgressReport, "save", fail_on_second)
    zh_admin_client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        zh_admin_client.post(URL, post_of(response, {p.name: ("5.00", "") for p in projects}))
    assert not ProgressReport.objects.exists()


def test_a_bad_month_is_a_400_that_says_so(zh_admin_client, projects):
    response = zh_admin_client.get(URL, {"year": 2023, "month": 13})
    assert response.status_code == 400
    assert response.context["errors"]


def test_the_admin_index_links_to_the_page(zh_admin_client):
    assert URL in zh_admin_client.get(reverse("admin:index")).content.decode()


def test_a_clerk_without_the_permissions_gets_a_403(client, django_user_model, today):
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
