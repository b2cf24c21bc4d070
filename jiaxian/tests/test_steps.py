"""The dated-steps helper on its own (every model's use of it: investment/tests/test_querysets_steps.py)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest

from jiaxian.steps import DatedSteps, DaysAfter
from projects.models import Problem  # a model with a nullable date, for DaysAfter to read

d = datetime.date
STEPS = DatedSteps(("opened_on", "open"), ("closed_on", "closed"), before="draft", noun="state")
ENDED = DatedSteps(("opened_on", "open"), ("closed_on", "closed"), ended_by=("voided_on", "void"))


def record(**dates):
    return SimpleNamespace(**{"opened_on": None, "closed_on": None, "voided_on": None, **dates})


def test_the_latest_dated_step_wins_and_a_later_step_wins_on_the_same_day():
    both = record(opened_on=d(2023, 1, 1), closed_on=d(2023, 2, 1))
    assert [STEPS.step_on(both, day) for day in (d(2022, 12, 31), d(2023, 1, 1), d(2023, 2, 1))] == [
        "draft",
        "open",
        "closed",
    ]
    assert STEPS.step_on(record(opened_on=d(2023, 1, 1), closed_on=d(2023, 1, 1)), d(2023, 1, 1)) == "closed"


def test_the_ending_step_beats_every_step_and_before_is_none_by_default():
    voided = record(opened_on=d(2023, 1, 1), closed_on=d(2023, 3, 1), voided_on=d(2023, 2, 1))
    assert ENDED.step_on(voided, d(2023, 2, 1)) == "void"
    assert ENDED.step_on(voided, d(2023, 3, 1)) == "void"
    assert ENDED.step_on(voided, d(2022, 1, 1)) is None


def test_fields_are_the_path_in_order_and_date_fields_add_the_ending():
    assert ENDED.fields == ("opened_on", "closed_on")
    assert ENDED.date_fields == ("opened_on", "closed_on", "voided_on")
    assert STEPS.values == ["draft", "open", "closed"]
    assert ENDED.values == ["open", "closed", "void"]


def test_an_unknown_step_is_a_value_error_naming_the_noun():
    with pytest.raises(ValueError, match="unknown state 'lost'"):
        STEPS.condition("lost", d(2023, 1, 1))


def test_a_declaration_needs_a_step():
    with pytest.raises(ValueError):
        DatedSteps(before="draft")


@pytest.mark.django_db
def test_days_after_counts_whole_days_in_the_database_negative_before_and_null_without_a_date(
    make_key_project, department
):
    project = make_key_project()
    dues = {"none": None, "same": d(2024, 3, 1), "leap": d(2024, 2, 28), "year": d(2023, 3, 1), "later": d(2024, 3, 4)}
    for text, due in dues.items():
        Problem.objects.create(
            project=project, description=text, raised_on=d(2023, 1, 1), due_on=due, department=department
        )
    days = dict(Problem.objects.annotate(days=DaysAfter("due_on", d(2024, 3, 1))).values_list("description", "days"))
    # 2024 is a leap year: 28 February to 1 March is two days, a year back 366.
    assert days == {"none": None, "same": 0, "leap": 2, "year": 366, "later": -3}
