"""A chain's map in a real browser (Debian's Chromium through Playwright, see conftest.py): a
clerk opens the map of a demo-like chain, finds a box per link coloured and worded by its
coverage, follows a gap to its target enterprises, and leaves a screenshot of the map in
pytest-playwright's output folder (test-results/, git-ignored)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from investment.models import AttractionProject, ChainLink, IndustrialChain, LocalEnterprise, TargetEnterprise
from jiaxian import periods
from projects.models import Industry, YearPlan

from .conftest import log_in, make_clerk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date

# position, name, local enterprises, targets as (company, contacted_on): a gap has targets not
# contacted yet, a pursued link one contacted, a covered link local enterprises.
LINKS = [
    ("upstream", "工业硅及高纯硅", [], [("四川川晟硅业有限公司", D(2023, 3, 1))]),
    ("upstream", "纳米硅粉", ["河南硅源新材料科技有限公司"], []),
    ("upstream", "石墨及碳源材料", [], [("内蒙古蒙碳新材料有限公司", None), ("四川川晟碳素有限公司", None)]),
    ("midstream", "硅碳负极材料", ["河南硅途新能源材料有限公司", "郏县中硅石墨化有限公司"], []),
    ("midstream", "硅氧负极材料", [], [("江苏苏硅科技有限公司", D(2023, 5, 8))]),  # negotiating since 2023-06-01
    ("downstream", "锂电池电芯制造", [], [("湖南湘储电池科技有限公司", None)]),
    ("downstream", "废旧电池回收", [], []),
]
NEGOTIATING = "江苏苏硅科技有限公司"
EXPECTED = {
    "工业硅及高纯硅": "pursued",
    "纳米硅粉": "covered",
    "石墨及碳源材料": "gap",
    "硅碳负极材料": "covered",
    "硅氧负极材料": "pursued",
    "锂电池电芯制造": "gap",
    "废旧电池回收": "gap",
}


@pytest.fixture
def chain(transactional_db) -> IndustrialChain:
    """A silicon-anode chain like the demo's in its key industry, committed (the live server
    answers from another thread), this year's plan, and a superuser."""
    make_clerk()
    YearPlan.objects.create(year=periods.today().year)
    industry = Industry.objects.create(code="GJFJ", name="新材料（硅基负极材料）", is_key=True)
    chain = IndustrialChain.objects.create(
        name="硅基负极材料", lead_leader="王副县长", chain_master="河南硅途新能源材料有限公司"
    )
    chain.industries.set([industry])
    orders: dict[str, int] = {}
    for position, name, locals_, targets in LINKS:
        orders[position] = orders.get(position, 0) + 1
        link = ChainLink.objects.create(chain=chain, position=position, order=orders[position], name=name)
        for company in locals_:
            LocalEnterprise.objects.create(link=link, company=company)
        for company, contacted in targets:
            negotiating = D(2023, 6, 1) if company == NEGOTIATING else None
            TargetEnterprise.objects.create(
                link=link, company=company, contacted_on=contacted, visited_on=negotiating, negotiating_on=negotiating
            )
    return chain


def test_a_clerk_sees_the_gaps_of_a_chain_follows_one_to_its_targets_and_signs_a_pursued_one(
    live_server, page: Page, chain, output_path
):
    log_in(page, live_server.url)
    # From the chains' list to the map, as a clerk would.
    page.goto(f"{live_server.url}/admin/investment/industrialchain/")
    page.locator("a.chain-map-link").first.click()
    expect(page).to_have_url(re.compile(rf"/admin/chains/{chain.pk}/map/$"))
    expect(page.locator("#chain-facts")).to_contain_text("河南硅途新能源材料有限公司")

    svg = page.locator("svg#chain-map-svg")
    expect(svg).to_be_visible()
    boxes = svg.locator("a.link-box")
    expect(boxes).to_have_count(len(LINKS))
    links = {link.name: link for link in chain.links.all()}
    for name, coverage in EXPECTED.items():
        box = svg.locator(f'a.link-box[data-link="{links[name].pk}"]')
        expect(box).to_have_attribute("data-coverage", coverage)
        expect(box).to_have_class(f"link-box {coverage}")
        # The coverage in words too, the same as the table's (not colour alone).
        word = page.locator(f"#link-{links[name].pk} td.coverage").inner_text()
        expect(box.locator("text.coverage-word")).to_have_text(word)
        expect(box.locator("text.link-name")).to_contain_text(name[:6])
    # Columns left to right: upstream boxes left of midstream, left of downstream.
    xs = {
        position: svg.locator(f'g.map-column[data-position="{position}"] rect').first.bounding_box()["x"]
        for position in ("upstream", "midstream", "downstream")
    }
    assert xs["upstream"] < xs["midstream"] < xs["downstream"]
    expect(page.locator("#chain-links tbody tr.chain-link")).to_have_count(len(LINKS))
    page.screenshot(path=Path(output_path) / "chain-map.png", full_page=True)

    # A gap leads to its target enterprises: the list filtered to that link.
    gap = links["石墨及碳源材料"]
    svg.locator(f'a.link-box[data-link="{gap.pk}"]').click()
    expect(page).to_have_url(re.compile(rf"/admin/investment/targetenterprise/\?link={gap.pk}$"))
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#result_list")).to_contain_text("内蒙古蒙碳新材料有限公司")
    expect(page.locator("#result_list")).not_to_contain_text("江苏苏硅科技有限公司")
    page.screenshot(path=Path(output_path) / "chain-gap-targets.png", full_page=True)

    # Back to the map: a pursued link leads to the target being courted; signing it creates the
    # attraction project, counted in this year's figures and in the chain's conversion.
    page.goto(f"{live_server.url}/admin/chains/{chain.pk}/map/")
    pursued = links["硅氧负极材料"]
    page.locator(f'svg a.link-box[data-link="{pursued.pk}"]').click()
    page.locator("#result_list a", has_text=NEGOTIATING).click()
    page.locator("a.sign-link").click()
    page.fill("#id_contract_amount", "12000")
    page.fill("#id_fixed_asset_investment", "9000")
    page.locator("input[type=submit].default").click()
    expect(page).to_have_url(re.compile(r"/admin/investment/attractionproject/\d+/change/$"))
    project = AttractionProject.objects.get(investor=NEGOTIATING)
    assert (project.link_id, project.signed_on, project.year) == (pursued.pk, periods.today(), periods.today().year)

    year = periods.today().year
    page.goto(f"{live_server.url}/admin/dashboard/?year={year}&as_of={periods.today().isoformat()}")
    expect(page.locator("#line-attraction_count .numerator")).to_have_text("1")
    row = page.locator(f"#chain-{chain.pk}")
    expect(row.locator("td.signed")).to_have_text("1")
    expect(row.locator("td.negotiating")).to_have_text("1")
    row.locator("a.chain-map-link").click()
    expect(page).to_have_url(re.compile(rf"/admin/chains/{chain.pk}/map/$"))
    signed_box = page.locator(f'svg a.link-box[data-link="{pursued.pk}"]')
    expect(signed_box).to_have_attribute("data-coverage", "pursued")  # until it is recorded as local
    expect(page.locator(f"#link-{pursued.pk} td.count").nth(3)).to_have_text("1")  # its attraction project
    page.screenshot(path=Path(output_path) / "chain-map-after-signing.png", full_page=True)
