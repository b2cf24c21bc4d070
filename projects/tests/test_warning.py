"""Time progress and the warning light (红黄绿灯): each signal's boundaries, and the database's
answer (``KeyProjectQuerySet.with_warning``) the same as the model's (``KeyProject.warning_on``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jiaxian import periods
from projects.choices import MilestoneKindChoices as Kind
from projects.models import KeyProject, Milestone, YearPlan
from projects.tests.helpers import approved_report

pytestmark = pytest.mark.django_db

d = datetime.date
D = Decimal
AS_OF = d(2023, 6, 30)  # time progress 6/12 = 0.5000


@pytest.mark.parametrize(
    ("on", "months", "progress"),
    [
        (d(2023, 1, 1), 0, "0.0000"),
        (d(2023, 1, 30), 0, "0.0000"),
        (d(2023, 1, 31), 1, "0.0833"),
        (d(2023, 2, 28), 2, "0.1667"),
        (d(2024, 2, 28), 1, "0.0833"),  # a leap year's February ends on the 29th
        (d(2024, 2, 29), 2, "0.1667"),
        (d(2023, 3, 31), 3, "0.2500"),
        (d(2023, 6, 29), 5, "0.4167"),
        (d(2023, 6, 30), 6, "0.5000"),
        (d(2023, 7, 1), 6, "0.5000"),
        (d(2023, 9, 30), 9, "0.7500"),
        (d(2023, 12, 30), 11, "0.9167"),
        (d(2023, 12, 31), 12, "1.0000"),
    ],
)
def test_time_progress_counts_a_month_as_elapsed_on_its_last_day(on, months, progress):
    assert periods.months_elapsed(on) == months
    assert periods.time_progress(on) == D(progress)


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)  # yellow up to 30 days late; gaps 0.1000 and 0.3000


@pytest.fixture
def project(today, make_key_project, make_listing):
    """A project listed for 2023 with 10,000 万元 planned, milestones all undated."""
    project = make_key_project(total_investment=D("50000.00"))
    make_listing(project=project, year=2023, planned_investment=D("10000.00"))
    return project


def set_milestone(project, planned_on, done_on=None, kind=Kind.APPROVAL):
    Milestone.objects.filter(project=project, kind=kind).update(planned_on=planned_on, done_on=done_on)


def report(project, month, amount):
    approved_report(project, month, amount)


def light(project, plan, as_of=AS_OF) -> tuple[str, str]:
    """The light by the queryset and by the model, to compare."""
    annotated = KeyProject.objects.with_warning(as_of, plan).get(pk=project.pk).warning
    return annotated, KeyProject.objects.get(pk=project.pk).warning_on(as_of, plan)


def test_a_new_key_project_gets_the_standard_milestones_with_blank_dates(make_key_project):
    project = make_key_project()
    kinds = list(project.milestones.values_list("kind", flat=True))
    assert sorted(kinds) == sorted(k for k in Kind.values if k != Kind.CUSTOM)
    assert not project.milestones.exclude(planned_on=None).exists()
    assert project.milestones.first().history.count() == 1


# Milestone signal: investment on time (5,000 of 10,000 at 0.5).
@pytest.mark.parametrize(
    ("planned_on", "done_on", "expected"),
    [
        (None, None, "green"),
        (AS_OF, None, "green"),  # due today: not late yet
        (AS_OF - datetime.timedelta(days=1), None, "yellow"),  # 1 day late
        (AS_OF - datetime.timedelta(days=30), None, "yellow"),  # exactly 30 days late
        (AS_OF - datetime.timedelta(days=31), None, "red"),  # one more
        (d(2023, 1, 1), AS_OF, "green"),  # done on the as-of date
        (d(2023, 1, 1), AS_OF + datetime.timedelta(days=1), "red"),  # done only after it
        (d(2023, 1, 1), d(2023, 3, 1), "green"),  # done late, but done
    ],
)
def test_milestone_signal_boundaries(plan, project, planned_on, done_on, expected):
    set_milestone(project, planned_on, done_on)
    report(project, d(2023, 6, 1), "5000.00")
    assert light(project, plan) == (expected, expected)


def test_the_milestone_yellow_limit_comes_from_the_plan(make_year_plan, project):
    plan = make_year_plan(2023, milestone_yellow_max_days=10)
    report(project, d(2023, 6, 1), "5000.00")
    set_milestone(project, AS_OF - datetime.timedelta(days=10))
    assert light(project, plan) == ("yellow", "yellow")
    set_milestone(project, AS_OF - datetime.timedelta(days=11))
    assert light(project, plan) == ("red", "red")


# Investment signal at time progress 0.5000 with 10,000 planned: behind by completed ÷ planned.
@pytest.mark.parametrize(
    ("completed", "expected"),
    [
        ("10000.00", "green"),
        ("5000.00", "green"),  # on time
        ("4000.00", "green"),  # exactly 10 points behind
        ("3999.00", "yellow"),  # just more than 10
        ("2000.00", "yellow"),  # exactly 30 points behind
        ("1999.00", "red"),  # just more than 30
        ("0.00", "red"),
    ],
)
def test_investment_signal_boundaries(plan, project, completed, expected):
    report(project, d(2023, 3, 1), completed)
    assert light(project, plan) == (expected, expected)


def test_reports_of_other_years_and_later_months_do_not_count(plan, project):
    report(project, d(2022, 12, 1), "9000.00")
    report(project, d(2023, 6, 1), "1999.00")
    # As of 2023-06-30 the June report counts: 1,999 of 10,000 at 0.5 → red.
    assert light(project, plan) == ("red", "red")
    # As of 2023-05-31 it does not: nothing completed at 5/12 (41.67 points behind) → red.
    assert light(project, plan, d(2023, 5, 31)) == ("red", "red")
    # On Jan 1 no month has elapsed: nothing is behind.
    assert light(project, plan, d(2023, 1, 1)) == ("green", "green")


def test_a_project_not_listed_has_no_investment_signal(plan, today, make_key_project):
    project = make_key_project()
    assert light(project, plan) == ("green", "green")


def test_the_light_is_the_worse_of_the_two_signals(plan, project):
    set_milestone(project, AS_OF - datetime.timedelta(days=5))  # yellow
    report(project, d(2023, 6, 1), "1000.00")  # red
    assert light(project, plan) == ("red", "red")


@pytest.mark.parametrize(
    ("late_days", "completed", "as_of"),
    [
        (late, completed, as_of)
        for late in (None, 0, 1, 30, 31, 200)
        for completed in ("0.00", "1999.00", "2000.00", "3999.00", "4000.00", "6000.00")
        for as_of in (d(2023, 3, 31), AS_OF, d(2023, 12, 31))
    ],
)
def test_the_queryset_and_the_model_give_the_same_light(plan, project, late_days, completed, as_of):
    if late_days is not None:
        set_milestone(project, as_of - datetime.timedelta(days=late_days))
    report(project, d(2023, 2, 1), completed)
    annotated, model = light(project, plan, as_of)
    assert annotated == model


def test_the_warning_filter_selects_by_colour(plan, project, make_key_project, make_listing):
    report(project, d(2023, 6, 1), "5000.00")
    behind = make_key_project()
    make_listing(project=behind, year=2023, planned_investment=D("10000.00"))
    lights = dict(KeyProject.objects.with_warning(AS_OF, plan).values_list("name", "warning"))
    assert lights == {project.name: "green", behind.name: "red"}
    assert list(KeyProject.objects.with_warning(AS_OF, plan).filter(warning="red")) == [behind]


def test_year_plan_for_year_defaults_apply_without_a_saved_plan(project):
    report(project, d(2023, 6, 1), "1999.00")
    assert project.warning_on(AS_OF) == "red"
    assert KeyProject.objects.with_warning(AS_OF, YearPlan.for_year(2023)).get().warning == "red"
