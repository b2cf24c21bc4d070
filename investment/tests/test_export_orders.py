"""The quarterly export's sheet 督办事项 (issue 17): the year's supervision orders issued by the
quarter's end, by number, with their stage and the days overdue on that day (the model's answer
and the queryset's, at the boundaries), what each concerns, and the totals row's counts."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from investment.exporters import QuarterlyExporter
from investment.models import SupervisionOrder
from investment.tests.helpers import reply
from projects.models import Problem

d = datetime.date
Q2_END = d(2023, 6, 30)
SHEET = "督办事项"


def sheet_rows(plan, quarter: int = 2) -> list[tuple]:
    """Every row of the sheet, the header first and the totals row last."""
    workbook = openpyxl.load_workbook(io.BytesIO(QuarterlyExporter(plan, quarter).render()))
    return [tuple(row) for row in workbook[SHEET].iter_rows(values_only=True)]


def as_dicts(rows: list[tuple]) -> list[dict]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:-1]]


def shown(day: datetime.date | None) -> datetime.datetime | None:
    """A date as openpyxl reads a date cell back."""
    return None if day is None else datetime.datetime.combine(day, datetime.time())


@pytest.fixture
def plan(make_year_plan):
    return make_year_plan(2023)


@pytest.fixture
def orders(plan, make_order):
    """Orders of 2023 as of the end of Q2 (30 June), numbered 1 to 7 in the order made, one of
    each stage and boundary, and one of 2022."""
    make_order(issued_on=d(2022, 12, 30), due_on=d(2023, 1, 30), subject="上年督办")  # 2022's number 1
    make_order(issued_on=d(2023, 4, 1), due_on=d(2023, 7, 15), subject="未反馈")  # 1: open, not due yet
    replied = make_order(issued_on=d(2023, 4, 2), due_on=Q2_END, subject="已反馈")  # 2: due on the quarter end
    reply(replied, d(2023, 6, 20))
    closed = make_order(issued_on=d(2023, 4, 3), due_on=d(2023, 5, 31), subject="已办结")  # 3: closed late
    reply(closed, d(2023, 5, 20), "accepted", d(2023, 6, 25))
    returned = make_order(issued_on=d(2023, 3, 1), due_on=d(2023, 6, 29), subject="退回重报")  # 4: a day overdue
    reply(returned, d(2023, 6, 1), "returned", d(2023, 6, 5), "未附照片")
    late = make_order(issued_on=d(2023, 5, 1), due_on=d(2023, 6, 1), subject="季后反馈")  # 5: replied in July
    reply(late, d(2023, 7, 2))
    make_order(issued_on=Q2_END, due_on=d(2023, 7, 10), subject="季末交办")  # 6: issued on the quarter end
    make_order(issued_on=d(2023, 7, 1), due_on=d(2023, 7, 10), subject="季后交办")  # 7: after the quarter
    return plan


@pytest.mark.django_db
def test_the_sheet_lists_the_years_orders_issued_by_the_quarter_end_with_their_stage_on_that_day(orders):
    rows = sheet_rows(orders)
    assert rows[0] == (
        "序号",
        "编号",
        "事项",
        "督办级别",
        "责任单位",
        "对象类别",
        "督办对象",
        "交办日期",
        "办结时限",
        "截至日阶段",
        "超期天数",
        "最近反馈日期",
    )
    table = [
        (row["序号"], row["编号"], row["事项"], row["截至日阶段"], row["超期天数"], row["最近反馈日期"])
        for row in as_dicts(rows)
    ]
    # Not 2022's order, nor number 7 issued the day after the quarter; number 5's reply of 2 July
    # was not made by 30 June (still open, 29 days past 1 June); number 4, returned, is open
    # again and one day overdue; number 2, due on the quarter end itself, is not overdue yet;
    # number 3, closed after its due date, is closed and not overdue.
    assert table == [
        (1, "郏督〔2023〕1号", "未反馈", "待反馈", None, None),
        (2, "郏督〔2023〕2号", "已反馈", "已反馈待审核", None, shown(d(2023, 6, 20))),
        (3, "郏督〔2023〕3号", "已办结", "已办结", None, shown(d(2023, 5, 20))),
        (4, "郏督〔2023〕4号", "退回重报", "待反馈", 1, shown(d(2023, 6, 1))),
        (5, "郏督〔2023〕5号", "季后反馈", "待反馈", 29, None),
        (6, "郏督〔2023〕6号", "季末交办", "待反馈", None, None),
    ]
    # The totals: the orders and the overdue ones, then each stage's count.
    assert rows[-1] == (None, "合计（6件，超期2件）", "待反馈4件，已反馈待审核1件，已办结1件", *[None] * 9)


@pytest.mark.django_db
def test_a_later_quarter_sees_the_replies_and_decisions_made_since(orders):
    stages = {row["编号"]: (row["截至日阶段"], row["超期天数"]) for row in as_dicts(sheet_rows(orders, 3))}
    # As of 30 September: number 5 replied on 2 July (no decision: replied, still overdue, 121
    # days after 1 June), number 7 issued in July and overdue since 10 July.
    assert stages["郏督〔2023〕5号"] == ("已反馈待审核", 121)
    assert stages["郏督〔2023〕7号"] == ("待反馈", 82)
    assert len(stages) == 7


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("due_on", "days"),
    [(d(2023, 7, 1), None), (Q2_END, None), (d(2023, 6, 29), 1), (d(2023, 1, 31), 150)],
    ids=["due-after", "due-on-the-quarter-end", "due-the-day-before", "due-in-january"],
)
def test_an_open_order_is_overdue_from_the_day_after_its_due_date(plan, make_order, due_on, days):
    make_order(issued_on=d(2023, 1, 2), due_on=due_on)
    (row,) = as_dicts(sheet_rows(plan))
    assert (row["截至日阶段"], row["超期天数"], row["办结时限"]) == ("待反馈", days, shown(due_on))


@pytest.mark.django_db
def test_each_order_names_what_it_concerns_and_its_kind(
    plan, make_order, make_key_project, make_attraction_project, department
):
    project = make_key_project(name="郏县物流园项目", department=department)
    problem = Problem.objects.create(
        project=project, description="征地拆迁滞后", raised_on=d(2023, 2, 1), department=department
    )
    make_order(key_project=project, level="general")
    make_order(attraction_project=make_attraction_project(name="年产10万吨新材料项目"), level="key")
    make_order(problem=problem, level="listed")
    rows = as_dicts(sheet_rows(plan))
    assert [(row["对象类别"], row["督办对象"], row["督办级别"]) for row in rows] == [
        ("重点项目", "郏县物流园项目", "一般督办"),
        ("招商引资项目", "年产10万吨新材料项目", "重点督办"),
        ("问题", "郏县物流园项目：征地拆迁滞后", "挂牌督办"),
    ]
    assert {row["责任单位"] for row in rows} == {department.name}
    assert {(row["交办日期"], row["办结时限"]) for row in rows} == {(shown(d(2023, 3, 1)), shown(d(2023, 3, 31)))}


@pytest.mark.django_db
def test_a_quarter_without_orders_has_the_header_and_a_totals_row_of_zeros(plan):
    rows = sheet_rows(plan)
    assert len(rows) == 2
    assert rows[-1] == (None, "合计（0件，超期0件）", "待反馈0件，已反馈待审核0件，已办结0件", *[None] * 9)


# Days of one order's loop (issued 3-01, due 3-31; replied 3-10, returned 3-12, replied 3-20,
# accepted 4-02) with the days overdue each must have.
DAYS = [
    (d(2023, 2, 28), None),  # not issued yet
    (d(2023, 3, 1), None),
    (d(2023, 3, 31), None),  # due on the day itself
    (d(2023, 4, 1), 1),
    (d(2023, 4, 2), None),  # closed, late
    (d(2024, 1, 1), None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("as_of", "days"), DAYS, ids=[str(day) for day, _ in DAYS])
def test_the_days_overdue_of_the_model_and_of_the_query_agree(make_order, as_of, days):
    order = make_order()
    reply(order, d(2023, 3, 10), "returned", d(2023, 3, 12), "附件不全")
    reply(order, d(2023, 3, 20), "accepted", d(2023, 4, 2))
    fresh = SupervisionOrder.objects.get(pk=order.pk)
    annotated = SupervisionOrder.objects.with_stage(as_of).get(pk=order.pk)
    assert fresh.overdue_days_on(as_of) == annotated.overdue_days_as_of == days


@pytest.mark.django_db
@pytest.mark.parametrize("as_of", [d(2023, 3, 31), d(2023, 4, 1), d(2023, 7, 9), d(2024, 3, 1)])
def test_the_days_overdue_of_an_order_never_replied_to_agree_across_a_year_end(make_order, as_of):
    order = make_order()
    annotated = SupervisionOrder.objects.with_stage(as_of).get(pk=order.pk)
    expected = (as_of - d(2023, 3, 31)).days or None
    assert SupervisionOrder.objects.get(pk=order.pk).overdue_days_on(as_of) == annotated.overdue_days_as_of == expected
