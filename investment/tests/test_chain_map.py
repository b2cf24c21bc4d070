"""The map of an industrial chain (一图): its data (columns, order, coverage, counts, the lists
behind each link) in a fixed number of queries, its SVG drawing (a box per link, the coverage in
words, every text escaped), the admin page and its permission, and the same data as JSON at
``/api/chains/<id>/map/``."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from investment import quotas
from investment.chain_map_page import admin_map as chain_map, draw, map_url, wrap
from investment.pipeline import sign
from jiaxian.tests.users import client_for, user_with

pytestmark = pytest.mark.django_db

D = datetime.date
AS_OF = D(2023, 6, 30)


@pytest.fixture
def chain(make_chain, make_link, make_target, make_local_enterprise, make_attraction_project, key_industry):
    """A chain of five links, made out of order on purpose:

    - upstream 1 上游一: covered (two local enterprises), a target contacted too;
    - upstream 2 上游二: a gap (a target on the list, not contacted yet; one contacted after the date);
    - midstream 1 中游一: pursued (a target negotiating, one signed on 2023-05-10 with its project);
    - downstream 1 下游一: a gap, nothing at all;
    - downstream 2 下游二: covered (one local enterprise), with an attraction project entered by hand.
    """
    chain = make_chain(
        name="硅基负极材料",
        lead_leader="王副县长",
        chain_master="河南硅途新能源材料有限公司",
        industries=[key_industry],
    )
    down2 = make_link(chain=chain, position="downstream", order=2, name="下游二")
    mid1 = make_link(chain=chain, position="midstream", order=1, name="中游一")
    up2 = make_link(chain=chain, position="upstream", order=2, name="上游二")
    down1 = make_link(chain=chain, position="downstream", order=1, name="下游一")
    up1 = make_link(chain=chain, position="upstream", order=1, name="上游一")
    make_local_enterprise(link=up1)
    make_local_enterprise(link=up1)
    make_target(link=up1, contacted_on=D(2023, 2, 1))
    make_target(link=up2)
    make_target(link=up2, contacted_on=D(2023, 7, 1))
    make_target(link=mid1, contacted_on=D(2023, 1, 5), visited_on=D(2023, 2, 1), negotiating_on=D(2023, 3, 1))
    signed = make_target(link=mid1, contacted_on=D(2023, 1, 5), visited_on=D(2023, 2, 1), negotiating_on=D(2023, 3, 1))
    sign(
        signed,
        signed_on=D(2023, 5, 10),
        contract_amount=Decimal("12000"),
        fixed_asset_investment=Decimal("9000"),
        industry=key_industry,
    )
    make_local_enterprise(link=down2)
    make_attraction_project(link=down2)
    chain.made = {"up1": up1, "up2": up2, "mid1": mid1, "down1": down1, "down2": down2}
    return chain


# How many records each of the map's lists of ``chain`` holds (the attraction projects: the
# signed target's and the one made on 下游二).
CHAIN_LISTS = {
    "target_enterprises": 5,
    "local_enterprises": 3,
    "carriers": 0,
    "policies": 0,
    "responsibilities": 0,
    "attraction_projects": 2,
}


def query_of(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}


# --- the data ------------------------------------------------------------------------------------


def test_the_map_has_three_columns_upstream_first_with_the_links_in_order(chain):
    data = chain_map(chain, AS_OF)
    assert [column.position for column in data.columns] == ["upstream", "midstream", "downstream"]
    assert [[link.name for link in column.links] for column in data.columns] == [
        ["上游一", "上游二"],
        ["中游一"],
        ["下游一", "下游二"],
    ]
    assert (data.name, data.lead_leader, data.chain_master, data.industries) == (
        "硅基负极材料",
        "王副县长",
        "河南硅途新能源材料有限公司",
        ["硅基负极材料"],
    )


def test_each_link_carries_its_coverage_and_counts_as_of_the_date(chain):
    links = {link.name: link for link in chain_map(chain, AS_OF).links}
    got = {
        name: (link.coverage, link.local_enterprises, link.courted, link.signed, link.attraction_projects)
        for name, link in links.items()
    }
    assert got == {
        "上游一": ("covered", 2, 1, 0, 0),
        "上游二": ("gap", 0, 0, 0, 0),  # the one contacted on 2023-07-01 is after the date
        "中游一": ("pursued", 0, 1, 1, 1),
        "下游一": ("gap", 0, 0, 0, 0),
        "下游二": ("covered", 1, 0, 0, 1),
    }
    assert chain_map(chain, AS_OF).coverage_counts == {"covered": 2, "pursued": 1, "gap": 2}


def test_a_day_later_the_target_contacted_that_day_makes_the_gap_pursued(chain):
    links = {link.name: link for link in chain_map(chain, D(2023, 7, 1)).links}
    assert (links["上游二"].coverage, links["上游二"].courted) == ("pursued", 1)


def test_the_signing_date_is_counted_on_its_day_and_not_before(chain):
    before = {link.name: link for link in chain_map(chain, D(2023, 5, 9)).links}["中游一"]
    on_the_day = {link.name: link for link in chain_map(chain, D(2023, 5, 10)).links}["中游一"]
    assert (before.courted, before.signed) == (2, 0)
    assert (on_the_day.courted, on_the_day.signed) == (1, 1)


def test_a_box_leads_to_the_targets_of_a_gap_or_pursued_link_and_to_the_local_enterprises_of_a_covered_one(chain):
    links = {link.name: link for link in chain_map(chain, AS_OF).links}
    targets = reverse("admin:investment_targetenterprise_changelist")
    locals_ = reverse("admin:investment_localenterprise_changelist")
    projects = reverse("admin:investment_attractionproject_changelist")
    up2 = chain.made["up2"].pk
    assert query_of(links["上游二"].href) == (targets, {"link": str(up2)})
    assert query_of(links["中游一"].href) == (targets, {"link": str(chain.made["mid1"].pk)})
    assert query_of(links["上游一"].href) == (locals_, {"link": str(chain.made["up1"].pk)})
    assert query_of(links["上游二"].urls["attraction_projects"]) == (projects, {"link__id__exact": str(up2)})


def test_every_list_the_map_links_to_answers_and_lists_exactly_the_records_of_its_link_or_chain(
    zh_admin_client, chain, make_chain, make_link, make_target
):
    make_target(link=make_link(chain=make_chain()))  # another chain's target: never listed
    data = chain_map(chain, AS_OF)
    up2 = chain.made["up2"]
    response = zh_admin_client.get(data.links[1].href)
    assert response.status_code == 200
    assert {target.link_id for target in response.context["cl"].result_list} == {up2.pk}
    assert response.context["cl"].result_count == 2
    for link in data.links:
        for url in link.urls.values():
            assert zh_admin_client.get(url).status_code == 200, url
    for key, url in data.lists.items():
        response = zh_admin_client.get(url)
        assert response.status_code == 200, url
        assert "e=1" not in response.get("Location", ""), url
        assert response.context["cl"].result_count == CHAIN_LISTS[key], key


def test_a_chain_without_links_has_three_empty_columns(make_chain):
    data = chain_map(make_chain(), AS_OF)
    assert [len(column.links) for column in data.columns] == [0, 0, 0]
    assert data.coverage_counts == {"covered": 0, "pursued": 0, "gap": 0}
    with translation.override("en"):
        assert draw(data).count(">no link<") == 3


@pytest.mark.parametrize("links_per_column", [1, 15])
def test_the_map_costs_one_query_whatever_the_number_of_links_and_records(
    make_chain, make_link, make_target, make_local_enterprise, django_assert_num_queries, links_per_column
):
    chain = make_chain()
    for position in ("upstream", "midstream", "downstream"):
        for order in range(1, links_per_column + 1):
            link = make_link(chain=chain, position=position, order=order)
            make_local_enterprise(link=link)
            make_target(link=link, contacted_on=D(2023, 1, 5))
    # Its links with their coverage, counts and attraction projects, each with the chain and the
    # chain's industries.
    with django_assert_num_queries(1):
        data = chain_map(chain, AS_OF)
        svg = draw(data)
    assert svg.count('class="link-box ') == 3 * links_per_column


# --- the drawing ---------------------------------------------------------------------------------


def test_the_drawing_has_a_box_per_link_with_its_coverage_as_class_and_word(chain):
    with translation.override("en"):
        svg = draw(chain_map(chain, AS_OF))
    boxes = re.findall(r'<a href="([^"]+)" class="link-box (\w+)" data-link="(\d+)"', svg)
    assert len(boxes) == 5
    made = {link.pk: name for name, link in chain.made.items()}
    assert {made[int(pk)]: coverage for _href, coverage, pk in boxes} == {
        "up1": "covered",
        "up2": "gap",
        "mid1": "pursued",
        "down1": "gap",
        "down2": "covered",
    }
    # The coverage in words in each box and in the legend, not in colour alone.
    words = re.findall(r'class="coverage-word"[^>]*>([^<]+)<', svg)
    assert sorted(words) == ["Covered", "Covered", "Gap", "Gap", "Pursued"]
    for word in ("Covered", "Pursued", "Gap"):
        assert re.search(rf'class="legend-text">{word}', svg)
    assert "<script" not in svg


def test_every_text_of_the_drawing_is_escaped(make_chain, make_link):
    chain = make_chain(name='链<b>"&')
    make_link(chain=chain, name="<script>alert(1)</script>")
    svg = draw(chain_map(chain, AS_OF))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert '链<b>"&' not in svg
    assert "链&lt;b&gt;&quot;&amp;" in svg


def test_the_drawing_grows_with_the_fullest_column(make_chain, make_link):
    chain = make_chain()
    make_link(chain=chain, position="midstream", order=1)
    one = draw(chain_map(chain, AS_OF))
    for order in range(2, 16):
        make_link(chain=chain, position="midstream", order=order)
    fifteen = draw(chain_map(chain, AS_OF))
    height = lambda svg: int(re.search(r'height="(\d+)"', svg).group(1))  # noqa: E731
    assert height(fifteen) - height(one) == 14 * (84 + 14)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", [""]),
        ("负极材料", ["负极材料"]),
        ("一二三四五六七八九十一二三四五", ["一二三四五六七八九十一二三四五"]),  # 15: fits
        ("一二三四五六七八九十一二三四五六", ["一二三四五六七八九十一二三四五", "六"]),
        ("一" * 40, ["一" * 15, "一" * 14 + "…"]),
        ("Silicon anode", ["Silicon anode"]),  # half-width letters
    ],
)
def test_a_long_name_wraps_on_two_lines_and_ends_with_an_ellipsis(text, lines):
    assert wrap(text) == lines


# --- the page ------------------------------------------------------------------------------------


def test_a_viewer_sees_the_facts_the_map_the_table_and_the_six_lists(client, chain):
    client.force_login(user_with("view_industrialchain", username="viewer", staff=True))
    response = client.get(map_url(chain.pk), {"as_of": "2023-06-30"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    content = response.content.decode()
    for fact in ("王副县长", "河南硅途新能源材料有限公司", "硅基负极材料"):
        assert fact in content
    assert content.count('class="link-box ') == 5
    assert len(re.findall(r'<tr class="chain-link (\w+)"', content)) == 5
    assert len(re.findall(r'<a class="chain-list \w+" href=', content)) == 6
    assert "<script" not in content.split("</head>")[1]  # no script in the page itself


def test_a_staff_user_without_the_view_permission_of_chains_is_refused(client, chain):
    client.force_login(user_with("view_targetenterprise", username="viewer", staff=True))
    assert client.get(map_url(chain.pk)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(client, chain):
    response = client.get(map_url(chain.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_unknown_chain_is_a_404_and_a_bad_date_a_400_that_says_so(zh_admin_client, chain):
    assert zh_admin_client.get(map_url(chain.pk + 1000)).status_code == 404
    response = zh_admin_client.get(map_url(chain.pk), {"as_of": "2023-02-30"})
    assert response.status_code == 400
    assert "2023-02-30" in response.content.decode()


@pytest.mark.parametrize("links_per_column", [1, 10])
def test_the_page_costs_the_same_queries_at_any_size(
    client, make_chain, make_link, make_local_enterprise, django_assert_num_queries, links_per_column
):
    client.force_login(user_with("view_industrialchain", username="viewer", staff=True))
    chain = make_chain()
    for position in ("upstream", "midstream", "downstream"):
        for order in range(1, links_per_column + 1):
            make_local_enterprise(link=make_link(chain=chain, position=position, order=order))
    client.get(map_url(chain.pk))  # warm up
    # session, user, the user's permissions and groups' permissions (has_perm), the chain's
    # links with their counts, the chain and its industries.
    with django_assert_num_queries(5):
        assert client.get(map_url(chain.pk)).status_code == 200


def test_the_chain_s_admin_pages_link_to_its_map(zh_admin_client, chain):
    url = map_url(chain.pk)
    change = zh_admin_client.get(reverse("admin:investment_industrialchain_change", args=[chain.pk]))
    assert url in change.content.decode()
    changelist = zh_admin_client.get(reverse("admin:investment_industrialchain_changelist"))
    assert url in changelist.content.decode()


# --- the JSON ------------------------------------------------------------------------------------


def api_map(client, pk, **params):
    return client.get(f"/api/chains/{pk}/map/", params)


@pytest.fixture
def reader() -> APIClient:
    client = client_for(user_with("view_industrialchain", username="reader"))
    return client


def test_the_json_is_the_same_map(reader, chain):
    response = api_map(reader, chain.pk, as_of="2023-06-30")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "name",
        "industries",
        "lead_leader",
        "chain_master",
        "description",
        "as_of",
        "coverage_counts",
        "columns",
        "lists",
    }
    assert (body["id"], body["name"], body["as_of"]) == (chain.pk, "硅基负极材料", "2023-06-30")
    assert body["coverage_counts"] == {"covered": 2, "pursued": 1, "gap": 2}
    assert [column["position"] for column in body["columns"]] == ["upstream", "midstream", "downstream"]
    mid = body["columns"][1]["links"][0]
    assert {key: mid[key] for key in ("name", "coverage", "local_enterprises", "courted", "signed")} == {
        "name": "中游一",
        "coverage": "pursued",
        "local_enterprises": 0,
        "courted": 1,
        "signed": 1,
    }
    assert mid["attraction_projects"] == 1
    assert set(mid["urls"]) == {"target_enterprises", "local_enterprises", "attraction_projects"}
    assert set(body["lists"]) == {
        "target_enterprises",
        "local_enterprises",
        "carriers",
        "policies",
        "responsibilities",
        "attraction_projects",
    }


def test_the_json_links_the_apis_collections_each_listing_exactly_the_records_of_its_link_or_chain(
    chain, make_chain, make_link, make_target
):
    make_target(link=make_link(chain=make_chain()))  # another chain's target: never listed
    codenames = [f"view_{model}" for model in ("industrialchain", "targetenterprise", "localenterprise")]
    codenames += ["view_carrier", "view_policy", "view_responsibility", "view_attractionproject"]
    client = client_for(user_with(*codenames, username="everything"))
    body = api_map(client, chain.pk, as_of="2023-06-30").json()
    up2 = next(link for column in body["columns"] for link in column["links"] if link["name"] == "上游二")
    assert query_of(up2["urls"]["target_enterprises"]) == ("/api/target-enterprises/", {"link": str(up2["id"])})
    answer = client.get(up2["urls"]["target_enterprises"]).json()
    assert (answer["count"], {target["link"] for target in answer["results"]}) == (2, {up2["id"]})
    counts = {}
    for key, url in body["lists"].items():
        assert url.startswith("/api/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        counts[key] = response.json()["count"]
    assert counts == CHAIN_LISTS


def test_the_json_of_an_unknown_chain_is_a_404_in_json(reader, chain):
    response = api_map(reader, chain.pk + 1000)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_a_bad_date_is_a_400_naming_as_of(reader, chain):
    response = api_map(reader, chain.pk, as_of="30/06/2023")
    assert response.status_code == 400
    assert set(response.json()) == {"as_of"}


@pytest.mark.parametrize(
    ("codenames", "status"),
    [(None, 401), ((), 403), (("view_targetenterprise",), 403), (("view_industrialchain",), 200)],
)
def test_the_json_needs_the_view_permission_of_chains(chain, codenames, status):
    client = client_for(None if codenames is None else user_with(*codenames, username="someone"))
    assert api_map(client, chain.pk).status_code == status


@pytest.mark.parametrize("links_per_column", [1, 10])
def test_the_json_costs_the_same_queries_at_any_size(
    make_chain, make_link, make_target, django_assert_num_queries, links_per_column
):
    client = APIClient()
    client.force_login(user_with("view_industrialchain", username="reader"))
    chain = make_chain()
    for position in ("upstream", "midstream", "downstream"):
        for order in range(1, links_per_column + 1):
            make_target(link=make_link(chain=chain, position=position, order=order), contacted_on=D(2023, 1, 5))
    api_map(client, chain.pk)  # warm up
    # session, user, the user's permissions and its groups' (has_perm), the chain's links with
    # their counts, the chain and its industries.
    with django_assert_num_queries(5):
        assert api_map(client, chain.pk).status_code == 200


@pytest.mark.parametrize("chains", [2, 20])
def test_a_map_costs_three_queries_for_a_superuser_whatever_the_number_of_chains(
    client,
    make_chain,
    make_link,
    make_target,
    make_local_enterprise,
    make_attraction_project,
    key_industry,
    other_industry,
    django_assert_num_queries,
    chains,
):
    made = []
    for number in range(chains):
        chain = make_chain(industries=[key_industry, other_industry])
        for position in ("upstream", "midstream", "downstream"):
            link = make_link(chain=chain, position=position, order=1)
            make_local_enterprise(link=link)
            make_target(link=link, contacted_on=D(2023, 1, 5))
            make_attraction_project(link=link, industry=key_industry, name=f"链上项目{number}{position}")
        made.append(chain)
    chain = made[-1]
    superuser = User.objects.create_superuser("root", "root@example.invalid", "pw")
    client.force_login(superuser)
    api = APIClient()
    api.force_login(superuser)
    for fetch in (lambda: client.get(map_url(chain.pk)), lambda: api_map(api, chain.pk)):
        fetch()  # warm up
        # The session, its user, and the map's one query: the chain's links with their counts,
        # each row with the chain and its industries (a superuser's permissions need none).
        with django_assert_num_queries(3):
            response = fetch()
        assert response.status_code == 200


# --- the dashboard's conversion table ------------------------------------------------------------


def test_the_dashboard_shows_each_chain_s_conversion_from_the_quota_module_with_a_link_to_its_map(
    zh_admin_client, chain, make_chain, make_year_plan
):
    make_year_plan(2023)
    empty = make_chain(name="铸铁炊具")
    content = zh_admin_client.get(reverse("quota-dashboard"), {"year": 2023, "as_of": "2023-06-30"}).content.decode()
    for conversion in quotas.chain_conversion(2023, AS_OF):
        row = re.search(rf'<tr class="chain-line" id="chain-{conversion.chain_id}">(.*?)</tr>', content, re.S)
        assert row, conversion.chain
        cells = dict(re.findall(r'<td class="count ([\w-]+)">([^<]*)</td>', row.group(1)))
        assert cells["targets"] == str(conversion.targets)
        assert cells["negotiating"] == str(conversion.negotiating)
        assert cells["signed"] == str(conversion.signed)
        assert cells["started"] == str(conversion.started)
        assert f'href="{map_url(conversion.chain_id)}"' in row.group(1)
    # The chain of the fixture: 5 targets in play, 2 reached negotiation, 1 signed, none started.
    row = re.search(rf'id="chain-{chain.pk}">(.*?)</tr>', content, re.S).group(1)
    assert re.findall(r'<td class="count [\w-]+">([^<]*)</td>', row) == [
        "5",
        "2",
        "1",
        "0",
        "40.00%",
        "20.00%",
        "0.00%",
    ]
    row = re.search(rf'id="chain-{empty.pk}">(.*?)</tr>', content, re.S).group(1)
    assert re.findall(r'<td class="count [\w-]+">([^<]*)</td>', row) == ["0", "0", "0", "0", "—", "—", "—"]


def test_without_the_view_permission_of_chains_the_dashboard_names_them_without_a_link(client, chain, make_year_plan):
    make_year_plan(2023)
    client.force_login(user_with("view_attractionproject", username="staff", staff=True))
    content = client.get(reverse("quota-dashboard"), {"year": 2023}).content.decode()
    assert "硅基负极材料" in content
    assert map_url(chain.pk) not in content
