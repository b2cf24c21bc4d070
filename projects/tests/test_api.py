"""The REST API of every ledger (issue 4, the REST conventions): who may do what, the list filters and
pages, the 400 that names each bad field, 412 instead of a lost update, 409 instead of a
half-deleted record, and a fixed number of queries per list whatever its length.

The quota report and the first tests of industries, plans and attraction projects are in
``investment/tests/test_api.py``; the schema, the docs and the JSON 404 in
``jiaxian/tests/test_api_conventions.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from investment.models import AttractionProject
from jiaxian import periods
from jiaxian.api import LedgerViewSet
from projects.models import AnnualListing, Area, BondReserve, Department, Industry, KeyProject, Sector, YearPlan

from .payloads import attraction_payload, bond_reserve_payload, key_project_payload, listing_payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("today")]

D = Decimal
d = datetime.date

LEDGER_MODELS = (
    Industry,
    Area,
    Department,
    Sector,
    YearPlan,
    KeyProject,
    AnnualListing,
    BondReserve,
    AttractionProject,
)


# --- the resources ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """One resource under /api/ and how to exercise it: ``make`` an existing record, a valid
    ``payload`` for a new one, a valid full ``replace``ment (PUT) and ``change`` (PATCH) of it."""

    prefix: str
    model: type[models.Model]
    make: Callable[[SimpleNamespace], models.Model]
    payload: Callable[[SimpleNamespace], dict]
    replace: Callable[[SimpleNamespace, models.Model], dict]
    change: dict = field(default_factory=dict)
    lookup: str = "pk"

    def url(self, record: models.Model | None = None) -> str:
        if record is None:
            return f"/api/{self.prefix}/"
        return f"/api/{self.prefix}/{getattr(record, self.lookup)}/"


RESOURCES = {
    r.prefix: r
    for r in (
        Resource(
            "industries",
            Industry,
            make=lambda w: w.make_industry(),
            payload=lambda w: {"code": "NEWIND", "name": "新材料", "is_key": True},
            replace=lambda w, r: {"code": r.code, "name": "改名产业", "is_key": True},
            change={"name": "改名产业"},
        ),
        Resource(
            "areas",
            Area,
            make=lambda w: w.make_area(),
            payload=lambda w: {"code": "NEWAREA", "name": "产业集聚区", "kind": "development_zone"},
            replace=lambda w, r: {"code": r.code, "name": "改名镇", "kind": "township"},
            change={"kind": "park"},
        ),
        Resource(
            "departments",
            Department,
            make=lambda w: w.make_department(),
            payload=lambda w: {"code": "NEWDEPT", "name": "县水利局"},
            replace=lambda w, r: {"code": r.code, "name": "改名单位"},
            change={"name": "改名单位"},
        ),
        Resource(
            "sectors",
            Sector,
            make=lambda w: w.make_sector(),
            payload=lambda w: {"code": "NEWSEC", "name": "水利"},
            replace=lambda w, r: {"code": r.code, "name": "改名领域"},
            change={"name": "改名领域"},
        ),
        Resource(
            "plans",
            YearPlan,
            make=lambda w: w.make_year_plan(2023),
            payload=lambda w: {"year": 2024, "key_project_count_target": 61},
            replace=lambda w, r: {"year": r.year, "key_project_count_target": 70},
            change={"attraction_count_target": 65},
            lookup="year",
        ),
        Resource(
            "key-projects",
            KeyProject,
            make=lambda w: w.make_key_project(),
            payload=key_project_payload,
            replace=lambda w, r: key_project_payload(w, name=r.name, total_investment="70000.00"),
            change={"total_investment": "60000.00"},
        ),
        Resource(
            "annual-listings",
            AnnualListing,
            make=lambda w: w.make_listing(),
            payload=listing_payload,
            replace=lambda w, r: listing_payload(
                w, project=r.project_id, category="continuing", planned_investment="20000.00"
            ),
            change={"planned_investment": "12000.00"},
        ),
        Resource(
            "bond-reserves",
            BondReserve,
            make=lambda w: w.make_bond_reserve(),
            payload=bond_reserve_payload,
            replace=lambda w, r: bond_reserve_payload(w, name=r.name),
            change={"bond_demand": "12000.00"},
        ),
        Resource(
            "attraction-projects",
            AttractionProject,
            make=lambda w: w.make_attraction_project(),
            payload=attraction_payload,
            replace=lambda w, r: attraction_payload(w, name=r.name, contract_amount="15000.00"),
            change={"contract_amount": "13000.00"},
        ),
    )
}


@pytest.fixture
def w(
    key_industry,
    other_industry,
    area,
    department,
    sector,
    make_industry,
    make_area,
    make_department,
    make_sector,
    make_year_plan,
    make_key_project,
    make_listing,
    make_bond_reserve,
    make_attraction_project,
) -> SimpleNamespace:
    """The reference records and the factories, in one bag for the resource table."""
    return SimpleNamespace(
        key_industry=key_industry,
        other_industry=other_industry,
        area=area,
        department=department,
        sector=sector,
        make_industry=make_industry,
        make_area=make_area,
        make_department=make_department,
        make_sector=make_sector,
        make_year_plan=make_year_plan,
        make_key_project=make_key_project,
        make_listing=make_listing,
        make_bond_reserve=make_bond_reserve,
        make_attraction_project=make_attraction_project,
    )


def row(record: models.Model) -> dict:
    """Every stored column of ``record`` as the database has it now (version included)."""
    return type(record).objects.filter(pk=record.pk).values().get()


def user_with(username: str, *actions: str) -> User:
    """A user holding ``<action>_<model>`` for every ledger model, for each of ``actions``; one
    who may write also edits every department's records (the bureau staff; the department rule
    has its own tests in ``test_api_departments.py``)."""
    user = User.objects.create_user(username, password="pw")
    content_types = ContentType.objects.get_for_models(*LEDGER_MODELS).values()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__in=content_types, codename__regex=r"^({})_".format("|".join(actions or ["-"]))
        )
    )
    if {"add", "change", "delete"} & set(actions):
        user.user_permissions.add(Permission.objects.get(codename="edit_all_departments"))
    return user


def token_client(user: User | None) -> APIClient:
    """A client that signs in the way a script does, with ``Authorization: Token``."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def editor() -> APIClient:
    return token_client(user_with("editor", "view", "add", "change", "delete"))


