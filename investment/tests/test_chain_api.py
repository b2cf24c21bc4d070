"""The REST resources of industrial chains and their lists (the REST conventions): who may do what,
writes validated by the models (400 naming fields), strict filters, derived values read-only,
lists in a fixed number of queries, and the signing action."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.urls import resolve
from rest_framework.test import APIClient

from investment.api.views import TargetEnterpriseViewSet
from investment.models import (
    AttractionProject,
    Carrier,
    ChainLink,
    IndustrialChain,
    Policy,
    Responsibility,
    TargetEnterprise,
)
from investment.pipeline import sign
from investment.tests.helpers import add_chain_rows
from jiaxian.tests.users import client_for, user_with

pytestmark = pytest.mark.django_db

D = datetime.date
MODELS = ("industrialchain", "chainlink", "targetenterprise", "localenterprise", "carrier", "policy", "responsibility")


@pytest.fixture
def superuser() -> APIClient:
    """Forced authentication of a superuser: no query for permissions, so that query counts
    are the view's own."""
    return client_for(User.objects.create_superuser("root", "root@example.invalid", "pw"))


@pytest.fixture
def reader() -> APIClient:
    return client_for(user_with(*(f"view_{m}" for m in MODELS), "view_attractionproject", username="reader"))


@pytest.fixture
def editor() -> APIClient:
    """Bureau staff: every permission on the chains' ledgers, for every department's records
    (the lists have no department: only such staff edit them, ``projects.access``)."""
    perms = [f"{a}_{m}" for a in ("view", "add", "change", "delete") for m in (*MODELS, "attractionproject")]
    return client_for(user_with(*perms, "edit_all_departments", username="editor"))


@pytest.fixture
def world(today, make_chain, make_link, make_target, make_local_enterprise, key_industry, area, department):
    """One chain 硅基 (key industry) with an upstream link 石墨 (one local enterprise: covered), a
    midstream link 负极 (a target negotiating: pursued) and a downstream link 电池 (a target
    not contacted: gap); a carrier, a policy and a responsibility; a second, empty chain."""

    class World:
        pass

    w = World()
    w.chain = make_chain(name="硅基新材料产业链", industries=[key_industry], lead_leader="王县长")
    w.other_chain = make_chain(name="陶瓷产业链")
    w.upstream = make_link(chain=w.chain, name="石墨", position="upstream", order=1)
    w.midstream = make_link(chain=w.chain, name="负极", position="midstream", order=1)
    w.downstream = make_link(chain=w.chain, name="电池", position="downstream", order=1)
    w.local = make_local_enterprise(link=w.upstream, company="郏县石墨厂", annual_output=Decimal("5000.00"))
    w.negotiating = make_target(
        link=w.midstream,
        company="贝特瑞",
        region="广东深圳",
        size="listed",
        contacted_on=D(2023, 1, 10),
        visited_on=D(2023, 2, 1),
        negotiating_on=D(2023, 3, 1),
    )
    w.cold = make_target(link=w.downstream, company="比亚迪", region="广东深圳")
    w.carrier = Carrier.objects.create(
        kind="land",
        name="郏国土2023-05",
        chain=w.chain,
        area=area,
        location="产业集聚区纬一路",
        size=Decimal("50.00"),
        size_unit="mu",
        price=Decimal("12.50"),
        price_unit="wan_per_mu",
    )
    w.policy = Policy.objects.create(name="新材料十条", issuing_body="县政府", valid_from=D(2023, 1, 1))
    w.policy.chains.add(w.chain)
    w.responsibility = Responsibility.objects.create(chain=w.chain, person="张三", department=department)
    w.responsibility.target_enterprises.add(w.negotiating)
    w.key_industry, w.area, w.department = key_industry, area, department
    return w


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


# --- who may do what -----------------------------------------------------------------------------

RESOURCES = (
    "chains",
    "chain-links",
    "target-enterprises",
    "local-enterprises",
    "carriers",
    "policies",
    "responsibilities",
)


