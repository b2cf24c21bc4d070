"""What a record's page of the REST API costs (issue 15): the detail GET and the PATCH of a key
project, a bond reserve and an attraction project, each a fixed number of queries whatever the
number of the record's listings, milestones, progress reports, problems and successors (or of
the other records of its ledger), counted for the superuser the benchmark signs in with (a
session) and for a department's clerk (a token, as a script signs in).

A PATCH is counted without the SAVEPOINT and RELEASE SAVEPOINT statements that only the test's
own transaction adds: outside it (a real request) the write's transaction is the outermost one,
and Django's checks of the constraints take no savepoint, so the statements left are those a
request runs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects.models import Milestone, Problem, ProgressReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

SIZES = [1, 10]

# The queries of each page, by who asks: the superuser's session costs two (the session, its
# user) and nothing for permissions; the clerk's token one (the token with its user), then two
# for the model permissions (the user's own and their groups'), and on a write one more for the
# department rule (the clerk's departments, once for both of its checks).
GET = {
    # the record with its light's figures, its plan's thresholds, its problem counts and its
    # successors' ids as subqueries; its listings
    "key-projects": {"superuser": 4, "clerk": 5},
    # the record with its coverage warning as a subquery
    "bond-reserves": {"superuser": 3, "clerk": 4},
    # the record with its industry (JOINed), the 100-million rule and its successors' ids
    "attraction-projects": {"superuser": 3, "clerk": 4},
}
PATCH = {
    # the record as GET reads it (nothing a PATCH changes goes into its derived figures) and its
    # listings (which clean() checks the total against, and the answer shows); the unique name;
    # the check constraints, in one query; the version claim, the UPDATE and the history row.
    # The foreign keys left as stored are not asked for again.
    "key-projects": {"superuser": 9, "clerk": 11},
    # the record; its year's plan (clean(): the coverage refusal); the unique name in its year
    # (clean(), which the unique constraint is then not asked again for); the checks in one
    # query; claim, UPDATE, history; the plan again for the answer's coverage warning
    "bond-reserves": {"superuser": 10, "clerk": 12},
    # the record; the unique name in its year; the checks; claim, UPDATE, history; the plan for
    # the answer's 100-million rule (asked of the record as written)
    "attraction-projects": {"superuser": 9, "clerk": 11},
}
CHANGES = {
    "key-projects": {"leader": "王县长"},
    "bond-reserves": {"owner": "县水利局"},
    "attraction-projects": {"notes": "已对接"},
}


@pytest.fixture
def records(dept_a, make_year_plan, make_key_project, make_listing, make_bond_reserve, make_attraction_project):
    """A maker of the three records of department A, each with ``size`` of everything that
    grows with it."""

    def make(size: int) -> dict:
        make_year_plan(2023)
        project = make_key_project(department=dept_a, total_investment=Decimal("900000.00"))
        for number in range(size):
            year = 2023 - number
            make_listing(project=project, year=year, listed_on=datetime.date(year, 2, 1))
            Milestone.objects.create(
                project=project, kind="custom", name=f"节点{number}", planned_on=datetime.date(2023, 1, 1 + number)
            )
            ProgressReport.objects.create(
                project=project,
                month=datetime.date(2023 - number // 6, 6 - number % 6, 1),
                completed_investment=Decimal("100.00"),
            )
            Problem.objects.create(
                project=project, description=f"问题{number}", raised_on=datetime.date(2023, 3, 1), department=dept_a
            )
            make_key_project(department=dept_a, predecessor=project)
        attraction = make_attraction_project(department=dept_a)
        for _number in range(size):
            make_attraction_project(department=dept_a, predecessor=attraction)
            make_bond_reserve(department=dept_a)
        return {
            "key-projects": project,
            "bond-reserves": make_bond_reserve(department=dept_a),
            "attraction-projects": attraction,
        }

    return make


@pytest.fixture
def clients(make_persona) -> dict[str, APIClient]:
    superuser = APIClient()
    superuser.force_login(make_persona("superuser"))
    clerk = APIClient()
    clerk.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=make_persona('clerk of A')).key}")
    return {"superuser": superuser, "clerk": clerk}


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The statements a request ran, less the savepoints of the test's transaction."""
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


@pytest.mark.parametrize("who", ["superuser", "clerk"])
@pytest.mark.parametrize("prefix", list(GET))
@pytest.mark.parametrize("size", SIZES)
def test_a_detail_costs_the_same_queries_at_any_size(records, clients, django_assert_num_queries, size, prefix, who):
    record, client = records(size)[prefix], clients[who]
    url = f"/api/{prefix}/{record.pk}/"
    client.get(url)  # warm up (a first request reads what later ones find cached)
    with django_assert_num_queries(GET[prefix][who]):
        response = client.get(url)
    assert response.status_code == 200, response.content
    if prefix == "key-projects":
        body = response.json()
        assert (len(body["listings"]), len(body["successors"]), body["open_problems"]) == (size, size, size)


@pytest.mark.parametrize("who", ["superuser", "clerk"])
@pytest.mark.parametrize("prefix", list(PATCH))
@pytest.mark.parametrize("size", SIZES)
def test_a_patch_costs_the_same_queries_at_any_size(records, clients, size, prefix, who):
    record, client = records(size)[prefix], clients[who]
    url = f"/api/{prefix}/{record.pk}/"
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.patch(url, CHANGES[prefix], format="json")
    assert response.status_code == 200, response.content
    assert len(statements(queries)) == PATCH[prefix][who], "\n".join(statements(queries))
    assert response.json()["version"] == record.version + 1


def test_a_patch_answers_with_the_record_as_a_read_shows_it_after(records, clients):
    """The answer of a write shows what a GET then shows: the derived values read before the
    write are those the write leaves as they were, and those it may change are asked again."""
    made, client = records(3), clients["superuser"]
    for prefix, record in made.items():
        url = f"/api/{prefix}/{record.pk}/"
        written = client.patch(url, CHANGES[prefix], format="json").json()
        assert written == client.get(url).json(), prefix


def test_an_attraction_project_patched_below_the_minimums_is_no_longer_a_big_project(records, clients):
    project, client = records(1)["attraction-projects"], clients["superuser"]
    url = f"/api/attraction-projects/{project.pk}/"
    assert client.get(url).json()["is_big_project"] is True
    written = client.patch(url, {"contract_amount": "9000.00"}, format="json").json()
    assert written["is_big_project"] is False