@pytest.fixture
def superuser() -> APIClient:
    """Forced authentication of a superuser: no query for the token nor for permissions, so
    that query counts are the view's own."""
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("root", "root@example.invalid", "pw"))
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- personas × actions × resources -----------------------------------------------------------

PERSONAS = {
    "anonymous": None,
    "no permission": (),
    "read-only": ("view",),
    "editor": ("view", "add", "change", "delete"),
}
ACTIONS = ("list", "retrieve", "create", "put", "patch", "delete")
EXPECTED = {
    # Token authentication comes first, so DRF answers 401 with a WWW-Authenticate challenge.
    "anonymous": dict.fromkeys(ACTIONS, 401),
    "no permission": dict.fromkeys(ACTIONS, 403),
    "read-only": {"list": 200, "retrieve": 200, "create": 403, "put": 403, "patch": 403, "delete": 403},
    "editor": {"list": 200, "retrieve": 200, "create": 201, "put": 200, "patch": 200, "delete": 204},
}


def send(client: APIClient, action: str, resource: Resource, record, sent: dict | None):
    if action == "list":
        return client.get(resource.url())
    if action == "retrieve":
        return client.get(resource.url(record))
    if action == "create":
        return client.post(resource.url(), sent, format="json")
    if action == "put":
        return client.put(resource.url(record), sent, format="json")
    if action == "patch":
        return client.patch(resource.url(record), sent, format="json")
    return client.delete(resource.url(record))


@pytest.mark.parametrize("prefix", RESOURCES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_what_its_model_permissions_allow(w, persona, action, prefix):
    resource = RESOURCES[prefix]
    record = resource.make(w)
    sent = {
        "create": resource.payload(w) if action == "create" else None,
        "put": resource.replace(w, record) if action == "put" else None,
        "patch": resource.change,
    }.get(action)
    before, count = row(record), resource.model.objects.count()
    actions = PERSONAS[persona]
    client = token_client(None if actions is None else user_with(persona.replace(" ", "-"), *actions))

    response = send(client, action, resource, record, sent)

    assert response.status_code == EXPECTED[persona][action], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"detail"}  # never data
        if response.status_code == 401:
            assert response["WWW-Authenticate"] == "Token"
        assert row(record) == before
        assert resource.model.objects.count() == count
        return
    body = response.json() if response.status_code != 204 else None
    if action == "list":
        assert record.pk in [item["id"] for item in body["results"]]
    elif action == "retrieve":
        assert body["id"] == record.pk
        assert response["ETag"] == f'"{record.version}"'
    elif action == "create":
        assert resource.model.objects.count() == count + 1
        created = resource.model.objects.get(pk=body["id"])
        assert {name: body[name] for name in sent} == sent
        assert (created.version, body["version"]) == (1, 1)
    elif action in ("put", "patch"):
        assert {name: body[name] for name in sent} == sent
        assert body["version"] == row(record)["version"] == before["version"] + 1
    else:
        assert not resource.model.objects.filter(pk=record.pk).exists()


# --- 409: a record still in use --------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix, used, user",
    [
        ("industries", "key_industry", lambda w: w.make_key_project(industry=w.key_industry)),
        ("industries", "other_industry", lambda w: w.make_attraction_project(industry=w.other_industry)),
        ("areas", "area", lambda w: w.make_bond_reserve(area=w.area)),
        ("departments", "department", lambda w: w.make_attraction_project(department=w.department)),
        ("sectors", "sector", lambda w: w.make_bond_reserve(sector=w.sector)),
    ],
)
def test_deleting_a_record_still_referred_to_is_a_409_that_deletes_nothing(w, editor, prefix, used, user):
    record, referrer = getattr(w, used), user(w)
    before, referrer_before = row(record), row(referrer)
    response = editor.delete(RESOURCES[prefix].url(record), headers={"If-Match": f'"{record.version}"'})
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    assert row(record) == before  # version included: the claim was rolled back too
    assert row(referrer) == referrer_before


def test_deleting_a_key_project_takes_its_listings_and_unlinks_what_grew_from_it(w, editor):
    project = w.make_key_project()
    w.make_listing(project=project)
    attraction = w.make_attraction_project(key_project=project)
    phase_two = w.make_key_project(predecessor=project)
    assert editor.delete(RESOURCES["key-projects"].url(project)).status_code == 204
    assert not AnnualListing.objects.exists()
    attraction.refresh_from_db()
    phase_two.refresh_from_db()
    assert (attraction.key_project, phase_two.predecessor) == (None, None)


# --- filters ----------------------------------------------------------------------------------
#
# Each resource has a small named data set; a case is (resource, query, the names it must
# list). A query value "@label" stands for the id of the data set's record of that label.


@pytest.fixture
def industries_data(make_industry):
    return {
        "GJFJ": make_industry(code="GJFJ", name="硅基负极材料", is_key=True),
        "SMWL": make_industry(code="SMWL", name="商贸物流", is_key=False),
    }


@pytest.fixture
def areas_data(make_area):
    return {
        "CGZ": make_area(code="CGZ", name="城关镇", kind="town"),
        "CYJJQ": make_area(code="CYJJQ", name="产业集聚区", kind="development_zone"),
    }


@pytest.fixture
def departments_data(make_department):
    return {
        "FGW": make_department(code="FGW", name="县发展和改革委员会"),
        "JTJ": make_department(code="JTJ", name="县交通运输局"),
    }


@pytest.fixture
def sectors_data(make_sector):
    return {"JT": make_sector(code="JT", name="交通基础设施"), "SL": make_sector(code="SL", name="水利")}