@pytest.mark.parametrize("prefix", RESOURCES)
def test_anonymous_clients_get_no_data(world, prefix):
    assert client_for(None).get(f"/api/{prefix}/").status_code in (401, 403)


@pytest.mark.parametrize("prefix", RESOURCES)
def test_a_reader_lists_but_cannot_delete(world, reader, prefix):
    rows = results(reader.get(f"/api/{prefix}/"))
    assert rows
    assert reader.delete(f"/api/{prefix}/{rows[0]['id']}/").status_code == 403


def test_department_staff_may_read_the_lists_but_not_change_or_sign_them(world):
    perms = [f"{a}_{m}" for a in ("view", "add", "change") for m in (*MODELS, "attractionproject")]
    client = client_for(user_with(*perms, username="department-clerk"))
    assert client.get(f"/api/target-enterprises/{world.cold.pk}/").status_code == 200
    assert (
        client.patch(f"/api/target-enterprises/{world.cold.pk}/", {"next_step": "拜访"}, format="json").status_code
        == 403
    )
    assert client.post(SIGN.format(world.negotiating.pk), BODY, format="json").status_code == 403
    assert not AttractionProject.objects.exists()


def test_a_user_without_the_view_permission_is_refused(world):
    client = client_for(user_with("view_chainlink", username="links-only"))
    assert client.get("/api/chain-links/").status_code == 200
    assert client.get("/api/target-enterprises/").status_code == 403


# --- reading: derived values ----------------------------------------------------------------------


def test_links_carry_their_coverage_today_and_its_counts(world, reader):
    rows = {row["name"]: row for row in results(reader.get("/api/chain-links/", {"chain": world.chain.pk}))}
    assert [name for name in rows] == ["石墨", "负极", "电池"]  # upstream to downstream
    assert (rows["石墨"]["coverage"], rows["负极"]["coverage"], rows["电池"]["coverage"]) == (
        "covered",
        "pursued",
        "gap",
    )
    assert (rows["负极"]["local_enterprise_count"], rows["负极"]["courted_count"], rows["负极"]["signed_count"]) == (
        0,
        1,
        0,
    )
    detail = reader.get(f"/api/chain-links/{world.midstream.pk}/").json()
    assert detail["coverage"] == "pursued"


def test_a_target_shows_its_stage_and_chain(world, reader):
    body = reader.get(f"/api/target-enterprises/{world.negotiating.pk}/").json()
    assert (body["stage"], body["chain"], body["link"]) == ("negotiating", world.chain.pk, world.midstream.pk)
    assert body["signed_on"] is None and body["attraction_project"] is None


def test_a_chain_lists_its_industries_and_links_as_ids(world, reader):
    body = reader.get(f"/api/chains/{world.chain.pk}/").json()
    assert body["industries"] == [world.key_industry.pk]
    assert sorted(body["links"]) == sorted([world.upstream.pk, world.midstream.pk, world.downstream.pk])
    assert body["lead_leader"] == "王县长"


def test_amounts_of_the_lists_are_decimal_strings(world, reader):
    assert reader.get(f"/api/local-enterprises/{world.local.pk}/").json()["annual_output"] == "5000.00"
    carrier = reader.get(f"/api/carriers/{world.carrier.pk}/").json()
    assert (carrier["size"], carrier["size_unit"], carrier["price"], carrier["price_unit"]) == (
        "50.00",
        "mu",
        "12.50",
        "wan_per_mu",
    )


# --- writing ---------------------------------------------------------------------------------------


def test_an_editor_creates_a_chain_with_its_industries(world, editor, other_industry):
    response = editor.post(
        "/api/chains/",
        {"name": "铸铁锅产业链", "industries": [other_industry.pk], "chain_master": "某锅业"},
        format="json",
    )
    assert response.status_code == 201, response.content
    chain = IndustrialChain.objects.get(name="铸铁锅产业链")
    assert list(chain.industries.all()) == [other_industry]
    assert response.json()["version"] == 1


