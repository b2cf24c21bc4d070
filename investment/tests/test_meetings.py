"""Dispatch meetings and their decisions (issue 17): the rules of one record, 转督办 (a decision
becomes a supervision order, linked both ways; refused naming the field, nothing written), who
may keep meetings and turn decisions into orders, in the admin and through the API, and what
the lists cost."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from investment import dispatch
from investment.models import DispatchMeeting, MeetingDecision, SupervisionOrder

d = datetime.date
HELD, DUE, ISSUED = d(2023, 7, 5), d(2023, 7, 31), d(2023, 7, 6)


@pytest.fixture
def make_meeting(db):
    def make(**fields) -> DispatchMeeting:
        fields.setdefault("held_on", HELD)
        fields.setdefault("chaired_by", "县长 张某")
        meeting = DispatchMeeting(**fields)
        meeting.full_clean()
        meeting.save()
        return meeting

    return make


@pytest.fixture
def make_decision(make_meeting, make_key_project, department):
    def make(meeting=None, **fields) -> MeetingDecision:
        fields.setdefault("text", "七月底前完成土地报批")
        fields.setdefault("department", department)
        fields.setdefault("due_on", DUE)
        if "key_project" not in fields:
            fields["key_project"] = make_key_project(department=fields["department"])
        decision = MeetingDecision(meeting=meeting or make_meeting(), **fields)
        decision.full_clean()
        decision.save()
        return decision

    return make


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- one record ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_decision_is_not_due_before_its_meeting_and_a_meeting_is_not_in_the_future(make_meeting, make_decision):
    with pytest.raises(ValidationError) as refused:
        make_decision(due_on=d(2023, 7, 4))
    assert list(refused.value.message_dict) == ["due_on"]
    make_decision(due_on=HELD)  # on the meeting's day itself
    with pytest.raises(ValidationError) as future:
        make_meeting(held_on=datetime.date.today() + datetime.timedelta(days=1))
    assert list(future.value.message_dict) == ["held_on"]


# --- 转督办 ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_decision_becomes_an_order_to_its_department_about_its_project_linked_both_ways(
    persona, make_decision, department
):
    leader = persona("leader")
    decision = make_decision(text="七月底前完成土地报批")
    order = dispatch.order_from_decision(decision, leader, issued_on=ISSUED, level="key")
    order.refresh_from_db()
    decision.refresh_from_db()
    assert (order.reference, order.department, order.key_project, order.due_on) == (
        "郏督〔2023〕1号",
        department,
        decision.key_project,
        DUE,
    )
    assert (order.issued_by, order.issued_on, order.level, order.subject) == (leader, ISSUED, "key", decision.text)
    assert decision.text in order.demand and str(decision.meeting) in order.demand
    assert decision.order == order and order.decision == decision
    assert decision.version == 2
    assert [entry.order_id for entry in decision.history.order_by("history_id")] == [None, order.pk]
    assert order.stage_on(ISSUED) == "open"


@pytest.mark.django_db
def test_a_long_decision_is_cut_to_a_subject_and_kept_whole_as_the_demand(persona, make_decision):
    text = "要求" + "加快推进" * 30
    order = dispatch.order_from_decision(make_decision(text=text), persona("bureau"), issued_on=ISSUED)
    assert len(order.subject) == dispatch.SUBJECT_LENGTH and order.subject.endswith("…")
    assert text in order.demand


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"key_project": None}, "key_project"),
        ({"turned": True}, "order"),
        ({"issued_on": d(2023, 8, 1)}, "due_on"),  # the decision's date has passed
    ],
    ids=["no project", "already an order", "due before issued"],
)
def test_a_decision_that_cannot_become_an_order_is_refused_naming_the_field(persona, make_decision, change, field):
    bureau = persona("bureau")
    decision = make_decision(**({"key_project": None} if "key_project" in change else {}))
    if change.get("turned"):
        dispatch.order_from_decision(decision, bureau, issued_on=ISSUED)
    before = SupervisionOrder.objects.count()
    with pytest.raises(ValidationError) as refused:
        dispatch.order_from_decision(decision, bureau, issued_on=change.get("issued_on", ISSUED))
    assert field in refused.value.message_dict
    assert SupervisionOrder.objects.count() == before


@pytest.mark.django_db
def test_a_department_clerk_cannot_turn_a_decision_into_an_order(persona, make_decision):
    decision = make_decision()
    with pytest.raises(PermissionDenied):
        dispatch.order_from_decision(decision, persona("clerk"), issued_on=ISSUED)
    assert not SupervisionOrder.objects.exists()


# --- the API --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "status"), [("bureau", 201), ("leader", 403), ("clerk", 403)])
def test_bureau_staff_keep_the_meetings(persona, department, make_key_project, name, status):
    project = make_key_project(department=department)
    body = {
        "held_on": "2023-07-05",
        "kind": "monthly",
        "chaired_by": "县长 张某",
        "departments_present": [department.pk],
        "projects_discussed": [project.pk],
        "minutes": "会议听取了各单位汇报",
    }
    answer = client_of(persona(name)).post("/api/dispatch-meetings/", body, format="json")
    assert answer.status_code == status, answer.content
    if status == 201:
        meeting = DispatchMeeting.objects.get()
        assert list(meeting.projects_discussed.all()) == [project]
        assert answer.json()["departments_present"] == [department.pk]
        assert answer.json()["decisions"] == []


@pytest.mark.django_db
def test_a_meetings_decisions_are_listed_and_added_under_it(persona, make_meeting, make_decision, department):
    meeting, other = make_meeting(), make_meeting(held_on=d(2023, 8, 5))
    first = make_decision(meeting=meeting)
    make_decision(meeting=other, due_on=d(2023, 8, 31))
    bureau = client_of(persona("bureau"))
    assert [row["id"] for row in bureau.get(f"/api/dispatch-meetings/{meeting.pk}/decisions/").json()] == [first.pk]
    body = {"text": "八月十日前完成环评", "department": department.pk, "due_on": "2023-08-10", "meeting": other.pk}
    added = bureau.post(f"/api/dispatch-meetings/{meeting.pk}/decisions/", body, format="json")
    assert added.status_code == 201, added.content
    assert MeetingDecision.objects.get(pk=added.json()["id"]).meeting == meeting  # the path's, not the body's
    early = bureau.post(
        f"/api/dispatch-meetings/{meeting.pk}/decisions/", {**body, "due_on": "2023-07-01"}, format="json"
    )
    assert early.status_code == 400 and list(early.json()) == ["due_on"]
    assert bureau.get(f"/api/dispatch-meetings/{meeting.pk}/").json()["decisions"] == sorted(
        [first.pk, added.json()["id"]]
    )
    clerk = client_of(persona("clerk"))
    assert clerk.get(f"/api/dispatch-meetings/{meeting.pk}/decisions/").status_code == 200
    assert clerk.post(f"/api/dispatch-meetings/{meeting.pk}/decisions/", body, format="json").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "status"), [("leader", 201), ("bureau", 201), ("clerk", 403)])
def test_leaders_and_bureau_staff_turn_a_decision_into_an_order_through_the_api(persona, make_decision, name, status):
    decision = make_decision()
    user = persona(name)
    path = f"/api/dispatch-meetings/{decision.meeting_id}/decisions/{decision.pk}/to-order/"
    answer = client_of(user).post(path, {"issued_on": "2023-07-06", "level": "listed"}, format="json")
    assert answer.status_code == status, answer.content
    if status == 201:
        order = SupervisionOrder.objects.get()
        assert answer.json()["reference"] == order.reference == "郏督〔2023〕1号"
        assert (order.level, answer.json()["stage"]) == ("listed", "open")
        listed = client_of(user).get(f"/api/meeting-decisions/{decision.pk}/").json()
        assert (listed["order"], listed["order_reference"]) == (order.pk, order.reference)
    else:
        assert "add_supervisionorder" in answer.json()["detail"]
        assert not SupervisionOrder.objects.exists()


@pytest.mark.django_db
def test_turning_a_decision_into_an_order_answers_each_refusal_in_its_way(persona, make_decision, make_meeting):
    decision = make_decision()
    bureau = client_of(persona("bureau"))
    path = f"/api/dispatch-meetings/{decision.meeting_id}/decisions/{decision.pk}/to-order/"
    stale = bureau.post(path, {"issued_on": "2023-07-06"}, format="json", HTTP_IF_MATCH='"7"')
    assert stale.status_code == 412
    unknown = bureau.post(path, {"issued_on": "2023-07-06", "subject": "x"}, format="json")
    assert unknown.status_code == 400 and list(unknown.json()) == ["subject"]
    late = bureau.post(path, {"issued_on": "2023-08-01"}, format="json")
    assert late.status_code == 400 and "due_on" in late.json()
    elsewhere = bureau.post(
        f"/api/dispatch-meetings/{make_meeting().pk}/decisions/{decision.pk}/to-order/",
        {"issued_on": "2023-07-06"},
        format="json",
    )
    assert elsewhere.status_code == 404
    assert not SupervisionOrder.objects.exists()
    assert bureau.post(path, {"issued_on": "2023-07-06", "version": 1}, format="json").status_code == 201
    again = bureau.post(path, {"issued_on": "2023-07-06"}, format="json")
    assert again.status_code == 400 and list(again.json()) == ["order"]
    assert SupervisionOrder.objects.count() == 1


@pytest.mark.django_db
def test_the_decisions_filter_by_turned_year_and_project(persona, make_decision):
    turned, waiting = make_decision(), make_decision()
    dispatch.order_from_decision(turned, persona("bureau"), issued_on=ISSUED)
    client = client_of(persona("clerk"))
    ids = lambda query: [row["id"] for row in client.get(f"/api/meeting-decisions/?{query}").json()["results"]]  # noqa: E731
    assert ids("turned=false") == [waiting.pk]
    assert ids("turned=true") == [turned.pk]
    assert ids(f"key_project={waiting.key_project_id}") == [waiting.pk]
    assert ids("year=2024") == []
    meetings = client.get(f"/api/dispatch-meetings/?year=2023&kind=monthly&key_project={waiting.key_project_id}")
    assert meetings.json()["results"] == []  # the project is a decision's, not discussed at the meeting


# --- the admin ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/investment/dispatchmeeting/", "/admin/investment/meetingdecision/"])
def test_each_meeting_list_costs_the_same_queries_at_3_and_at_30_records(admin_client, make_decision, path):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(path).status_code == 200
        return len(queries)

    for _ in range(3):
        make_decision()
    few = count()
    for _ in range(27):
        make_decision()
    assert count() == few


@pytest.mark.django_db
def test_a_meetings_page_shows_its_decisions_with_their_order_or_the_link_to_turn_them(
    client, persona, make_decision, make_meeting
):
    meeting = make_meeting()
    turned, waiting = make_decision(meeting=meeting), make_decision(meeting=meeting, text="八月前完成环评")
    order = dispatch.order_from_decision(turned, persona("leader"), issued_on=ISSUED)
    client.force_login(persona("bureau"))
    page = client.get(f"/admin/investment/dispatchmeeting/{meeting.pk}/change/").content.decode()
    assert order.reference in page
    assert f"/admin/investment/meetingdecision/{waiting.pk}/to-order/" in page
    assert f"/admin/investment/meetingdecision/{turned.pk}/to-order/" not in page


@pytest.mark.django_db
def test_the_admin_turns_one_decision_into_an_order_after_asking_the_level_and_date(client, persona, make_decision):
    decision = make_decision()
    client.force_login(persona("leader"))
    path = f"/admin/investment/meetingdecision/{decision.pk}/to-order/"
    asked = client.get(path)
    assert asked.status_code == 200 and decision.text in asked.content.decode()
    assert not SupervisionOrder.objects.exists()
    done = client.post(path, {"level": "key", "issued_on": "2023-07-06"})
    order = SupervisionOrder.objects.get()
    assert done.status_code == 302 and done.url == f"/admin/investment/supervisionorder/{order.pk}/change/"
    assert MeetingDecision.objects.get().order == order
    client.force_login(persona("clerk"))
    assert client.get(path).status_code == 403


@pytest.mark.django_db
def test_the_admin_action_turns_the_selected_decisions_into_orders_or_none(admin_client, make_decision):
    good, projectless = make_decision(), make_decision(key_project=None)
    path = "/admin/investment/meetingdecision/"
    chosen = {"action": "to_orders", "_selected_action": [good.pk, projectless.pk]}
    asked = admin_client.post(path, chosen)
    assert asked.status_code == 200 and "issued_on" in asked.content.decode()
    refused = admin_client.post(path, {**chosen, "level": "general", "issued_on": "2023-07-06"}, follow=True)
    assert not SupervisionOrder.objects.exists()
    assert "未下达任何督办单" in refused.content.decode()
    done = admin_client.post(
        path, {**chosen, "_selected_action": [good.pk], "level": "general", "issued_on": "2023-07-06"}
    )
    assert done.status_code == 302
    assert MeetingDecision.objects.get(pk=good.pk).order == SupervisionOrder.objects.get()