@pytest.fixture
def plans_data(make_year_plan):
    return {str(year): make_year_plan(year) for year in (2022, 2023, 2024)}


@pytest.fixture
def key_projects_data(
    key_industry, other_industry, area, department, make_area, make_department, make_key_project, make_listing
):
    area2, department2 = make_area(name="产业集聚区"), make_department(name="县交通运输局")
    one = make_key_project(name="一号", owner="平顶山建投", started_on=d(2023, 3, 1), total_investment=D("50000.00"))
    two = make_key_project(
        name="二号",
        owner="县城投公司",
        industry=other_industry,
        area=area2,
        department=department2,
        nature="expansion",
        total_investment=D("100000.00"),
    )
    three = make_key_project(
        name="三号", department=department2, predecessor=one, nature="second_phase", total_investment=D("49999.99")
    )
    make_listing(project=one, year=2023, category="new_start")
    make_listing(project=two, year=2022, category="new_start")
    make_listing(project=two, year=2023, category="continuing")
    make_listing(project=three, year=2022, category="preliminary")
    refs = {"key_industry": key_industry, "other_industry": other_industry, "area": area, "area2": area2}
    return {"一号": one, "二号": two, "三号": three, "department": department, **refs}


@pytest.fixture
def annual_listings_data(make_key_project, make_listing):
    p1, p2 = make_key_project(name="P1"), make_key_project(name="P2")
    return {
        "P1-2023": make_listing(project=p1, year=2023, category="new_start", planned_investment=D("10000.00")),
        "P1-2022": make_listing(project=p1, year=2022, category="preliminary", planned_investment=D("5000.00")),
        "P2-2023": make_listing(project=p2, year=2023, category="continuing", planned_investment=D("9999.99")),
        "P1": p1,
    }


@pytest.fixture
def bond_reserves_data(department, area, sector, make_department, make_area, make_sector, make_bond_reserve):
    department2, area2, sector2 = make_department(), make_area(), make_sector()
    return {
        "甲储备": make_bond_reserve(  # reserved today
            name="甲储备", owner="县水利局", bond_demand=D("10000.00"), reserved_on=d(2023, 3, 1)
        ),
        "乙储备": make_bond_reserve(  # issued
            name="乙储备",
            owner="县交通局",
            department=department2,
            area=area2,
            sector=sector2,
            total_investment=D("40000.00"),
            bond_demand=D("20000.00"),
            expected_income=D("30000.00"),
            principal_and_interest=D("24000.00"),
            reserved_on=d(2023, 1, 15),
            submitted_on=d(2023, 2, 1),
            approved_on=d(2023, 3, 1),
            issued_on=d(2023, 4, 1),
            issued_amount=D("20000.00"),
        ),
        "丙储备": make_bond_reserve(  # rejected, in 2022
            year=2022,
            name="丙储备",
            owner="县城投公司",
            total_investment=D("10000.00"),
            bond_demand=D("9999.99"),
            reserved_on=d(2022, 5, 1),
            submitted_on=d(2022, 5, 15),
            rejected_on=d(2022, 6, 1),
        ),
        "department": department,
        "sector2": sector2,
        "area2": area2,
    }


@pytest.fixture
def attraction_projects_data(key_industry, other_industry, area, department, make_key_project, make_attraction_project):
    key_project = make_key_project(name="转为重点项目")
    return {
        "甲招商": make_attraction_project(  # started
            name="甲招商",
            investor="深圳某科技有限公司",
            investor_origin="local",
            area=area,
            department=department,
            key_project=key_project,
            contract_amount=D("10000.00"),
            fixed_asset_investment=D("8000.00"),
            signed_on=d(2023, 3, 1),
            started_on=d(2023, 4, 1),
        ),
        "乙招商": make_attraction_project(  # signed today
            name="乙招商",
            investor="郑州某集团",
            investor_origin="in_province",
            industry=other_industry,
            contract_amount=D("9999.99"),
            fixed_asset_investment=D("5000.00"),
            signed_on=d(2023, 6, 30),
        ),
        "丙招商": make_attraction_project(  # negotiating, in 2022
            year=2022,
            name="丙招商",
            investor="香港某基金",
            investor_origin="overseas",
            contract_amount=D("20000.00"),
            fixed_asset_investment=D("9000.00"),
        ),
        "key_project": key_project,
        "other_industry": other_industry,
        "area": area,
        "department": department,
    }


