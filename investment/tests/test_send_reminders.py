"""``manage.py send_reminders`` end to end: what ``investment.reminders`` finds as of ``--now`` is
told by the product, by e-mail through a real SMTP server and by the department's robot on the
loopback; a second run sends nothing; a robot that failed is posted on the next run, once."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from investment.choices import ReminderDeliveryChannelChoices as Channel
from investment.models import Notification, NotificationSetting, ReminderDelivery
from investment.tests.loopback import SECRET
from projects.choices import MilestoneKindChoices
from projects.models import Milestone

pytestmark = pytest.mark.django_db

NOW = "2023-06-15T10:00"
DUE = datetime.date(2023, 6, 18)  # within the seven days of a milestone's reminder
LATE = datetime.date(2023, 6, 10)


@pytest.fixture
def water(make_department, robot):
    """A department with a signing robot, two members with addresses and a milestone due and one
    late on its project."""
    department = make_department(
        name="县水利局", code="SLJ", webhook_url=f"{robot.url}/robot/send?access_token=t", webhook_secret=SECRET
    )
    for name in ("zhang", "li"):
        User.objects.create_user(name, f"{name}@example.invalid").departments.add(department)
    return department


@pytest.fixture
def milestones(make_key_project, water):
    project = make_key_project(name="郏县水厂", department=water)
    return [
        Milestone.objects.create(project=project, kind=MilestoneKindChoices.CUSTOM, name=name, planned_on=day)
        for name, day in (("主体完工", DUE), ("设备安装", LATE))
    ]


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_reminders", "--now", NOW, *args, stdout=out)
    return out.getvalue()


def test_two_runs_tell_each_person_and_the_robot_once(smtp, robot, water, milestones):
    first = run()

    assert "2 reminders due as of 2023-06-15 10:00: notifications 4, emails 4, webhooks 2, failures 0" in first
    assert Notification.objects.count() == 4
    assert {recipients[0] for recipients, _ in smtp.messages} == {"zhang@example.invalid", "li@example.invalid"}
    assert len(smtp.messages) == 4
    # One post per event to the department's robot, not one per member; signed with its secret.
    assert len(robot.posts) == 2
    assert all(post["signed"] for post in robot.posts)
    assert any("设备安装" in post["json"]["text"]["content"] for post in robot.posts)

    second = run()

    assert "notifications 0, emails 0, webhooks 0, failures 0" in second
    assert (Notification.objects.count(), len(smtp.messages), len(robot.posts)) == (4, 4, 2)


def test_a_robot_that_fails_is_posted_on_the_next_run_and_once(smtp, robot, water, milestones):
    robot.status = 500
    assert "webhooks 0, failures 1" in run()  # the robot is not tried again in the same run
    failed = ReminderDelivery.objects.get(channel=Channel.WEBHOOK, sent_at=None)
    assert failed.attempts == 1 and failed.last_error

    robot.status = 200
    assert "notifications 0, emails 0, webhooks 2, failures 0" in run()
    assert "webhooks 0, failures 0" in run()
    assert len([post for post in robot.posts if post["status"] == 200]) == 2


def test_a_person_who_turned_email_off_is_told_in_the_product_only(smtp, robot, water, milestones):
    NotificationSetting.objects.create(user=User.objects.get(username="li"), email_enabled=False)
    assert "notifications 4, emails 2" in run()
    assert {recipients[0] for recipients, _ in smtp.messages} == {"zhang@example.invalid"}


def test_a_dry_run_lists_what_is_due_and_sends_nothing(smtp, robot, water, milestones):
    out = run("--dry-run")
    assert out.count("milestone-") == 2 and "2 reminders due" in out
    assert (Notification.objects.count(), len(smtp.messages), len(robot.posts)) == (0, 0, 0)


def test_a_bad_now_is_refused_naming_it():
    with translation.override("en"), pytest.raises(CommandError, match="argument --now: “15/06/2023” is not a date"):
        call_command("send_reminders", "--now", "15/06/2023")
