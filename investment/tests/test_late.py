"""Late monthly reports (issue 17): the year plan's due day, the departments late with the latest
month due (``quotas.late_departments``) at the boundary days, the one-record rule and the query's
agreeing, the query count, the dashboard's line and the demo's two late departments."""

from __future__ import annotations

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from investment import quotas
from jiaxian import periods
from projects.models import ProgressReport, ProgressReview, YearPlan

d = datetime.date
ZONE = ZoneInfo("Asia/Shanghai")
LISTED_ON = d(2023, 1, 15)
MARCH, DUE = d(2023, 3, 1), d(2023, 4, 5)  # March's reports are due on 5 April (the default day)


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


def report(project, month=MARCH, *events) -> ProgressReport:
    """A report of ``month`` with its trail: ``events`` are (action, time); the row's times are
    the latest of each action, as the review writes them."""
    row = ProgressReport(project=project, month=month, completed_investment=10)
    for action, when in events:
        if action == "approved":
            row.approved_at, row.approved_investment = when, row.completed_investment
        else:
            setattr(row, f"{action}_at", when)
    row.save()
    for action, when in events:
        ProgressReview.objects.create(
            report=row, action=action, at=when, amount=row.completed_investment if action == "approved" else None
        )
    return row


def late(plan, on) -> dict[str, int]:
    result = quotas.late_departments(plan, on)
    return {department.name: department.missing for department in result.departments}


@pytest.fixture
def plan(make_year_plan) -> YearPlan:
    return make_year_plan(2023)


@pytest.fixture
def water(make_department):
    return make_department(name="县水利局", code="SLJ")


@pytest.fixture
def roads(make_department):
    return make_department(name="县交通运输局", code="JTJ")


@pytest.fixture
def listed(make_key_project, make_listing):
    def make(department, listed_on=LISTED_ON):
        return make_listing(project=make_key_project(department=department), year=2023, listed_on=listed_on).project

    return make


# --- the plan's due day ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "ok"), [(0, False), (1, True), (5, True), (28, True), (29, False)])
def test_the_due_day_is_a_day_every_month_has(day, ok):
    plan = YearPlan(year=2023, progress_due_day=day)
    if ok:
        plan.full_clean()
    else:
        with pytest.raises(ValidationError) as raised:
            plan.full_clean()
        assert set(raised.value.message_dict) == {"progress_due_day"}


def test_a_plan_without_a_due_day_takes_the_5th():
    assert YearPlan(year=2023).progress_due_day == 5


@pytest.mark.parametrize(
    ("month", "due_day", "due_on"),
    [
        (d(2023, 1, 1), 5, d(2023, 2, 5)),
        (d(2023, 1, 31), 28, d(2023, 2, 28)),  # any day of the month; February has the 28th
        (d(2023, 12, 1), 5, d(2024, 1, 5)),  # December's are due in January of the next year
    ],
)
def test_a_months_reports_are_due_on_the_due_day_of_the_following_month(month, due_day, due_on):
    assert YearPlan(year=month.year, progress_due_day=due_day).progress_due_on(month) == due_on


@pytest.mark.parametrize(
    ("on", "month"),
    [
        (d(2023, 2, 5), None),  # January's due day: nothing of the year is late yet
        (d(2023, 2, 6), d(2023, 1, 1)),
        (DUE, d(2023, 2, 1)),  # on March's due day, February is the latest month late
        (DUE + datetime.timedelta(days=1), MARCH),
        (d(2024, 1, 5), d(2023, 11, 1)),
        (d(2024, 1, 6), d(2023, 12, 1)),
        (d(2026, 6, 1), d(2023, 12, 1)),  # the year past: its last month
        (d(2022, 12, 31), None),
    ],
)
def test_the_late_month_is_the_latest_whose_due_day_has_passed(on, month):
    assert quotas.late_month(YearPlan(year=2023), on) == month


def test_the_late_month_follows_the_plans_due_day():
    plan = YearPlan(year=2023, progress_due_day=20)
    assert quotas.late_month(plan, d(2023, 4, 20)) == d(2023, 2, 1)
    assert quotas.late_month(plan, d(2023, 4, 21)) == MARCH


# --- late departments at the boundaries ----------------------------------------------------------


