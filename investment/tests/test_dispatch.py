"""Supervision orders and their replies (issue 17): the stage as of a day from the dated replies
and decisions (the model's answer and the queryset's, at every boundary), the rules of one
record, the numbering, and who may issue, reply and decide, in the admin and through the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext
from rest_framework.test import APIClient

from investment.models import OrderReply, SupervisionOrder
from investment.tests.helpers import ORDER_DUE as DUE, ORDER_ISSUED as ISSUED, reply

d = datetime.date


def both_stages(order, as_of):
    """The stage and the overdue flag as the model says them and as the queryset does."""
    fresh = SupervisionOrder.objects.get(pk=order.pk)
    annotated = SupervisionOrder.objects.with_stage(as_of).get(pk=order.pk)
    return (fresh.stage_on(as_of), fresh.is_overdue_on(as_of)), (annotated.stage_as_of, annotated.overdue_as_of)


# The loop of one order: replied 3-10, returned 3-12, replied again 3-20, accepted 4-02 (after
# its due date 3-31). Each day with the stage and overdue flag it must have.
LOOP = [
    (d(2023, 2, 28), None, False),  # not issued yet
    (ISSUED, "open", False),
    (d(2023, 3, 9), "open", False),
    (d(2023, 3, 10), "replied", False),
    (d(2023, 3, 11), "replied", False),
    (d(2023, 3, 12), "open", False),  # returned
    (d(2023, 3, 19), "open", False),
    (d(2023, 3, 20), "replied", False),
    (DUE, "replied", False),  # due on the day itself: not overdue yet
    (d(2023, 4, 1), "replied", True),
    (d(2023, 4, 2), "closed", False),  # accepted: closed, late or not
    (d(2024, 1, 1), "closed", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("as_of", "stage", "overdue"), LOOP, ids=[str(day) for day, *_ in LOOP])
def test_the_stage_follows_the_dated_replies_and_the_model_and_the_query_agree(make_order, as_of, stage, overdue):
    order = make_order()
    reply(order, d(2023, 3, 10), "returned", d(2023, 3, 12), "附件不全")
    reply(order, d(2023, 3, 20), "accepted", d(2023, 4, 2))
    model, query = both_stages(order, as_of)
    assert model == query == (stage, overdue)


@pytest.mark.django_db
def test_an_order_without_reply_is_open_and_overdue_after_its_due_date(make_order):
    order = make_order()
    assert both_stages(order, DUE)[0] == ("open", False)
    assert both_stages(order, DUE + datetime.timedelta(days=1)) == (("open", True), ("open", True))


@pytest.mark.django_db
def test_orders_are_numbered_within_their_year_and_read_as_the_letter(make_order):
    first, second = make_order(), make_order()
    other_year = make_order(issued_on=d(2024, 1, 5), due_on=d(2024, 2, 1))
    assert (first.number, second.number, other_year.number) == (1, 2, 1)
    assert second.reference == "郏督〔2023〕2号"
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        make_order(number=1)
    assert refused.value.message_dict["number"] == [gettext("An order of this year already has this number.")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"due_on": d(2023, 2, 1)}, "due_on"),
        ({"year": 2022}, "year"),
        ({"issued_on": d(2099, 1, 1), "due_on": d(2099, 2, 1), "year": 2099}, "issued_on"),
    ],
)
def test_an_order_is_refused_naming_the_field(make_order, fields, field):
    with pytest.raises(ValidationError) as refused:
        make_order(**fields)
    assert field in refused.value.message_dict


@pytest.mark.django_db
def test_an_order_concerns_exactly_one_record(make_order, make_key_project, make_attraction_project):
    with pytest.raises(ValidationError) as refused:
        make_order(key_project=make_key_project(), attraction_project=make_attraction_project())
    assert "attraction_project" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        make_order(key_project=None)
    assert "key_project" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():  # the database's constraint too
        SupervisionOrder.objects.create(
            year=2023,
            number=99,
            subject="x",
            demand="x",
            issued_on=ISSUED,
            due_on=DUE,
            department=make_order().department,
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        (None, {"replied_on": d(2023, 2, 1)}, "replied_on"),  # before the order
        ({}, {"replied_on": d(2023, 3, 15)}, "replied_on"),  # the one before awaits its decision
        ({"decision": "accepted", "decided_on": d(2023, 3, 12)}, {"replied_on": d(2023, 3, 15)}, "replied_on"),
        (
            {"decision": "returned", "decided_on": d(2023, 3, 12), "comment": "不全"},
            {"replied_on": d(2023, 3, 11)},
            "replied_on",
        ),
        (None, {"replied_on": d(2023, 3, 10), "decision": "returned", "decided_on": d(2023, 3, 11)}, "comment"),
        (None, {"replied_on": d(2023, 3, 10), "decision": "accepted"}, "decided_on"),
        (None, {"replied_on": d(2023, 3, 10), "decision": "accepted", "decided_on": d(2023, 3, 9)}, "decided_on"),
    ],
)
def test_a_reply_is_refused_naming_the_field(make_order, first, second, field):
    order = make_order()
    if first is not None:
        reply(order, d(2023, 3, 10), **first)
    with pytest.raises(ValidationError) as refused:
        reply(order, **second)
    assert field in refused.value.message_dict


# --- who may do what ---------------------------------------------------------------------------


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def order_body(order_department, key_project) -> dict:
    return {
        "year": 2023,
        "subject": "开工滞后",
        "demand": "限期整改",
        "level": "key",
        "issued_on": "2023-03-01",
        "due_on": "2023-03-31",
        "department": order_department.pk,
        "key_project": key_project.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "status"), [("leader", 201), ("bureau", 201), ("clerk", 403)])
def test_leaders_and_bureau_staff_issue_orders_and_department_clerks_do_not(
    persona, department, make_key_project, name, status
):
    user = persona(name)
    answer = client_of(user).post(
        "/api/supervision-orders/", order_body(department, make_key_project(department=department)), format="json"
    )
    assert answer.status_code == status, answer.content
    if status == 201:
        order = SupervisionOrder.objects.get()
        assert (order.issued_by, order.number, answer.json()["reference"]) == (user, 1, "郏督〔2023〕1号")
        assert answer.json()["stage"] == "open"


@pytest.mark.django_db
def test_a_clerk_replies_to_their_departments_orders_only(persona, make_order, make_department):
    clerk = persona("clerk")
    own = make_order()
    others = make_order(department=make_department(name="县交通运输局"))
    body = {"text": "已办理施工许可", "replied_on": "2023-03-10"}
    mine = client_of(clerk).post("/api/order-replies/", {**body, "order": own.pk}, format="json")
    assert mine.status_code == 201, mine.content
    theirs = client_of(clerk).post("/api/order-replies/", {**body, "order": others.pk}, format="json")
    assert theirs.status_code == 403
    assert "县交通运输局" in theirs.json()["detail"]
    assert OrderReply.objects.count() == 1


@pytest.mark.django_db
def test_only_the_issuers_decide_and_a_decided_reply_is_locked_for_the_department(persona, make_order):
    clerk, bureau = persona("clerk"), persona("bureau")
    order = make_order()
    made = client_of(clerk).post(
        "/api/order-replies/",
        {
            "order": order.pk,
            "text": "已办理",
            "replied_on": "2023-03-10",
            "decision": "accepted",
            "decided_on": "2023-03-10",
        },
        format="json",
    )
    assert made.status_code == 403
    assert set(made.json()) >= {"decision", "decided_on"}
    record = reply(order, d(2023, 3, 10))
    accepted = client_of(bureau).patch(
        f"/api/order-replies/{record.pk}/", {"decision": "accepted", "decided_on": "2023-03-12"}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    assert client_of(bureau).get(f"/api/supervision-orders/{order.pk}/?as_of=2023-03-12").json()["stage"] == "closed"
    assert client_of(bureau).get(f"/api/supervision-orders/{order.pk}/?as_of=2023-03-11").json()["stage"] == "replied"
    changed = client_of(clerk).patch(f"/api/order-replies/{record.pk}/", {"text": "改了"}, format="json")
    assert changed.status_code == 403
    assert "text" in changed.json()
    assert OrderReply.objects.get().text == "已完成"


@pytest.mark.django_db
def test_a_stale_version_of_a_reply_is_refused(persona, make_order):
    record = reply(make_order(), d(2023, 3, 10))
    client = client_of(persona("bureau"))
    answer = client.patch(
        f"/api/order-replies/{record.pk}/",
        {"decision": "accepted", "decided_on": "2023-03-12"},
        format="json",
        HTTP_IF_MATCH='"99"',
    )
    assert answer.status_code == 412
    assert OrderReply.objects.get().decision == ""


@pytest.mark.django_db
def test_the_list_filters_by_stage_and_overdue_as_of_a_date(persona, make_order):
    open_order, replied_order = make_order(), make_order()
    reply(replied_order, d(2023, 3, 10))
    client = client_of(persona("leader"))
    listed = client.get("/api/supervision-orders/?as_of=2023-04-05&stage=open").json()["results"]
    assert [order["id"] for order in listed] == [open_order.pk]
    overdue = client.get("/api/supervision-orders/?as_of=2023-04-05&overdue=true").json()["results"]
    assert {order["id"] for order in overdue} == {open_order.pk, replied_order.pk}
    assert client.get("/api/supervision-orders/?as_of=2023-03-31&overdue=true").json()["results"] == []


# --- the admin ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/investment/supervisionorder/", "/admin/investment/orderreply/"])
def test_each_list_costs_the_same_queries_at_3_and_at_30_records(admin_client, make_order, make_department, path):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(path).status_code == 200
        return len(queries)

    for _ in range(3):
        reply(make_order(), d(2023, 3, 10))
    few = count()
    for index in range(27):
        reply(make_order(department=make_department(name=f"部门{index}")), d(2023, 3, 10))
    assert count() == few


@pytest.mark.django_db
def test_the_admin_list_shows_the_stage_and_filters_on_it(admin_client, make_order):
    waiting = make_order(subject="等待反馈的督办")
    replied = make_order(subject="已反馈的督办")
    reply(replied, d(2023, 3, 10))
    page = admin_client.get("/admin/investment/supervisionorder/?stage=open").content.decode()
    assert waiting.subject in page and replied.subject not in page
    assert "郏督〔2023〕1号" in page


@pytest.mark.django_db
def test_a_clerk_in_the_admin_cannot_set_a_decision(client, persona, make_order):
    clerk = persona("clerk")
    record = reply(make_order(), d(2023, 3, 10))
    client.force_login(clerk)
    answer = client.post(
        f"/admin/investment/orderreply/{record.pk}/change/",
        {
            "order": record.order_id,
            "text": "已完成，附照片",
            "replied_on": "2023-03-10",
            "decision": "accepted",
            "decided_on": "2023-03-11",
            "seen_version": record.version,
        },
    )
    assert answer.status_code == 302, answer.content  # saved: the clerk's text, not the decision
    stored = OrderReply.objects.get()
    assert (stored.text, stored.decision, stored.decided_on) == ("已完成，附照片", "", None)


@pytest.mark.django_db
def test_the_schema_documents_as_of_on_the_orders_list_and_detail():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/supervision-orders/", "/api/supervision-orders/{id}/"):
        names = {parameter["name"] for parameter in schema["paths"][path]["get"]["parameters"]}
        assert "as_of" in names, path


# --- what waits today, on the dashboard ------------------------------------------------------------


@pytest.mark.django_db
def test_the_workload_counts_reports_awaiting_review_and_orders_by_stage_today(make_order, make_listing):
    from django.utils import timezone

    from investment import quotas
    from projects.models import ProgressReport

    listing = make_listing(year=2023, listed_on=d(2023, 1, 15))
    ProgressReport.objects.create(
        project=listing.project, month=d(2023, 5, 1), completed_investment=1, submitted_at=timezone.now()
    )
    ProgressReport.objects.create(project=listing.project, month=d(2023, 4, 1), completed_investment=1)  # a draft
    open_order, replied, closed = make_order(), make_order(), make_order()
    reply(replied, d(2023, 3, 10))
    reply(closed, d(2023, 3, 10), decision="accepted", decided_on=d(2023, 3, 12))
    on = d(2023, 4, 15)  # after the due date 3-31: the two not closed are overdue
    department = listing.project.department  # no March report by its due day, 4-05: late
    late = quotas.LateReports(d(2023, 3, 1), d(2023, 4, 5), (quotas.LateDepartment(department.pk, department.name, 1),))
    assert quotas.workload(2023, on) == quotas.Workload(
        awaiting_review=1, awaiting_reply=1, awaiting_decision=1, overdue_orders=2, late=late
    )
    assert quotas.workload(2023, d(2023, 3, 20)).overdue_orders == 0
    assert open_order.stage_on(on) == "open"


def test_the_demo_loop_has_orders_at_every_stage_and_reports_returned_and_late(demo_data):
    from collections import Counter

    from projects.models import ProgressReport, ProgressReview

    stages = Counter(
        (order.stage_as_of, order.overdue_as_of) for order in SupervisionOrder.objects.with_stage(d(2023, 8, 15))
    )
    # and October's meeting's two orders, not issued yet
    assert stages == {("closed", False): 2, ("replied", True): 2, ("open", True): 2, (None, False): 2}
    assert ProgressReview.objects.filter(action="returned").count() > 0
    assert not ProgressReport.objects.exclude(ProgressReport.REVIEW.condition("approved")).exists()
    late = ProgressReport.objects.filter(submitted_at__day=8).values("project__department__code").distinct()
    assert {row["project__department__code"] for row in late} == {"SLJ", "CGJ"}


def test_the_demo_has_two_meetings_whose_decisions_became_orders(demo_data):
    from investment.models import DispatchMeeting, MeetingDecision

    assert DispatchMeeting.objects.count() == 2
    turned = MeetingDecision.objects.filter(order__isnull=False).select_related("order", "meeting")
    assert sorted(decision.order.number for decision in turned) == [3, 4, 7, 8]
    for decision in turned:
        # An order issued on or after its meeting, to the decision's department about its project.
        assert decision.order.issued_on >= decision.meeting.held_on
        assert (decision.order.department_id, decision.order.key_project_id) == (
            decision.department_id,
            decision.key_project_id,
        )
        assert decision.meeting.projects_discussed.filter(pk=decision.key_project_id).exists()
    stages = {order.number: order.stage_as_of for order in SupervisionOrder.objects.with_stage(d(2023, 12, 31))}
    assert (stages[7], stages[8]) == ("closed", "open")
