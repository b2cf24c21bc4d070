"""The demo's rankings as of 2023-06-30 and a reminder run on the demo: the red and the black
lists of the departments and of the areas are named, the same in the admin's 排名通报, the API
and the circular; ``send_reminders`` as of 6 July tells people of the demo's late milestones,
open orders and reports, and a second run sends nothing."""

from __future__ import annotations

import datetime
import io
from io import StringIO

import openpyxl
import pytest
from django.core import mail
from django.core.management import call_command
from rest_framework.test import APIClient

from investment import rankings
from investment.circular import SUMMARY_SHEET, UNIT_WORDS, CircularExporter
from investment.models import Notification
from projects.management.commands.load_demo import Command as DemoCommand
from projects.models import YearPlan

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2023, 6, 30)


@pytest.mark.parametrize("by", ["department", "area"])
def test_the_demo_names_its_best_and_worst_the_same_in_the_admin_the_api_and_the_circular(
    demo_data, admin_user, admin_client, by
):
    result = rankings.rankings(2023, AS_OF, by)
    red, black = [unit.name for unit in result.red_list], [unit.name for unit in result.black_list]
    assert len(red) >= 3 and len(black) >= 3 and not set(red) & set(black)
    # Every unit with a composite is ranked; the demo's units without one are listed, unranked.
    assert all(unit.rank is not None for unit in result.units if unit.composite is not None)

    client = APIClient()
    client.force_authenticate(admin_user)
    answer = client.get("/api/reports/rankings/", {"year": 2023, "as_of": AS_OF.isoformat(), "by": by}).json()
    assert answer["red_list"] == [unit.unit_id for unit in result.red_list]
    assert answer["black_list"] == [unit.unit_id for unit in result.black_list]

    page = admin_client.get("/admin/rankings/", {"year": 2023, "as_of": AS_OF.isoformat(), "by": by})
    text = page.content.decode()
    assert all(name in text for name in red + black)

    workbook = openpyxl.load_workbook(io.BytesIO(CircularExporter(YearPlan.objects.get(year=2023), 6).render()))
    lines = [row for row in workbook[SUMMARY_SHEET].iter_rows(values_only=True) if row[0] in ("红榜", "黑榜")]
    word = UNIT_WORDS[by]
    assert [row[3] for row in lines if row[:2] == ("红榜", word)] == red
    assert [row[3] for row in lines if row[:2] == ("黑榜", word)] == black


def test_a_reminder_run_on_the_demo_tells_each_once(demo_data, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DemoCommand().group_logins()  # the clerk of the department with the most projects, bureau staff

    def run() -> str:
        out = StringIO()
        call_command("send_reminders", "--now", "2023-07-06T09:00", stdout=out)
        return out.getvalue()

    first = run()
    told = Notification.objects.count()
    assert told > 0 and f"notifications {told}," in first
    assert {notification.event.split(":")[0] for notification in Notification.objects.all()} >= {
        "milestone-late",
        "order-issued",
    }
    sent = len(mail.outbox)
    assert sent > 0 and f"emails {sent}," in first
    assert "notifications 0, emails 0, webhooks 0, failures 0" in run()
    assert (Notification.objects.count(), len(mail.outbox)) == (told, sent)
