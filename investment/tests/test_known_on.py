"""Figures as known on a day K (issue 17): the quota report's ``known_on``, the export's, and a
filing that records its K, so that a filed quarter recomputed as known on it gives the same
figures after a report was reopened and changed."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from investment import quotas
from investment.exporters import QuarterlyExporter
from investment.filings import file_quarter
from investment.tests.helpers import reply
from jiaxian import periods
from projects import review
from projects.models import ProgressReport
from projects.tests.helpers import approved_report

d = datetime.date
KEY = "key_project_investment_progress"


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def june(make_year_plan, make_listing):
    """A project planned at 1,200 万元 for 2023 whose June report (600) was approved on 3 July."""
    plan = make_year_plan(2023)
    listing = make_listing(year=2023, listed_on=d(2023, 1, 15), planned_investment=D("1200.00"))
    report = approved_report(listing.project, d(2023, 6, 1), "600.00", at=at(d(2023, 7, 3)))
    return plan, report


@pytest.mark.django_db
def test_the_report_counts_junes_approval_known_on_5_july_and_not_on_1_july(june):
    plan, _report = june
    as_of = d(2023, 6, 30)
    assert quotas.report(plan, as_of, d(2023, 7, 5))[KEY].value == D("0.5000")
    assert quotas.report(plan, as_of, d(2023, 7, 1))[KEY].value == D("0.0000")
    assert quotas.report(plan, as_of)[KEY].value == D("0.5000")
    # The lights follow the same knowledge: behind time progress (0.5) by more than 30 points
    # when nothing was known yet, so red; on time once June's report is known.
    assert quotas.key_project_signals(plan, as_of, d(2023, 7, 1)).red == 1
    assert quotas.key_project_signals(plan, as_of, d(2023, 7, 5)).red == 0


@pytest.mark.django_db
def test_the_api_takes_known_on_and_names_it_when_bad(june, admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    url = "/api/reports/quotas/"
    early = client.get(url, {"year": 2023, "as_of": "2023-06-30", "known_on": "2023-07-01"}).json()
    later = client.get(url, {"year": 2023, "as_of": "2023-06-30", "known_on": "2023-07-05"}).json()
    now = client.get(url, {"year": 2023, "as_of": "2023-06-30"}).json()
    value = {row["key"]: row["value"] for row in later["targets"]}[KEY]
    assert (early["known_on"], later["known_on"], now["known_on"]) == ("2023-07-01", "2023-07-05", None)
    assert {row["key"]: row["value"] for row in early["targets"]}[KEY] == "0.0000" and value == "0.5000"
    bad = client.get(url, {"year": 2023, "known_on": "2023-13-01"})
    assert bad.status_code == 400 and "known_on" in bad.json()


def key_project_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["重点项目"]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def every_sheet(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet's rows, but the generation-time line (the one thing two runs write apart)."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True) if row[0] != "生成时间"]
        for sheet in book.worksheets
    }


@pytest.mark.django_db
def test_a_filed_quarter_recomputed_as_known_on_its_day_is_unchanged_after_a_report_is_reopened(
    june, monkeypatch, make_order
):
    plan, report = june
    filer = User.objects.create_superuser("filer", "filer@example.invalid", "pw")
    # An order about the project, replied to in June and decided only after the filing.
    order = make_order(key_project=report.project, issued_on=d(2023, 6, 10), due_on=d(2023, 6, 20))
    answer = reply(order, d(2023, 6, 25))
    monkeypatch.setattr(periods, "today", lambda: d(2023, 7, 5))
    filing = file_quarter(2023, 2, "xlsx", filer)
    assert filing.known_on == d(2023, 7, 5)
    filed = key_project_rows(filing.content_bytes())
    # Reopened and approved again at another amount, after the filing.
    report = ProgressReport.objects.get(pk=report.pk)
    review.act("returned", [report], filer, "金额有误")
    report = ProgressReport.objects.get(pk=report.pk)
    report.completed_investment = D("900.00")
    report.save()
    review.act("submitted", [report], filer)
    review.act("approved", [ProgressReport.objects.get(pk=report.pk)], filer)
    assert ProgressReport.objects.get(pk=report.pk).approved_investment == D("900.00")

    monkeypatch.setattr(periods, "today", lambda: d(2023, 7, 10))
    answer.decision, answer.decided_on = "accepted", d(2023, 7, 10)
    answer.full_clean()
    answer.save()

    again = QuarterlyExporter(plan, 2, known_on=filing.known_on).render()
    now = QuarterlyExporter(plan, 2).render()
    assert key_project_rows(again) == filed
    assert key_project_rows(now) != filed
    # Every sheet, the orders' too: as of 30 June the order was replied and overdue (its
    # acceptance on 10 July is after the quarter), in the filing and in its recomputation.
    assert every_sheet(again) == every_sheet(filing.content_bytes())
    (order_row,) = every_sheet(again)["督办事项"][1:-1]
    assert order_row[9:11] == ("已反馈待审核", 10)
