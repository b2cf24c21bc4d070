"""Every list of the API and every changelist of the admin, the dashboard, the monthly entry
page and the reports cost the same number of queries whatever the number of records: each page
is asked for over the benchmarks' synthetic records at two sizes (110 key projects and 300, with
their milestones, monthly progress and problems; as many reserves; 1,100 and 3,000 attraction
projects; chains), and a page whose count grows with the records is a query per row that crept
in. Both sizes fill more than a page of every ledger: a list that fits on one page is read in one
query fewer (Django's changelist does not page it), which is not a query per row.

The pages are found, not listed: every route of the API's router with a list, every model the
admin registers, so that a new ledger is covered the day it is added."""

from __future__ import annotations

import random

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investment.bench import timing
from investment.bench.data import Filler, delete_synthetic
from jiaxian.urls import router
from projects.models import Department

pytestmark = pytest.mark.django_db

SMALL, LARGE = 1_100, 3_000  # attraction projects; a tenth as many key projects and reserves
AS_OF = "2024-06-30"


def pages() -> list[str]:
    """The URL of every page that lists records."""
    api = [f"/api/{prefix}/" for prefix, viewset, _basename in router.registry if hasattr(viewset, "list")]
    changelists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]
    return [
        *api,
        f"/api/key-projects/?as_of={AS_OF}",
        "/api/key-projects/?page=2",
        f"/api/reports/quotas/?year=2024&as_of={AS_OF}",
        f"/api/reports/chain-conversion/?year=2024&as_of={AS_OF}",
        *changelists,
        "/admin/projects/keyproject/?warning=red",
        "/admin/projects/keyproject/?p=2",
        "/admin/investment/attractionproject/?year=2024",
        f"/admin/dashboard/?year=2024&as_of={AS_OF}",
        "/admin/progress/monthly/?year=2024&month=6",
        "/admin/progress/monthly/?year=2024&month=6&page=2",
        # A fill makes its departments anew: the id is put in per fill (``queries_of``).
        "/admin/progress/monthly/?year=2024&month=6&department={department}",
    ]


def queries_of(client, rows: int) -> dict[str, int]:
    """The queries of each page over the synthetic records of ``rows`` attraction projects."""
    delete_synthetic()
    Filler(
        random.Random(2023), rows, timing.silent, milestones=True, monthly_progress=True, problems=True, chains=2
    ).fill()
    # SQLite asks once per connection whether it has JSON (a savepoint and a ``SELECT JSON``):
    # asked here, so that the first page to read a JSON column is not three queries dearer
    # only when it happens to be first (the suite's order decides; alone, this test met it).
    connection.features.supports_json_field  # noqa: B018
    counts = {}
    department = Department.objects.filter(key_projects__listings__year=2024).order_by("code").first()
    for url in pages():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url.format(department=department.pk))
        assert response.status_code == 200, (url, response.status_code)
        counts[url] = len(queries.captured_queries)
    return counts


def test_every_list_costs_the_same_queries_with_few_records_and_with_many(admin_client):
    few, many = queries_of(admin_client, SMALL), queries_of(admin_client, LARGE)
    grown = {url: (few[url], many[url]) for url in many if few[url] != many[url]}
    assert not grown, f"queries with {SMALL} and {LARGE} attraction projects differ: {grown}"


@pytest.mark.parametrize(
    "url", ["/admin/projects/keyproject/", "/admin/projects/bondreserve/", "/admin/investment/attractionproject/"]
)
def test_asking_for_the_filters_counts_counts_nothing(admin_client, url):
    """Django's facets ("显示计数", ``?_facets=1``) would count every choice of every filter over
    the whole ledger; the ledgers never offer them, and asking costs no query more."""
    plain = admin_client.get(url)
    with CaptureQueriesContext(connection) as without:
        admin_client.get(url)
    with CaptureQueriesContext(connection) as asked:
        faceted = admin_client.get(f"{url}?_facets=1")
    assert plain.status_code == faceted.status_code == 200
    assert len(asked.captured_queries) == len(without.captured_queries)
    assert "_facets" not in plain.content.decode()
