"""The correlated count and sum of ``jiaxian.subqueries``, on the key projects' relations."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Q

from jiaxian.subqueries import count_related, sum_related
from projects.models import KeyProject, Problem
from projects.tests.helpers import approved_report

pytestmark = pytest.mark.django_db

d = datetime.date


@pytest.fixture
def two_projects(make_key_project, department):
    busy, idle = make_key_project(), make_key_project()
    for month, amount in ((d(2023, 1, 1), "100.50"), (d(2023, 2, 1), "200.25"), (d(2024, 1, 1), "7.00")):
        approved_report(busy, month, amount)
    for raised in (d(2023, 1, 5), d(2023, 3, 5)):
        Problem.objects.create(project=busy, description="问题", raised_on=raised, department=department)
    return busy, idle


def test_count_and_sum_per_record_with_zero_for_none(two_projects):
    busy, idle = two_projects
    rows = KeyProject.objects.annotate(
        reports=count_related(KeyProject, "progress_reports"),
        early_problems=count_related(KeyProject, "problems", Q(raised_on__lt=d(2023, 2, 1))),
        year_2023=sum_related(KeyProject, "progress_reports", "completed_investment", Q(month__year=2023)),
    )
    figures = {row.pk: (row.reports, row.early_problems, row.year_2023) for row in rows}
    assert figures == {busy.pk: (3, 1, Decimal("300.75")), idle.pk: (0, 0, Decimal("0"))}
    # Typed as the summed field: a Decimal, never a float.
    assert all(type(total) is Decimal for _r, _p, total in figures.values())


def test_two_relations_do_not_multiply_each_other(two_projects):
    busy, _idle = two_projects
    row = KeyProject.objects.annotate(
        reports=count_related(KeyProject, "progress_reports"), problems_=count_related(KeyProject, "problems")
    ).get(pk=busy.pk)
    assert (row.reports, row.problems_) == (3, 2)


def test_only_the_reverse_of_a_foreign_key_is_counted():
    with pytest.raises(ValueError, match="not the reverse of a foreign key"):
        count_related(KeyProject, "industry")
