"""The admin never saves over a newer version: a clerk's stale form is refused with a message."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse

from jiaxian.admin import LedgerAdmin
from projects.models import Industry, KeyProject, ProgressReport

pytestmark = pytest.mark.django_db


def industry_form(industry, **changes):
    data = {"code": industry.code, "name": industry.name, "seen_version": str(industry.version)}
    if industry.is_key:
        data["is_key"] = "on"
    return data | changes


def test_the_change_form_carries_the_version_the_clerk_opened(zh_admin_client, key_industry):
    Industry.objects.filter(pk=key_industry.pk).update(version=4)
    page = zh_admin_client.get(reverse("admin:projects_industry_change", args=[key_industry.pk])).content.decode()
    assert 'name="seen_version" value="4"' in page


def test_a_form_of_the_current_version_saves_and_raises_the_version(admin_client, key_industry):
    url = reverse("admin:projects_industry_change", args=[key_industry.pk])
    response = admin_client.post(url, industry_form(key_industry, name="改名"))
    assert response.status_code == 302
    key_industry.refresh_from_db()
    assert (key_industry.name, key_industry.version) == ("改名", 2)


def test_a_form_opened_before_someone_elses_save_is_refused_and_changes_nothing(admin_client, key_industry):
    url = reverse("admin:projects_industry_change", args=[key_industry.pk])
    opened = industry_form(key_industry)  # clerk A opens version 1
    assert admin_client.post(url, industry_form(key_industry, name="乙改的")).status_code == 302  # clerk B saves
    response = admin_client.post(url, opened | {"name": "甲改的"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Someone else saved this record (now version 2) after you opened it (version 1)" in response.content.decode()
    key_industry.refresh_from_db()
    assert (key_industry.name, key_industry.version) == ("乙改的", 2)


def test_a_key_project_form_with_fieldsets_is_guarded_too(admin_client, make_key_project):
    project = make_key_project()
    KeyProject.objects.filter(pk=project.pk).update(version=3)
    url = reverse("admin:projects_keyproject_change", args=[project.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="seen_version" value="3"' in page
    data = {
        "name": project.name,
        "owner": project.owner,
        "nature": project.nature,
        "industry": project.industry_id,
        "area": project.area_id,
        "department": project.department_id,
        "total_investment": str(Decimal("1.00")),
        "seen_version": "2",
        "listings-TOTAL_FORMS": "0",
        "listings-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.total_investment == Decimal("50000.00")
    assert project.version == 3


def test_a_form_posted_without_its_version_claims_the_version_read(admin_client, key_industry, monkeypatch):
    """Another clerk's save lands after the admin read the record: without the hidden field,
    the claim of the version this request read still sees that the row moved."""
    read = LedgerAdmin.get_object

    def read_then_move(self, request, object_id, from_field=None):
        record = read(self, request, object_id, from_field)
        if record is not None and request.method == "POST":
            type(record).objects.filter(pk=record.pk).update(name="乙改的", version=F("version") + 1)
        return record

    monkeypatch.setattr(LedgerAdmin, "get_object", read_then_move)
    url = reverse("admin:projects_industry_change", args=[key_industry.pk])
    posted = industry_form(key_industry, name="甲改的")
    del posted["seen_version"]
    response = admin_client.post(url, posted, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Someone else saved this record (now version 2) after you opened it (version 1)" in response.content.decode()
    key_industry.refresh_from_db()
    assert (key_industry.name, key_industry.version) == ("乙改的", 2)


# --- inline rows: each remembers its version too ----------------------------------------------


def unchanged_post(response) -> dict:
    """The change page's form and inline rows as a browser posts them, nothing changed."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += inline.formset.forms
        data |= {field.html_name: field.value() for field in inline.formset.management_form}
    for form in forms:
        for field in form:
            value = field.value()
            if value is not None and value is not False:
                data[field.html_name] = "on" if value is True else value
    return data


@pytest.fixture
def opened_with_a_report(admin_client, make_key_project):
    """A key project's page opened with its May report (version 1) in the inline, then that
    report saved by someone else (the monthly entry page, say): version 2. Returns the
    project, the report, the post of the page as opened, and the report row's field prefix."""
    project = make_key_project()
    report = ProgressReport.objects.create(project=project, month=datetime.date(2023, 5, 1), completed_investment=1)
    page = admin_client.get(reverse("admin:projects_keyproject_change", args=[project.pk]))
    data = unchanged_post(page)
    row = next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("progress_reports-") and key.endswith("-id") and value == report.pk
    )
    assert data[f"{row}-seen_version"] == 1
    ProgressReport.objects.get(pk=report.pk).save()
    return project, report, data, row


def test_a_changed_inline_row_someone_else_saved_since_is_refused_with_the_page(admin_client, opened_with_a_report):
    project, report, data, row = opened_with_a_report
    data[f"{row}-completed_investment"] = "9.00"
    data["owner"] = "甲改的业主"
    url = reverse("admin:projects_keyproject_change", args=[project.pk])
    response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Someone else saved this record (now version 2) after you opened it (version 1)" in response.content.decode()
    report.refresh_from_db()
    assert (report.completed_investment, report.version) == (Decimal("1.00"), 2)
    assert KeyProject.objects.get(pk=project.pk).owner != "甲改的业主"


def test_deleting_an_inline_row_someone_else_saved_since_is_refused(admin_client, opened_with_a_report):
    project, report, data, row = opened_with_a_report
    data[f"{row}-DELETE"] = "on"
    response = admin_client.post(reverse("admin:projects_keyproject_change", args=[project.pk]), data)
    assert response.status_code == 200
    assert ProgressReport.objects.filter(pk=report.pk).exists()


def test_an_unchanged_inline_row_does_not_hold_up_the_page(admin_client, opened_with_a_report):
    project, report, data, _row = opened_with_a_report
    data["owner"] = "甲改的业主"
    response = admin_client.post(reverse("admin:projects_keyproject_change", args=[project.pk]), data)
    assert response.status_code == 302
    assert KeyProject.objects.get(pk=project.pk).owner == "甲改的业主"
    report.refresh_from_db()
    assert (report.completed_investment, report.version) == (Decimal("1.00"), 2)  # the other clerk's
