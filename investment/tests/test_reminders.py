"""Reminders (issue 18, part 4, the finding half): each event of ``investment.reminders`` at its
boundary dates, who is told, the department's robot only when it has one, the keys stable from one
run to the next, the Chinese texts, and the queries fixed whatever the number of records."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import translation

from investment import reminders
from investment.tests.helpers import reply
from projects import access
from projects.choices import MilestoneKindChoices
from projects.models import Milestone, ProgressReport, ProgressReview

d = datetime.date
ZONE = ZoneInfo("Asia/Shanghai")
TODAY = d(2023, 6, 15)
ISSUED = d(2023, 6, 1)
ROBOT = "https://robot.example.com/hook/water"


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZONE)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def found(on: datetime.date = TODAY) -> dict[str, reminders.Reminder]:
    result = reminders.due_reminders(at(on))
    by_event = {reminder.event: reminder for reminder in result}
    assert len(by_event) == len(result), "an event found twice"
    return by_event


def events(on: datetime.date = TODAY, prefix: str = "") -> set[str]:
    return {event for event in found(on) if event.startswith(prefix)}


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def make_user(db):
    def make(username: str, *departments, groups=(), **fields) -> User:
        user = User.objects.create_user(username, **fields)
        user.departments.set(departments)
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user

    return make


@pytest.fixture
def water(make_department):
    return make_department(name="县水利局", code="SLJ", webhook_url=ROBOT, webhook_secret="s3cret")


@pytest.fixture
def roads(make_department):
    return make_department(name="县交通运输局", code="JTJ")


@pytest.fixture
def clerks(make_user, water, roads):
    """Two clerks of the water bureau (one inactive: never told), one of the roads bureau."""
    return {
        "water": make_user("water-clerk", water),
        "idle": make_user("water-idle", water, is_active=False),
        "roads": make_user("roads-clerk", roads),
    }


@pytest.fixture
def bureau(make_user):
    return make_user("bureau-clerk", groups=[access.BUREAU_STAFF_GROUP])


@pytest.fixture
def milestone(make_key_project, water):
    def make(planned_on, done_on=None, project=None, **fields) -> Milestone:
        project = project or make_key_project(name=fields.pop("project_name", None) or "郏县水厂", department=water)
        return Milestone.objects.create(
            project=project,
            kind=MilestoneKindChoices.CUSTOM,
            name=fields.pop("name", "主体完工"),
            planned_on=planned_on,
            done_on=done_on,
            **fields,
        )

    return make


# --- milestones -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("planned", "event"),
    [
        (TODAY + days(7), "milestone-due"),  # due in exactly seven days: told
        (TODAY + days(8), None),  # eight: not yet
        (TODAY, "milestone-due"),  # due today: not late yet
        (TODAY - days(1), "milestone-late"),  # yesterday: late
    ],
)
def test_a_milestone_is_told_seven_days_ahead_and_late_the_day_after(milestone, clerks, planned, event):
    record = milestone(planned)
    expected = {f"{event}:{record.pk}:{planned.isoformat()}"} if event else set()
    assert events(prefix="milestone") == expected


def test_a_milestone_reminder_names_it_tells_the_projects_department_and_links_the_project(milestone, clerks, water):
    record = milestone(TODAY - days(1))
    reminder = found()[f"milestone-late:{record.pk}:{(TODAY - days(1)).isoformat()}"]
    assert reminder.user_ids == (clerks["water"].pk,)  # not the inactive clerk, not the roads clerk
    assert reminder.about == record
    assert reminder.link == reverse("admin:projects_keyproject_change", args=[record.project_id])
    assert reminder.text == "县水利局：项目“郏县水厂”的节点“主体完工”计划于2023-06-14完成，现已滞后，请尽快推进。"
    assert reminder.webhooks[0].key == f"department:{water.pk}"


def test_a_milestone_done_or_of_a_completed_project_tells_nothing(milestone, make_key_project, water, clerks):
    milestone(TODAY - days(3), done_on=TODAY - days(1))
    completed = make_key_project(department=water, started_on=d(2022, 1, 1), completed_on=TODAY - days(1))
    milestone(TODAY - days(3), project=completed)
    assert events(prefix="milestone") == set()


def test_a_milestone_planned_again_is_a_new_event(milestone, clerks):
    record = milestone(TODAY - days(1))
    before = events(prefix="milestone")
    record.planned_on = TODAY + days(5)
    record.save()
    after = events(prefix="milestone")
    assert before != after and after == {f"milestone-due:{record.pk}:{(TODAY + days(5)).isoformat()}"}


# --- supervision orders -----------------------------------------------------------------------


@pytest.fixture
def order(make_order, make_key_project, water, make_user):
    issuer = make_user("issuer", groups=[access.BUREAU_STAFF_GROUP])

    def make(due_on, issued_on=ISSUED, **fields):
        fields.setdefault("key_project", make_key_project(name="郏县水厂", department=water))
        return make_order(
            issued_on=issued_on, due_on=due_on, department=water, issued_by=issuer, subject="开工滞后", **fields
        )

    make.issuer = issuer
    return make


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (TODAY + days(3), {"order-issued", "order-due"}),  # due in three days: told
        (TODAY + days(4), {"order-issued"}),  # in four: not yet
        (TODAY, {"order-issued", "order-due"}),  # due today: not overdue yet
        (TODAY - days(1), {"order-issued", "order-overdue"}),  # the day after the due date: overdue
    ],
)
def test_an_order_is_told_issued_three_days_ahead_and_overdue_the_day_after(order, clerks, due, expected):
    record = order(due, issued_on=min(due, d(2023, 6, 1)))
    keys = {
        "order-issued": f"order-issued:{record.pk}",
        "order-due": f"order-due:{record.pk}:{due.isoformat()}",
        "order-overdue": f"order-overdue:{record.pk}",
    }
    assert events(prefix="order") == {keys[name] for name in expected}


def test_an_order_not_issued_yet_tells_nothing(order, clerks):
    order(TODAY + days(10), issued_on=TODAY + days(1))
    assert events(prefix="order") == set()


def test_a_closed_order_tells_nothing(order, clerks):
    record = order(TODAY - days(5), issued_on=d(2023, 6, 1))
    reply(record, d(2023, 6, 5), "accepted", d(2023, 6, 6))
    assert events(prefix="order") == set()
    # Before it was closed, it was told of (as of the day it was replied, awaiting the decision).
    assert events(d(2023, 6, 5), prefix="order") == {f"order-replied:{record.replies.get().pk}"}


def test_a_replied_order_tells_its_issuer_alone(order, clerks, water):
    record = order(TODAY + days(10))
    answer = reply(record, d(2023, 6, 10))
    reminder = found()[f"order-replied:{answer.pk}"]
    assert reminder.user_ids == (order.issuer.pk,)
    assert reminder.webhooks == ()  # the issuer's work, not the department's robot's
    assert reminder.about == record
    assert reminder.link == reverse("admin:investment_supervisionorder_change", args=[record.pk])
    assert "县水利局" in reminder.text and record.reference in reminder.text and "2023-06-10" in reminder.text
    assert events(prefix="order") == {f"order-replied:{answer.pk}"}  # no longer "issued"


def test_a_returned_reply_tells_the_department_again(order, clerks, water):
    record = order(TODAY + days(10))
    first = reply(record, d(2023, 6, 5), "returned", d(2023, 6, 8), comment="材料不全")
    reminder = found()[f"order-returned:{first.pk}"]
    assert reminder.user_ids == (clerks["water"].pk,)
    assert reminder.webhooks[0].url == ROBOT and reminder.webhooks[0].secret == "s3cret"
    assert reminder.text == (
        f"县水利局：督办单{record}的反馈于2023-06-08被退回（材料不全），请于{TODAY + days(10)}前重新反馈。"
    )
    # The department replies again: the return is no longer told; the new reply awaits its decision.
    second = reply(record, d(2023, 6, 12))
    assert events(prefix="order") == {f"order-replied:{second.pk}"}


def test_an_order_without_an_issuer_tells_nobody_of_its_reply(make_order, water, clerks):
    record = make_order(issued_on=d(2023, 6, 1), due_on=TODAY + days(10), department=water)
    answer = reply(record, d(2023, 6, 10))
    assert f"order-replied:{answer.pk}" not in found()


# --- monthly reports --------------------------------------------------------------------------


@pytest.fixture
def listed(make_key_project, make_listing):
    def make(department, name=None):
        project = make_key_project(department=department, **({"name": name} if name else {}))
        return make_listing(project=project, year=2023, listed_on=d(2023, 1, 15)).project

    return make


def report(project, month, *events) -> ProgressReport:
    """A report of ``month`` with its trail: ``events`` are (action, time, reason)."""
    row = ProgressReport(project=project, month=month, completed_investment=10)
    for action, when, reason in events:
        if action == "approved":
            row.approved_at, row.approved_investment = when, row.completed_investment
        else:
            setattr(row, f"{action}_at", when)
        if action == "returned":
            row.return_reason = reason
    row.save()
    for action, when, reason in events:
        ProgressReview.objects.create(
            report=row,
            action=action,
            at=when,
            amount=row.completed_investment if action == "approved" else None,
            reason=reason,
        )
    return row


def test_late_reports_are_told_the_day_after_the_due_day_and_not_on_it(make_year_plan, listed, water, roads, clerks):
    make_year_plan(2023)  # due on the 5th: May's reports on 5 June
    listed(water)
    late_on_time = listed(roads)
    report(late_on_time, d(2023, 5, 1), ("submitted", at(d(2023, 6, 5), 20), ""))
    on_due_day = events(d(2023, 6, 5), "reports-late")
    assert on_due_day == {f"reports-late:{water.pk}:2023-04", f"reports-late:{roads.pk}:2023-04"}
    assert events(d(2023, 6, 6), "reports-late") == {f"reports-late:{water.pk}:2023-05"}
    reminder = found(d(2023, 6, 6))[f"reports-late:{water.pk}:2023-05"]
    assert reminder.user_ids == (clerks["water"].pk,)
    assert reminder.about == water
    assert reminder.link == f"{reverse('monthly-entry')}?year=2023&month=5&department={water.pk}"
    assert reminder.text == "县水利局：2023-05月度进度有1个项目未于2023-06-05前提交，请尽快填报。"


def test_last_years_december_is_late_in_january_after_its_due_day(make_year_plan, listed, water, clerks):
    make_year_plan(2023)
    make_year_plan(2024)
    listed(water)
    assert events(d(2024, 1, 5), "reports-late") == {f"reports-late:{water.pk}:2023-11"}
    assert events(d(2024, 1, 6), "reports-late") == {f"reports-late:{water.pk}:2023-12"}


def test_late_indicator_values_are_told_to_their_unit_for_the_months_they_are_known(
    make_year_plan, make_indicator, water, roads, clerks
):
    from projects.models import IndicatorValue, IndicatorValueReview

    plan = make_year_plan(2023)  # due on the 5th: May's values on 5 June
    make_indicator(plan=plan, department=water, name="新增市场主体")
    make_indicator(plan=plan, department=water, name="新增技能人才")
    on_time = make_indicator(plan=plan, department=roads, name="新增四上企业")
    make_indicator(plan=plan, department=roads, name="高新技术企业", frequency="quarterly")  # known in June
    value = IndicatorValue.objects.create(
        indicator=on_time, month=d(2023, 5, 1), value=3, submitted_at=at(d(2023, 6, 5))
    )
    IndicatorValueReview.objects.create(report=value, action="submitted", at=at(d(2023, 6, 5), 20))
    assert events(d(2023, 6, 5), "indicators-late") == {
        f"indicators-late:{water.pk}:2023-04",
        f"indicators-late:{roads.pk}:2023-04",
    }
    assert events(d(2023, 6, 6), "indicators-late") == {f"indicators-late:{water.pk}:2023-05"}
    reminder = found(d(2023, 6, 6))[f"indicators-late:{water.pk}:2023-05"]
    assert reminder.user_ids == (clerks["water"].pk,)
    assert reminder.about == water
    assert reminder.text == "县水利局：2023-05有2项年度目标指标的月度数值未于2023-06-05前提交，请尽快填报。"
    assert reminder.link == (
        f"{reverse('admin:projects_indicatorvalue_changelist')}"
        f"?month=2023-05-01&indicator__department__id__exact={water.pk}"
    )
    # June's values are due on 5 July: the quarterly indicator is late with them too.
    late_in_july = found(d(2023, 7, 6))
    assert late_in_july[f"indicators-late:{roads.pk}:2023-06"].text.startswith("县交通运输局：2023-06有2项")


def test_a_returned_report_tells_its_department(make_year_plan, listed, water, clerks):
    make_year_plan(2023)
    project = listed(water, name="郏县水厂")
    row = report(
        project,
        d(2023, 5, 1),
        ("submitted", at(d(2023, 6, 2)), ""),
        ("returned", at(d(2023, 6, 3)), "金额有误"),
    )
    returned = row.reviews.get(action="returned")
    reminder = found()[f"report-returned:{returned.pk}"]
    assert reminder.user_ids == (clerks["water"].pk,)
    assert reminder.about == row
    assert reminder.link == reverse("admin:projects_progressreport_change", args=[row.pk])
    assert reminder.text == (
        "县水利局：项目“郏县水厂”2023-05月度进度于2023-06-03被退回（金额有误），请修改后重新提交（截止2023-06-05）。"
    )
    # Submitted again: no longer returned.
    row.submitted_at = at(d(2023, 6, 4))
    row.save()
    assert events(prefix="report-returned") == set()


def test_reports_awaiting_review_tell_bureau_staff_once_per_department_and_month(
    make_year_plan, listed, water, roads, clerks, bureau, make_user
):
    make_year_plan(2023)
    make_user("bureau-idle", groups=[access.BUREAU_STAFF_GROUP], is_active=False)
    make_user("leader", groups=[access.LEADERS_GROUP])  # does not review reports
    User.objects.create_superuser("root")  # holds every permission, is not bureau staff
    projects = [listed(water), listed(water), listed(roads)]
    for project in projects:
        report(project, d(2023, 5, 1), ("submitted", at(d(2023, 6, 2)), ""))
    report(projects[0], d(2023, 4, 1), ("submitted", at(d(2023, 5, 2)), ""))
    report(projects[2], d(2023, 4, 1), ("submitted", at(d(2023, 5, 2)), ""), ("approved", at(d(2023, 5, 3)), ""))
    awaiting = {event: reminder for event, reminder in found().items() if event.startswith("reports-awaiting")}
    assert set(awaiting) == {
        f"reports-awaiting:{water.pk}:2023-04",
        f"reports-awaiting:{water.pk}:2023-05",
        f"reports-awaiting:{roads.pk}:2023-05",
    }
    reminder = awaiting[f"reports-awaiting:{water.pk}:2023-05"]
    assert reminder.user_ids == (bureau.pk,)
    assert reminder.webhooks == ()
    assert reminder.about == water
    assert reminder.text == "县水利局：2023-05有2份月度进度待审核（填报截止2023-06-05）。"
    assert reminder.link == (
        f"{reverse('admin:projects_progressreport_changelist')}"
        f"?stage=submitted&month=2023-05-01&project__department__id__exact={water.pk}"
    )


# --- every event together: keys, robots, queries ---------------------------------------------


@pytest.fixture
def city(
    make_year_plan, make_department, make_user, make_key_project, make_listing, make_order, make_indicator, bureau
):
    """``count`` departments (every other one with a robot), each with two members, a listed
    project late with May's reports, a plan indicator late with May's value, a milestone due and
    one late, an order due, one overdue, one returned and one replied, a report returned and one
    awaiting review."""
    plan = make_year_plan(2023)
    issuer = make_user("city-issuer")

    def build(count: int) -> None:
        for n in range(count):
            department = make_department(webhook_url=f"https://robot.example.com/{n}" if n % 2 else "")
            make_user(f"a{n}-{department.pk}", department)
            make_user(f"b{n}-{department.pk}", department)
            project = make_key_project(department=department)
            make_listing(project=project, year=2023, listed_on=d(2023, 1, 15))
            make_indicator(plan=plan, department=department)
            for planned in (TODAY + days(2), TODAY - days(2)):
                Milestone.objects.create(project=project, kind="custom", name="节点", planned_on=planned)
            for due in (TODAY + days(1), TODAY - days(1)):
                make_order(issued_on=d(2023, 6, 1), due_on=due, department=department, key_project=project)
            returned = make_order(issued_on=d(2023, 6, 1), due_on=TODAY + days(20), department=department)
            reply(returned, d(2023, 6, 2), "returned", d(2023, 6, 3), comment="重报")
            replied = make_order(
                issued_on=d(2023, 6, 1), due_on=TODAY + days(20), department=department, issued_by=issuer
            )
            reply(replied, d(2023, 6, 2))
            report(project, d(2023, 4, 1), ("submitted", at(d(2023, 5, 2)), ""), ("returned", at(d(2023, 5, 3)), "错"))
            report(project, d(2023, 3, 1), ("submitted", at(d(2023, 4, 2)), ""))

    return build


def kinds(result) -> dict[str, int]:
    counts: dict[str, int] = {}
    for reminder in result:
        kind = reminder.event.split(":")[0]
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def test_every_event_is_found_in_a_fixed_number_of_queries(city, django_assert_num_queries):
    city(2)
    with django_assert_num_queries(10):
        small = reminders.due_reminders(at(TODAY))
    city(4)
    with django_assert_num_queries(10):
        large = reminders.due_reminders(at(TODAY))
    per_department = {
        "milestone-due": 1,
        "milestone-late": 1,
        "order-issued": 2,  # the due and the overdue orders, not replied to yet
        "order-due": 1,
        "order-overdue": 1,
        "order-returned": 1,
        "order-replied": 1,
        "reports-late": 1,
        "indicators-late": 1,
        "report-returned": 1,
        "reports-awaiting": 1,
    }
    assert kinds(small) == {kind: 2 * n for kind, n in per_department.items()}
    assert kinds(large) == {kind: 6 * n for kind, n in per_department.items()}
    assert set(per_department) == set(reminders.MESSAGES)  # every kind of event, each with its text


def test_every_kind_of_event_has_its_chinese_text():
    for kind, message in reminders.MESSAGES.items():
        text = translation.gettext(message)
        assert text != message and "%(department)s" in text, kind


def test_keys_are_stable_and_robots_only_where_set(city):
    city(3)
    first, second = reminders.due_reminders(at(TODAY, 8)), reminders.due_reminders(at(TODAY, 20))
    assert first and [reminder.event for reminder in first] == [reminder.event for reminder in second]
    assert first == second
    department_of = {user.pk: user.departments.get() for user in User.objects.filter(departments__isnull=False)}
    robots = 0
    for reminder in first:
        if reminder.event.startswith(("order-replied", "reports-awaiting")):
            assert reminder.webhooks == ()  # the issuer's and bureau staff's work, not the department's
            continue
        (department,) = {department_of[pk] for pk in reminder.user_ids}  # the members of one department
        assert len(reminder.user_ids) == 2
        if department.webhook_url:
            robots += 1
            assert reminder.webhooks == (reminders.Webhook(f"department:{department.pk}", department.webhook_url),)
        else:
            assert reminder.webhooks == ()
    # The one department of three with a robot, told of its ten events: two milestones, four
    # orders told (two issued, one due, one overdue), a return, May's late reports, May's late
    # indicator value, a returned report.
    assert robots == 10


def test_the_local_date_decides(milestone, clerks):
    """Late at midnight in the county, whatever the hour in UTC."""
    record = milestone(TODAY)
    eve = datetime.datetime(2023, 6, 15, 16, 30, tzinfo=datetime.UTC)  # 00:30 on the 16th in Jiaxian
    assert {reminder.event for reminder in reminders.due_reminders(eve)} == {
        f"milestone-late:{record.pk}:{TODAY.isoformat()}"
    }
