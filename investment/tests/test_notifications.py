"""The sending of reminders (``investment.notifications.deliver``) through real parts: e-mail
to an SMTP server the test starts (aiosmtpd on a free loopback port), robot posts to an HTTP
server on the loopback in a thread; and the notifications in the product (the admin's pages,
the API), each person seeing only their own."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import socket
import urllib.parse
from email.header import decode_header, make_header

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from investment.choices import ReminderDeliveryChannelChoices as Channel
from investment.models import Notification, NotificationSetting, ReminderDelivery
from investment.notifications import deliver
from investment.tests.loopback import SECRET, free_port
from jiaxian.notify import Reminder, Webhook, WebhookError, post_webhook, signed_url

NOW = datetime.datetime(2023, 6, 30, 9, 0, tzinfo=datetime.UTC)
LATER = NOW + datetime.timedelta(hours=1)


# --- people and reminders --------------------------------------------------------------------


@pytest.fixture
def people(db):
    """Three people: two with addresses, one without."""
    return [
        User.objects.create_user("zhang", "zhang@example.invalid"),
        User.objects.create_user("li", "li@example.invalid"),
        User.objects.create_user("wang", ""),
    ]


def reminder(number: int, users, webhooks=(), about=None) -> Reminder:
    return Reminder(
        event=f"order-overdue:{number}",
        text=f"督办单 {number} 已逾期，请尽快反馈。",
        link=f"/admin/investment/supervisionorder/{number}/change/",
        user_ids=tuple(user.pk for user in users),
        about=about,
        webhooks=tuple(webhooks),
    )


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


# --- e-mail ----------------------------------------------------------------------------------


def test_deliver_sends_each_person_with_an_address_an_email_through_smtp(smtp, people, department, settings):
    settings.SITE_URL = "https://invest.example.invalid"
    counts = deliver([reminder(1, people, about=department)], NOW)

    assert counts == {"notifications": 3, "emails": 2, "webhooks": 0, "failures": 0}
    assert sorted(recipients[0] for recipients, _ in smtp.messages) == ["li@example.invalid", "zhang@example.invalid"]
    (message,) = smtp.to("zhang@example.invalid")
    assert message["From"] == "reminders@example.invalid"
    assert "督办单 1 已逾期" in subject_of(message)
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert "https://invest.example.invalid/admin/investment/supervisionorder/1/change/" in body
    sent = ReminderDelivery.objects.filter(channel=Channel.EMAIL).order_by("recipient")
    assert [(row.recipient, row.attempts, row.sent_at) for row in sent] == sorted(
        [(str(people[0].pk), 1, NOW), (str(people[1].pk), 1, NOW)]
    )
    notification = Notification.objects.get(user=people[2])
    assert (notification.about, notification.created_at, notification.read_at) == (department, NOW, None)


def test_deliver_twice_sends_nothing_the_second_time(smtp, robot, people):
    reminders = [reminder(1, people, [Webhook("department:1", robot.url)]), reminder(2, people[:1])]
    first = deliver(reminders, NOW)
    second = deliver(reminders, LATER)

    assert first == {"notifications": 4, "emails": 3, "webhooks": 1, "failures": 0}
    assert second == {"notifications": 0, "emails": 0, "webhooks": 0, "failures": 0}
    assert len(smtp.messages) == 3
    assert len(robot.posts) == 1
    assert Notification.objects.count() == 4
    assert set(Notification.objects.values_list("created_at", flat=True)) == {NOW}


def test_a_person_who_turned_email_off_gets_the_notification_but_no_email(smtp, people):
    NotificationSetting.objects.create(user=people[0], email_enabled=False)
    NotificationSetting.objects.create(user=people[1], email_enabled=True)

    counts = deliver([reminder(1, people)], NOW)

    assert counts["emails"] == 1
    assert [recipients for recipients, _ in smtp.messages] == [["li@example.invalid"]]
    assert Notification.objects.filter(user=people[0]).exists()
    assert not ReminderDelivery.objects.filter(recipient=str(people[0].pk)).exists()


def test_inactive_and_unknown_people_are_skipped(smtp, people):
    people[1].is_active = False
    people[1].save()
    missing = User(pk=999_999)

    counts = deliver([reminder(1, [people[0], people[1], missing])], NOW)

    assert counts == {"notifications": 1, "emails": 1, "webhooks": 0, "failures": 0}
    assert list(Notification.objects.values_list("user_id", flat=True)) == [people[0].pk]


def test_an_address_the_server_refuses_is_retried_up_to_the_maximum(smtp, people, settings, caplog):
    settings.REMINDER_MAX_ATTEMPTS = 2
    smtp.refuse.add("zhang@example.invalid")
    reminders = [reminder(1, people[:2])]

    first = deliver(reminders, NOW)
    second = deliver(reminders, LATER)
    third = deliver(reminders, LATER + datetime.timedelta(hours=1))

    assert (first["emails"], first["failures"]) == (1, 1)
    assert (second["emails"], second["failures"]) == (0, 1)
    assert third == {"notifications": 0, "emails": 0, "webhooks": 0, "failures": 0}
    row = ReminderDelivery.objects.get(channel=Channel.EMAIL, recipient=str(people[0].pk))
    assert (row.attempts, row.sent_at, row.last_attempt_at) == (2, None, LATER)
    assert "SMTPRecipientsRefused" in row.last_error
    assert len(smtp.to("li@example.invalid")) == 1
    assert "order-overdue:1 by email" in caplog.text


def test_a_mail_server_that_cannot_be_reached_fails_every_message_of_the_run(people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2

    counts = deliver([reminder(1, people)], NOW)

    assert counts == {"notifications": 3, "emails": 0, "webhooks": 0, "failures": 2}
    assert set(ReminderDelivery.objects.values_list("attempts", "sent_at")) == {(1, None)}


# --- group robots ----------------------------------------------------------------------------


def test_a_robot_gets_each_event_once_however_many_of_its_unit_are_concerned(robot, people):
    webhook = Webhook("department:1", f"{robot.url}/send?access_token=abc", SECRET)
    other = Webhook("department:2", f"{robot.url}/other")
    reminders = [
        # The same robot named twice (two members of its unit), and a second robot.
        reminder(1, people, [webhook, webhook, other]),
        reminder(2, people[:1], [webhook]),
    ]

    counts = deliver(reminders, NOW)

    assert counts["webhooks"] == 3
    assert [(post["path"], post["signed"]) for post in robot.posts] == [
        ("/send", True),
        ("/other", None),
        ("/send", True),
    ]
    assert robot.posts[0]["json"] == {
        "msgtype": "text",
        "text": {"content": "督办单 1 已逾期，请尽快反馈。\n/admin/investment/supervisionorder/1/change/"},
    }
    assert robot.posts[0]["content_type"].startswith("application/json")


def test_a_failing_robot_is_retried_on_the_next_run_and_not_posted_again_after(robot, people):
    robot.status = 500
    reminders = [reminder(1, people[:1], [Webhook("department:1", robot.url)])]

    first = deliver(reminders, NOW)
    robot.status = 200
    second = deliver(reminders, LATER)
    third = deliver(reminders, LATER + datetime.timedelta(hours=1))

    assert (first["webhooks"], first["failures"]) == (0, 1)
    assert (second["webhooks"], second["failures"]) == (1, 0)
    assert third["webhooks"] == third["failures"] == 0
    assert [post["status"] for post in robot.posts] == [500, 200]
    row = ReminderDelivery.objects.get(channel=Channel.WEBHOOK)
    assert (row.recipient, row.attempts, row.sent_at, row.last_error) == ("department:1", 2, LATER, "")


def test_a_robot_that_refuses_with_an_errcode_is_a_failure(robot, people, settings):
    settings.REMINDER_MAX_ATTEMPTS = 1
    robot.answer = {"errcode": 310000, "errmsg": "sign not match"}
    reminders = [reminder(1, people[:1], [Webhook("department:1", robot.url)])]

    assert deliver(reminders, NOW)["failures"] == 1
    # Given up after the one try the setting allows.
    assert deliver(reminders, LATER)["failures"] == 0
    assert len(robot.posts) == 1
    assert "310000" in ReminderDelivery.objects.get(channel=Channel.WEBHOOK).last_error


def test_post_webhook_refuses_an_address_that_is_not_http():
    with pytest.raises(WebhookError, match="http"):
        post_webhook(Webhook("department:1", "file:///etc/passwd"), "text")


def test_post_webhook_times_out():
    # A socket that listens and never answers: the post gives up after its timeout.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(WebhookError, match="not reached"):
            post_webhook(Webhook("x", f"http://127.0.0.1:{silent.getsockname()[1]}/"), "text", timeout=0.5)


def test_signed_url_is_dingtalks_signature():
    # DingTalk's documented recipe, computed independently here.
    timestamp = 1_700_000_000_000
    digest = hmac.new(b"abc", f"{timestamp}\nabc".encode(), hashlib.sha256).digest()
    expected = urllib.parse.quote_plus(base64.b64encode(digest).decode())

    assert signed_url("https://oapi.example/robot/send?access_token=t", "abc", timestamp) == (
        f"https://oapi.example/robot/send?access_token=t&timestamp={timestamp}&sign={expected}"
    )
    assert signed_url("https://h/x", "", timestamp) == "https://h/x"
    assert signed_url("https://h/x", "abc", timestamp).startswith("https://h/x?timestamp=")


# --- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 6])
def test_deliver_asks_a_fixed_number_of_queries(size, smtp, robot, department, django_assert_num_queries):
    users = [User.objects.create_user(f"user{n}", f"user{n}@example.invalid") for n in range(size)]
    NotificationSetting.objects.create(user=users[0], email_enabled=True)
    reminders = [reminder(n, users, [Webhook(f"department:{n}", robot.url)], about=department) for n in range(size)]
    ContentType.objects.get_for_model(department)  # the process's cache, as on every run but the first
    # 1 the people with their settings, 2 the notifications already made, 3 the new ones,
    # 4 the deliveries already recorded, 5–8 savepoint, the new deliveries, the changed ones
    # (none: no statement), release.
    with django_assert_num_queries(7):
        counts = deliver(reminders, NOW)
    assert counts == {"notifications": size * size, "emails": size * size, "webhooks": size, "failures": 0}


# --- the API: each person's own ----------------------------------------------------------------


@pytest.fixture
def two_people_notified(people):
    """Zhang has three notifications (the second read), Li one."""
    zhang, li, _wang = people
    for number, user in [(1, zhang), (2, zhang), (3, zhang), (4, li)]:
        Notification.objects.create(
            user=user,
            event=f"order-overdue:{number}",
            text=f"第 {number} 条",
            link="/admin/",
            created_at=NOW + datetime.timedelta(minutes=number),
            read_at=NOW if number == 2 else None,
        )
    return zhang, li


def client_of(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_the_api_lists_only_the_persons_own_notifications_newest_first(two_people_notified):
    zhang, li = two_people_notified

    listed = client_of(zhang).get("/api/notifications/").json()
    unread = client_of(zhang).get("/api/notifications/?unread=true").json()
    read = client_of(zhang).get("/api/notifications/?unread=false").json()

    assert [item["text"] for item in listed["results"]] == ["第 3 条", "第 2 条", "第 1 条"]
    assert listed["count"] == 3
    assert [item["text"] for item in unread["results"]] == ["第 3 条", "第 1 条"]
    assert [item["text"] for item in read["results"]] == ["第 2 条"]
    assert [item["text"] for item in client_of(li).get("/api/notifications/").json()["results"]] == ["第 4 条"]


def test_the_api_refuses_a_bad_unread_value_naming_it(two_people_notified):
    answer = client_of(two_people_notified[0]).get("/api/notifications/?unread=yes")
    assert answer.status_code == 400
    assert "unread" in answer.json()


def test_anonymous_clients_get_no_notifications(two_people_notified):
    assert APIClient().get("/api/notifications/").status_code == 401


def test_marking_ones_own_read_and_someone_elses_is_a_404(two_people_notified):
    zhang, li = two_people_notified
    mine = Notification.objects.get(event="order-overdue:1")
    theirs = Notification.objects.get(event="order-overdue:4")

    answer = client_of(zhang).post(f"/api/notifications/{mine.pk}/read/")
    again = client_of(zhang).post(f"/api/notifications/{mine.pk}/read/")

    assert answer.status_code == 200
    assert answer.json()["read_at"] is not None
    assert again.json()["read_at"] == answer.json()["read_at"]  # the first reading stays
    assert client_of(zhang).post(f"/api/notifications/{theirs.pk}/read/").status_code == 404
    assert client_of(zhang).get(f"/api/notifications/{theirs.pk}/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_read_all_marks_only_the_persons_own_unread(two_people_notified):
    zhang, li = two_people_notified

    answer = client_of(zhang).post("/api/notifications/read-all/")

    assert answer.json() == {"marked": 2}
    assert not Notification.objects.filter(user=zhang, read_at__isnull=True).exists()
    assert Notification.objects.get(user=li).read_at is None
    assert Notification.objects.get(event="order-overdue:2").read_at == NOW


def test_a_notification_says_what_it_is_about(people, department):
    deliver([reminder(1, people[:1], about=department)], NOW)

    (item,) = client_of(people[0]).get("/api/notifications/").json()["results"]

    assert (item["about_kind"], item["about_id"]) == ("projects.department", department.pk)
    assert item["link"] == "/admin/investment/supervisionorder/1/change/"


@pytest.mark.parametrize("size", [1, 5])
def test_the_api_list_asks_a_fixed_number_of_queries(size, people, django_assert_num_queries):
    for number in range(size):
        Notification.objects.create(user=people[0], event=f"e:{number}", text="t", created_at=NOW)
    client = client_of(people[0])
    # 1 the count, 2 the page's rows with their kinds of record.
    with django_assert_num_queries(2):
        assert len(client.get("/api/notifications/").json()["results"]) == size


# --- the admin: the bell, the list, the settings -----------------------------------------------


@pytest.fixture
def staff(two_people_notified):
    """Zhang and Li as staff, signed in to the admin each in a client that checks CSRF."""
    clients = []
    for user in two_people_notified:
        user.is_staff = True
        user.save()
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        clients.append(client)
    return clients


def csrf_post(client, url, data=None):
    """POST as the page's form does: with the token of the CSRF cookie."""
    client.get(reverse("my-notifications"))
    token = client.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token})