@pytest.mark.parametrize(
    ("prefix", "field", "value"),
    [
        ("chains", "industries", ["1"]),
        ("chains", "industries", {}),
        ("policies", "chains", {}),
        ("responsibilities", "target_enterprises", {"1": 1}),
        ("responsibilities", "target_enterprises", "1"),
    ],
)
def test_a_many_to_many_field_takes_only_a_list_of_ids(world, editor, prefix, field, value):
    record = {"chains": world.chain, "policies": world.policy, "responsibilities": world.responsibility}[prefix]
    response = editor.patch(f"/api/{prefix}/{record.pk}/", {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    record.refresh_from_db()
    assert record.version == 1


@pytest.mark.parametrize(
    ("prefix", "body", "field"),
    [
        pytest.param(
            "chain-links",
            lambda w: {"chain": w.chain.pk, "position": "upstream", "order": 1, "name": "石英砂"},
            "order",
            id="a-link-at-a-taken-order",
        ),
        pytest.param(
            "carriers",
            lambda w: {
                "kind": "factory",
                "name": "2号标准厂房",
                "location": "园区",
                "size": "3000.00",
                "size_unit": "m2",
                "price": "8.00",
            },
            "price_unit",
            id="a-carrier-price-without-a-unit",
        ),
    ],
)
def test_a_new_record_the_model_refuses_is_a_400_naming_only_the_field(world, editor, prefix, body, field):
    response = editor.post(f"/api/{prefix}/", body(world), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_coverage_is_read_only(world, editor):
    response = editor.patch(f"/api/chain-links/{world.downstream.pk}/", {"coverage": "covered"}, format="json")
    assert response.status_code == 200
    assert response.json()["coverage"] == "gap"


def test_a_target_step_out_of_order_is_a_400_naming_it_and_changes_nothing(world, editor):
    response = editor.patch(f"/api/target-enterprises/{world.cold.pk}/", {"visited_on": "2023-03-01"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"visited_on"}
    world.cold.refresh_from_db()
    assert world.cold.visited_on is None and world.cold.version == 1


def test_a_target_cannot_be_signed_by_writing_signed_on(world, editor):
    response = editor.patch(
        f"/api/target-enterprises/{world.negotiating.pk}/", {"signed_on": "2023-06-01"}, format="json"
    )
    # Read-only, and not quietly ignored: the client is told how signing is done.
    assert response.status_code == 400
    assert "sign/" in response.json()["signed_on"][0]
    world.negotiating.refresh_from_db()
    assert world.negotiating.signed_on is None


def test_a_target_read_and_put_back_whole_is_accepted(world, editor):
    url = f"/api/target-enterprises/{world.negotiating.pk}/"
    body = editor.get(url).json()
    body["next_step"] = "签约仪式"
    for derived in ("id", "stage", "chain", "created_at", "updated_at"):
        body.pop(derived)
    response = editor.put(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2


def test_a_stale_version_is_a_412(world, editor):
    response = editor.patch(
        f"/api/target-enterprises/{world.cold.pk}/", {"next_step": "拜访", "version": 7}, format="json"
    )
    assert response.status_code == 412


def test_a_responsibility_for_a_target_of_another_chain_is_a_400(world, editor, make_link, make_target):
    stray = make_target(link=make_link(chain=world.other_chain), company="别链企业")
    response = editor.patch(
        f"/api/responsibilities/{world.responsibility.pk}/",
        {"target_enterprises": [world.negotiating.pk, stray.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "别链企业" in response.json()["target_enterprises"][0]
    assert list(world.responsibility.target_enterprises.all()) == [world.negotiating]


def test_a_responsibility_moved_to_another_chain_must_leave_its_targets(world, editor):
    response = editor.patch(
        f"/api/responsibilities/{world.responsibility.pk}/", {"chain": world.other_chain.pk}, format="json"
    )
    assert response.status_code == 400
    assert "target_enterprises" in response.json()


def test_a_policy_is_created_for_its_chains(world, editor):
    response = editor.post(
        "/api/policies/",
        {
            "name": "标准厂房租金减免",
            "issuing_body": "县产业集聚区管委会",
            "valid_from": "2023-01-01",
            "chains": [world.chain.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert list(Policy.objects.get(name="标准厂房租金减免").chains.all()) == [world.chain]


def test_a_link_in_use_cannot_be_deleted_409(world, editor):
    response = editor.delete(f"/api/chain-links/{world.upstream.pk}/")
    assert response.status_code == 409
    assert ChainLink.objects.filter(pk=world.upstream.pk).exists()


# --- filters ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "params", "expected"),
    [
        ("chain-links", {"coverage": "gap"}, lambda w: [w.downstream]),
        ("chain-links", {"coverage": ["covered", "pursued"]}, lambda w: [w.upstream, w.midstream]),
        ("chain-links", {"position": "midstream"}, lambda w: [w.midstream]),
        ("chain-links", {"chain": 0}, lambda w: []),
        ("target-enterprises", {"stage": "negotiating"}, lambda w: [w.negotiating]),
        ("target-enterprises", {"stage": "identified"}, lambda w: [w.cold]),
        ("target-enterprises", {"chain": "{chain}"}, lambda w: [w.negotiating, w.cold]),
        ("target-enterprises", {"link": "{downstream}"}, lambda w: [w.cold]),
        ("target-enterprises", {"region": "深圳"}, lambda w: [w.negotiating, w.cold]),
        ("target-enterprises", {"size": "listed"}, lambda w: [w.negotiating]),
        ("target-enterprises", {"signed": "false"}, lambda w: [w.negotiating, w.cold]),
        ("target-enterprises", {"contacted_on_min": "2023-01-10"}, lambda w: [w.negotiating]),
        ("target-enterprises", {"q": "比亚"}, lambda w: [w.cold]),
        ("local-enterprises", {"chain": "{chain}"}, lambda w: [w.local]),
        ("local-enterprises", {"annual_output_min": "5000.01"}, lambda w: []),
        ("carriers", {"availability": "available"}, lambda w: [w.carrier]),
        ("carriers", {"availability": "taken"}, lambda w: []),
        ("carriers", {"kind": "land", "chain": "{chain}"}, lambda w: [w.carrier]),
        ("policies", {"chain": "{chain}"}, lambda w: [w.policy]),
        ("policies", {"valid_on": "2022-12-31"}, lambda w: []),
        ("responsibilities", {"target_enterprise": "{negotiating}"}, lambda w: [w.responsibility]),
        ("chains", {"industry": "{industry}"}, lambda w: [w.chain]),
    ],
)
def test_the_lists_filter(world, reader, prefix, params, expected):
    names = {
        "chain": world.chain.pk,
        "downstream": world.downstream.pk,
        "negotiating": world.negotiating.pk,
        "industry": world.key_industry.pk,
    }
    params = {k: v.format(**names) if isinstance(v, str) else v for k, v in params.items()}
    assert sorted(ids(reader.get(f"/api/{prefix}/", params))) == sorted(r.pk for r in expected(world))


@pytest.mark.parametrize(
    ("prefix", "param", "value"),
    [
        ("chain-links", "coverage", "half"),
        ("chain-links", "chain", "one"),
        ("target-enterprises", "stage", "courting"),
        ("target-enterprises", "link", ""),
        ("target-enterprises", "signed", "maybe"),
        ("target-enterprises", "contacted_on_min", "2023-13-01"),
        ("local-enterprises", "annual_output_min", "much"),
        ("carriers", "availability", "sold"),
        ("carriers", "area", "x"),
        ("policies", "valid_on", "yesterday"),
        ("responsibilities", "department", "1.5"),
        ("attraction-projects", "link", "a"),
        ("attraction-projects", "chain", ""),
    ],
)
def test_a_bad_filter_value_is_a_400_naming_the_parameter(world, reader, prefix, param, value):
    response = reader.get(f"/api/{prefix}/", {param: value})
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_attraction_projects_carry_and_filter_by_their_link_and_chain(world, superuser):
    project = sign(
        world.negotiating,
        signed_on=D(2023, 6, 1),
        contract_amount=Decimal("12000.00"),
        fixed_asset_investment=Decimal("9000.00"),
    )
    assert superuser.get(f"/api/attraction-projects/{project.pk}/").json()["link"] == world.midstream.pk
    assert ids(superuser.get("/api/attraction-projects/", {"chain": world.chain.pk})) == [project.pk]
    assert ids(superuser.get("/api/attraction-projects/", {"link": world.upstream.pk})) == []


# --- signing -----------------------------------------------------------------------------------------

SIGN = "/api/target-enterprises/{}/sign/"
BODY = {"signed_on": "2023-06-01", "contract_amount": "12000.00", "fixed_asset_investment": "9000.00"}


def test_signing_answers_201_with_the_new_attraction_project_linked_both_ways(world, editor):
    response = editor.post(SIGN.format(world.negotiating.pk), {**BODY, "name": "负极材料项目"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    project = AttractionProject.objects.get(pk=body["id"])
    assert (body["name"], body["investor"], body["link"], body["signed_on"], body["year"]) == (
        "负极材料项目",
        "贝特瑞",
        world.midstream.pk,
        "2023-06-01",
        2023,
    )
    assert body["industry"] == world.key_industry.pk and body["department"] == world.department.pk
    target = TargetEnterprise.objects.get(pk=world.negotiating.pk)
    assert target.attraction_project == project and target.signed_on == D(2023, 6, 1)
    assert target.history.latest().history_user.username == "editor"
    assert editor.get(f"/api/target-enterprises/{target.pk}/").json()["stage"] == "signed"


def test_signing_twice_is_a_409_and_makes_no_second_project(world, editor):
    assert editor.post(SIGN.format(world.negotiating.pk), BODY, format="json").status_code == 201
    response = editor.post(SIGN.format(world.negotiating.pk), {**BODY, "name": "另一个"}, format="json")
    assert response.status_code == 409
    assert "detail" in response.json()
    assert AttractionProject.objects.count() == 1


def test_signing_without_the_earlier_steps_is_a_400_naming_signed_on(world, editor):
    response = editor.post(SIGN.format(world.cold.pk), BODY, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"signed_on"}
    assert not AttractionProject.objects.exists()


def test_signing_names_each_bad_or_missing_field(world, editor):
    response = editor.post(
        SIGN.format(world.negotiating.pk),
        {"signed_on": "2023-06-01", "contract_amount": 12000, "year": 2020},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"contract_amount", "fixed_asset_investment", "year"}
    response = editor.post(
        SIGN.format(world.negotiating.pk), {**BODY, "fixed_asset_investment": "20000.00"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"fixed_asset_investment"}
    assert not AttractionProject.objects.exists()


def test_signing_with_a_stale_if_match_is_a_412(world, editor):
    response = editor.post(SIGN.format(world.negotiating.pk), BODY, format="json", HTTP_IF_MATCH='"9"')
    assert response.status_code == 412
    response = editor.post(SIGN.format(world.negotiating.pk), BODY, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 201


@pytest.mark.parametrize("headers", [{}, {"HTTP_IF_MATCH": '"1"'}], ids=["without If-Match", "with If-Match"])
def test_a_change_to_the_target_landing_after_the_read_makes_the_signing_a_412(world, editor, monkeypatch, headers):
    """Another clerk's save lands after the view read the target: only the claim in
    ``pipeline.sign`` can see that the row moved."""
    read = TargetEnterpriseViewSet.get_object

    def read_then_move(self):
        target = read(self)
        TargetEnterprise.objects.filter(pk=target.pk).update(version=F("version") + 1)
        return target

    monkeypatch.setattr(TargetEnterpriseViewSet, "get_object", read_then_move)
    response = editor.post(SIGN.format(world.negotiating.pk), BODY, format="json", **headers)
    assert response.status_code == 412
    assert "2" in response.json()["detail"]  # the version the target moved to
    assert not AttractionProject.objects.exists()
    assert TargetEnterprise.objects.get(pk=world.negotiating.pk).signed_on is None


def test_signing_needs_to_change_targets_and_to_add_attraction_projects(world):
    only_targets = client_for(user_with("view_targetenterprise", "change_targetenterprise", username="half"))
    assert only_targets.post(SIGN.format(world.negotiating.pk), BODY, format="json").status_code == 403
    assert client_for(None).post(SIGN.format(world.negotiating.pk), BODY, format="json").status_code in (401, 403)
    assert not AttractionProject.objects.exists()


def test_signing_a_missing_target_is_a_404(world, editor):
    assert editor.post(SIGN.format(999999), BODY, format="json").status_code == 404


# --- query counts --------------------------------------------------------------------------------


def fill(prefix: str, n: int, w) -> None:
    """Bring ``prefix``'s list to ``n`` records of ``w``'s chain (``add_chain_rows``)."""
    model = resolve(f"/api/{prefix}/").func.cls.queryset.model
    add_chain_rows(
        model,
        n - model.objects.count(),
        w.chain,
        industry=w.key_industry,
        department=w.department,
        area=w.area,
        target=w.negotiating,
    )


# Each: count, rows, then the prefetches.
LIST_QUERIES = {
    "chains": 4,  # count, rows, industries prefetch, links prefetch
    "chain-links": 2,  # count, rows (coverage and its counts are subqueries of the row query)
    "target-enterprises": 2,  # count, rows joined to their link (for the chain)
    "local-enterprises": 2,  # count, rows joined to their link
    "carriers": 2,
    "policies": 3,  # count, rows, chains prefetch
    "responsibilities": 3,  # count, rows, target enterprises prefetch
}


@pytest.mark.parametrize("prefix", LIST_QUERIES)
def test_a_list_costs_the_same_queries_at_10_and_at_200_records(world, superuser, django_assert_num_queries, prefix):
    for n in (10, 200):
        fill(prefix, n, world)
        with django_assert_num_queries(LIST_QUERIES[prefix]):
            rows = results(superuser.get(f"/api/{prefix}/", {"page_size": 500}))
        assert len(rows) == n


# --- the chains' conversion report ----------------------------------------------------------------

CONVERSION = "/api/reports/chain-conversion/"


def test_the_conversion_report_lists_every_chain_with_its_funnel(world, reader):
    sign(world.negotiating, signed_on=D(2023, 6, 1), contract_amount=Decimal("1"), fixed_asset_investment=Decimal("1"))
    response = reader.get(CONVERSION, {"year": 2023, "as_of": "2023-06-30"})
    assert response.status_code == 200
    body = response.json()
    assert (body["year"], body["as_of"]) == (2023, "2023-06-30")
    lines = {line["name"]: line for line in body["chains"]}
    assert lines["硅基新材料产业链"] == {
        "chain": world.chain.pk,
        "name": "硅基新材料产业链",
        "targets": 2,
        "negotiating": 1,
        "signed": 1,
        "started": 0,
        "negotiating_rate": "0.5000",
        "signing_rate": "0.5000",
        "start_rate": "0.0000",
    }
    assert lines["陶瓷产业链"]["signing_rate"] is None


@pytest.mark.parametrize(
    ("params", "name"), [({}, "year"), ({"year": "x"}, "year"), ({"year": 2023, "as_of": "0"}, "as_of")]
)
def test_the_conversion_report_names_a_bad_parameter(world, reader, params, name):
    response = reader.get(CONVERSION, params)
    assert response.status_code == 400
    assert name in response.json()


def test_the_conversion_report_needs_to_view_targets(world):
    client = client_for(user_with("view_chainlink", username="links-only"))
    assert client.get(CONVERSION, {"year": 2023}).status_code == 403
    assert client_for(None).get(CONVERSION, {"year": 2023}).status_code in (401, 403)


def test_a_malformed_signing_is_a_400_even_with_a_stale_if_match(world, editor):
    response = editor.post(
        SIGN.format(world.negotiating.pk), {**BODY, "signed_on": None}, format="json", HTTP_IF_MATCH='"9"'
    )
    assert response.status_code == 400
    assert "signed_on" in response.json()
