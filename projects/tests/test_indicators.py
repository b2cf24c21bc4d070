"""The year plan's indicators (issue 20): the rules of an indicator and of its monthly values,
their review (the same as the progress reports'), and their figures as of D known on K (the
model's method and the queryset's annotation agree), met or not yet, the light against the time
progress, and the queries they cost."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from projects import review
from projects.choices import (
    IndicatorStatusChoices as Status,
    KeyProjectWarningChoices as Light,
    ReviewActionChoices as Action,
    ReviewStageChoices as Stage,
)
from projects.indicators import indicators_on
from projects.models import IndicatorValue, IndicatorValueReview, PlanIndicator
from projects.tests.helpers import approved_value, assert_refused_on

pytestmark = pytest.mark.django_db

d = datetime.date


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def figure(indicator: PlanIndicator, as_of, known_on=None):
    """The figure both ways, asserted equal: the annotation and the method."""
    annotated = PlanIndicator.objects.with_figures(as_of, known_on).get(pk=indicator.pk).figure
    assert indicator.figure_on(as_of, known_on) == annotated
    return annotated


# --- the rules of one record ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("decimals", "target", "refused"),
    [(0, "3", None), (0, "3.5", "target"), (2, "85.25", None), (1, "85.25", "target")],
)
def test_an_indicator_s_target_has_at_most_its_decimals(make_indicator, decimals, target, refused):
    indicator = make_indicator()
    indicator.decimals, indicator.target = decimals, D(target)
    assert_refused_on(indicator, refused)


def test_an_indicator_s_name_is_unique_in_its_plan(make_indicator):
    first = make_indicator(name="新增技能人才")
    second = PlanIndicator(**{f.attname: getattr(first, f.attname) for f in PlanIndicator._meta.concrete_fields})
    second.pk = second.id = None
    assert_refused_on(second, "name")


@pytest.mark.parametrize(
    ("frequency", "month", "refused"),
    [
        ("monthly", d(2023, 5, 1), None),
        ("quarterly", d(2023, 5, 1), "month"),
        ("quarterly", d(2023, 6, 1), None),
        ("yearly", d(2023, 6, 1), "month"),
        ("monthly", d(2022, 12, 1), "month"),  # another year than the plan's
        ("monthly", d(2023, 5, 2), "month"),  # not a first day
        ("monthly", d(2023, 7, 1), "month"),  # not begun on the frozen today, 2023-06-30
    ],
)
def test_a_value_s_month(today, make_indicator, frequency, month, refused):
    indicator = make_indicator(frequency=frequency)
    assert_refused_on(IndicatorValue(indicator=indicator, month=month, value=D("1")), refused)


def test_a_value_has_at_most_its_indicator_s_decimals_and_one_per_month(today, make_indicator):
    indicator = make_indicator(decimals=0)
    assert_refused_on(IndicatorValue(indicator=indicator, month=d(2023, 1, 1), value=D("1.5")), "value")
    IndicatorValue.objects.create(indicator=indicator, month=d(2023, 1, 1), value=D("1"))
    assert_refused_on(IndicatorValue(indicator=indicator, month=d(2023, 1, 1), value=D("2")), "month")


def test_a_value_is_versioned_with_history(today, make_indicator):
    value = IndicatorValue.objects.create(indicator=make_indicator(), month=d(2023, 1, 1), value=D("1"))
    value.value = D("2")
    value.save()
    assert value.version == 2
    assert [h.value for h in value.history.order_by("history_id")] == [D("1"), D("2")]


# --- the review: the progress reports' ------------------------------------------------------


def test_a_value_is_reviewed_as_a_progress_report_is(today, make_indicator, department, django_user_model):
    from django.contrib.auth.models import Group, Permission

    clerk = django_user_model.objects.create_user("clerk")
    clerk.groups.add(Group.objects.get(name="部门工作人员"))
    department.members.add(clerk)
    staff = django_user_model.objects.create_user("staff")
    staff.groups.add(Group.objects.get(name="招商局、发改委工作人员"))
    value = IndicatorValue.objects.create(indicator=make_indicator(), month=d(2023, 1, 1), value=D("420"))
    assert value.stage == Stage.DRAFT
    with pytest.raises(review.Refused):
        review.act(Action.APPROVED, [value], clerk)  # not bureau staff
    review.act(Action.SUBMITTED, [value], clerk)
    review.act(Action.APPROVED, [value], staff)
    value.refresh_from_db()
    assert (value.stage, value.approved_value, value.version) == (Stage.APPROVED, D("420"), 3)
    assert review.entry_refusal(clerk, value) is not None  # locked for the department
    assert review.entry_refusal(staff, value) is None
    assert list(IndicatorValueReview.objects.values_list("action", "amount")) == [
        (Action.SUBMITTED, None),
        (Action.APPROVED, D("420")),
    ]
    review.act(Action.RETURNED, [value], staff, "口径不对")
    value.refresh_from_db()
    assert (value.stage, value.return_reason) == (Stage.RETURNED, "口径不对")
    # The permission is the values' own: approving progress reports is not enough.
    assert review.reviews(staff, IndicatorValue)
    clerk.user_permissions.add(Permission.objects.get(codename="review_progressreport"))
    clerk = django_user_model.objects.get(pk=clerk.pk)  # its permissions read again
    assert review.reviews(clerk) and not review.reviews(clerk, IndicatorValue)


def test_bureau_staff_s_entry_is_approved_as_it_saves(today, make_indicator, admin_user):
    value = IndicatorValue(indicator=make_indicator(), month=d(2023, 2, 1), value=D("7"))
    event = review.stamp_entry(value, admin_user)
    value.save()
    review.write_trail([event])
    assert (value.stage, value.approved_value) == (Stage.APPROVED, D("7"))
    assert IndicatorValueReview.objects.get().amount == D("7")


# --- the figures --------------------------------------------------------------------------


def test_a_cumulative_figure_sums_the_approved_values_of_the_months_begun(make_indicator):
    indicator = make_indicator()
    for month, value in ((1, "400"), (2, "450"), (3, "500")):
        approved_value(indicator, d(2023, month, 1), value)
    IndicatorValue.objects.create(indicator=indicator, month=d(2023, 4, 1), value=D("999"))  # a draft
    assert figure(indicator, d(2022, 12, 31)) == D("0")
    assert figure(indicator, d(2023, 1, 31)) == D("400")
    assert figure(indicator, d(2023, 2, 28)) == D("850")
    assert figure(indicator, d(2023, 3, 1)) == D("1350")  # a month counts once begun, as a report
    assert figure(indicator, d(2023, 12, 31)) == D("1350")  # the draft never


def test_a_level_figure_is_the_latest_approved_value(make_indicator):
    indicator = make_indicator(accumulation="level", decimals=2, unit="%", target=D("85"), frequency="quarterly")
    assert figure(indicator, d(2023, 12, 31)) is None
    approved_value(indicator, d(2023, 3, 1), "70.50")
    approved_value(indicator, d(2023, 6, 1), "86.00")
    draft = IndicatorValue.objects.create(indicator=indicator, month=d(2023, 9, 1), value=D("90"))
    assert figure(indicator, d(2023, 2, 28)) is None
    assert figure(indicator, d(2023, 5, 31)) == D("70.50")
    assert figure(indicator, d(2023, 6, 1)) == D("86.00")
    assert figure(indicator, d(2023, 12, 31)) == D("86.00")  # the draft of September does not count
    assert draft.stage == Stage.DRAFT


def test_known_on_counts_what_was_approved_by_then(make_indicator):
    indicator = make_indicator()
    value = approved_value(indicator, d(2023, 1, 1), "300", at=at(d(2023, 2, 5)))
    assert figure(indicator, d(2023, 1, 31), d(2023, 2, 4)) == D("0")
    assert figure(indicator, d(2023, 1, 31), d(2023, 2, 5)) == D("300")
    # Returned and approved again at another value: a day in between still knows the first.
    value.value, value.approved_value, value.approved_at = D("350"), D("350"), at(d(2023, 3, 10))
    value.save()
    IndicatorValueReview.objects.create(report=value, action="approved", at=at(d(2023, 3, 10)), amount=D("350"))
    assert figure(indicator, d(2023, 1, 31), d(2023, 3, 1)) == D("300")
    assert figure(indicator, d(2023, 1, 31), d(2023, 3, 10)) == D("350")
    assert figure(indicator, d(2023, 1, 31)) == D("350")


@pytest.mark.parametrize(
    ("comparison", "value", "status"),
    [
        ("at_least", "5000", Status.MET),
        ("at_least", "4999", Status.NOT_YET),
        ("at_most", "0", Status.MET),
        ("at_most", "1", Status.NOT_YET),
        ("equal", "100", Status.MET),
        ("equal", "99", Status.NOT_YET),
    ],
)
def test_the_comparison_says_met_or_not_yet(make_indicator, comparison, value, status):
    target = {"at_least": D("5000"), "at_most": D("0"), "equal": D("100")}[comparison]
    indicator = make_indicator(comparison=comparison, target=target, accumulation="level")
    assert indicator.status_of(None) == Status.NO_FIGURE
    assert indicator.status_of(D(value)) == status


@pytest.mark.parametrize(
    ("done", "as_of", "light"),
    [
        # Target 1200 by the year: 600 due by 2023-06-30 (time progress 50%); yellow from 10
        # points behind (below 480), red from 30 (below 240), as the key projects' light.
        ("600", d(2023, 6, 30), Light.GREEN),
        ("480", d(2023, 6, 30), Light.GREEN),
        ("479", d(2023, 6, 30), Light.YELLOW),
        ("240", d(2023, 6, 30), Light.YELLOW),
        ("239", d(2023, 6, 30), Light.RED),
        ("239", d(2023, 6, 29), Light.YELLOW),  # five months elapsed on the 29th
    ],
)
def test_a_cumulative_target_known_monthly_has_the_key_projects_light(make_indicator, done, as_of, light):
    indicator = make_indicator(target=D("1200"))
    approved_value(indicator, d(2023, 1, 1), done)
    (row,) = indicators_on(2023, as_of)
    assert row.light == light
    assert indicator.light_of(figure(indicator, as_of), as_of) == light


def test_a_quarterly_target_is_held_against_the_last_quarter_s_end(make_indicator):
    indicator = make_indicator(target=D("1200"), frequency="quarterly")
    approved_value(indicator, d(2023, 3, 1), "300")
    # 2023-05-31: five months elapsed, but the figure is the first quarter's, held against 25%.
    (row,) = indicators_on(2023, d(2023, 5, 31))
    assert (row.light, row.time_progress) == (Light.GREEN, D("0.2500"))
    (row,) = indicators_on(2023, d(2023, 6, 30))
    assert (row.light, row.time_progress) == (Light.YELLOW, D("0.5000"))  # 25% done against 50%: 25 points


@pytest.mark.parametrize(
    "fields",
    [{"accumulation": "level"}, {"comparison": "at_most"}, {"frequency": "yearly"}, {"comparison": "equal"}],
)
def test_other_indicators_have_no_light(make_indicator, fields):
    indicator = make_indicator(**fields)
    (row,) = indicators_on(2023, d(2023, 6, 30))
    assert row.light is None and row.time_progress is None
    assert row.status in (Status.NOT_YET, Status.NO_FIGURE, Status.MET)
    assert indicator.follows_time_progress is False


def test_a_year_s_figures_cost_one_query_at_two_sizes(make_indicator, django_assert_num_queries):
    for size in (2, 12):
        PlanIndicator.objects.all().delete()
        for number in range(size):
            indicator = make_indicator(accumulation="level" if number % 2 else "cumulative")
            for month in range(1, 7):
                approved_value(indicator, d(2023, month, 1), str(month), at=at(d(2023, 7, 1)))
        with django_assert_num_queries(1):
            rows = indicators_on(2023, d(2023, 6, 30), d(2023, 12, 31))
        assert len(rows) == size
        assert {row.figure for row in rows} == {D("21"), D("6")}


# --- the demo's indicators ------------------------------------------------------------------

# What the demo's 2023 indicators show at each quarter's end (fixtures/build_demo.py,
# INDICATORS): (met, lights by colour).
DEMO = {
    d(2023, 3, 31): (0, {"green": 3, "yellow": 3, "red": 0}),
    d(2023, 6, 30): (0, {"green": 3, "yellow": 3, "red": 0}),
    d(2023, 9, 30): (1, {"green": 4, "yellow": 0, "red": 2}),
    d(2023, 12, 31): (10, {"green": 4, "yellow": 2, "red": 0}),
}


@pytest.mark.parametrize("as_of", list(DEMO))
def test_the_demo_s_indicators_are_on_pace_and_behind_at_each_quarter_end(demo_data, as_of):
    rows = indicators_on(2023, as_of)
    assert len(rows) == 13
    met, lights = DEMO[as_of]
    assert sum(row.status == Status.MET for row in rows) == met
    assert {colour: sum(row.light == colour for row in rows) for colour in lights} == lights
    for row in rows:  # the method for one indicator agrees with the list's annotation
        assert row.indicator.figure_on(as_of) == row.figure, row.indicator.name


def test_the_command_prints_the_table_of_each_quarter_end(demo_data):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("indicator_report", "--year", "2023", stdout=out)
    text = out.getvalue()
    assert text.count("2023 年度目标指标 截至") == 4
    assert "新增“四上”企业" in text and "红灯（时序 75%）" in text