FILTERS = {
    "industries": [
        ({"is_key": "true"}, {"GJFJ"}),
        ({"is_key": "false"}, {"SMWL"}),
        ({"q": "负极"}, {"GJFJ"}),
        ({"q": "smwl"}, {"SMWL"}),  # the code, in any case
        ({"q": "没有"}, set()),
        ({"code": "GJFJ"}, {"GJFJ"}),
        ({"code": "NOPE"}, set()),
    ],
    "areas": [
        ({"kind": "town"}, {"CGZ"}),
        ({"kind": "park"}, set()),
        ({"kind": ["town", "development_zone"]}, {"CGZ", "CYJJQ"}),
        ({"q": "集聚"}, {"CYJJQ"}),
    ],
    "departments": [
        ({"q": "交通"}, {"JTJ"}),
        ({"q": "水利"}, set()),
        ({"code": "FGW"}, {"FGW"}),
    ],
    "sectors": [
        ({"q": "水利"}, {"SL"}),
        ({"code": "JT"}, {"JT"}),
        ({"code": "XX"}, set()),
    ],
    "plans": [
        ({"year": "2023"}, {"2023"}),
        # A year of the range without a plan; one outside the range is a 400 (test_period_parameters.py).
        ({"year": "2021"}, set()),
        ({"year_min": "2023"}, {"2023", "2024"}),
        ({"year_max": "2022"}, {"2022"}),
        ({"year_min": "2023", "year_max": "2023"}, {"2023"}),
    ],
    "key-projects": [
        ({"year": "2023"}, {"一号", "二号"}),
        ({"year": "2021"}, set()),
        ({"category": "new_start"}, {"一号", "二号"}),  # 二号 was a new start in 2022
        ({"category": "preliminary"}, {"三号"}),
        ({"category": "completion"}, set()),
        ({"category": ["preliminary", "continuing"]}, {"二号", "三号"}),
        ({"industry": "@other_industry"}, {"二号"}),
        ({"industry": "999999"}, set()),
        ({"is_key_industry": "true"}, {"一号", "三号"}),
        ({"is_key_industry": "false"}, {"二号"}),
        ({"area": "@area2"}, {"二号"}),
        ({"area": "999999"}, set()),
        ({"department": "@department"}, {"一号"}),
        ({"predecessor": "@一号"}, {"三号"}),
        ({"nature": "expansion"}, {"二号"}),
        ({"total_investment_min": "50000.00"}, {"一号", "二号"}),
        ({"total_investment_max": "50000.00"}, {"一号", "三号"}),
        ({"total_investment_min": "100000.01"}, set()),
        ({"started_on_min": "2023-03-01"}, {"一号"}),
        ({"started_on_max": "2023-03-01"}, {"一号"}),
        ({"started_on_max": "2023-02-28"}, set()),
        ({"q": "城投"}, {"二号"}),  # owner
        ({"q": "三号"}, {"三号"}),  # name
        ({"q": "无此项目"}, set()),
        pytest.param(
            {"year": "2023", "category": "new_start"},
            {"一号"},
            id="key-projects-year-and-category-are-one-listing",
        ),
    ],
    "annual-listings": [
        ({"project": "@P1"}, {"P1-2023", "P1-2022"}),
        ({"project": "999999"}, set()),
        ({"year": "2022"}, {"P1-2022"}),
        ({"category": "continuing"}, {"P2-2023"}),
        ({"planned_investment_min": "10000.00"}, {"P1-2023"}),
        ({"planned_investment_max": "9999.99"}, {"P1-2022", "P2-2023"}),
        ({"planned_investment_max": "4999.99"}, set()),
    ],
    "bond-reserves": [
        ({"status": "reserved"}, {"甲储备"}),
        ({"status": "issued"}, {"乙储备"}),
        ({"status": "rejected"}, {"丙储备"}),
        ({"status": "approved"}, set()),
        ({"status": ["reserved", "issued"]}, {"甲储备", "乙储备"}),
        ({"bond_demand_min": "10000.00"}, {"甲储备", "乙储备"}),
        ({"bond_demand_max": "10000.00"}, {"甲储备", "丙储备"}),
        ({"bond_demand_max": "9999.98"}, set()),
        ({"total_investment_min": "40000.00"}, {"乙储备"}),
        ({"total_investment_max": "9999.99"}, set()),
        ({"reserved_on_min": "2023-03-01"}, {"甲储备"}),
        ({"reserved_on_max": "2023-01-15"}, {"乙储备", "丙储备"}),
        ({"reserved_on_max": "2022-04-30"}, set()),
        ({"year": "2022"}, {"丙储备"}),
        ({"year": "2024"}, set()),
        ({"sector": "@sector2"}, {"乙储备"}),
        ({"sector": "999999"}, set()),
        ({"area": "@area2"}, {"乙储备"}),
        ({"department": "@department"}, {"甲储备", "丙储备"}),
        ({"q": "水利"}, {"甲储备"}),  # owner
        ({"q": "乙储备"}, {"乙储备"}),  # name
        ({"q": "无此项目"}, set()),
    ],
    "attraction-projects": [
        ({"year": "2023"}, {"甲招商", "乙招商"}),
        ({"year": "2021"}, set()),
        ({"industry": "@other_industry"}, {"乙招商"}),
        ({"industry": "999999"}, set()),
        ({"is_key_industry": "true"}, {"甲招商", "丙招商"}),
        ({"is_key_industry": "false"}, {"乙招商"}),
        ({"area": "@area"}, {"甲招商"}),
        ({"department": "@department"}, {"甲招商"}),
        ({"department": "999999"}, set()),
        ({"key_project": "@key_project"}, {"甲招商"}),
        ({"investor_origin": "overseas"}, {"丙招商"}),
        ({"stage": "started"}, {"甲招商"}),
        ({"stage": "signed"}, {"乙招商"}),  # signed on the frozen today
        ({"stage": "negotiating"}, {"丙招商"}),
        ({"stage": "in_production"}, set()),
        ({"stage": ["signed", "started"]}, {"甲招商", "乙招商"}),
        ({"contract_amount_min": "10000.00"}, {"甲招商", "丙招商"}),
        ({"contract_amount_max": "10000.00"}, {"甲招商", "乙招商"}),
        ({"contract_amount_max": "9999.98"}, set()),
        ({"signed_on_min": "2023-06-30"}, {"乙招商"}),
        ({"signed_on_max": "2023-03-01"}, {"甲招商"}),
        ({"signed_on_max": "2023-02-28"}, set()),
        ({"started_on_min": "2023-04-01"}, {"甲招商"}),
        ({"started_on_max": "2023-03-31"}, set()),
        ({"q": "深圳"}, {"甲招商"}),  # investor
        ({"q": "乙招商"}, {"乙招商"}),  # name
        ({"q": "无此项目"}, set()),
    ],
}


def filter_cases():
    for prefix, cases in FILTERS.items():
        for case in cases:
            if hasattr(case, "marks"):  # already a pytest.param
                yield pytest.param(prefix, *case.values, marks=case.marks, id=case.id)
            else:
                params, expected = case
                yield pytest.param(prefix, params, expected, id=f"{prefix}-{params}")


def data_set(request, prefix: str) -> dict[str, models.Model]:
    return request.getfixturevalue(f"{prefix.replace('-', '_')}_data")


def names(response, data: dict[str, models.Model], model: type[models.Model]) -> list[str]:
    label_of = {record.pk: label for label, record in data.items() if isinstance(record, model)}
    return [label_of[item["id"]] for item in results(response)]


