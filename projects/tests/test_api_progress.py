"""The API of milestones, progress reports and problems, and the key projects' warning light,
problem counts and lineage (and the attraction projects' lineage)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import Milestone, Problem, ProgressReport
from projects.tests.helpers import approved_report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

d = datetime.date
D = Decimal


@pytest.fixture
def api() -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("root", "root@example.invalid", "pw"))
    return client


@pytest.fixture
def project(make_key_project, make_listing):
    project = make_key_project()
    make_listing(project=project, year=2023, planned_investment=D("10000.00"))
    return project


def test_a_progress_report_is_written_and_a_second_for_the_month_refused(api, project):
    body = {"project": project.pk, "month": "2023-05-01", "completed_investment": "800.00", "note": "ok"}
    assert api.post("/api/progress-reports/", body, format="json").status_code == 201
    refused = api.post("/api/progress-reports/", body, format="json")
    assert refused.status_code == 400 and "month" in refused.json()
    future = api.post("/api/progress-reports/", {**body, "month": "2023-07-01"}, format="json")
    assert future.status_code == 400 and "month" in future.json()


def test_progress_reports_filter_by_project_year_and_month(api, project, make_key_project):
    other = make_key_project()
    for p, month in [(project, d(2023, 5, 1)), (project, d(2022, 5, 1)), (other, d(2023, 4, 1))]:
        ProgressReport.objects.create(project=p, month=month, completed_investment=D("1"))
    rows = api.get("/api/progress-reports/", {"project": project.pk, "year": 2023}).json()["results"]
    assert [row["month"] for row in rows] == ["2023-05-01"]
    assert len(api.get("/api/progress-reports/", {"month": 5}).json()["results"]) == 2
    assert api.get("/api/progress-reports/", {"month": "May"}).status_code == 400


def test_problems_filter_open_and_overdue(api, project, department):
    make = Problem.objects.create
    make(project=project, description="a", raised_on=d(2023, 5, 1), due_on=d(2023, 6, 1), department=department)
    make(project=project, description="b", raised_on=d(2023, 5, 1), due_on=d(2023, 7, 1), department=department)
    make(
        project=project,
        description="c",
        raised_on=d(2023, 5, 1),
        resolved_on=d(2023, 6, 1),
        resolution="x",
        department=department,
    )
    descriptions = lambda **q: sorted(r["description"] for r in api.get("/api/problems/", q).json()["results"])  # noqa: E731
    assert descriptions(open="true") == ["a", "b"]
    assert descriptions(overdue="true") == ["a"]
    assert descriptions(open="false") == ["c"]
    assert api.get("/api/problems/", {"open": "yes"}).status_code == 400
    key = api.get(f"/api/key-projects/{project.pk}/").json()
    assert (key["open_problems"], key["overdue_problems"]) == (2, 1)


def test_milestones_list_the_standard_set_and_a_custom_one_needs_a_name(api, project):
    rows = api.get("/api/milestones/", {"project": project.pk}).json()["results"]
    assert len(rows) == 8
    refused = api.post("/api/milestones/", {"project": project.pk, "kind": "custom"}, format="json")
    assert refused.status_code == 400 and "name" in refused.json()


def test_the_warning_is_given_as_of_today_or_as_of_a_date(api, project):
    approved_report(project, d(2023, 1, 1), "2500.00")
    # Today (2023-06-30): 25 % at a time progress of 50 %: 25 points behind, yellow.
    assert api.get(f"/api/key-projects/{project.pk}/").json()["warning"] == "yellow"
    # On 2023-03-31: 25 % at 25 %: green.
    listed = api.get("/api/key-projects/", {"as_of": "2023-03-31"}).json()["results"]
    assert [row["warning"] for row in listed] == ["green"]
    Milestone.objects.filter(project=project, kind="approval").update(planned_on=d(2023, 2, 1))
    assert api.get(f"/api/key-projects/{project.pk}/", {"as_of": "2023-03-31"}).json()["warning"] == "red"


@pytest.mark.parametrize("bad", ["2023-02-30", "yesterday", "", "20230630"])
def test_a_bad_as_of_is_a_400_naming_it(api, project, bad):
    response = api.get("/api/key-projects/", {"as_of": bad})
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_a_written_key_project_answers_with_its_light(api, project):
    response = api.patch(f"/api/key-projects/{project.pk}/", {"leader": "王"}, format="json")
    assert response.status_code == 200
    assert response.json()["warning"] == "red"  # nothing done at 50 %


def test_lineage_is_given_both_ways_for_key_and_attraction_projects(
    api, project, make_key_project, make_attraction_project
):
    second = make_key_project(predecessor=project, nature="second_phase")
    first = api.get(f"/api/key-projects/{project.pk}/").json()
    assert (first["predecessor"], first["successors"]) == (None, [second.pk])
    assert api.get(f"/api/key-projects/{second.pk}/").json()["predecessor"] == project.pk
    phase_one = make_attraction_project()
    phase_two = make_attraction_project(predecessor=phase_one)
    rows = {row["id"]: row for row in api.get("/api/attraction-projects/").json()["results"]}
    assert rows[phase_one.pk]["successors"] == [phase_two.pk]
    assert rows[phase_two.pk]["predecessor"] == phase_one.pk


def test_lineage_shows_in_the_admin_with_links(admin_client, project, make_key_project, make_attraction_project):
    second = make_key_project(predecessor=project, nature="second_phase")
    page = admin_client.get(reverse("admin:projects_keyproject_change", args=[project.pk])).content.decode()
    assert reverse("admin:projects_keyproject_change", args=[second.pk]) in page
    phase_one = make_attraction_project()
    phase_two = make_attraction_project(predecessor=phase_one)
    page = admin_client.get(reverse("admin:investment_attractionproject_change", args=[phase_two.pk])).content.decode()
    assert reverse("admin:investment_attractionproject_change", args=[phase_one.pk]) in page


@pytest.mark.parametrize("prefix", ["milestones", "progress-reports", "problems"])
def test_the_new_lists_cost_the_same_queries_at_10_and_100_projects(
    api, make_key_project, department, django_assert_num_queries, prefix
):
    def add(n):
        for i in range(n):
            p = make_key_project()
            ProgressReport.objects.create(project=p, month=d(2023, 1 + i % 6, 1), completed_investment=D("1"))
            Problem.objects.create(project=p, description="x", raised_on=d(2023, 5, 1), department=department)

    for n in (10, 90):
        add(n)
        # count, rows: every foreign key is an id.
        with django_assert_num_queries(2):
            assert api.get(f"/api/{prefix}/", {"page_size": 500}).status_code == 200


def test_the_key_project_changelist_shows_lights_and_filters_by_colour(admin_client, project, make_key_project):
    make_key_project(name="未列入项目")  # not listed: green
    page = admin_client.get(reverse("admin:projects_keyproject_changelist"))
    assert "warning-red" in page.content.decode() and "warning-green" in page.content.decode()
    red = admin_client.get(reverse("admin:projects_keyproject_changelist"), {"warning": "red"})
    assert [p.pk for p in red.context["cl"].result_list] == [project.pk]


def test_the_department_changelist_counts_open_and_overdue_problems(admin_client, project, department):
    Problem.objects.create(
        project=project, description="a", raised_on=d(2023, 5, 1), due_on=d(2023, 6, 1), department=department
    )
    page = admin_client.get(reverse("admin:projects_department_changelist"))
    row = next(obj for obj in page.context["cl"].result_list if obj.pk == department.pk)
    assert (row.open_problem_count, row.overdue_problem_count) == (1, 1)
