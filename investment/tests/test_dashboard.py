"""The admin's dashboard of the year's targets and its drill-down to the records: the figures in
words and bars, the year and date chosen, the messages for bad input, a fixed number of queries,
and the filters of the three ledgers that list exactly ``quotas.records``."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from investment import dashboard as dashboard_page, quotas
from investment.dashboard import records_url
from jiaxian.admin import RecordsFilter

pytestmark = pytest.mark.django_db

d = datetime.date
D = Decimal
AS_OF = d(2023, 6, 30)
DASHBOARD = "quota-dashboard"
ATTRACTION_LIST = "admin:investment_attractionproject_changelist"
KEY_PROJECT_LIST = "admin:projects_keyproject_changelist"
BOND_RESERVE_LIST = "admin:projects_bondreserve_changelist"
ATTRACTION_KEYS = [key for key in quotas.KEYS if key.startswith("attraction_")]


@pytest.fixture
def plan(make_year_plan):
    """The 2023 plan with the default thresholds, but a key-project count target of 3: one
    count exactly met."""
    return make_year_plan(2023, key_project_count_target=3)


@pytest.fixture
def ledgers(plan, make_listing, make_bond_reserve, make_attraction_project, other_industry):
    """2023 records on both sides of every rule as of 2023-06-30.

    Key projects: 3 listed by then, 1 listed after, 1 on the 2022 list. Reserves: 2 in the
    pool, 1 rejected before then, 1 entered after. Attraction projects: 4 signed by then
    (甲 big, key industry, started; 乙 small, key industry, not started; 丙 big, other
    industry, started and in production; 丁 big, key industry, started, 6,000 万元 in place),
    1 signed after, 1 negotiating, 1 of 2022.
    """
    for _ in range(3):
        make_listing(listed_on=d(2023, 2, 15))
    make_listing(listed_on=d(2023, 7, 10))
    make_listing(year=2022, listed_on=d(2022, 2, 15))
    make_bond_reserve()
    make_bond_reserve()
    make_bond_reserve(submitted_on=d(2023, 3, 15), rejected_on=d(2023, 4, 1))
    make_bond_reserve(reserved_on=d(2023, 8, 1))
    signed, started = d(2023, 3, 1), d(2023, 4, 1)
    make_attraction_project(name="甲", signed_on=signed, started_on=started)
    make_attraction_project(name="乙", signed_on=signed, contract_amount=D("9999.99"))
    make_attraction_project(
        name="丙", signed_on=signed, started_on=started, in_production_on=d(2023, 5, 1), industry=other_industry
    )
    make_attraction_project(name="丁", signed_on=signed, started_on=started, funds_in_place=D("6000.00"))
    make_attraction_project(name="戊", signed_on=d(2023, 7, 1))
    make_attraction_project(name="己")
    make_attraction_project(name="庚", year=2022, signed_on=d(2022, 5, 1))


def dashboard(client, **params):
    return client.get(reverse(DASHBOARD), params)


def row(content: str, key: str) -> str:
    match = re.search(rf'<tr [^>]*id="line-{key}"[^>]*>(.*?)</tr>', content, re.S)
    assert match, f"no line {key}"
    return match.group(1)


def text(fragment: str) -> str:
    """The text of an HTML fragment, as a reader sees it."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def words(content: str, key: str) -> str:
    return text(re.search(r'<td class="words">(.*?)</td>', row(content, key), re.S).group(1))


def links(content: str) -> list[tuple[str, str, str]]:
    """Every drill-down link of the page: (its classes, its URL, its text)."""
    return [
        (classes, html.unescape(url), text(inner))
        for classes, url, inner in re.findall(r'<a class="drill ([^"]*)" href="([^"]*)">(.*?)</a>', content, re.S)
    ]


def listed(client, url: str) -> set[int]:
    """The primary keys that the changelist at ``url`` lists (all pages)."""
    response = client.get(url)
    assert response.status_code == 200, response.get("Location")
    return set(response.context["cl"].queryset.values_list("pk", flat=True))


