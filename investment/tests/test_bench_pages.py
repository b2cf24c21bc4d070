"""``manage.py bench_pages``: one JSON line a page from a small fill, each API list agreeing
with its floor on the records it shows, and the refusals that keep it off real data."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from investment.bench import pages
from investment.bench.data import YEARS
from projects.models import AnnualListing

pytestmark = pytest.mark.django_db

KEYS = {"page", "url", "vendor", "rows", "ms", "base_ms", "floor_ms", "ratio", "queries"}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def bench(**options) -> list[dict]:
    out = StringIO()
    call_command("bench_pages", rows=300, runs=1, stdout=out, stderr=StringIO(), **options)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_prints_one_line_of_figures_a_page(debug):
    lines = bench()
    assert [line["page"] for line in lines] == [page.name for page in pages.pages()]
    assert all(set(line) == KEYS and line["queries"] > 0 and line["floor_ms"] > 0 for line in lines)
    assert [line["page"] for line in lines if line["base_ms"] is None] == [
        "api key project detail GET",
        "admin dashboard",
        "api quota report",
        "api chain map",
    ]
    by_page = {line["page"]: line for line in lines}
    # 30 key projects: the API's first page holds them all, the admin's too.
    assert by_page["api key projects, page 1"]["rows"] == 30
    assert by_page["admin key projects, page 1"]["rows"] == 30
    # One project's page and one chain's map, each a fixed number of queries (issue 15).
    assert by_page["api key project detail GET"]["rows"] == 1
    assert (by_page["api key project detail GET"]["queries"], by_page["api chain map"]["queries"]) == (4, 3)


def test_only_times_the_pages_whose_name_contains_it(debug):
    lines = bench(only="monthly")
    assert [line["page"] for line in lines] == [
        "admin monthly entry, page 1",
        "admin monthly entry, page 1",  # 30 key projects: the deep page is the first
        "admin monthly entry, one department",
    ]
    listed = AnnualListing.objects.filter(year=YEARS[-1])
    assert lines[0]["rows"] == listed.count()  # the floor's page holds every listing of the year
    department = lines[2]["url"].rsplit("department=", 1)[1]
    assert lines[2]["rows"] == listed.filter(project__department_id=department).count()


def test_an_api_page_that_disagrees_with_its_floor_is_an_error(debug, monkeypatch):
    original = pages.key_project_floor

    def short(*args, **kwargs):
        floor = original(*args, **kwargs)
        return lambda: floor()[1:]

    monkeypatch.setattr(pages, "key_project_floor", short)
    with pytest.raises(CommandError, match="the page lists 30 records, its floor 29"):
        bench()


def test_refuses_to_run_with_debug_off():
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        bench()