def bell(page) -> str:
    return re.search(r'id="notification-bell"[^>]*>.*?<span class="notification-count">(\d+)</span>', page).group(1)


def test_the_bell_shows_the_persons_unread_count_on_every_admin_page(staff):
    zhang, li = staff
    assert bell(zhang.get(reverse("admin:index")).content.decode()) == "2"
    assert bell(li.get(reverse("waiting-for-me")).content.decode()) == "1"


def test_the_bell_costs_no_query_of_its_own(staff, django_assert_num_queries, two_people_notified):
    zhang_client = staff[0]
    zhang = two_people_notified[0]
    zhang_client.get(reverse("admin:index"))  # the content types and the session, warmed
    with CaptureQueriesContext(connection) as before:
        zhang_client.get(reverse("admin:index"))
    Notification.objects.filter(user=zhang).update(read_at=None)
    Notification.objects.create(user=zhang, event="e:new", text="t", created_at=NOW)
    with CaptureQueriesContext(connection) as after:
        page = zhang_client.get(reverse("admin:index")).content.decode()
    assert bell(page) == "4"
    assert len(after.captured_queries) == len(before.captured_queries)
    # No query of its own reads the notifications: the count came with the user.
    counting = 'SELECT COUNT(*) AS "__count" FROM "investment_notification"'
    assert not [query for query in after.captured_queries if query["sql"].startswith(counting)]
    assert any("investment_notification" in query["sql"] for query in after.captured_queries)