def expected(plan, url: str) -> set[int]:
    """The records ``quotas.records`` gives for the figure that the link ``url`` names."""
    query = {name: values[-1] for name, values in parse_qs(urlsplit(url).query).items()}
    as_of = d.fromisoformat(query["as_of"])
    if "quota" in query:
        key, part = query["quota"], query["part"]
    elif "listed_for" in query:
        key, part = "key_project_count", "counted"
    else:
        key, part = "bond_reserve_count", "counted"
    return set(quotas.records(plan, as_of, key, part).values_list("pk", flat=True))


# --- what the page shows -----------------------------------------------------------------------

FIGURES_IN_WORDS = {
    "key_project_count": "3 个项目，目标 ≥ 3 个项目，已达标",
    "key_project_total_investment": "150,000.00 万元（3 个项目），目标 ≥ 3,000,000.00 万元，未达标",
    # No progress reported: 0 of the year's planned investment, against 6 of 12 months.
    "key_project_investment_progress": "0.00%（3 个项目），目标 ≥ 50.00%，未达标",
    "bond_reserve_count": "2 个项目，目标 ≥ 80 个项目，未达标",
    "bond_reserve_demand": "20,000.00 万元（2 个项目），目标 ≥ 700,000.00 万元，未达标",
    "attraction_count": "4 个项目，目标 ≥ 60 个项目，未达标",
    "attraction_big_share": "3 / 4 = 75.00%，目标 ≥ 70.00%，已达标",
    "attraction_key_industry_share": "3 / 4 = 75.00%，目标 ≥ 80.00%，未达标",
    "attraction_started_share": "3 / 4 = 75.00%，目标 ≥ 80.00%，未达标",
    "attraction_start_rate": "3 / 4 = 75.00%",
    "attraction_production_rate": "1 / 3 = 33.33%",
    # 6,000 of 45,999.99 万元 contracted.
    "attraction_funds_in_place_rate": "13.04%（4 个项目）",
}


def test_the_page_shows_every_target_and_indicator_in_words(zh_admin_client, plan, ledgers):
    response = dashboard(zh_admin_client, year=2023, as_of="2023-06-30")
    assert response.status_code == 200
    content = response.content.decode()
    assert "年度目标完成情况" in content and "2023年，截至 2023-06-30" in content
    report = quotas.report(plan, AS_OF)
    assert [line.key for line in [*report.targets, *report.indicators]] == list(FIGURES_IN_WORDS)
    for key, sentence in FIGURES_IN_WORDS.items():
        assert words(content, key) == sentence, key
        with translation.override("zh-hans"):
            label = str(report[key].label)
        assert text(re.search(r"<th [^>]*>(.*?)</th>", row(content, key)).group(1)) == label
    assert "共 9 项目标：已达标 2 项，未达标 7 项" in text(content)


def test_labels_are_chinese(zh_admin_client, plan, ledgers):
    content = dashboard(zh_admin_client, year=2023, as_of="2023-06-30").content.decode()
    assert "亿元以上项目占比" in row(content, "attraction_big_share")
    assert "重点项目总投资（万元）" in row(content, "key_project_total_investment")
    assert "其他指标（不设目标）" in content


def test_the_page_speaks_english_on_request(admin_client, plan, ledgers):
    response = admin_client.get(reverse(DASHBOARD), {"year": 2023, "as_of": "2023-06-30"}, HTTP_ACCEPT_LANGUAGE="en")
    assert words(response.content.decode(), "attraction_big_share").startswith("3 / 4 = ")
    assert "target ≥ 70.00%, met" in words(response.content.decode(), "attraction_big_share")


@pytest.mark.parametrize(
    ("key", "state", "fill", "mark"),
    [
        ("key_project_count", "met", "100.00%", "100.00%"),
        ("bond_reserve_count", "unmet", "2.50%", "100.00%"),  # 2 of 80
        ("key_project_total_investment", "unmet", "5.00%", "100.00%"),  # 150,000 of 3,000,000
        ("attraction_big_share", "met", "75.00%", "70.00%"),  # on a 0-100 % scale
        ("attraction_started_share", "unmet", "75.00%", "80.00%"),
        ("attraction_production_rate", "info", "33.33%", None),
    ],
)
def test_each_bar_is_green_when_met_red_when_not_with_the_threshold_marked(
    zh_admin_client, plan, ledgers, key, state, fill, mark
):
    content = dashboard(zh_admin_client, year=2023, as_of="2023-06-30").content.decode()
    assert f'<tr class="quota-line {state}" id="line-{key}"' in content
    line = row(content, key)
    assert f'<rect class="fill" width="{fill}"' in line
    if mark is None:
        assert 'class="mark' not in line
    else:
        assert re.search(rf'<g class="mark[^"]*"><line class="mark-line" x1="{mark}" x2="{mark}"', line)


