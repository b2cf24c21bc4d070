"""``manage.py bench_reminders``: one JSON line from a small fill, the reminders and the floor
finding the same (event, person) pairs (the command refuses to time them otherwise) in the
reminders' fixed number of queries, and the synthetic orders deleted with the rest."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from investment.bench import reminders as bench
from investment.bench.data import delete_synthetic, synthetic
from investment.models import SupervisionOrder

pytestmark = pytest.mark.django_db

KEYS = {"vendor", "rows", "page", "now", "reminders", "pairs", "ms", "floor_ms", "ratio", "queries"}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_prints_one_json_line_with_both_sides_agreeing(debug):
    out = StringIO()
    call_command("bench_reminders", rows=300, runs=1, stdout=out, stderr=StringIO())
    (line,) = out.getvalue().splitlines()
    result = json.loads(line)
    assert set(result) == KEYS
    assert result["page"] == "reminders" and result["rows"] == 300
    assert result["queries"] == 10
    assert result["reminders"] > 0 and result["pairs"] >= result["reminders"]
    assert synthetic(SupervisionOrder, "subject").count() == 3  # one for each ten of the 30 key projects
    assert bench.bench_users().count() == 15 * bench.MEMBERS_PER_DEPARTMENT + 1


def test_the_synthetic_orders_go_with_their_projects(debug):
    call_command("bench_reminders", rows=300, runs=1, stdout=StringIO(), stderr=StringIO())
    delete_synthetic()
    assert not SupervisionOrder.objects.exists()
