"""The conventions every resource of the API keeps (the REST conventions): an OpenAPI 3 schema that
lists each resource and documents the answers clients must expect, interactive docs that
work offline, a root that lists every resource, JSON 404s under /api/, and amounts as
decimal strings. The resources' own behaviour is tested in ``projects/tests/test_api.py``."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.contrib.staticfiles import finders
from django.db import models
from rest_framework import mixins
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from jiaxian.api import LedgerViewSet
from jiaxian.ledger_api import DepartmentRule
from jiaxian.urls import router

D = Decimal
d = datetime.date

# Every resource the one router serves, its viewset, and the name of its detail path's parameter.
PREFIXES = [prefix for prefix, _viewset, _basename in router.registry]
VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}
LOOKUPS = {
    prefix: "id" if getattr(viewset, "lookup_field", "pk") == "pk" else viewset.lookup_field
    for prefix, viewset, _basename in router.registry
}


# The ledgers of issue 4: each with every method, a version, and the 412/409 answers.
LEDGERS = (
    "industries",
    "areas",
    "departments",
    "sectors",
    "plans",
    "key-projects",
    "annual-listings",
    "bond-reserves",
    "attraction-projects",
    # The year plan's indicators and their monthly values (issue 20).
    "plan-indicators",
    "indicator-values",
)


def test_the_router_serves_every_ledger_of_the_contract():
    assert set(PREFIXES) >= set(LEDGERS)
    assert LOOKUPS["plans"] == "year"


# --- the schema -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> dict:
    """The schema as /api/schema/ serves it to a signed-in user (it reads no database: the
    forced user needs none)."""
    client = APIClient()
    client.force_authenticate(User(username="reader"))
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
def test_the_schema_is_an_openapi_3_document_for_a_client_signed_in_with_a_token():
    user = User.objects.create_user("robot", password="pw")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = response.json()
    assert document["openapi"].startswith("3")
    assert document["info"]["title"]


MIXINS = {
    "list": mixins.ListModelMixin,
    "create": mixins.CreateModelMixin,
    "retrieve": mixins.RetrieveModelMixin,
    "update": mixins.UpdateModelMixin,
    "destroy": mixins.DestroyModelMixin,
}


def methods(prefix: str) -> tuple[set[str], set[str]]:
    """The methods the viewset of ``prefix`` answers on its list and on its detail path: a
    ledger all of them, a resource that only some mixins make (filings) fewer."""
    viewset = VIEWSETS[prefix]
    has = {name: issubclass(viewset, mixin) for name, mixin in MIXINS.items()}
    listing = {m for m, ok in (("get", has["list"]), ("post", has["create"])) if ok}
    detail = {m for m, ok in (("get", has["retrieve"]), ("put", has["update"]), ("patch", has["update"])) if ok}
    return listing, detail | ({"delete"} if has["destroy"] else set())


def test_every_ledger_is_a_ledger_viewset_with_every_method():
    for prefix in LEDGERS:
        assert issubclass(VIEWSETS[prefix], LedgerViewSet), prefix
        assert methods(prefix) == ({"get", "post"}, {"get", "put", "patch", "delete"}), prefix


def test_every_ledger_applies_the_department_rule():
    # A ledger viewset that set its own permission classes and forgot the rule would let a
    # department clerk write another department's records. (Filings have no department.)
    for prefix in LEDGERS:
        assert DepartmentRule in VIEWSETS[prefix].permission_classes, prefix


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_resource_has_a_list_and_a_detail_path_with_its_methods(schema, prefix):
    listing, detail = methods(prefix)
    assert set(schema["paths"][f"/api/{prefix}/"]) == listing
    assert set(schema["paths"][f"/api/{prefix}/{{{LOOKUPS[prefix]}}}/"]) == detail


@pytest.mark.parametrize("prefix", PREFIXES)
def test_writes_to_a_record_document_412_and_if_match_and_a_delete_documents_409(schema, prefix):
    detail = schema["paths"][f"/api/{prefix}/{{{LOOKUPS[prefix]}}}/"]
    writes = methods(prefix)[1] & {"put", "patch", "delete"}
    for method in writes:
        assert "412" in detail[method]["responses"], method
        assert "If-Match" in [p["name"] for p in detail[method]["parameters"] if p["in"] == "header"], method
        assert ("409" in detail[method]["responses"]) == (method == "delete"), method
        assert {"401", "403", "404"} <= set(detail[method]["responses"]), method
    for method in writes & {"put", "patch"}:
        assert "400" in detail[method]["responses"], method


def test_the_key_project_patch_documents_412_and_its_delete_409(schema):
    detail = schema["paths"]["/api/key-projects/{id}/"]
    assert "412" in detail["patch"]["responses"]
    assert "409" in detail["delete"]["responses"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_list_documents_page_size_from_1_to_500(schema, prefix):
    parameters = {p["name"]: p["schema"] for p in schema["paths"][f"/api/{prefix}/"]["get"]["parameters"]}
    assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 500)
    assert parameters["page"]["minimum"] == 1


def test_amounts_are_decimal_strings_in_the_schema(schema):
    components = schema["components"]["schemas"]
    amounts = {
        (component, name): spec
        for component, body in components.items()
        for name, spec in body.get("properties", {}).items()
        if spec.get("format") == "decimal"
    }
    assert ("KeyProject", "total_investment") in amounts
    assert ("AttractionProject", "contract_amount") in amounts
    assert all(spec["type"] == "string" for spec in amounts.values())


# --- the docs ---------------------------------------------------------------------------------


def test_the_docs_page_loads_only_files_this_server_has(admin_client):
    response = admin_client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert not re.search(r"cdn|jsdelivr|unpkg|https?://", page, re.IGNORECASE)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    # The sidecar's files, our stylesheet, and the page's own set-up script (the split view's).
    static = "/" + settings.STATIC_URL.strip("/") + "/"
    for asset in assets:
        if asset == "/api/docs/?script=":
            continue
        assert asset.startswith((static + "drf_spectacular_sidecar/", static + "jiaxian/")), asset
        assert finders.find(asset.removeprefix(static)), f"{asset} is not among the static files"


# --- the root and the 404s --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_root_lists_every_resource():
    client = APIClient()
    client.force_authenticate(User.objects.create_user("reader", password="pw"))
    response = client.get("/api/")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == PREFIXES
    assert all(url.endswith(f"/api/{prefix}/") for prefix, url in body.items())


@pytest.mark.django_db
def test_the_api_root_is_not_for_anonymous_clients():
    assert APIClient().get("/api/").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/nope/",  # no such route: Django's handler404
        "/api/plans/99999/",  # not a year: no route either
        "/api/plans/2031/",  # a year without a plan: the view's 404
        "/api/key-projects/999999/",
        "/api/key-projects/abc/",
        "/api/key-projects/99999999999999999999999/",  # beyond any id column
        "/api/industries/1/nope/",
    ],
)
def test_a_missing_page_under_api_is_a_json_404(path):
    assert settings.DEBUG is False  # so that Django answers with handler404, as in production
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("root", "root@example.invalid", "pw"))
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


@pytest.mark.django_db
def test_a_missing_page_outside_the_api_stays_html(admin_client):
    response = admin_client.get("/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- amounts in answers -----------------------------------------------------------------------


@pytest.fixture
def reader(db) -> APIClient:
    user = User.objects.create_user("reader", password="pw")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = APIClient()
    client.force_authenticate(user)
    return client


def decimal_places_of(model: type[models.Model]) -> dict[str, int]:
    return {f.name: f.decimal_places for f in model._meta.get_fields() if isinstance(f, models.DecimalField)}


@pytest.mark.django_db
def test_amounts_and_ratios_are_strings_with_their_places(
    reader, today, make_year_plan, make_key_project, make_listing, make_bond_reserve, make_attraction_project
):
    records = {
        "plans": make_year_plan(2023),
        "key-projects": make_key_project(total_investment=D("50000")),
        "annual-listings": make_listing(planned_investment=D("0.5")),
        "bond-reserves": make_bond_reserve(expected_income=D("15000"), principal_and_interest=D("12000")),
        "attraction-projects": make_attraction_project(contract_amount=D("12000"), funds_in_place=D("3")),
    }
    checked = 0
    for prefix, record in records.items():
        lookup = record.year if prefix == "plans" else record.pk
        body = reader.get(f"/api/{prefix}/{lookup}/").json()
        for name, places in decimal_places_of(type(record)).items():
            if body[name] is not None:
                assert isinstance(body[name], str), (prefix, name, body[name])
                assert re.fullmatch(rf"\d+\.\d{{{places}}}", body[name]), (prefix, name, body[name])
                checked += 1
    assert checked >= 20
    assert reader.get(f"/api/key-projects/{records['key-projects'].pk}/").json()["total_investment"] == "50000.00"
    assert reader.get(f"/api/annual-listings/{records['annual-listings'].pk}/").json()["planned_investment"] == "0.50"
    assert reader.get(f"/api/bond-reserves/{records['bond-reserves'].pk}/").json()["coverage_ratio"] == "1.2500"
    listed = reader.get("/api/key-projects/").json()["results"]
    listing = next(item for item in listed if item["listings"])["listings"][0]
    assert listing["planned_investment"] == "0.50"  # inside its project too
    assert reader.get("/api/plans/2023/").json()["attraction_big_share_target"] == "0.7000"


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_permission_check_reads_the_model_the_view_lists(prefix, admin_user):
    # jiaxian.api_defaults.ModelPermissions takes the model from the class's queryset, not
    # from get_queryset(): they must be the same model, or the permission asked is another's.
    viewset = VIEWSETS[prefix]
    view = viewset(action="list", kwargs={}, format_kwarg=None)
    view.request = Request(APIRequestFactory().get("/"))
    view.request.user = admin_user
    assert viewset.queryset is not None, prefix
    assert view.get_queryset().model is viewset.queryset.model
