"""The migration that brings the review approves every existing monthly report on its last
change, at its amount, with its event in the trail, so that no figure of an existing database
moves (issue 17)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("projects", "0009_progress_month_cover_index")]
AFTER = [("projects", "0011_approve_existing_reports")]


@pytest.mark.django_db(transaction=True)
def test_existing_reports_are_approved_on_their_last_change_at_their_amount():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Industry, Department = apps.get_model("projects", "Industry"), apps.get_model("projects", "Department")
    Area = apps.get_model("projects", "Area")
    KeyProject, Report = apps.get_model("projects", "KeyProject"), apps.get_model("projects", "ProgressReport")
    project = KeyProject.objects.create(
        name="迁移前的项目",
        industry=Industry.objects.create(code="M1", name="装备"),
        department=Department.objects.create(code="M1", name="县工信局"),
        area=Area.objects.create(code="M1", name="城关镇", kind="town"),
        total_investment=Decimal("100.00"),
    )
    report = Report.objects.create(
        project=project, month=datetime.date(2023, 5, 1), completed_investment=Decimal("12.34")
    )
    changed = Report.objects.get(pk=report.pk).updated_at

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    after = apps.get_model("projects", "ProgressReport").objects.get(pk=report.pk)
    assert (after.approved_at, after.submitted_at, after.approved_investment) == (changed, changed, Decimal("12.34"))
    trail = list(apps.get_model("projects", "ProgressReview").objects.filter(report_id=report.pk).values())
    assert [(row["action"], row["at"], row["amount"]) for row in trail] == [("approved", changed, Decimal("12.34"))]
    bureau = apps.get_model("auth", "Group").objects.get(name="招商局、发改委工作人员")
    assert bureau.permissions.filter(codename="review_progressreport").exists()

    # Back to the latest state, for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