@pytest.mark.parametrize("prefix, params, expected", filter_cases())
def test_each_list_filter_keeps_exactly_the_matching_records(request, superuser, prefix, params, expected):
    resource = RESOURCES[prefix]
    data = data_set(request, prefix)
    query = {
        name: str(data[value[1:]].pk) if isinstance(value, str) and value.startswith("@") else value
        for name, value in params.items()
    }
    listed = names(superuser.get(resource.url(), query), data, resource.model)
    assert len(listed) == len(set(listed))  # no record twice
    assert set(listed) == expected


def test_the_stage_filter_is_as_of_today(superuser, attraction_projects_data, monkeypatch):
    url = RESOURCES["attraction-projects"].url()
    monkeypatch.setattr(periods, "today", lambda: d(2023, 6, 29))  # the day before 乙 signed
    listed = names(superuser.get(url, {"stage": "negotiating"}), attraction_projects_data, AttractionProject)
    assert set(listed) == {"乙招商", "丙招商"}


def test_the_status_filter_gives_each_reserve_the_status_it_reached_today(superuser, bond_reserves_by_status):
    by_id = {reserve.pk: status for status, reserve in bond_reserves_by_status.items()}
    for status in ("reserved", "submitted", "approved", "issued", "rejected"):
        found = [by_id[item["id"]] for item in results(superuser.get("/api/bond-reserves/", {"status": status}))]
        assert found == [status]


@pytest.mark.parametrize(
    "prefix, ordering, expected",
    [
        ("attraction-projects", "-contract_amount", ["丙招商", "甲招商", "乙招商"]),
        ("attraction-projects", "contract_amount", ["乙招商", "甲招商", "丙招商"]),
        ("key-projects", "-total_investment", ["二号", "一号", "三号"]),
        ("bond-reserves", "bond_demand", ["丙储备", "甲储备", "乙储备"]),
        ("annual-listings", "-planned_investment", ["P1-2023", "P2-2023", "P1-2022"]),
        ("plans", "year", ["2022", "2023", "2024"]),
        ("industries", "-code", ["SMWL", "GJFJ"]),
    ],
)
def test_ordering_sorts_the_list(request, superuser, prefix, ordering, expected):
    resource = RESOURCES[prefix]
    data = data_set(request, prefix)
    assert names(superuser.get(resource.url(), {"ordering": ordering}), data, resource.model) == expected


@pytest.mark.parametrize(
    "prefix, param, value",
    [
        ("industries", "is_key", "maybe"),
        ("industries", "is_key", ""),
        ("areas", "kind", "village"),
        ("areas", "kind", ""),
        ("plans", "year", "0.5"),
        ("plans", "year_min", ""),
        ("plans", "year", "abc"),
        ("key-projects", "year", "0.5"),
        ("key-projects", "is_key_industry", "maybe"),
        ("key-projects", "total_investment_min", "abc"),
        ("key-projects", "total_investment_max", "1.234"),
        ("key-projects", "started_on_min", ""),
        ("key-projects", "started_on_max", "2023-02-30"),
        ("key-projects", "category", "bogus"),
        ("key-projects", "industry", "abc"),
        ("key-projects", "area", "1.5"),
        ("annual-listings", "year", "0.5"),
        ("annual-listings", "project", "abc"),
        ("annual-listings", "planned_investment_min", "abc"),
        ("annual-listings", "category", ""),
        ("bond-reserves", "status", "bogus"),
        ("bond-reserves", "status", ""),
        ("bond-reserves", "bond_demand_min", "abc"),
        ("bond-reserves", "bond_demand_max", "NaN"),
        ("bond-reserves", "reserved_on_min", ""),
        ("bond-reserves", "reserved_on_max", "yesterday"),
        ("bond-reserves", "year", "0.5"),
        ("bond-reserves", "sector", "abc"),
        ("attraction-projects", "is_key_industry", "maybe"),
        ("attraction-projects", "signed_on_min", ""),
        ("attraction-projects", "started_on_max", "2023-13-01"),
        ("attraction-projects", "year", "0.5"),
        ("attraction-projects", "contract_amount_min", "abc"),
        ("attraction-projects", "contract_amount_max", "Infinity"),
        ("attraction-projects", "stage", "bogus"),
        ("attraction-projects", "industry", "abc"),
        ("attraction-projects", "key_project", "1.5"),
    ],
)
def test_a_filter_value_that_cannot_be_read_is_a_400_naming_the_parameter(superuser, prefix, param, value):
    response = superuser.get(RESOURCES[prefix].url(), {param: value})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


# --- pages ------------------------------------------------------------------------------------


def test_page_size_cuts_the_list_into_pages_with_links(superuser, make_industry):
    for _ in range(5):
        make_industry()
    first = superuser.get("/api/industries/", {"page_size": 2}).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (5, 2, None)
    assert "page=2" in first["next"] and "page_size=2" in first["next"]
    last = superuser.get(first["next"]).json()
    last = superuser.get(last["next"]).json()
    assert (len(last["results"]), last["next"]) == (1, None)
    seen = superuser.get("/api/industries/", {"page_size": 500}).json()["results"]
    assert len(seen) == 5


def test_a_page_past_the_last_is_a_json_404(superuser, make_industry):
    make_industry()
    response = superuser.get("/api/industries/", {"page": 2})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("page_size", ["1", "500"])
def test_page_size_takes_1_to_500(superuser, page_size):
    assert superuser.get("/api/industries/", {"page_size": page_size}).status_code == 200


@pytest.mark.parametrize("prefix", RESOURCES)
@pytest.mark.parametrize(
    "param, value",
    [
        ("page_size", "501"),
        ("page_size", "0"),
        ("page_size", "abc"),
        ("page_size", "-1"),
        ("page_size", "2.0"),
        ("page_size", ""),
        ("page", "abc"),
        ("page", "-1"),
        ("page", ""),
    ],
)
def test_a_page_or_page_size_that_is_not_a_whole_number_in_range_is_a_400_naming_it(superuser, prefix, param, value):
    response = superuser.get(RESOURCES[prefix].url(), {param: value})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [param]


