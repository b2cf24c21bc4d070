"""Every ledger's list and record page on the clerks' screens, in a real browser (Debian's Chromium
through Playwright, see conftest.py), over the demo data: at 1366×768 with the filters shown,
no list scrolls sideways and its name, amounts, light/status/stage and year are in sight, and no
record's page is wider than the screen; a key project's page is compact (a line a milestone, the
months on one line of the grid, the notes folded); at 1920×1080 no name takes more than three
lines. Leaves a screenshot of each list and page in test-results/ (git-ignored), at both sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from projects.models import KeyProject

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The columns a clerk must see on a 1366 px screen, the filters shown, per ledger; every amount
# column (…_wan) of every list is checked as well, and every list must fit its box.
ALWAYS_SHOWN = {
    "keyproject": ["warning_light", "name", "total_investment_wan", "listed_years"],
    "bondreserve": [
        "name",
        "year",
        "total_investment_wan",
        "bond_demand_wan",
        "coverage_warning_column",
        "status_today",
    ],
    "attractionproject": [
        "name",
        "year",
        "contract_amount_wan",
        "fixed_asset_investment_wan",
        "big_project_column",
        "stage_today",
    ],
}

# What sticks out of a page or of a list's own box, in CSS pixels (0 when it fits).
OVERFLOW = """() => {
  const page = document.documentElement.scrollWidth - window.innerWidth;
  const table = document.querySelector('#result_list');
  const box = table ? table.closest('.results') : null;
  return {page: Math.max(0, page), list: box ? Math.max(0, table.scrollWidth - box.clientWidth) : 0};
}"""

# The columns ``names`` (th.column-<name>) that are hidden or end right of the list's box.
OUT_OF_SIGHT = """(names) => {
  const box = document.querySelector('#result_list').closest('.results').getBoundingClientRect();
  const heads = [...document.querySelectorAll('#result_list thead th[class*="_wan"]')]
    .map(th => [...th.classList].find(c => c.startsWith('column-')).slice('column-'.length));
  return [...new Set([...names, ...heads])].filter(name => {
    const th = document.querySelector(`#result_list thead th.column-${name}`);
    if (!th) return true;
    const r = th.getBoundingClientRect();
    return r.width === 0 || r.right > box.right + 1 || r.right > window.innerWidth;
  });
}"""

# The most lines any record's name takes in the list (the name's link: one box a line).
NAME_LINES = """() => Math.max(0, ...[...document.querySelectorAll('#result_list .field-name a')]
  .map(a => new Set([...a.getClientRects()].map(r => Math.round(r.top))).size))"""


def ledgers() -> list[tuple[str, str]]:
    """(model name, changelist URL) of every ledger of both apps registered in the admin."""
    return sorted(
        (model._meta.model_name, reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        for model in admin.site._registry
        if model._meta.app_label in ("projects", "investment")
    )


def record_page(model_name: str) -> str | None:
    """The change page of one record of the ledger (a key project with every inline filled),
    None when the demo has none."""
    model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
    if model is KeyProject:
        record = (
            KeyProject.objects.annotate(
                reports=Count("progress_reports", distinct=True), with_problems=Count("problems", distinct=True)
            )
            .filter(with_problems__gt=0)
            .order_by("-reports", "pk")
            .first()
        )
    else:
        record = model.objects.order_by("pk").first()
    if record is None:
        return None
    return reverse(f"admin:{model._meta.app_label}_{model_name}_change", args=[record.pk])


def clerk_page(browser: Browser, base: str, width: int, height: int) -> Page:
    """A clerk's fresh browser (nothing remembered), in China, at ``width``×``height``, signed in."""
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
    )
    page = context.new_page()
    log_in(page, base)
    return page


