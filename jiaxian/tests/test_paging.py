"""``jiaxian.paging.IdsFirstPaginator``: a queryset that annotates is paged by its ids first,
so that a deep page computes the annotations for its own rows only; any other is paged as
Django does."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiaxian import periods
from jiaxian.paging import CountedPaginator, IdsFirstPaginator
from projects.models import KeyProject, YearPlan

pytestmark = pytest.mark.django_db

NAMES = [f"项目{n:02d}" for n in range(7)]


@pytest.fixture
def projects(make_key_project, make_year_plan):
    make_year_plan(year=periods.today().year)
    return [make_key_project(name=name) for name in reversed(NAMES)]


def lit(queryset):
    today = periods.today()
    return queryset.with_warning(today, YearPlan.for_year(today.year))


def test_a_page_of_an_annotated_list_reads_its_ids_then_its_rows(projects):
    paginator = IdsFirstPaginator(lit(KeyProject.objects.order_by("name")), 3)
    assert paginator.count == 7
    with CaptureQueriesContext(connection) as queries:
        page = paginator.page(2)
        names = [project.name for project in page]
    assert names == NAMES[3:6]
    assert all(project.warning in {"green", "yellow", "red"} for project in page)
    ids, rows = (query["sql"] for query in queries.captured_queries)
    # The light's subqueries (the milestones, the reports) run in the rows' query alone.
    assert "projects_milestone" not in ids and "OFFSET 3" in ids
    assert "projects_milestone" in rows and "IN (" in rows
    assert page.has_next() and page.has_previous() and page.end_index() == 6


def test_the_last_page_keeps_the_orphans_and_an_empty_list_pages(projects):
    page = IdsFirstPaginator(lit(KeyProject.objects.order_by("name")), 3, orphans=1).page(2)
    assert [project.name for project in page] == NAMES[3:]
    assert list(IdsFirstPaginator(lit(KeyProject.objects.none()), 3, allow_empty_first_page=True).page(1)) == []


def test_a_list_without_annotations_is_one_query(projects):
    with CaptureQueriesContext(connection) as queries:
        page = IdsFirstPaginator(KeyProject.objects.order_by("name"), 3).page(3)
        assert [project.name for project in page] == NAMES[6:]
    assert len(queries) == 2  # the count, the rows


def test_a_counted_paginator_pages_by_the_count_given_and_does_not_count(projects):
    """The count comes from elsewhere (an aggregate the page computes anyway): no COUNT query."""
    paginator = CountedPaginator(KeyProject.objects.order_by("name"), 3, count=len(NAMES))
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page(3)
        names = [project.name for project in page.object_list]
    assert (paginator.num_pages, page.number, names) == (3, 3, NAMES[6:])
    assert len(queries) == 1 and "COUNT" not in queries[0]["sql"].upper()