@pytest.mark.django_db
def test_on_the_due_day_the_month_is_not_late_and_the_day_after_it_is(plan, water, listed):
    listed(water)
    on_due = quotas.late_departments(plan, DUE)
    assert on_due.month == d(2023, 2, 1)  # March is not due yet
    after = quotas.late_departments(plan, DUE + datetime.timedelta(days=1))
    assert (after.month, after.due_on) == (MARCH, DUE)
    assert {department.name: department.missing for department in after.departments} == {"县水利局": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("submitted", "is_late"),
    [
        (at(DUE, 23, 59), False),  # the due day's last minute, in the county's time zone
        (at(DUE + datetime.timedelta(days=1), 0, 0), True),  # the day after's first
        (at(d(2023, 3, 31)), False),
    ],
)
def test_a_report_submitted_by_the_end_of_the_due_day_is_on_time(plan, water, listed, submitted, is_late):
    report(listed(water), MARCH, ("submitted", submitted))
    expected = {"县水利局": 1} if is_late else {}
    assert late(plan, DUE + datetime.timedelta(days=1)) == expected
    # Late once is late for that month: the figure of a later day is the same.
    assert late(plan, d(2023, 4, 30)) == expected


@pytest.mark.django_db
def test_a_department_is_late_when_any_of_its_projects_is_missing_and_counts_them(plan, water, roads, listed):
    a, b, c = listed(water), listed(water), listed(water)
    report(a, MARCH, ("submitted", at(d(2023, 4, 2))))
    report(b, MARCH)  # a draft: not submitted
    # c has no report at all
    for project in (listed(roads), listed(roads)):
        report(project, MARCH, ("submitted", at(d(2023, 4, 3))))
    report(c, d(2023, 2, 1), ("submitted", at(d(2023, 3, 2))))  # another month's does not count
    assert late(plan, d(2023, 4, 6)) == {"县水利局": 2}


@pytest.mark.django_db
def test_a_department_with_every_report_submitted_is_not_late(plan, water, roads, listed):
    for project in (listed(water), listed(water)):
        report(project, MARCH, ("submitted", at(d(2023, 4, 5))))
    listed(roads)
    assert late(plan, d(2023, 4, 6)) == {"县交通运输局": 1}


@pytest.mark.django_db
def test_the_trail_decides_not_the_rows_latest_submission(plan, water, listed):
    # Submitted on time, returned, submitted again after the due day: submitted by the due day.
    report(
        listed(water),
        MARCH,
        ("submitted", at(d(2023, 4, 3))),
        ("returned", at(d(2023, 4, 4))),
        ("submitted", at(d(2023, 4, 10))),
    )
    # Entered by bureau staff: approved as it saved, with no submission in the trail.
    report(listed(water), MARCH, ("approved", at(d(2023, 4, 5), 18)))
    assert late(plan, d(2023, 4, 20)) == {}


@pytest.mark.django_db
def test_a_project_listed_after_the_due_day_is_not_expected_for_that_month(plan, water, listed):
    listed(water, listed_on=DUE + datetime.timedelta(days=1))
    assert late(plan, d(2023, 4, 20)) == {}
    listed(water, listed_on=DUE)
    assert late(plan, d(2023, 4, 20)) == {"县水利局": 1}


@pytest.mark.django_db
def test_other_years_listings_do_not_count(plan, water, make_key_project, make_listing):
    make_listing(project=make_key_project(department=water), year=2022, listed_on=d(2022, 1, 15))
    assert late(plan, d(2023, 4, 20)) == {}


@pytest.mark.django_db
def test_departments_come_by_the_most_projects_missing(plan, water, roads, listed):
    listed(water)
    listed(roads), listed(roads)
    result = quotas.late_departments(plan, d(2023, 4, 6))
    assert [(department.name, department.missing) for department in result.departments] == [
        ("县交通运输局", 2),
        ("县水利局", 1),
    ]
    assert result.departments[0].department_id == roads.pk


@pytest.mark.django_db
def test_nothing_is_late_before_januarys_due_day(plan, water, listed):
    listed(water)
    assert quotas.late_departments(plan, d(2023, 2, 5)) is None
    assert quotas.workload(plan, d(2023, 2, 5)).late is None


# The one-report rule and the query's condition, at the due day's boundary, from the trail.
TRAILS = [
    ([], False),
    ([("submitted", at(DUE, 23, 59))], True),
    ([("submitted", at(DUE + datetime.timedelta(days=1), 0, 0))], False),
    ([("approved", at(DUE, 9))], True),
    ([("returned", at(DUE, 9))], False),
    ([("submitted", at(d(2023, 4, 1))), ("returned", at(d(2023, 4, 2))), ("submitted", at(d(2023, 4, 9)))], True),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("events", "submitted"), TRAILS)