def test_the_bell_counts_for_a_session_signed_in_by_djangos_own_backend(staff, two_people_notified, settings):
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    client = Client()
    client.force_login(two_people_notified[0])
    assert bell(client.get(reverse("admin:index")).content.decode()) == "2"


def test_the_list_shows_only_the_persons_own_newest_first_the_unread_marked(staff):
    zhang, li = staff
    page = zhang.get(reverse("my-notifications")).content.decode()
    rows = re.findall(r'<tr class="(notification-\w+)" id="notification-\d+">\s*<td>.*?(第 \d 条)', page, re.S)
    assert rows == [
        ("notification-unread", "第 3 条"),
        ("notification-read", "第 2 条"),
        ("notification-unread", "第 1 条"),
    ]
    assert "第 4 条" not in page
    unread = zhang.get(reverse("my-notifications") + "?unread=1").content.decode()
    assert re.findall(r"第 \d 条", unread) == ["第 3 条", "第 1 条"]
    assert 'href="/admin/"' in page


def test_marking_read_needs_the_csrf_token_and_only_ones_own(staff):
    zhang, li = staff
    mine = Notification.objects.get(event="order-overdue:1")
    theirs = Notification.objects.get(event="order-overdue:4")

    assert zhang.post(reverse("my-notification-read", args=[mine.pk])).status_code == 403  # no token
    assert Notification.objects.get(pk=mine.pk).read_at is None
    assert csrf_post(zhang, reverse("my-notification-read", args=[theirs.pk])).status_code == 404
    answer = csrf_post(zhang, reverse("my-notification-read", args=[mine.pk]), {"page": "1", "unread": "1"})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("my-notifications") + "?page=1&unread=1"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert zhang.get(reverse("my-notification-read", args=[mine.pk])).status_code == 405


