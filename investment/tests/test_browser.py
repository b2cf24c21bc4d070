"""The dashboard in a real browser (Debian's Chromium through Playwright, see conftest.py): a
clerk logs in, reads the 2023 demo figures as of the end of Q2, which must be the REST report's,
and follows a red share to the projects it leaves out. Leaves a screenshot of the dashboard in
pytest-playwright's output folder (test-results/, git-ignored)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUERY = "year=2023&as_of=2023-06-30"


def figure_text(value: str | None, kind_of: dict) -> str:
    """The API's decimal string as the page writes it."""
    if value is None:
        return "—"
    number = Decimal(value)
    if kind_of["denominator"] is not None or kind_of["key"].endswith(("_share", "_rate", "_progress")):
        return f"{number.scaleb(2):.2f}%"
    if kind_of["key"].endswith(("_investment", "_demand")):
        return f"{number:,.2f} 万元"
    return f"{number:,.0f}"


def test_a_clerk_reads_the_dashboard_and_follows_a_red_share_to_its_records(live_server, page: Page, demo, output_path):
    log_in(page, live_server.url)
    page.click("a.quota-dashboard-link")
    expect(page.locator("h1")).to_have_text("年度目标完成情况")
    page.goto(f"{live_server.url}/admin/dashboard/?{QUERY}")
    expect(page.locator(".quota-quarters a.current")).to_contain_text("二季度末")

    # The page's session reads the REST report of the same year and date.
    answer = page.request.get(f"{live_server.url}/api/reports/quotas/?{QUERY}")
    assert answer.ok, answer.text()
    report = answer.json()
    assert len(report["targets"]) == 9
    for target in report["targets"] + report["indicators"]:
        line = page.locator(f"#line-{target['key']}")
        expect(line.locator("th")).to_have_text(target["label"])
        expect(line.locator(".value")).to_have_text(figure_text(target["value"], target))
        expect(line.locator(".numerator")).to_have_text(f"{target['numerator']:,}")
        if target["denominator"] is None:
            expect(line.locator(".denominator")).to_have_count(0)
        else:
            expect(line.locator(".denominator")).to_have_text(str(target["denominator"]))
        state = {True: "met", False: "unmet", None: "info"}[target["met"]]
        expect(line).to_have_class(f"quota-line {state}")
        if target["met"] is not None:
            verdict = "已达标" if target["met"] else "未达标"
            expect(line.locator(".verdict")).to_have_text(verdict)

    page.screenshot(path=Path(output_path) / "dashboard.png", full_page=True)

    # A red share leads to the signed projects it leaves out.
    red = next(t for t in report["targets"] if t["denominator"] is not None and t["met"] is False)
    left_out = red["denominator"] - red["numerator"]
    assert left_out > 0
    page.locator(f"#line-{red['key']} a.drill.main").click()
    expect(page.locator("#changelist-filter")).to_contain_text("未计入的项目")
    expect(page.locator("#result_list tbody tr")).to_have_count(left_out)
    expect(page.locator("p.paginator")).to_contain_text(str(left_out))
    page.screenshot(path=Path(output_path) / "records-left-out.png", full_page=True)

    # And back to the dashboard through the breadcrumbs, at the same date.
    page.locator(".breadcrumbs a", has_text="年度目标完成情况").click()
    expect(page.locator(".quota-quarters a.current")).to_contain_text("二季度末")
