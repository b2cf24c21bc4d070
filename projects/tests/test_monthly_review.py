"""The monthly entry page and the review (issue 17): a department clerk's month is saved as
drafts and submitted with 保存并提交本页; each row shows its stage; an approved row is locked for
the clerk; bureau staff's rows are approved as they save."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from projects.choices import ReviewStageChoices as Stage
from projects.models import ProgressReport
from projects.tests.helpers import approved_report
from projects.tests.test_monthly_entry import URL, post_of, table

pytestmark = pytest.mark.django_db
d = datetime.date


@pytest.fixture
def listed(today, make_key_project, make_listing, department):
    """Projects of ``department`` listed for 2023: 甲, 乙, 丙."""
    made = []
    for name in ("甲项目", "乙项目", "丙项目"):
        project = make_key_project(name=name, department=department)
        make_listing(project=project, year=2023, planned_investment=D("1200.00"))
        made.append(project)
    return made


def stages() -> dict[str, str]:
    return {report.project.name: report.stage for report in ProgressReport.objects.select_related("project")}


def test_a_clerks_save_is_a_draft_and_save_and_submit_submits_the_page(client, persona, listed):
    client.force_login(persona("clerk"))
    page = table(client)
    assert 'name="_submit"' in page.content.decode()
    assert client.post(URL, post_of(page, {"甲项目": ("100.00", "")})).status_code == 302
    assert stages() == {"甲项目": Stage.DRAFT}
    page = table(client)
    assert "草稿" in page.content.decode()
    data = {**post_of(page, {"乙项目": ("50.00", "")}), "_submit": "1"}
    assert client.post(URL, data).status_code == 302
    assert stages() == {"甲项目": Stage.SUBMITTED, "乙项目": Stage.SUBMITTED}


def test_bureau_staffs_rows_are_approved_as_they_save_and_they_get_no_submit_button(client, persona, listed):
    client.force_login(persona("bureau"))
    page = table(client)
    assert 'name="_submit"' not in page.content.decode()
    assert client.post(URL, post_of(page, {"甲项目": ("100.00", "")})).status_code == 302
    report = ProgressReport.objects.get()
    assert (report.stage, report.approved_investment) == (Stage.APPROVED, D("100.00"))


def test_an_approved_row_is_read_only_for_the_clerk_and_a_posted_change_is_refused(client, persona, listed):
    approved_report(listed[0], d(2023, 5, 1), "100.00")
    client.force_login(persona("clerk"))
    page = table(client)
    [row] = [row for row, _form in page.context["rows"] if row["project"].name == "甲项目"]
    assert row["locked"]
    refused = client.post(URL, post_of(page, {"甲项目": ("999.00", ""), "乙项目": ("1.00", "")}))
    assert refused.status_code == 400
    assert "甲项目" in refused.content.decode() and "锁定" in refused.content.decode()
    assert list(ProgressReport.objects.values_list("completed_investment", flat=True)) == [D("100.00")]


def test_a_returned_row_shows_its_reason_and_is_submitted_again(client, persona, listed):
    ProgressReport.objects.create(
        project=listed[0],
        month=d(2023, 5, 1),
        completed_investment=D("10.00"),
        submitted_at=timezone.now() - datetime.timedelta(days=1),
        returned_at=timezone.now(),
        return_reason="与形象进度不符",
    )
    client.force_login(persona("clerk"))
    page = table(client)
    assert "与形象进度不符" in page.content.decode()
    assert client.post(URL, {**post_of(page, {"甲项目": ("12.00", "")}), "_submit": "1"}).status_code == 302
    assert stages() == {"甲项目": Stage.SUBMITTED}


@pytest.mark.parametrize("size", [3, 30])
def test_saving_and_submitting_takes_as_many_queries_for_3_rows_as_for_30(
    client, persona, today, make_key_project, make_listing, department, size, django_assert_num_queries
):
    for n in range(size):
        project = make_key_project(name=f"项目{n:03}", department=department)
        make_listing(project=project, year=2023, planned_investment=D("100.00"))
    clerk = persona("clerk")
    client.force_login(clerk)
    page = table(client)
    data = {**post_of(page, {f"项目{n:03}": (f"{n}.50", "") for n in range(size)}), "_submit": "1"}
    # The page's reads (session, user, two of permissions, departments, count, listings, the
    # month's reports: 8); the outer savepoint (2); the save (its savepoint 2, the reports
    # created and their history 2); the submission (its reports 1, its savepoint 2, the claim,
    # the update and its history, the trail 4).
    with django_assert_num_queries(21):
        assert client.post(URL, data).status_code == 302
    assert set(stages().values()) == {Stage.SUBMITTED}
