"""Monthly progress reports, milestones and problem records: the models' rules and derived
values, and the problem counts of the queryset the same as the model's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiaxian.models import ratio
from projects.choices import MilestoneKindChoices as Kind
from projects.models import KeyProject, Milestone, Problem, ProgressReport
from projects.tests.helpers import approved_report

pytestmark = pytest.mark.django_db

d = datetime.date
D = Decimal


@pytest.fixture
def project(today, make_key_project, make_listing):
    project = make_key_project(total_investment=D("50000.00"))
    make_listing(project=project, year=2023, planned_investment=D("12000.00"))
    return project


def errors_of(record) -> dict:
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return caught.value.message_dict


def test_a_report_month_is_written_as_its_first_day(project):
    assert "month" in errors_of(ProgressReport(project=project, month=d(2023, 5, 2), completed_investment=D("1")))


def test_the_current_month_may_be_reported_but_not_the_next(project):
    ProgressReport(project=project, month=d(2023, 6, 1), completed_investment=D("1")).full_clean()
    assert "month" in errors_of(ProgressReport(project=project, month=d(2023, 7, 1), completed_investment=D("1")))


def test_one_report_per_project_and_month(project):
    ProgressReport.objects.create(project=project, month=d(2023, 5, 1), completed_investment=D("1"))
    assert "month" in errors_of(ProgressReport(project=project, month=d(2023, 5, 1), completed_investment=D("2")))


def test_a_negative_amount_is_refused(project):
    errors = errors_of(ProgressReport(project=project, month=d(2023, 5, 1), completed_investment=D("-0.01")))
    assert "completed_investment" in errors


def test_the_years_completed_and_planned_investment_derive_from_the_reports(project):
    for month, amount in [(d(2022, 11, 1), "500.00"), (d(2023, 1, 1), "1000.00"), (d(2023, 6, 1), "2000.00")]:
        approved_report(project, month, amount)
    assert project.completed_investment(2023) == D("3000.00")
    assert project.completed_investment(2023, d(2023, 5, 31)) == D("1000.00")
    assert ratio(project.completed_investment(2023), project.planned_investment(2023)) == D("0.2500")
    assert project.planned_investment(2022) == D("0")  # not listed for 2022
    annotated = KeyProject.objects.with_progress(d(2023, 6, 30)).get()
    assert annotated.year_completed_investment == D("3000.00")
    assert annotated.year_planned_investment == D("12000.00")


def test_a_custom_milestone_needs_a_name(project):
    assert "name" in errors_of(Milestone(project=project, kind=Kind.CUSTOM))
    Milestone(project=project, kind=Kind.CUSTOM, name="设备安装").full_clean()


def test_a_milestone_cannot_be_done_in_the_future(project):
    assert "done_on" in errors_of(Milestone(project=project, kind=Kind.START, done_on=d(2023, 7, 1)))


def test_a_problem_resolved_needs_a_resolution_and_a_date_after_raising(project, department):
    problem = Problem(project=project, description="用地指标", raised_on=d(2023, 3, 1), department=department)
    problem.resolved_on = d(2023, 2, 1)
    errors = errors_of(problem)
    assert "resolved_on" in errors and "resolution" in errors
    problem.due_on = d(2023, 2, 1)
    assert "due_on" in errors_of(problem)


@pytest.mark.parametrize(
    ("raised_on", "due_on", "resolved_on", "is_open", "is_overdue"),
    [
        (d(2023, 7, 1), None, None, False, False),  # raised after the date
        (d(2023, 6, 30), None, None, True, False),
        (d(2023, 6, 1), d(2023, 6, 30), None, True, False),  # due on the day: not overdue yet
        (d(2023, 6, 1), d(2023, 6, 29), None, True, True),
        (d(2023, 6, 1), d(2023, 6, 29), d(2023, 6, 30), False, False),  # resolved on the day
        (d(2023, 6, 1), d(2023, 6, 29), d(2023, 7, 1), True, True),  # resolved only later
    ],
)
def test_open_and_overdue_problems_agree_in_the_model_and_the_queryset(
    project, department, raised_on, due_on, resolved_on, is_open, is_overdue
):
    problem = Problem.objects.create(
        project=project,
        description="x",
        raised_on=raised_on,
        due_on=due_on,
        resolved_on=resolved_on,
        resolution="done" if resolved_on else "",
        department=department,
    )
    as_of = d(2023, 6, 30)
    assert (problem.is_open_on(as_of), problem.is_overdue_on(as_of)) == (is_open, is_overdue)
    counted = KeyProject.objects.with_problem_counts(as_of).get()
    assert (counted.open_problems, counted.overdue_problems) == (int(is_open), int(is_overdue))
    assert Problem.objects.open_on(as_of).exists() == is_open
    assert Problem.objects.overdue_on(as_of).exists() == is_overdue