def test_each_line_is_classed_by_its_state(zh_admin_client, plan, ledgers):
    content = dashboard(zh_admin_client, year=2023, as_of="2023-06-30").content.decode()
    states = {key: state for state, key in re.findall(r'<tr class="quota-line (\w+)" id="line-(\w+)"', content)}
    assert states == {
        "key_project_count": "met",
        "key_project_total_investment": "unmet",
        "key_project_investment_progress": "unmet",
        "bond_reserve_count": "unmet",
        "bond_reserve_demand": "unmet",
        "attraction_count": "unmet",
        "attraction_big_share": "met",
        "attraction_key_industry_share": "unmet",
        "attraction_started_share": "unmet",
        "attraction_start_rate": "info",
        "attraction_production_rate": "info",
        "attraction_funds_in_place_rate": "info",
    }


def test_a_share_of_nothing_shows_a_dash_and_no_fill(zh_admin_client, plan):
    content = dashboard(zh_admin_client, year=2023, as_of="2023-06-30").content.decode()
    assert words(content, "attraction_big_share") == "0 / 0 = —，目标 ≥ 70.00%，未达标"
    assert 'class="fill"' not in row(content, "attraction_big_share")


# --- year, date and messages ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, plan):
    response = dashboard(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login") + "?next=/admin/dashboard/")


def test_a_user_who_is_not_staff_is_sent_to_the_login_page(client, plan):
    user = User.objects.create_user("visitor", password="secret")
    client.force_login(user)
    assert dashboard(client).status_code == 302


def test_by_default_the_latest_plan_as_of_today(zh_admin_client, today, make_year_plan):
    make_year_plan(2022)
    make_year_plan(2023)
    response = dashboard(zh_admin_client)
    assert response.status_code == 200
    assert (response.context["year"], response.context["as_of"]) == (2023, today)
    assert "2023年，截至 2023-06-30" in response.content.decode()


def test_a_past_year_is_shown_as_of_its_last_day(zh_admin_client, today, make_year_plan):
    make_year_plan(2022)
    make_year_plan(2023)
    response = dashboard(zh_admin_client, year=2022)
    assert (response.context["year"], response.context["as_of"]) == (2022, d(2022, 12, 31))


def test_a_date_without_a_year_chooses_the_dates_year(zh_admin_client, make_year_plan):
    make_year_plan(2022)
    make_year_plan(2023)
    response = dashboard(zh_admin_client, as_of="2022-09-30")
    assert (response.context["year"], response.context["as_of"]) == (2022, d(2022, 9, 30))


def test_the_year_selector_offers_the_plans_years_newest_first(zh_admin_client, make_year_plan):
    make_year_plan(2022)
    make_year_plan(2023)
    content = dashboard(zh_admin_client, year=2022).content.decode()
    assert re.findall(r'<option value="(\d+)"( selected)?>', content) == [("2023", ""), ("2022", " selected")]


def test_the_quarter_ends_are_one_click_away(zh_admin_client, plan, ledgers):
    content = dashboard(zh_admin_client, year=2023, as_of="2023-06-30").content.decode()
    quarters = re.findall(r'<a href="([^"]*)"( class="current" aria-current="page")?>([^<]*)<small>', content)
    assert [(html.unescape(url), bool(current), name) for url, current, name in quarters] == [
        ("/admin/dashboard/?year=2023&as_of=2023-03-31", False, "一季度末"),
        ("/admin/dashboard/?year=2023&as_of=2023-06-30", True, "二季度末"),
        ("/admin/dashboard/?year=2023&as_of=2023-09-30", False, "三季度末"),
        ("/admin/dashboard/?year=2023&as_of=2023-12-31", False, "四季度末"),
    ]
    first_quarter = zh_admin_client.get(html.unescape(quarters[0][0])).content.decode()
    assert "2023年，截至 2023-03-31" in first_quarter
    # Signed on 03-01, none started before 04-01.
    assert words(first_quarter, "attraction_started_share") == "0 / 4 = 0.00%，目标 ≥ 80.00%，未达标"


def test_a_date_outside_the_year_is_pointed_out(zh_admin_client, plan, ledgers):
    content = dashboard(zh_admin_client, year=2023, as_of="2024-03-31").content.decode()
    assert "注意：截至日期 2024-03-31 不在 2023 年内。" in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "2023", "as_of": "2023-02-30"}, "截至日期：“2023-02-30”不是有效日期，请按 YYYY-MM-DD 填写"),
        ({"year": "2023", "as_of": "30.06.2023"}, "截至日期：“30.06.2023”不是有效日期"),
        ({"year": "abc"}, "年度：“abc”不是 2000 至 2100 之间的年份。"),
        ({"year": "1999"}, "年度：“1999”不是 2000 至 2100 之间的年份。"),
        ({"year": "99999999999999999999"}, "不是 2000 至 2100 之间的年份"),
    ],
)
def test_a_bad_year_or_date_is_a_message_not_an_error(zh_admin_client, plan, params, message):
    response = dashboard(zh_admin_client, **params)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert 'id="quota-targets"' not in response.content.decode()


