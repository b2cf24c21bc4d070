"""The monthly dispatch loop in a real browser, on the demo data (issue 17 item 8): a department
clerk enters December's figures and submits the page; the bureau returns one row with a reason;
the clerk corrects it and submits again; the bureau approves them all. Then the bureau issues
orders for the projects lit red at the end of June, the clerk finds one on 待我处理 and replies,
and the bureau accepts the reply, closing the order. Screenshots in test-results/."""

from __future__ import annotations

import importlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from playwright.sync_api import Page, expect

from investment.models import OrderReply, SupervisionOrder
from projects.management.commands.load_demo import DEMO_GROUP_LOGINS, Command
from projects.models import ProgressReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The data migrations that make the three groups and give them their permissions, run again: an
# earlier transactional test of the same worker flushed their rows (the demo logins join them).
GROUP_MIGRATIONS = [
    ("projects.migrations.0005_department_groups", "create_groups"),
    ("projects.migrations.0011_approve_existing_reports", "grant"),
    ("projects.migrations.0016_plan_indicator_groups", "grant"),
    ("investment.migrations.0005_department_groups", "grant"),
    ("investment.migrations.0008_supervision_order_groups", "grant"),
    ("investment.migrations.0011_dispatch_meeting_groups", "grant"),
    ("investment.migrations.0012_ranking_weights", "grant"),
    ("investment.migrations.0014_circular_filings", "grant"),
]


def make_groups() -> None:
    # With the migrations' own historical models, as migrate runs them.
    state_apps = MigrationExecutor(connection).loader.project_state().apps
    for module, function in GROUP_MIGRATIONS:
        getattr(importlib.import_module(module), function)(state_apps, None)


PASSWORDS = {username: password for username, password, *_ in DEMO_GROUP_LOGINS}
DECEMBER = "year=2023&month=12"


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORDS[username])
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)


def run_action(page: Page, action: str) -> None:
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")


def test_a_month_is_submitted_returned_corrected_approved_and_a_red_light_order_closed(
    live_server, page: Page, demo, output_path
):
    # Eleven pages in a row, on a machine running the whole suite on every core: patient waits.
    page.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)
    make_groups()
    Command().group_logins()
    clerk = get_user_model().objects.get(username="clerk")
    department = clerk.departments.get()
    december = ProgressReport.objects.filter(month="2023-12-01", project__department=department)
    entered = december.count()
    assert entered > 1
    december.delete()
    base = live_server.url

    # The clerk enters the month and submits the page.
    sign_in(page, base, "clerk")
    page.goto(f"{base}/admin/progress/monthly/?{DECEMBER}")
    amounts = page.locator("input[name$='-completed_investment']:not([readonly])")
    expect(amounts).to_have_count(entered)
    for index in range(entered):
        amounts.nth(index).fill("120.00")
    page.click("input[name=_submit]")
    expect(page.locator("ul.messagelist")).to_be_visible()
    clerk_department = ProgressReport.objects.filter(month="2023-12-01", project__department=department)
    assert clerk_department.count() == entered
    assert all(report.stage == "submitted" for report in clerk_department)
    page.screenshot(path=Path(output_path) / "loop-1-submitted.png", full_page=True)

    # The bureau returns one row, with a reason.
    sign_in(page, base, "bureau")
    page.goto(f"{base}/admin/projects/progressreport/?stage=submitted&month=2023-12-01")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(entered)
    rows.first.locator("input.action-select").check()
    run_action(page, "return_selected")
    page.fill("[name=reason]", "完成投资与形象进度不符，请核实")
    page.locator("#content form input[type=submit]").click()
    expect(page.locator("ul.messagelist")).to_be_visible()
    returned = [report for report in clerk_department.all() if report.stage == "returned"]
    assert len(returned) == 1 and returned[0].return_reason == "完成投资与形象进度不符，请核实"

    # The clerk sees it waiting, corrects it and submits again.
    sign_in(page, base, "clerk")
    page.goto(f"{base}/admin/waiting/")
    expect(page.locator("#waiting-correct")).to_contain_text(returned[0].project.name)
    page.goto(f"{base}/admin/progress/monthly/?{DECEMBER}")
    row = page.locator("#monthly-entry tr", has_text=returned[0].project.name)
    row.locator("input[name$='-completed_investment']").fill("95.50")
    page.click("input[name=_submit]")
    expect(page.locator("ul.messagelist")).to_be_visible()
    corrected = ProgressReport.objects.get(pk=returned[0].pk)
    assert (corrected.stage, corrected.completed_investment) == ("submitted", Decimal("95.50"))

    # The bureau approves the whole month.
    sign_in(page, base, "bureau")
    page.goto(f"{base}/admin/progress/monthly/?{DECEMBER}")
    page.goto(f"{base}/admin/projects/progressreport/?stage=submitted&month=2023-12-01")
    page.check("#action-toggle")
    run_action(page, "approve_selected")
    expect(page.locator("ul.messagelist")).to_be_visible()
    assert all(report.stage == "approved" for report in clerk_department.all())
    assert ProgressReport.objects.get(pk=corrected.pk).approved_investment == Decimal("95.50")
    page.screenshot(path=Path(output_path) / "loop-2-approved.png", full_page=True)

    # Orders for the projects red at the end of June, one each, in one go.
    before = SupervisionOrder.objects.count()
    page.goto(f"{base}/admin/investment/supervisionorder/")
    page.click("text=红灯项目批量督办")
    page.fill("#id_as_of", "2023-06-30")
    page.click(".red-light-day input[type=submit]")
    # The red list of that day (today's, before, is another): wait for the page asked.
    expect(page).to_have_url(re.compile(r"as_of=2023-06-30"))
    expect(page.locator("table.red-light-projects")).to_be_visible()
    ticked = page.locator("table.red-light-projects input[type=checkbox]:checked").count()
    assert ticked > 0
    page.screenshot(path=Path(output_path) / "loop-3-red-lights.png", full_page=True)
    page.click("input[value=下达督办单]")
    expect(page.locator("ul.messagelist")).to_contain_text("已下达")
    assert SupervisionOrder.objects.count() == before + ticked
    order = SupervisionOrder.objects.filter(department=department).order_by("-number").first()
    assert order is not None and order.number > before

    # The clerk replies from 待我处理.
    sign_in(page, base, "clerk")
    page.goto(f"{base}/admin/waiting/")
    page.locator("#waiting-reply tr", has_text=order.reference).locator("a.button").click()
    page.fill("textarea[name=text]", "已制定赶工计划，12月底前完成年度投资。")
    page.fill("input[name=replied_on]", order.issued_on.isoformat())
    page.click("input[name=_save]")
    expect(page.locator("ul.messagelist")).to_be_visible()
    reply = OrderReply.objects.get(order=order)

    # The bureau accepts it on the order's page: the order is closed.
    sign_in(page, base, "bureau")
    page.goto(f"{base}/admin/investment/supervisionorder/{order.pk}/change/")
    page.select_option("select[name='replies-0-decision']", "accepted")
    page.fill("input[name='replies-0-decided_on']", order.issued_on.isoformat())
    page.click("input[name=_save]")
    expect(page.locator("ul.messagelist")).to_be_visible()
    reply.refresh_from_db()
    assert reply.decision == "accepted"
    assert SupervisionOrder.objects.get(pk=order.pk).stage_on(order.issued_on) == "closed"
    page.goto(f"{base}/admin/investment/supervisionorder/?stage=closed")
    expect(page.locator("#result_list")).to_contain_text(order.reference)
    page.screenshot(path=Path(output_path) / "loop-4-closed.png", full_page=True)
