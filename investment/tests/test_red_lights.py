"""Orders from the red lights and from a record's page (issue 17 item 2): the red projects of a
day with whether an order about them is still open, the bulk issue (all or none, who may), and
the dispatch block that ``investment`` adds to a key project's and an attraction project's page."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment import dispatch, quotas
from investment.models import DispatchMeeting, MeetingDecision, OrderReply, SupervisionOrder
from projects.models import Problem
from projects.tests.helpers import approved_report

d = datetime.date
AS_OF = d(2023, 6, 30)
PAGE = "/admin/investment/supervisionorder/red-lights/"


@pytest.fixture
def lights(make_year_plan, make_listing, make_key_project):
    """Two projects red on 30 June (nothing reported of 1,200 planned), one green (600 approved)."""
    plan = make_year_plan(2023)

    def listed(name, reported=None):
        listing = make_listing(
            year=2023, listed_on=d(2023, 1, 15), planned_investment=D("1200.00"), project=make_key_project(name=name)
        )
        if reported:
            approved_report(listing.project, d(2023, 6, 1), reported)
        return listing.project

    return plan, listed("红灯一号项目"), listed("红灯二号项目"), listed("绿灯项目", "600.00")


def order_about(project, **fields) -> SupervisionOrder:
    fields = {
        "issued_on": d(2023, 6, 1),
        "due_on": d(2023, 6, 20),
        "subject": "督办",
        "key_project": project,
        "department": project.department,
        **fields,
    }
    order = SupervisionOrder(year=2023, demand="整改", **fields)
    order.full_clean()
    order.save()
    return order


@pytest.mark.django_db
def test_the_red_projects_of_a_day_say_whether_an_order_about_them_is_still_open(lights):
    plan, first, second, _green = lights
    order_about(first)
    closed = order_about(second)
    OrderReply.objects.create(
        order=closed, text="已整改", replied_on=d(2023, 6, 10), decision="accepted", decided_on=d(2023, 6, 12)
    )
    with CaptureQueriesContext(connection) as queries:
        red = [(project.name, project.open_order) for project in quotas.red_light_projects(plan, AS_OF)]
    assert red == [("红灯一号项目", True), ("红灯二号项目", False)]
    assert len(queries) == 1
    # Orders issued after the day are not open on it (and on 31 May all three were red).
    assert [p.open_order for p in quotas.red_light_projects(plan, d(2023, 5, 31))] == [False, False, False]


@pytest.mark.django_db
def test_the_page_lists_the_red_projects_and_issues_one_order_to_each_ticked(client, persona, lights):
    _plan, first, second, green = lights
    order_about(first)  # still open: starts unticked
    leader = persona("leader")
    client.force_login(leader)
    page = client.get(PAGE, {"as_of": "2023-06-30"}).content.decode()
    assert first.name in page and second.name in page and green.name not in page
    assert f'value="{second.pk}" checked' in page.replace("\n", " ") or (
        f'value="{second.pk}"' in page and page.count("checked") == 1
    )
    body = {
        "projects": [str(first.pk), str(second.pk)],
        "level": "listed",
        "issued_on": "2023-07-01",
        "due_on": "2023-07-15",
        "subject": "二季度红灯项目督办：",
        "demand": "查明原因，限期整改。",
    }
    done = client.post(f"{PAGE}?as_of=2023-06-30", body)
    assert done.status_code == 302
    issued = SupervisionOrder.objects.filter(issued_on=d(2023, 7, 1)).order_by("number")
    assert [(o.key_project, o.department, o.level, o.issued_by) for o in issued] == [
        (first, first.department, "listed", leader),
        (second, second.department, "listed", leader),
    ]
    assert [o.subject for o in issued] == ["二季度红灯项目督办：红灯一号项目", "二季度红灯项目督办：红灯二号项目"]
    assert [o.number for o in issued] == [2, 3]


@pytest.mark.django_db
def test_the_bulk_issue_is_all_or_nothing_and_only_for_issuers(client, persona, lights):
    _plan, first, second, _green = lights
    client.force_login(persona("bureau"))
    body = {
        "projects": [str(first.pk), str(second.pk)],
        "level": "key",
        "issued_on": "2023-07-10",
        "due_on": "2023-07-01",  # before it is issued
        "subject": "督办：",
        "demand": "整改",
    }
    refused = client.post(f"{PAGE}?as_of=2023-06-30", body)
    assert refused.status_code == 200
    assert "due_on" in refused.context["form"].errors
    assert not SupervisionOrder.objects.exists()
    nothing_ticked = client.post(f"{PAGE}?as_of=2023-06-30", {**body, "projects": [], "due_on": "2023-07-20"})
    assert "projects" in nothing_ticked.context["form"].errors
    client.force_login(persona("clerk"))
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}?as_of=2023-06-30", {**body, "due_on": "2023-07-20"}).status_code == 403
    assert not SupervisionOrder.objects.exists()


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_for_2_and_for_20_red_projects(
    admin_client, lights, make_listing, make_key_project
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(PAGE, {"as_of": "2023-06-30"}).status_code == 200
        return len(queries)

    few = count()
    for index in range(18):
        make_listing(
            year=2023,
            listed_on=d(2023, 1, 15),
            planned_investment=D("100.00"),
            project=make_key_project(name=f"滞后{index}"),
        )
    assert count() == few


@pytest.mark.django_db
def test_orders_list_offers_the_bulk_issue_to_issuers_only(client, persona):
    client.force_login(persona("bureau"))
    assert PAGE in client.get("/admin/investment/supervisionorder/").content.decode()
    client.force_login(persona("clerk"))
    assert PAGE not in client.get("/admin/investment/supervisionorder/").content.decode()


@pytest.mark.django_db
def test_a_new_order_from_a_projects_link_comes_filled_in(admin_client, lights, today):
    _plan, first, *_ = lights
    form = (
        admin_client.get(
            "/admin/investment/supervisionorder/add/",
            {"key_project": first.pk, "department": first.department_id, "subject": "x："},
        )
        .context["adminform"]
        .form
    )
    assert form.initial["key_project"] == str(first.pk)
    assert (form.initial["issued_on"], form.initial["due_on"], form.initial["year"]) == (
        today,
        today + datetime.timedelta(days=dispatch.DEFAULT_REPLY_DAYS),
        today.year,
    )


# --- the block on a record's page -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_key_projects_page_shows_its_orders_problems_and_meetings(client, persona, lights, department):
    _plan, first, *_ = lights
    problem = Problem.objects.create(
        project=first, description="征地未完成", raised_on=d(2023, 5, 1), department=department
    )
    direct = order_about(first, subject="投资滞后督办")
    OrderReply.objects.create(order=direct, text="已制定赶工计划", replied_on=d(2023, 6, 10))
    about_problem = order_about(first, subject="征地督办", key_project=None, problem=problem)
    meeting = DispatchMeeting.objects.create(held_on=d(2023, 7, 4), chaired_by="县长")
    meeting.projects_discussed.add(first)
    MeetingDecision.objects.create(
        meeting=meeting, text="七月底前完成征地", department=department, due_on=d(2023, 7, 31), key_project=first
    )
    client.force_login(persona("leader"))
    page = client.get(f"/admin/projects/keyproject/{first.pk}/change/").content.decode()
    for shown in (
        direct.reference,
        about_problem.reference,
        "已制定赶工计划",
        "征地未完成",
        str(meeting),
        "七月底前完成征地",
    ):
        assert shown in page, shown
    assert f"/admin/investment/supervisionorder/add/?problem={problem.pk}" in page
    assert f"/admin/investment/supervisionorder/add/?key_project={first.pk}" in page
    client.force_login(persona("clerk"))
    clerk_page = client.get(f"/admin/projects/keyproject/{first.pk}/change/").content.decode()
    assert direct.reference in clerk_page
    assert "/admin/investment/supervisionorder/add/" not in clerk_page


@pytest.mark.django_db
def test_the_block_costs_the_same_queries_for_1_and_for_10_orders(admin_client, lights, department):
    _plan, first, *_ = lights

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(f"/admin/projects/keyproject/{first.pk}/change/").status_code == 200
        return len(queries)

    order_about(first)
    meeting = DispatchMeeting.objects.create(held_on=d(2023, 7, 4), chaired_by="县长")
    meeting.projects_discussed.add(first)
    count()  # the first request of a test also fills the process's caches (content types)
    few = count()
    for index in range(9):
        order = order_about(first)
        OrderReply.objects.create(order=order, text=f"反馈{index}", replied_on=d(2023, 6, 10))
        other = DispatchMeeting.objects.create(held_on=d(2023, 7, 5), chaired_by="县长")
        MeetingDecision.objects.create(
            meeting=other, text="议定", department=department, due_on=d(2023, 7, 31), key_project=first
        )
    assert count() == few


@pytest.mark.django_db
def test_an_attraction_projects_page_shows_its_orders(admin_client, make_attraction_project, department):
    project = make_attraction_project()
    order = SupervisionOrder(
        year=2023,
        subject="签约项目开工督办",
        demand="尽快开工",
        issued_on=d(2023, 6, 1),
        due_on=d(2023, 6, 30),
        department=department,
        attraction_project=project,
    )
    order.full_clean()
    order.save()
    page = admin_client.get(f"/admin/investment/attractionproject/{project.pk}/change/").content.decode()
    assert order.reference in page and "签约项目开工督办" in page
    assert f"/admin/investment/supervisionorder/add/?attraction_project={project.pk}" in page