def test_a_year_without_a_plan_says_so(zh_admin_client, plan):
    response = dashboard(zh_admin_client, year=2024)
    assert response.status_code == 404
    content = response.content.decode()
    assert "2024年尚未录入年度目标。" in content
    assert reverse("admin:projects_yearplan_add") in content


def test_without_any_plan_the_page_says_so(zh_admin_client):
    response = dashboard(zh_admin_client)
    assert response.status_code == 200
    assert "尚未录入任何年度目标。" in response.content.decode()


def test_the_admin_index_and_every_page_link_to_the_dashboard(zh_admin_client):
    content = zh_admin_client.get(reverse("admin:index")).content.decode()
    assert f'<a class="quota-dashboard-link" href="{reverse(DASHBOARD)}">年度目标完成情况' in content
    changelist = zh_admin_client.get(reverse(ATTRACTION_LIST)).content.decode()
    assert f'<a href="{reverse(DASHBOARD)}">目标完成情况</a>' in changelist


def test_the_breadcrumbs_lead_home(zh_admin_client, plan):
    content = dashboard(zh_admin_client).content.decode()
    assert re.search(r'<div class="breadcrumbs">\s*<a href="/admin/">首页</a>\s*&rsaquo; 年度目标完成情况', content)


# The queries of the page, whatever the number of records (14): session; user; the year plans
# (for the selector, and the chosen one); the report's four aggregates, one per ledger (key
# projects listed, reserves in the pool, attraction projects signed) and one of the key
# projects' monthly progress; the key projects' lights and spawned second phases in one
# aggregate, and the spawned attraction projects; the lead pipeline of every industrial chain
# (quotas.chain_conversion, one aggregate); what waits today (quotas.workload: the reports
# awaiting review, the orders by stage in one aggregate, the departments late with the latest
# month due: "today" is not frozen here, so December's); the plan's other indicators with
# their figures (projects.indicators, one).
QUERIES = 14


def test_the_page_costs_the_same_queries_at_10_and_at_100_attraction_projects(
    zh_admin_client, plan, make_attraction_project, key_industry, other_industry, django_assert_num_queries
):
    def add(count):
        for i in range(count):
            make_attraction_project(
                signed_on=d(2023, 3, 1),
                started_on=d(2023, 4, 1) if i % 2 else None,
                industry=key_industry if i % 3 else other_industry,
            )

    add(10)
    dashboard(zh_admin_client, year=2023)  # warm up: the session and caches of a first request
    with django_assert_num_queries(QUERIES):
        assert dashboard(zh_admin_client, year=2023, as_of="2023-06-30").status_code == 200
    add(90)
    with django_assert_num_queries(QUERIES):
        response = dashboard(zh_admin_client, year=2023, as_of="2023-06-30")
    assert words(response.content.decode(), "attraction_count").startswith("100 个项目")