def test_marking_all_read_marks_only_the_persons_own(staff, two_people_notified):
    zhang_client = staff[0]
    zhang, li = two_people_notified
    assert csrf_post(zhang_client, reverse("my-notifications-read-all")).status_code == 302
    assert not Notification.objects.filter(user=zhang, read_at__isnull=True).exists()
    assert Notification.objects.get(user=li).read_at is None
    assert bell(zhang_client.get(reverse("admin:index")).content.decode()) == "0"


def test_a_person_turns_email_off_in_their_own_settings(staff, two_people_notified, smtp):
    zhang_client = staff[0]
    zhang, li = two_people_notified
    page = zhang_client.get(reverse("my-notification-settings")).content.decode()
    assert "zhang@example.invalid" in page
    assert 'name="email_enabled"' in page and "checked" in page

    answer = csrf_post(zhang_client, reverse("my-notification-settings"), {})  # the box unticked

    assert answer.status_code == 302
    assert NotificationSetting.objects.get(user=zhang).email_enabled is False
    assert not NotificationSetting.objects.filter(user=li).exists()
    deliver([reminder(9, [zhang, li])], NOW)
    assert [recipients for recipients, _ in smtp.messages] == [["li@example.invalid"]]


def test_a_link_elsewhere_is_shown_as_text_not_followed(staff, two_people_notified):
    Notification.objects.create(
        user=two_people_notified[0], event="e:x", text="外部", link="//evil.example/", created_at=NOW
    )
    page = staff[0].get(reverse("my-notifications")).content.decode()
    assert "外部" in page
    assert "evil.example" not in page