@pytest.mark.parametrize("param, value", [("page_size", "²"), ("page", "²"), ("page", "0")])
def test_a_page_number_that_only_looks_like_a_number_is_a_400_naming_it(superuser, param, value):
    response = superuser.get("/api/industries/", {param: value})
    assert response.status_code == 400
    assert list(response.json()) == [param]


# --- 400: the body names each bad field -------------------------------------------------------


@pytest.mark.parametrize(
    "prefix, fields, bad",
    [
        # The models' rules.
        ("attraction-projects", {"fixed_asset_investment": "12000.01"}, {"fixed_asset_investment"}),
        ("bond-reserves", {"bond_demand": "30000.01"}, {"bond_demand"}),
        ("bond-reserves", {"expected_income": "23999.99"}, {"expected_income"}),  # coverage 0.9999
        ("bond-reserves", {"submitted_on": "2023-03-31"}, {"submitted_on"}),  # before reserved_on
        ("key-projects", {"completed_on": "2023-02-28"}, {"completed_on"}),  # before started_on
        ("key-projects", {"started_on": "2023-07-01"}, {"started_on"}),  # after the frozen today
        ("annual-listings", {"planned_investment": "50000.01"}, {"planned_investment"}),  # above the total
        ("plans", {"coverage_refusal_ratio": "1.3000"}, {"coverage_refusal_ratio"}),  # above the warning ratio
        ("plans", {"progress_due_day": 29}, {"progress_due_day"}),  # not a day of every month
        ("plans", {"progress_due_day": 0}, {"progress_due_day"}),
        # JSON types.
        ("attraction-projects", {"contract_amount": 10000}, {"contract_amount"}),
        ("bond-reserves", {"total_investment": 30000.0}, {"total_investment"}),
        ("key-projects", {"name": 0}, {"name"}),
        ("industries", {"is_key": "true"}, {"is_key"}),
        ("industries", {"is_key": 1}, {"is_key"}),
        ("key-projects", {"industry": "@key_industry"}, {"industry"}),  # the id as a string
        ("plans", {"year": "2024"}, {"year"}),
        ("attraction-projects", {"signed_on": 20230501}, {"signed_on"}),
        # Unknown fields.
        ("key-projects", {"bogus": 1}, {"bogus"}),
        ("areas", {"knd": "town"}, {"knd"}),
        # Several at once.
        (
            "attraction-projects",
            {"name": 0, "contract_amount": 10000, "industry": "@key_industry"},
            {"name", "contract_amount", "industry"},
        ),
        (
            "bond-reserves",
            {"bond_demand": "30000.01", "expected_income": "23999.99", "submitted_on": "2023-03-31"},
            {"bond_demand", "expected_income", "submitted_on"},
        ),
        ("industries", {"bogus": 1, "extra": 2}, {"bogus", "extra"}),
        pytest.param(
            "key-projects",
            {"bogus": 1, "total_investment": 80000},
            {"bogus", "total_investment"},
            id="an-unknown-field-and-a-type-error-are-both-named",
        ),
        pytest.param(
            "bond-reserves",
            {"name": "@existing"},
            {"name"},
            id="a-duplicate-reserve-name-is-named",
        ),
        pytest.param(
            "annual-listings",
            {"project": "@existing", "year": 2023},
            {"year"},
            id="a-second-listing-for-the-year-names-year",
        ),
    ],
)
def test_a_refused_create_names_each_bad_field_and_writes_nothing(w, editor, prefix, fields, bad):
    resource = RESOURCES[prefix]
    existing = resource.make(w)

    def resolve(name, value):
        if value == "@existing":  # the existing record's own value: a duplicate
            return getattr(existing, f"{name}_id", None) or getattr(existing, name)
        if value == "@key_industry":  # the id, as a string
            return str(w.key_industry.pk)
        return value

    payload = resource.payload(w) | {name: resolve(name, value) for name, value in fields.items()}
    count = resource.model.objects.count()
    response = editor.post(resource.url(), payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == bad
    assert all(isinstance(messages, list) and messages for messages in body.values())
    assert resource.model.objects.count() == count


@pytest.mark.parametrize(
    "prefix, fields",
    [
        ("attraction-projects", {"fixed_asset_investment": "12000.00"}),  # equal to the contract
        ("bond-reserves", {"bond_demand": "30000.00"}),  # equal to the total
        ("bond-reserves", {"expected_income": "24000.00"}),  # coverage exactly 1
        ("bond-reserves", {"submitted_on": "2023-04-01", "approved_on": "2023-06-30"}),  # same day; today
        ("key-projects", {"completed_on": "2023-03-01"}),  # completed the day it started
        ("annual-listings", {"planned_investment": "50000.00"}),  # the whole total in one year
    ],
)
def test_a_write_exactly_at_a_rules_boundary_is_accepted(w, editor, prefix, fields):
    resource = RESOURCES[prefix]
    response = editor.post(resource.url(), resource.payload(w) | fields, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("prefix", ["areas", "departments", "sectors"])
def test_a_duplicate_code_is_a_400_naming_code(w, editor, prefix):
    resource = RESOURCES[prefix]
    existing = resource.make(w)
    count = resource.model.objects.count()
    response = editor.post(resource.url(), resource.payload(w) | {"code": existing.code}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["code"]
    assert resource.model.objects.count() == count


@pytest.mark.parametrize(
    "prefix, fields, bad",
    [
        ("industries", {"name": 0}, "name"),
        ("plans", {"investment_yellow_gap": "0.5000"}, "investment_red_gap"),
        ("key-projects", {"total_investment": "-1.00"}, "total_investment"),
        ("key-projects", {"started_on": "2023-07-01"}, "started_on"),
        ("annual-listings", {"planned_investment": "50000.01"}, "planned_investment"),
        ("bond-reserves", {"bond_demand": "20000.01"}, "bond_demand"),
        ("bond-reserves", {"expected_income": 15000}, "expected_income"),
        ("attraction-projects", {"contract_amount": "8999.99"}, "fixed_asset_investment"),
        ("attraction-projects", {"surprise": True}, "surprise"),
    ],
)
def test_a_refused_patch_leaves_the_record_and_its_version_as_they_were(w, editor, prefix, fields, bad):
    resource = RESOURCES[prefix]
    record = resource.make(w)
    before = row(record)
    response = editor.patch(resource.url(record), fields, format="json", headers={"If-Match": f'"{record.version}"'})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [bad]
    assert row(record) == before


def test_a_total_below_a_years_planned_investment_is_refused_on_total_investment(editor, make_listing):
    listing = make_listing(planned_investment=D("10000.00"))
    before = row(listing.project)
    response = editor.patch(
        RESOURCES["key-projects"].url(listing.project), {"total_investment": "9999.99"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["total_investment"]
    assert row(listing.project) == before


def test_a_blank_project_code_is_stored_as_none_so_that_many_records_can_lack_one(w, editor):
    for name, code in (("甲", ""), ("乙", "   ")):
        response = editor.post(
            "/api/key-projects/", key_project_payload(w, name=name, project_code=code), format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["project_code"] is None
    assert list(KeyProject.objects.values_list("project_code", flat=True)) == [None, None]


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("application/x-www-form-urlencoded", "code=FORM&name=%E8%A1%A8%E5%8D%95&is_key=true"),
        (
            "multipart/form-data; boundary=XYZ",
            '--XYZ\r\nContent-Disposition: form-data; name="code"\r\n\r\nF\r\n--XYZ--\r\n',
        ),
        ("text/plain", '{"code": "TXT", "name": "text"}'),
    ],
)
def test_a_body_that_is_not_json_is_a_415_and_writes_nothing(editor, key_industry, content_type, body):
    assert editor.post("/api/industries/", body, content_type=content_type).status_code == 415
    assert Industry.objects.count() == 1
    before = row(key_industry)
    assert editor.patch(f"/api/industries/{key_industry.pk}/", body, content_type=content_type).status_code == 415
    assert row(key_industry) == before


@pytest.mark.parametrize("body", ['{"code": "X", "name": ', "[]", "null", '"a string"'])
def test_json_that_is_not_an_object_is_a_400(editor, body):
    response = editor.post("/api/industries/", body, content_type="application/json")
    assert response.status_code == 400
    assert not Industry.objects.exists()


# --- 412: no lost updates ---------------------------------------------------------------------


@pytest.fixture
def project(make_key_project) -> KeyProject:
    """A key project at version 2 (made, then saved once more), so that "1" is stale."""
    project = make_key_project(total_investment=D("50000.00"))
    project.save()
    assert project.version == 2
    return project


def url_of(project: KeyProject) -> str:
    return f"/api/key-projects/{project.pk}/"


@pytest.mark.parametrize("prefix", RESOURCES)
def test_a_detail_answer_carries_its_version_as_a_strong_etag(w, superuser, prefix):
    resource = RESOURCES[prefix]
    record = resource.make(w)
    record.save()
    response = superuser.get(resource.url(record))
    assert response["ETag"] == '"2"' == f'"{response.json()["version"]}"'
    assert "ETag" not in superuser.get(resource.url())  # a list has no single version


@pytest.mark.parametrize("if_match", ['"2"', 'W/"2"', "*", '"7", "2"', ' "2" '])
def test_a_patch_whose_if_match_names_the_current_version_is_applied(editor, project, if_match):
    response = editor.patch(url_of(project), {"owner": "新业主"}, format="json", headers={"If-Match": if_match})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 3
    assert response["ETag"] == '"3"'
    project.refresh_from_db()
    assert (project.owner, project.version) == ("新业主", 3)


def test_a_patch_with_the_current_version_in_the_body_is_applied(editor, project):
    response = editor.patch(url_of(project), {"owner": "新业主", "version": 2}, format="json")
    assert (response.status_code, response["ETag"]) == (200, '"3"')


@pytest.mark.parametrize(
    "headers, body",
    [
        ({"If-Match": '"1"'}, {}),
        ({"If-Match": 'W/"1"'}, {}),
        ({}, {"version": 1}),
        ({}, {"version": 3}),  # from the future is no better
        ({"If-Match": '"2"'}, {"version": 1}),  # both must hold
        ({"If-Match": '"1"'}, {"version": 2}),
        ({"If-Match": "garbage"}, {}),
        ({"If-Match": '"abc"'}, {}),
        ({"If-Match": "W/"}, {}),
    ],
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_an_update_naming_another_version_is_a_412_and_changes_nothing(w, editor, project, method, headers, body):
    before = row(project)
    payload = key_project_payload(w, name=project.name, owner="新业主") | body
    response = getattr(editor, method)(url_of(project), payload, format="json", headers=headers)
    assert response.status_code == 412, response.content
    assert set(response.json()) == {"detail"}
    assert row(project) == before


@pytest.mark.parametrize("version", ["2", 2.0, True, [2], {"v": 2}])
def test_a_body_version_that_is_not_a_whole_number_is_a_400_naming_version(editor, project, version):
    before = row(project)
    response = editor.patch(url_of(project), {"owner": "新业主", "version": version}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["version"]
    assert row(project) == before


@pytest.mark.parametrize("version", [1, 7])
def test_a_version_sent_with_a_creation_is_not_written_the_record_starts_at_one(w, editor, version):
    response = editor.post("/api/key-projects/", key_project_payload(w, version=version), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    assert KeyProject.objects.get(pk=response.json()["id"]).version == 1


def test_a_version_sent_with_a_creation_must_be_a_whole_number(w, editor):
    response = editor.post("/api/key-projects/", key_project_payload(w, version="7"), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["version"]
    assert not KeyProject.objects.filter(name="新建重点项目").exists()


def test_a_delete_naming_another_version_is_a_412_and_the_record_stays(editor, project):
    response = editor.delete(url_of(project), headers={"If-Match": '"1"'})
    assert response.status_code == 412
    assert KeyProject.objects.filter(pk=project.pk).exists()
    assert editor.delete(url_of(project), headers={"If-Match": '"2"'}).status_code == 204
    assert not KeyProject.objects.filter(pk=project.pk).exists()


def test_two_clerks_the_second_to_save_what_they_read_earlier_gets_a_412(editor, project, make_key_project):
    clerk_b = token_client(user_with("clerk-b", "view", "change"))
    tag_a = editor.get(url_of(project))["ETag"]
    tag_b = clerk_b.get(url_of(project))["ETag"]
    assert tag_a == tag_b == '"2"'
    assert (
        clerk_b.patch(url_of(project), {"owner": "乙改"}, format="json", headers={"If-Match": tag_b}).status_code == 200
    )
    response = editor.patch(url_of(project), {"total_investment": "1.00"}, format="json", headers={"If-Match": tag_a})
    assert response.status_code == 412
    project.refresh_from_db()
    assert (project.owner, project.total_investment, project.version) == ("乙改", D("50000.00"), 3)


@pytest.fixture
def moved_between_read_and_write(monkeypatch):
    """Another clerk's save lands (committed, outside this request's transaction) after the
    view read the record: the version the request checks is the one it read, and only the
    conditional update of ``jiaxian.versions.claim`` can see that the row moved."""
    read = LedgerViewSet.get_object

    def read_then_move(self):
        instance = read(self)
        type(instance).objects.filter(pk=instance.pk).update(version=F("version") + 1)
        return instance

    monkeypatch.setattr(LedgerViewSet, "get_object", read_then_move)


@pytest.mark.parametrize("headers", [{}, {"If-Match": '"2"'}])
def test_a_change_landing_during_the_save_is_caught_by_the_conditional_update(
    editor, project, moved_between_read_and_write, headers
):
    before = row(project)
    response = editor.patch(url_of(project), {"owner": "新业主"}, format="json", headers=headers)
    assert response.status_code == 412
    assert "3" in response.json()["detail"]  # the version the record moved to
    assert row(project) == before | {"version": 3}  # only the other clerk's bump


def test_a_delete_racing_a_change_is_caught_by_the_conditional_update(editor, project, moved_between_read_and_write):
    assert editor.delete(url_of(project)).status_code == 412
    assert KeyProject.objects.get(pk=project.pk).version == 3


# --- queries: the same at 10 and at 200 records -----------------------------------------------


def fill(prefix: str, n: int, w) -> None:
    """Bring ``prefix``'s ledger to ``n`` records, in bulk (no ``full_clean``: the rows only
    have to be many, not individually checked). Key projects get a listing and every other
    one a successor, so that the prefetches have rows to fetch."""
    model = RESOURCES[prefix].model
    have = model.objects.count()
    new = range(have, n)
    if prefix in ("industries", "areas", "departments", "sectors"):
        extra = {"kind": "town"} if prefix == "areas" else {}
        model.objects.bulk_create(model(code=f"B{i:04d}", name=f"批量{i}", **extra) for i in new)
    elif prefix == "plans":
        YearPlan.objects.bulk_create(YearPlan(year=2000 + i) for i in new)
    elif prefix in ("key-projects", "annual-listings"):
        projects = KeyProject.objects.bulk_create(
            KeyProject(
                name=f"批量{prefix}{i}",
                owner="业主",
                industry=w.key_industry,
                area=w.area,
                department=w.department,
                total_investment=D("100.00"),
            )
            for i in new
        )
        AnnualListing.objects.bulk_create(
            AnnualListing(
                project=p, year=2023, category="continuing", planned_investment=D("1.00"), listed_on=d(2023, 2, 1)
            )
            for p in projects
        )
        for earlier, later in zip(projects[::2], projects[1::2], strict=False):
            later.predecessor = earlier
        KeyProject.objects.bulk_update(projects, ["predecessor"])
    elif prefix == "bond-reserves":
        BondReserve.objects.bulk_create(w.build_bond_reserve(name=f"批量{i}") for i in new)
    else:
        AttractionProject.objects.bulk_create(w.build_attraction_project(name=f"批量{i}") for i in new)
    assert model.objects.count() == n


# Queries of one page, whatever its length (authentication forced, a superuser: none for the
# user or the permissions). Each list: COUNT(*) for "count", then the page's rows. Key projects
# add a prefetch of the page's annual listings (ordered by year); their successors' ids are a
# subquery of the rows' query.
# Attraction projects read the industry (is_key_industry) in the rows' JOIN and the 100-million
# rule of each year's plan as subqueries of the same SELECT. Bond reserves derive their status
# and coverage ratio in Python. A list that annotates (key projects, reserves, attraction
# projects) finds its page's ids first, then the page's rows by those ids (jiaxian.paging).
LIST_QUERIES = {
    "industries": 2,
    "areas": 2,
    "departments": 2,
    "sectors": 2,
    "plans": 2,
    # count, the plan of as_of's year (the lights' thresholds), the page's ids, its rows (with
    # each light, problem count and successors' ids as subqueries), listings prefetch
    "key-projects": 5,
    "annual-listings": 2,  # the project is only an id
    "bond-reserves": 3,  # count, ids, rows (with the coverage warning)
    "attraction-projects": 3,  # count, ids, rows (with the successors' ids)
}


@pytest.fixture
def w_bulk(w, build_bond_reserve, build_attraction_project):
    w.build_bond_reserve, w.build_attraction_project = build_bond_reserve, build_attraction_project
    return w


@pytest.mark.parametrize("prefix", RESOURCES)
def test_a_list_costs_the_same_queries_at_10_and_at_200_records(w_bulk, superuser, django_assert_num_queries, prefix):
    url = RESOURCES[prefix].url()
    large = 101 if prefix == "plans" else 200  # a plan per year from 2000 to 2100: 101 at most
    for n in (10, large):
        fill(prefix, n, w_bulk)
        with django_assert_num_queries(LIST_QUERIES[prefix]):
            response = superuser.get(url, {"page_size": 500})
        assert len(results(response)) == n