# --- drill-down ------------------------------------------------------------------------------------


def test_every_link_of_the_page_lists_exactly_the_records_behind_its_figure(zh_admin_client, plan, ledgers):
    content = dashboard(zh_admin_client, year=2023, as_of="2023-06-30").content.decode()
    found = links(content)
    assert len(found) >= 2 * 11
    for classes, url, label in found:
        rows = listed(zh_admin_client, url)
        assert rows == expected(plan, url), url
        if "numerator" in classes or "denominator" in classes:
            # The figure that links is the number of records listed.
            assert label.replace(",", "") == str(len(rows)), url


def test_every_figure_links_to_its_records(zh_admin_client, plan, ledgers):
    content = dashboard(zh_admin_client, year=2023, as_of="2023-06-30").content.decode()
    for key in quotas.KEYS:
        assert 'class="drill numerator' in row(content, key), key
        assert 'class="drill main' in row(content, key), key


@pytest.mark.parametrize(
    ("key", "part", "names"),
    [
        ("attraction_big_share", "counted", {"甲", "丙", "丁"}),  # met: the projects counted
        ("attraction_key_industry_share", "not_counted", {"丙"}),  # not met: the one left out
        ("attraction_started_share", "not_counted", {"乙"}),
        ("attraction_count", "counted", {"甲", "乙", "丙", "丁"}),
    ],
)
def test_a_red_share_links_to_the_projects_left_out_a_green_one_to_those_counted(
    zh_admin_client, plan, ledgers, key, part, names
):
    content = dashboard(zh_admin_client, year=2023, as_of="2023-06-30").content.decode()
    main = re.search(r'<a class="drill main [^"]*" href="([^"]*)">', row(content, key)).group(1)
    url = html.unescape(main)
    assert parse_qs(urlsplit(url).query)["part"] == [part]
    response = zh_admin_client.get(url)
    assert {project.name for project in response.context["cl"].queryset} == names


# --- the filters behind the links --------------------------------------------------------------------

FIGURES = [(key, part) for key in ATTRACTION_KEYS for part in quotas.Part] + [
    (key, quotas.Part.COUNTED)
    for key in ("key_project_count", "key_project_total_investment", "bond_reserve_count", "bond_reserve_demand")
]


@pytest.mark.parametrize(("key", "part"), FIGURES)
def test_the_filtered_changelist_lists_exactly_quotas_records(zh_admin_client, plan, ledgers, key, part):
    url = records_url(2023, AS_OF, key, part)
    assert url is not None
    rows = listed(zh_admin_client, url)
    assert rows == set(quotas.records(plan, AS_OF, key, part).values_list("pk", flat=True))
    assert rows or part == quotas.Part.NOT_COUNTED or key == "attraction_funds_in_place_rate"


def test_the_key_project_filter_takes_the_listing_date_into_account(zh_admin_client, plan, ledgers):
    url = f"{reverse(KEY_PROJECT_LIST)}?listed_for=2023&as_of=2023-07-10"
    assert len(listed(zh_admin_client, url)) == 4
    url = f"{reverse(KEY_PROJECT_LIST)}?listed_for=2022&as_of=2022-12-31"
    assert len(listed(zh_admin_client, url)) == 1


def test_the_pool_filter_follows_the_date(zh_admin_client, plan, ledgers):
    url = f"{reverse(BOND_RESERVE_LIST)}?pool_year=2023&as_of=2023-03-31"
    assert len(listed(zh_admin_client, url)) == 3  # the one rejected on 04-01 was still in
    url = f"{reverse(BOND_RESERVE_LIST)}?pool_year=2023&as_of=2023-08-01"
    assert len(listed(zh_admin_client, url)) == 3  # the one entered on 08-01 is in


def test_without_a_date_the_filters_take_the_years_default(zh_admin_client, plan, ledgers):
    url = f"{reverse(ATTRACTION_LIST)}?quota=attraction_count&quota_year=2023"
    assert len(listed(zh_admin_client, url)) == 5  # 2023 is past: as of 12-31, 戊 signed too