def test_one_reports_rule_and_the_querys_condition_agree(water, listed, events, submitted):
    row = report(listed(water), MARCH, *events)
    fresh = ProgressReport.objects.prefetch_related("reviews").get(pk=row.pk)
    by_query = ProgressReport.objects.filter(ProgressReport.submitted_by_condition(DUE), pk=row.pk).exists()
    assert (fresh.was_submitted_by(DUE), by_query) == (submitted, submitted)


@pytest.mark.django_db
def test_late_departments_costs_one_query_at_3_and_at_30_projects(
    plan, make_department, listed, django_assert_num_queries
):
    def add(count):
        for i in range(count):
            project = listed(make_department())
            if i % 3:
                report(project, MARCH, ("submitted", at(d(2023, 4, 8) if i % 2 else d(2023, 4, 2))))

    add(3)
    # One query: the listings of the year by the due day without a report handed in by then,
    # counted by department (the plan is given).
    with django_assert_num_queries(1):
        first = quotas.late_departments(plan, d(2023, 4, 20))
    add(27)
    with django_assert_num_queries(1):
        second = quotas.late_departments(plan, d(2023, 4, 20))
    assert len(first.departments) < len(second.departments)
    assert sum(department.missing for department in second.departments) == 20  # i % 3 == 0, or i odd


# --- the dashboard -------------------------------------------------------------------------------


def late_line(content: str) -> str:
    match = re.search(r"<tr><th scope=\"row\">(\d{4}-\d{2}) 月报逾期单位.*?</tr>", content, re.S)
    assert match, "no line of late departments"
    return html.unescape(match.group(0))


@pytest.mark.django_db
def test_the_dashboard_counts_the_late_departments_and_links_them(
    zh_admin_client, plan, water, roads, listed, monkeypatch
):
    monkeypatch.setattr(periods, "today", lambda: d(2023, 4, 6))
    listed(water), listed(water)
    report(listed(roads), MARCH, ("submitted", at(d(2023, 4, 1))))
    content = zh_admin_client.get(reverse("quota-dashboard"), {"year": 2023}).content.decode()
    line = late_line(content)
    entry = reverse("monthly-entry")
    assert "2023-03 月报逾期单位（截止 2023-04-05）" in line
    assert f'<a href="{entry}?year=2023&month=3">1</a>' in line
    assert f'<a href="{entry}?year=2023&month=3&department={water.pk}">县水利局</a>（缺报 2 个）' in line
    assert "县交通运输局" not in line
    # The link opens the month on the monthly entry page with the department's projects.
    page = zh_admin_client.get(f"{entry}?year=2023&month=3&department={water.pk}")
    assert page.status_code == 200
    assert page.content.decode().count('name="form-') > 0


@pytest.mark.django_db
def test_the_dashboard_shows_no_late_line_before_januarys_due_day(zh_admin_client, plan, monkeypatch):
    monkeypatch.setattr(periods, "today", lambda: d(2023, 2, 5))
    content = zh_admin_client.get(reverse("quota-dashboard"), {"year": 2023}).content.decode()
    assert "月报逾期单位" not in content


@pytest.mark.parametrize(
    ("today", "month", "due_on"), [(d(2023, 7, 5), "2023-05", d(2023, 6, 5)), (d(2023, 7, 6), "2023-06", d(2023, 7, 5))]
)
def test_the_demo_has_its_two_late_departments_on_the_dashboard(
    zh_admin_client, demo_data, monkeypatch, today, month, due_on
):
    from projects.models import KeyProject

    monkeypatch.setattr(periods, "today", lambda: today)
    content = zh_admin_client.get(reverse("quota-dashboard"), {"year": 2023}).content.decode()
    line = late_line(content)
    assert line.startswith(f'<tr><th scope="row">{month} 月报逾期单位')
    names = re.findall(r"department=\d+\">([^<]+)</a>（缺报 (\d+) 个）", line)
    counts = {
        code: KeyProject.objects.listed_for(2023, as_of=due_on).filter(department__code=code).count()
        for code in ("SLJ", "CGJ")
    }
    assert sorted(names) == sorted([("县水利局", str(counts["SLJ"])), ("县城市管理局", str(counts["CGJ"]))])
    assert all(counts.values())
    assert re.search(r'month=\d+">2</a>', line)
