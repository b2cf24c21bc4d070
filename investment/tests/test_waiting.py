"""待我处理 (issue 17 item 4): what waits for each persona today, the lists' rows and counts, and
what the page costs at two sizes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from investment import waiting
from investment.tests.helpers import reply
from projects.models import ProgressReport
from projects.tests.helpers import approved_report

d = datetime.date
PAGE = "/admin/waiting/"


def submitted(project, month) -> ProgressReport:
    report = approved_report(project, month, "100.00")
    ProgressReport.objects.filter(pk=report.pk).update(
        approved_at=None, approved_investment=None, submitted_at=timezone.now()
    )
    return ProgressReport.objects.get(pk=report.pk)


def returned(project, month) -> ProgressReport:
    report = submitted(project, month)
    ProgressReport.objects.filter(pk=report.pk).update(
        returned_at=timezone.now() + datetime.timedelta(minutes=1), return_reason="数据不符"
    )
    return report


def keys(lists) -> dict[str, tuple[int, list]]:
    return {item.key: (item.count, [row.pk for row in item.rows]) for item in lists}


@pytest.mark.django_db
def test_each_persona_sees_what_is_theirs_to_act_on(persona, make_order, make_key_project, department, make_department):
    clerk, other_clerk, bureau, leader = persona("clerk"), persona("other clerk"), persona("bureau"), persona("leader")
    mine = make_key_project(department=department)
    theirs = make_key_project(department=make_department(name="县交通运输局"))
    to_review = submitted(mine, d(2023, 5, 1))
    to_correct = returned(mine, d(2023, 4, 1))
    returned(theirs, d(2023, 4, 1))
    open_order = make_order()  # to ``department``: the clerk's
    replied = make_order()
    reply(replied, d(2023, 3, 10))
    make_order(department=make_department(name="县水利局"))  # another unit's, open

    assert keys(waiting.waiting_for(bureau))["review"] == (1, [to_review.pk])
    assert keys(waiting.waiting_for(bureau))["decide"] == (1, [replied.pk])
    assert set(keys(waiting.waiting_for(leader))) == {"decide"}
    clerk_lists = keys(waiting.waiting_for(clerk))
    assert clerk_lists == {"reply": (1, [open_order.pk]), "correct": (1, [to_correct.pk])}
    assert keys(waiting.waiting_for(other_clerk))["reply"] == (0, [])


@pytest.mark.django_db
def test_the_page_lists_them_with_links_to_act(client, persona, make_order):
    order = make_order()
    client.force_login(persona("clerk"))
    page = client.get(PAGE).content.decode()
    assert order.reference in page
    assert f"/admin/investment/orderreply/add/?order={order.pk}" in page
    assert "/admin/waiting/" in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_at_3_and_at_30_records(admin_client, make_order, make_key_project, department):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(PAGE).status_code == 200
        return len(queries)

    def add(n: int) -> None:
        for _ in range(n):
            submitted(make_key_project(department=department), d(2023, 5, 1))
            reply(make_order(), d(2023, 3, 10))
            make_order()

    add(3)
    count()
    few = count()
    add(27)
    assert count() == few