def test_the_filter_combines_with_the_others(zh_admin_client, plan, ledgers):
    url = f"{records_url(2023, AS_OF, 'attraction_count', 'counted')}&big=0"
    assert {p for p in zh_admin_client.get(url).context["cl"].queryset.values_list("name", flat=True)} == {"乙"}


def test_the_filter_shows_in_the_sidebar_only_when_active(zh_admin_client, plan, ledgers):
    response = zh_admin_client.get(reverse(ATTRACTION_LIST))
    assert not any(isinstance(spec, RecordsFilter) for spec in response.context["cl"].filter_specs)
    assert "年度目标明细" not in response.content.decode()

    url = records_url(2023, AS_OF, "attraction_key_industry_share", "not_counted")
    response = zh_admin_client.get(url)
    content = html.unescape(response.content.decode())
    assert "年度目标明细" in content
    assert "2023年「重点产业项目占比」（截至 2023-06-30）：未计入的项目" in content
    back = f"{reverse(DASHBOARD)}?year=2023&as_of=2023-06-30"
    assert f'<a href="{back}">‹ 返回年度目标完成情况</a>' in content
    assert '<a href="?">✖ 显示全部记录</a>' in content
    # The breadcrumbs lead back to the dashboard at the same year and date.
    assert re.search(rf'<div class="breadcrumbs">.*<a href="{re.escape(back)}">年度目标完成情况</a>', content, re.S)


def test_the_ledger_filters_describe_their_records(zh_admin_client, plan, ledgers):
    content = zh_admin_client.get(records_url(2023, AS_OF, "key_project_count", "counted")).content.decode()
    assert "截至 2023-06-30 已列入 2023 年计划的重点项目" in content
    content = zh_admin_client.get(records_url(2023, AS_OF, "bond_reserve_count", "counted")).content.decode()
    assert "2023年度截至 2023-06-30 在库的专项债储备项目（已入库、未退回）" in content


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        (ATTRACTION_LIST, "quota=nope&quota_year=2023"),
        (ATTRACTION_LIST, "quota=attraction_big_share"),
        (ATTRACTION_LIST, "quota=attraction_big_share&quota_year=2024"),
        (ATTRACTION_LIST, "quota=attraction_big_share&quota_year=twenty"),
        (ATTRACTION_LIST, "quota=attraction_big_share&quota_year=2023&part=some"),
        (ATTRACTION_LIST, "quota=attraction_big_share&quota_year=2023&as_of=2023-02-30"),
        (ATTRACTION_LIST, "quota=key_project_count&quota_year=2023"),
        (ATTRACTION_LIST, "quota_year=2023"),
        (KEY_PROJECT_LIST, "listed_for=abc"),
        (KEY_PROJECT_LIST, "as_of=2023-06-30"),
        (BOND_RESERVE_LIST, "pool_year=99999"),
        (BOND_RESERVE_LIST, "pool_year=2023&as_of=yesterday"),
    ],
)
def test_a_bad_filter_value_shows_the_whole_list_with_a_message(zh_admin_client, plan, ledgers, changelist, query):
    response = zh_admin_client.get(f"{reverse(changelist)}?{query}")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    page = zh_admin_client.get(response["Location"])
    assert page.status_code == 200
    assert "无法列出年度目标明细：" in html.unescape(page.content.decode())


# --- how a line is drawn (quotas.bar) -------------------------------------------------------------


def target(kind, value, threshold, numerator=1, denominator=None):
    met = None if threshold is None else (value is not None and value >= threshold)
    return quotas.Target("k", "label", kind, numerator, denominator, value, threshold, met)


@pytest.mark.parametrize(
    ("line", "fill", "mark"),
    [
        (target(quotas.Kind.SHARE, D("0.7667"), D("0.7000"), 23, 30), D("0.7667"), D("0.7000")),
        (target(quotas.Kind.SHARE, None, D("0.8000"), 0, 0), None, D("0.8000")),
        (target(quotas.Kind.SHARE, D("1.2500"), None), D("1"), None),  # funds beyond the contract
        (target(quotas.Kind.COUNT, D("30"), D("60")), D("0.5000"), D("1")),
        (target(quotas.Kind.COUNT, D("75"), D("60")), D("1"), D("1")),
        (target(quotas.Kind.AMOUNT, D("0"), D("700000")), D("0"), D("1")),
        (target(quotas.Kind.COUNT, D("5"), D("0")), None, None),  # nothing to draw it against
    ],
)
def test_a_share_is_drawn_on_a_0_to_100_scale_a_count_against_its_threshold(line, fill, mark):
    assert dashboard_page.bar(line) == dashboard_page.Bar(fill=fill, mark=mark)


