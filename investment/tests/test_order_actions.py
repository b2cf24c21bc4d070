"""The supervision orders' actions through the API (issue 17): an order's replies
(``…/<id>/replies/``, read and added), and the decision on the reply that awaits one
(``…/<id>/accept/``, ``…/<id>/return/``): who may take each, the version claimed (the order's,
which counts its replies), the stages they start from, the bodies refused naming the field, the
stage that follows and the history written."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.db.models import F
from rest_framework.test import APIClient

from investment.models import OrderReply, SupervisionOrder
from investment.tests.helpers import ORDER_ISSUED, reply as add_reply

d = datetime.date
URL = "/api/supervision-orders/"
REPLIED = d(2023, 3, 10)  # the day of the reply that awaits a decision in these tests


def client_of(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def who(persona, db):
    """A user by the name of their role: the personas of the groups, ``viewer`` (may read
    orders and replies, nothing else) and ``anonymous`` (None)."""

    def make(name: str):
        if name == "anonymous":
            return None
        if name != "viewer":
            return persona(name)
        user = User.objects.create_user("viewer", password="pw", is_staff=True)
        user.user_permissions.add(*Permission.objects.filter(codename__in=["view_supervisionorder", "view_orderreply"]))
        return user

    return make


@pytest.fixture
def replied(make_order):
    """An order of ``department`` whose reply of 3-10 awaits a decision."""
    order = make_order()
    add_reply(order, REPLIED)
    return SupervisionOrder.objects.get(pk=order.pk)


def stage_today(order) -> str | None:
    """The stage as the model says it today and as the queryset does: they must agree."""
    fresh = SupervisionOrder.objects.get(pk=order.pk)
    annotated = SupervisionOrder.objects.with_stage(d(2023, 6, 30)).get(pk=order.pk)
    assert fresh.stage_on(d(2023, 6, 30)) == annotated.stage_as_of
    return annotated.stage_as_of


# --- who may take each action --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("bureau", 201),
        ("clerk", 201),  # of the order's department
        ("other clerk", 403),
        ("leader", 403),
        ("viewer", 403),
        ("anonymous", 401),
    ],
)
def test_the_orders_department_and_bureau_staff_reply_and_nobody_else(today, who, make_order, name, status):
    order = make_order()
    answer = client_of(who(name)).post(f"{URL}{order.pk}/replies/", {"text": "已办理施工许可"}, format="json")
    assert answer.status_code == status, answer.content
    if status == 201:
        stored = OrderReply.objects.get()
        assert (stored.order, stored.text, stored.replied_on) == (order, "已办理施工许可", today)
        assert answer.json()["order"] == order.pk and answer.json()["replied_on"] == "2023-06-30"
        assert stage_today(order) == "replied"
    else:
        assert not OrderReply.objects.exists()
    if name == "other clerk":
        assert "县发展和改革委员会" in answer.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "status"),
    [("bureau", 200), ("leader", 200), ("clerk", 200), ("other clerk", 200), ("viewer", 200), ("anonymous", 401)],
)
def test_whoever_reads_replies_reads_an_orders_replies_in_turn(who, make_order, name, status):
    order = make_order()
    first = add_reply(order, d(2023, 3, 5), "returned", d(2023, 3, 6), "附件不全")
    second = add_reply(order, d(2023, 3, 6))
    add_reply(make_order(), REPLIED)  # another order's
    user = who(name)
    answer = client_of(user).get(f"{URL}{order.pk}/replies/")
    assert answer.status_code == status, answer.content
    if status == 200:
        assert [row["id"] for row in answer.json()] == [first.pk, second.pk]
        # The same representation as /api/order-replies/<id>/.
        assert answer.json()[0] == client_of(user).get(f"/api/order-replies/{first.pk}/").json()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["accept", "return"])
@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("bureau", 200),
        ("leader", 200),
        ("clerk", 403),
        ("other clerk", 403),
        ("viewer", 403),
        ("anonymous", 401),
    ],
)
def test_only_the_issuers_accept_and_return(today, who, replied, action, name, status):
    answer = client_of(who(name)).post(f"{URL}{replied.pk}/{action}/", {"comment": "材料不全"}, format="json")
    assert answer.status_code == status, answer.content
    stored = OrderReply.objects.get()
    if status == 200:
        expected = {"accept": ("accepted", "closed"), "return": ("returned", "open")}[action]
        assert (stored.decision, stage_today(replied)) == expected
        assert answer.json()["stage"] == expected[1]
        assert stored.decided_on == today
    else:
        assert (stored.decision, stored.decided_on, stage_today(replied)) == ("", None, "replied")
    if status == 403:
        assert answer.json()["detail"] == "只有签发单位或招商局、发改委工作人员可以审核反馈。"


# --- the stage each action starts from and leads to ------------------------------------------------


@pytest.mark.django_db
def test_the_loop_through_the_actions_moves_the_stage_as_the_model_says(today, persona, make_order):
    clerk, leader = client_of(persona("clerk")), client_of(persona("leader"))
    order = make_order()
    path = f"{URL}{order.pk}/"
    assert (
        clerk.post(f"{path}replies/", {"text": "已上报", "replied_on": "2023-03-10"}, format="json").status_code == 201
    )
    assert leader.get(path).json()["stage"] == "replied"
    returned = leader.post(f"{path}return/", {"comment": "缺少施工许可证", "decided_on": "2023-03-12"}, format="json")
    assert returned.status_code == 200, returned.content
    assert returned.json()["stage"] == "open"
    again = clerk.post(f"{path}replies/", {"text": "已补充许可证", "replied_on": "2023-03-12"}, format="json")
    assert again.status_code == 201, again.content  # on the day of the return itself
    accepted = leader.post(f"{path}accept/", {"decided_on": "2023-04-02"}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["stage"] == "closed" and accepted.json()["overdue"] is False
    fresh = SupervisionOrder.objects.get(pk=order.pk)
    # The stage on each day, as the dated replies and decisions say it.
    days = {
        d(2023, 3, 9): "open",
        d(2023, 3, 10): "replied",
        d(2023, 3, 12): "replied",
        d(2023, 4, 1): "replied",
        d(2023, 4, 2): "closed",
    }
    assert {day: fresh.stage_on(day) for day in days} == days
    assert fresh.is_overdue_on(d(2023, 4, 1))
    stored = list(OrderReply.objects.filter(order=order).values_list("decision", "decided_on", "comment"))
    assert stored == [("returned", d(2023, 3, 12), "缺少施工许可证"), ("accepted", d(2023, 4, 2), "")]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["accept", "return"])
@pytest.mark.parametrize("state", ["no reply", "returned", "accepted"])
def test_an_action_without_a_reply_awaiting_a_decision_is_a_409(today, persona, make_order, action, state):
    order = make_order()
    if state == "returned":
        add_reply(order, REPLIED, "returned", d(2023, 3, 12), "不全")
    if state == "accepted":
        add_reply(order, REPLIED, "accepted", d(2023, 3, 12))
    before = list(OrderReply.objects.values_list("id", "version"))
    answer = client_of(persona("bureau")).post(f"{URL}{order.pk}/{action}/", {"comment": "再议"}, format="json")
    assert answer.status_code == 409, answer.content
    stage = {"no reply": "待反馈", "returned": "待反馈", "accepted": "已办结"}[state]
    assert stage in answer.json()["detail"] and "郏督〔2023〕1号" in answer.json()["detail"]
    assert list(OrderReply.objects.values_list("id", "version")) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("previous", "status"),
    [
        (None, 400),  # the one before awaits its decision
        ("accepted", 400),  # the order is closed
        ("returned", 201),
    ],
)
def test_a_reply_comes_in_turn_or_is_a_400_naming_replied_on(today, persona, make_order, previous, status):
    order = make_order()
    if previous is None:
        add_reply(order, REPLIED)
    else:
        add_reply(order, REPLIED, previous, d(2023, 3, 12), "不全" if previous == "returned" else "")
    answer = client_of(persona("clerk")).post(f"{URL}{order.pk}/replies/", {"text": "再次反馈"}, format="json")
    assert answer.status_code == status, answer.content
    if status == 400:
        assert list(answer.json()) == ["replied_on"]
        assert OrderReply.objects.count() == 1


# --- bodies refused naming the field ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("return", {}, "comment"),  # a return says why
        ("return", {"comment": "   "}, "comment"),
        ("accept", {"comment": 0}, "comment"),
        ("accept", {"decided_on": "2023-07-01"}, "decided_on"),  # the day after today
        ("accept", {"decided_on": "2023-03-09"}, "decided_on"),  # the day before the reply
        ("accept", {"decided_on": "yesterday"}, "decided_on"),
        ("accept", {"decided_on": 20230311}, "decided_on"),
        ("accept", {"decision": "returned"}, "decision"),  # the action says it
        ("accept", {"version": "1"}, "version"),
        ("accept", {"version": True}, "version"),
    ],
)
def test_a_bad_decision_is_a_400_naming_the_field_and_changes_nothing(persona, today, replied, action, body, field):
    answer = client_of(persona("bureau")).post(f"{URL}{replied.pk}/{action}/", body, format="json")
    assert answer.status_code == 400, answer.content
    messages = answer.json()[field]
    assert isinstance(messages, list) and all(isinstance(message, str) for message in messages)
    assert OrderReply.objects.get().decision == "" and stage_today(replied) == "replied"


@pytest.mark.django_db
@pytest.mark.parametrize("day", [REPLIED, d(2023, 6, 30)], ids=["the day replied", "today"])
def test_a_decision_may_be_dated_the_day_of_the_reply_or_today(persona, today, replied, day):
    answer = client_of(persona("bureau")).post(
        f"{URL}{replied.pk}/accept/", {"decided_on": day.isoformat()}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert OrderReply.objects.get().decided_on == day


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": 5}, "text"),
        ({"text": "x", "replied_on": "2023-02-28"}, "replied_on"),  # before the order was issued
        ({"text": "x", "replied_on": "2023-07-01"}, "replied_on"),  # after today
        ({"text": "x", "order": 1}, "order"),  # the path's
        ({"text": "x", "decision": "accepted"}, "decision"),  # the issuers', by their actions
        ([{"text": "x"}], "non_field_errors"),
    ],
)
def test_a_bad_reply_is_a_400_naming_the_field(persona, today, make_order, body, field):
    order = make_order()
    answer = client_of(persona("clerk")).post(f"{URL}{order.pk}/replies/", body, format="json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert not OrderReply.objects.exists()


@pytest.mark.django_db
def test_a_reply_on_the_day_the_order_was_issued_is_taken(persona, today, make_order):
    order = make_order()
    body = {"text": "当日办结", "replied_on": ORDER_ISSUED.isoformat()}
    assert client_of(persona("clerk")).post(f"{URL}{order.pk}/replies/", body, format="json").status_code == 201


# --- the version: the order's, which counts its replies ---------------------------------------------


@pytest.mark.django_db
def test_each_reply_added_changed_or_deleted_raises_its_orders_version_by_one_and_no_other(make_order):
    order, _other = make_order(), make_order()

    def versions() -> list[int]:
        return list(SupervisionOrder.objects.order_by("pk").values_list("version", flat=True))

    start = versions()
    reply = add_reply(order, REPLIED)
    assert versions() == [start[0] + 1, start[1]]
    assert reply.order.version == start[0] + 1  # the order loaded with the reply too
    reply.text = "补充说明"
    reply.save()
    assert versions() == [start[0] + 2, start[1]]
    reply.delete()
    assert versions() == [start[0] + 3, start[1]]
    # The reply's history says what changed; the order's has its own saves only.
    assert order.history.count() == 1


@pytest.mark.django_db
def test_the_orders_etag_moves_with_its_replies_and_a_decision_claims_it(persona, today, replied):
    bureau, clerk = client_of(persona("bureau")), client_of(persona("clerk"))
    read = bureau.get(f"{URL}{replied.pk}/")
    etag = read["ETag"]
    assert etag == f'"{read.json()["version"]}"'
    reply = OrderReply.objects.get()
    # The clerk changes the reply after the issuer read the order: the order moved with it.
    changed = clerk.patch(f"/api/order-replies/{reply.pk}/", {"text": "改过的反馈"}, format="json")
    assert changed.status_code == 200, changed.content
    stale = bureau.post(f"{URL}{replied.pk}/accept/", {}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412, stale.content
    assert OrderReply.objects.get().decision == ""
    now = bureau.get(f"{URL}{replied.pk}/")
    assert now["ETag"] != etag
    accepted = bureau.post(f"{URL}{replied.pk}/accept/", {}, format="json", HTTP_IF_MATCH=now["ETag"])
    assert accepted.status_code == 200, accepted.content
    assert accepted["ETag"] == f'"{accepted.json()["version"]}"' != now["ETag"]
    assert accepted.json()["version"] == SupervisionOrder.objects.get().version


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "body"),
    [
        ('"99"', {}),
        (None, {"version": 99}),
        ('"abc"', {}),
        ('"1"', {"version": 2}),  # the header and the body disagree: no version could match
    ],
)
def test_a_stale_version_on_a_decision_is_a_412_and_changes_nothing(persona, today, replied, header, body):
    extra = {} if header is None else {"HTTP_IF_MATCH": header}
    answer = client_of(persona("bureau")).post(
        f"{URL}{replied.pk}/return/", {"comment": "退回", **body}, format="json", **extra
    )
    assert answer.status_code == 412, answer.content
    assert OrderReply.objects.get().decision == ""
    assert SupervisionOrder.objects.get().version == replied.version


@pytest.mark.django_db
def test_a_decision_with_the_orders_version_in_the_body_is_taken(persona, today, replied):
    body = {"comment": "退回", "version": replied.version}
    answer = client_of(persona("bureau")).post(f"{URL}{replied.pk}/return/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["version"] == replied.version + 1


@pytest.mark.django_db
def test_a_reply_to_an_order_changed_since_the_etag_read_is_a_412(persona, today, make_order):
    order = make_order()
    SupervisionOrder.objects.filter(pk=order.pk).update(version=F("version") + 1)
    client = client_of(persona("clerk"))
    answer = client.post(f"{URL}{order.pk}/replies/", {"text": "x"}, format="json", HTTP_IF_MATCH=f'"{order.version}"')
    assert answer.status_code == 412, answer.content
    assert not OrderReply.objects.exists()
    current = f'"{order.version + 1}"'
    taken = client.post(f"{URL}{order.pk}/replies/", {"text": "x"}, format="json", HTTP_IF_MATCH=current)
    assert taken.status_code == 201, taken.content
    assert SupervisionOrder.objects.get().version == order.version + 2


# --- history -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reply_and_a_decision_through_the_actions_are_in_the_replys_history_with_their_user(
    persona, today, make_order
):
    clerk, leader = persona("clerk"), persona("leader")
    order = make_order()
    made = client_of(clerk).post(
        f"{URL}{order.pk}/replies/", {"text": "已办理", "replied_on": "2023-03-10"}, format="json"
    )
    assert made.status_code == 201, made.content
    answer = client_of(leader).post(
        f"{URL}{order.pk}/return/", {"comment": "不全", "decided_on": "2023-03-11"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    reply = OrderReply.objects.get()
    entries = list(reply.history.order_by("history_id").values_list("history_type", "history_user", "version"))
    assert entries == [("+", clerk.pk, 1), ("~", leader.pk, 2)]
    shown = client_of(persona("bureau")).get(f"/api/order-replies/{reply.pk}/history/").json()["results"]
    changes = {change["field"]: change["new"] for change in shown[0]["changes"]}
    assert (shown[0]["history_user"], changes) == (
        "leader",
        {"decision": "returned", "decided_on": "2023-03-11", "comment": "不全"},
    )


# --- the cost of the replies' list ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 20])
def test_an_orders_replies_cost_the_same_queries_for_2_as_for_20(persona, make_order, size, django_assert_num_queries):
    order = make_order()
    for n in range(size):
        day = ORDER_ISSUED + datetime.timedelta(days=n)
        add_reply(order, day, "returned", day, "不全")
    user = persona("bureau")
    client = client_of(user)
    user.has_perm("investment.view_orderreply")  # the permissions, read once a user, before
    # The order (1) and its replies (1).
    with django_assert_num_queries(2):
        answer = client.get(f"{URL}{order.pk}/replies/")
    assert answer.status_code == 200 and len(answer.json()) == size
