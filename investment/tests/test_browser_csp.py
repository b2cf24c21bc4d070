"""Every kind of page under the Content-Security-Policy, in a real browser (Debian's Chromium
through Playwright, see conftest.py, whose ``page`` fails a test on any violation the browser
reports): the admin's home, a list, a change form, a record's history, the dashboard, a chain's
map, the monthly entry, the quarterly export, the import and its preview, and Swagger UI, each
with its own stylesheet applied and nothing blocked."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from investment import headers as h
from investment.models import IndustrialChain
from projects.models import Area, Department, KeyProject, Sector

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(live_server, page: Page, demo) -> Page:
    log_in(page, live_server.url)
    return page


def css(page: Page, selector: str, prop: str) -> str:
    """The computed ``prop`` of the first element ``selector`` finds: what the page's
    stylesheet (a static file) made of it."""
    return page.locator(selector).first.evaluate(f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def bond_reserve_workbook() -> bytes:
    """A one-row bond-reserve ledger in the demo's reference data, as a clerk's Excel writes it."""
    rows = [
        [h.NAME, h.SECTOR, h.OWNER, h.DEPARTMENT, h.AREA, h.TOTAL_INVESTMENT, h.BOND_DEMAND, h.CAPITAL_PORTION]
        + [h.EXPECTED_INCOME, h.PRINCIPAL_AND_INTEREST, h.RESERVED_ON],
        ["浏览器导入的储备项目", Sector.objects.first().name, "郏县水务", Department.objects.first().name]
        + [Area.objects.first().name, "20000.00", "10000.00", "0.00", "15000.00", "12000.00"]
        + [datetime.datetime(2023, 3, 1)],
    ]
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_admin_pages_work_under_the_policy_with_their_stylesheets(live_server, signed_in: Page):
    page, base = signed_in, live_server.url
    project = KeyProject.objects.order_by("pk").first()

    # The home (index.css) and a list, whose amount columns line up on the right (admin.css).
    expect(page.locator("#quota-dashboard-module a.quota-dashboard-link").first).to_be_visible()
    assert css(page, "#quota-dashboard-module a.quota-dashboard-link", "display") == "inline-block"
    page.goto(f"{base}/admin/projects/keyproject/")
    expect(page.locator("#result_list")).to_be_visible()
    assert css(page, '#result_list td[class*="_wan"]', "text-align") == "right"
    expect(page.locator("#result_list .warning-light").first).to_be_visible()

    # A change form with its inlines and calendars, and its history.
    page.goto(f"{base}/admin/projects/keyproject/{project.pk}/change/")
    expect(page.locator("input[name=_save]")).to_be_visible()
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()  # the admin's calendar script ran
    page.locator(".datetimeshortcuts a[id^=calendarlink]").first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    page.keyboard.press("Escape")
    page.locator(".field-predecessor .select2-selection").click()  # the autocomplete's drop-down
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.keyboard.press("Escape")
    rows = page.locator("#milestones-group tr.form-row.dynamic-milestones")
    before = rows.count()
    page.locator("#milestones-group .add-row a").click()  # an inline's "add another"
    expect(rows).to_have_count(before + 1)
    page.goto(f"{base}/admin/projects/keyproject/{project.pk}/history/")
    expect(page.locator("#content h1")).to_be_visible()

    # A department's members in the two-box selector.
    department = Department.objects.order_by("pk").first()
    page.goto(f"{base}/admin/projects/department/{department.pk}/change/")
    expect(page.locator(".selector-available select, .selector-available-title").first).to_be_visible()


def test_the_pages_of_our_own_work_under_the_policy_with_their_stylesheets(live_server, signed_in: Page):
    page, base = signed_in, live_server.url

    page.goto(f"{base}/admin/dashboard/?year=2023&as_of=2023-06-30")
    assert css(page, ".quota-controls", "display") == "flex"
    met_bar = page.locator("#line-key_project_count svg.quota-bar rect.fill")
    assert met_bar.evaluate("e => e.getBoundingClientRect().width") > 100  # 100 % of a bar in a 1,400-pixel page
    assert css(page, "#line-key_project_count svg.quota-bar rect.fill", "fill") == "rgb(46, 158, 72)"

    chain = IndustrialChain.objects.order_by("pk").first()
    page.goto(f"{base}/admin/chains/{chain.pk}/map/")
    expect(page.locator("svg.chain-map")).to_be_visible()
    assert css(page, ".chain-facts", "display") == "grid"

    page.goto(f"{base}/admin/progress/monthly/?year=2023&month=6")
    expect(page.locator("#monthly-entry-form")).to_be_visible()
    assert css(page, ".entry-month", "display") == "flex"

    page.goto(f"{base}/admin/exports/quarterly/")
    expect(page.locator("#quarterly-export-form")).to_be_visible()
    assert css(page, ".export-form", "display") == "flex"


def test_the_import_and_its_preview_work_under_the_policy(live_server, signed_in: Page, output_path):
    page, base = signed_in, live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/admin/projects/bondreserve/import/")
    page.set_input_files(
        "#id_import_file",
        files=[{"name": "专项债储备.xlsx", "mimeType": "application/octet-stream", "buffer": bond_reserve_workbook()}],
    )
    page.fill("#id_year", "2023")
    page.locator(".submit-row input[type=submit]").click()
    expect(page.locator("table.import-preview")).to_contain_text("浏览器导入的储备项目")
    # The confirmation: a signed token of the stored upload and its button.
    expect(page.locator("form input[name=token]")).to_be_attached()
    expect(page.locator("form:has(input[name=token]) input[type=submit]")).to_be_visible()
    page.screenshot(path=Path(output_path) / "import-preview.png", full_page=True)


def test_swagger_ui_renders_the_operations_under_the_policy(live_server, signed_in: Page):
    page = signed_in
    page.goto(f"{live_server.url}/api/docs/")
    # Swagger UI draws the operations as they scroll into view: the first tag's are there.
    listing = page.locator('.opblock-summary-path[data-path="/api/annual-listings/"]')
    expect(listing.first).to_be_visible(timeout=20_000)
    expect(page.locator(".opblock-tag").first).to_have_text("annual-listings")
    assert css(page, "body", "background-color") == "rgb(250, 250, 250)"  # api_docs.css
    # An operation opens with its parameters (Swagger UI's own scripts and styles at work).
    listing.first.click()
    expect(page.locator(".opblock-body .parameters").first).to_contain_text("page_size")


INJECTED = "<p id='injected' style='color: red'>injected</p><style>#injected { color: red }</style>"


def test_a_violation_is_noticed(live_server, signed_in: Page, csp_violations):
    # What the page fixture listens for: an inline style added to one of our pages is blocked and
    # reported, so the other tests of this module would fail on one.
    page = signed_in
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(f'document.body.insertAdjacentHTML("beforeend", "{INJECTED}")')
    noticed = list(csp_violations)
    csp_violations.clear()
    assert noticed and all("inline style" in message for message in noticed), noticed
    assert css(page, "#injected", "color") != "rgb(255, 0, 0)"