def test_every_figure_has_a_label():
    assert all(quotas.label(key) for key in quotas.KEYS)
    with pytest.raises(ValueError):
        quotas.label("nope")


# The queries of a drilled-down changelist, whatever the number of rows: those of the plain
# list (see test_admin.py of each app) with the filter's own. Attraction projects (9): session;
# user; the year plan that the figure belongs to; the years of the year filter; the choices of
# the industry, area and department filters (3); the count of the filtered rows (the figure's
# records as a subquery); the page of projects. Key projects (9): session; user; the year plan
# of today's warning lights; the years of the listing-year filter; the 3 choices; the count;
# the page (with each light, problem count and listings as subqueries). Reserves (8):
# session; user; the years; the choices of the sector, department and area filters (3); the
# count; the page. The key projects' and the reserves' filters ask nothing of their own: no
# plan is needed.
DRILLED_DOWN_QUERIES = {"attraction_count": 9, "key_project_count": 9, "bond_reserve_count": 8}


@pytest.mark.parametrize("key", DRILLED_DOWN_QUERIES)
def test_a_drilled_down_changelist_costs_the_same_queries_at_10_and_at_100_rows(
    zh_admin_client, plan, make_attraction_project, make_listing, make_bond_reserve, django_assert_num_queries, key
):
    def add(count):
        for _ in range(count):
            if key.startswith("attraction_"):
                make_attraction_project(signed_on=d(2023, 3, 1))
            elif key.startswith("key_project_"):
                make_listing(listed_on=d(2023, 2, 15))
            else:
                make_bond_reserve()

    url = records_url(2023, AS_OF, key, "counted")
    add(10)
    zh_admin_client.get(url)  # warm up
    with django_assert_num_queries(DRILLED_DOWN_QUERIES[key]):
        assert zh_admin_client.get(url).context["cl"].result_count == 10
    add(90)
    with django_assert_num_queries(DRILLED_DOWN_QUERIES[key]):
        assert zh_admin_client.get(url).context["cl"].result_count == 100


# --- the year plan's other indicators (issue 20) ---------------------------------------------


def test_the_plan_s_indicators_show_by_area_with_their_light_and_values(zh_admin_client, plan, make_indicator):
    from projects.tests.helpers import approved_value

    behind = make_indicator(name="国家科技型中小企业", area="innovation", unit="家", target=50)
    ahead = make_indicator(name="新增市场主体", area="market_entities", unit="户", target=5000)
    level = make_indicator(
        name="低于10万元的村",
        area="rural_revitalisation",
        unit="个",
        target=0,
        comparison="at_most",
        accumulation="level",
        frequency="quarterly",
    )
    approved_value(behind, d(2023, 1, 1), "5")
    approved_value(ahead, d(2023, 1, 1), "2600")
    approved_value(level, d(2023, 3, 1), "6")
    content = dashboard(zh_admin_client, year=2023, as_of="2023-06-30").content.decode()
    table = content[content.index('id="plan-indicators"') :]
    table = table[: table.index("</table>")]
    # In the areas' order, each with its light, its unit and its monthly values.
    assert table.index("科技创新") < table.index("市场主体") < table.index("乡村振兴")
    row = lambda indicator: table[table.index(f'id="indicator-{indicator.pk}"') :].split("</tr>")[0]  # noqa: E731
    assert 'class="light red"' in row(behind) and "5家，不低于目标50家：未达标" in row(behind)
    assert 'class="light green"' in row(ahead) and "已达标" not in row(ahead)
    assert "light" not in row(level) and "6个，不高于目标0个：未达标" in row(level)
    assert f"/admin/projects/indicatorvalue/?indicator__id__exact={ahead.pk}" in row(ahead)