@pytest.mark.parametrize("size", [1, 8])
def test_the_list_page_asks_a_fixed_number_of_queries(size, staff, two_people_notified, django_assert_num_queries):
    zhang_client = staff[0]
    for number in range(size):
        Notification.objects.create(user=two_people_notified[0], event=f"e:{number}", text="t", created_at=NOW)
    zhang_client.get(reverse("my-notifications"))
    # 1 the session, 2 the user with the bell's count, 3 the page's count, 4–5 the user's
    # permissions (the admin's navigation), 6 the page's rows.
    with django_assert_num_queries(6):
        zhang_client.get(reverse("my-notifications"))


def test_the_deliveries_are_listed_read_only_for_a_superuser(admin_client, robot, people):
    robot.status = 500
    deliver([reminder(1, people[:1], [Webhook("department:1", robot.url)])], NOW)
    row = ReminderDelivery.objects.get(channel=Channel.WEBHOOK)

    listed = admin_client.get(reverse("admin:investment_reminderdelivery_changelist") + "?sent_at__isempty=1")
    assert listed.status_code == 200
    assert "department:1" in listed.content.decode()
    assert "HTTP 500" in listed.content.decode()
    assert admin_client.get(reverse("admin:investment_reminderdelivery_add")).status_code == 403
    answer = admin_client.post(reverse("admin:investment_reminderdelivery_change", args=[row.pk]), {"attempts": 0})
    assert answer.status_code == 403
    assert ReminderDelivery.objects.get(pk=row.pk).attempts == 1


def test_a_run_larger_than_a_lookup_asks_by_chunks_and_sends_the_same(smtp, people, monkeypatch):
    monkeypatch.setattr("investment.notifications.LOOKUP_SIZE", 2)
    reminders = [reminder(number, people) for number in range(5)]

    with CaptureQueriesContext(connection) as run:
        assert deliver(reminders, NOW) == {"notifications": 15, "emails": 10, "webhooks": 0, "failures": 0}
    # Five events, two a lookup: three queries of the deliveries recorded (and of the notifications).
    lookups = [
        query for query in run.captured_queries if query["sql"].startswith('SELECT "investment_reminderdelivery"')
    ]
    assert len(lookups) == 3
    assert deliver(reminders, LATER) == {"notifications": 0, "emails": 0, "webhooks": 0, "failures": 0}
    assert len(smtp.messages) == 10


def test_a_robot_that_failed_is_not_tried_again_in_the_same_run(robot, people):
    robot.status = 500
    webhook = Webhook("department:1", robot.url)
    other = Webhook("department:2", f"{robot.url}/other")
    reminders = [reminder(1, people[:1], [webhook]), reminder(2, people[:1], [webhook, other])]

    first = deliver(reminders, NOW)
    robot.status = 200
    second = deliver(reminders, LATER)

    # The first run: event 1 failed at robot 1, event 2 left for the next run there, but tried at
    # robot 2 (which failed too, on its own account).
    assert (first["webhooks"], first["failures"]) == (0, 2)
    assert (second["webhooks"], second["failures"]) == (3, 0)
    assert [post["path"] for post in robot.posts] == ["/", "/other", "/", "/", "/other"]
    assert sorted(
        ReminderDelivery.objects.filter(channel=Channel.WEBHOOK).values_list("event", "recipient", "attempts")
    ) == [
        ("order-overdue:1", "department:1", 2),
        ("order-overdue:2", "department:1", 1),
        ("order-overdue:2", "department:2", 2),
    ]