def test_at_1366_no_list_and_no_record_page_scrolls_sideways(live_server, browser: Browser, demo, output_path):
    page, base, shots = clerk_page(browser, live_server.url, 1366, 768), live_server.url, Path(output_path)
    wrong: list[str] = []
    for model_name, url in ledgers():
        page.goto(base + url)
        # The left navigation starts closed for a clerk who never opened it.
        if "shifted" in (page.locator("#main").get_attribute("class") or ""):
            wrong.append(f"{url}: the navigation is open")
        overflow = page.evaluate(OVERFLOW)
        if overflow["page"] or overflow["list"]:
            wrong.append(f"{url}: sticks out by {overflow}")
        if page.locator("#result_list").count():
            hidden = page.evaluate(OUT_OF_SIGHT, ALWAYS_SHOWN.get(model_name, []))
            if hidden:
                wrong.append(f"{url}: out of sight: {hidden}")
        page.screenshot(path=shots / f"1366-{model_name}-list.png")
        change = record_page(model_name)
        if change is not None:
            page.goto(base + change)
            overflow = page.evaluate(OVERFLOW)
            if overflow["page"]:
                wrong.append(f"{change}: {overflow['page']} px wider than the screen")
            page.screenshot(path=shots / f"1366-{model_name}-change.png", full_page=True)
    assert not wrong, "\n".join(wrong)


def test_a_key_projects_page_is_compact_at_1366(live_server, browser: Browser, demo, output_path):
    page = clerk_page(browser, live_server.url, 1366, 768)
    page.goto(live_server.url + record_page("keyproject"))
    # A line a milestone: as tall as its tallest box (the unit's, 40 px) and a little padding,
    # where the dates' shortcuts and the unit's links wrapping made it 80 to 120 px.
    heights = page.locator("#milestones-group tbody tr.has_original").evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    assert heights and max(heights) < 60, heights
    # The year's twelve months side by side, January first, each a single amount box.
    months = page.locator("#progress_reports-group tr.has_original")
    tops = months.evaluate_all("cells => cells.map(c => Math.round(c.getBoundingClientRect().top))")
    assert len(tops) == 12 and len(set(tops)) == 1, tops
    expect(months.first.locator("td.field-month input")).to_have_value("2023-01")
    expect(months.first.locator("td.field-completed_investment input")).to_be_visible()
    # Notes wait behind their toggle; a click shows one.
    note = months.first.locator("td.field-note textarea")
    expect(note).to_be_hidden()
    months.first.locator("td.field-note summary").click()
    expect(note).to_be_visible()
    # Every section folds: the record's times start folded, a click on a heading folds it.
    expect(page.locator("fieldset.collapse details")).not_to_have_attribute("open", "")
    page.locator("#milestones-heading").click()
    expect(page.locator("#milestones-group tbody")).to_be_hidden()
    page.screenshot(path=Path(output_path) / "1366-keyproject-compact.png", full_page=True)


def test_a_month_entered_in_the_grid_is_saved(live_server, browser: Browser, demo):
    """The grid is Django's inline formset underneath: a changed month and a new one are saved."""
    page = clerk_page(browser, live_server.url, 1366, 768)
    url = record_page("keyproject")
    project = KeyProject.objects.get(pk=url.split("/")[-3])
    project.progress_reports.filter(month__month=12).delete()
    page.goto(live_server.url + url)
    page.locator("#progress_reports-group tr.month-1 td.field-completed_investment input").fill("1234.50")
    page.locator("#progress_reports-group .add-row a").click()
    added = page.locator("#progress_reports-group tr.dynamic-progress_reports").last
    added.locator("td.field-month input").fill("2023-12")
    added.locator("td.field-completed_investment input").fill("99.00")
    page.locator("input[name=_continue]").click()
    expect(page.locator("ul.messagelist li.success")).to_be_visible()
    figures = dict(project.progress_reports.values_list("month__month", "completed_investment"))
    assert (str(figures[1]), str(figures[12])) == ("1234.50", "99.00")


def test_at_1920_no_name_takes_more_than_three_lines(live_server, browser: Browser, demo, output_path):
    page, base = clerk_page(browser, live_server.url, 1920, 1080), live_server.url
    lines = {}
    for model_name, url in ledgers():
        page.goto(base + url)
        if page.locator("#result_list").count():
            lines[model_name] = page.evaluate(NAME_LINES)
        page.screenshot(path=Path(output_path) / f"1920-{model_name}-list.png")
        change = record_page(model_name)
        if change is not None:
            page.goto(base + change)
            assert page.evaluate(OVERFLOW)["page"] == 0, change
            page.screenshot(path=Path(output_path) / f"1920-{model_name}-change.png", full_page=True)
    assert max(lines.values()) <= 3, lines
    assert max(lines[name] for name in ALWAYS_SHOWN) <= 2, lines
