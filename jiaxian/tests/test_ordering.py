"""``?ordering=`` with a field the view does not order by is a 400 naming it; known fields,
descending ones and lists keep working, and the schema documents the parameter."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

INDUSTRIES = "/api/industries/"


@pytest.fixture
def industries(make_industry):
    return [make_industry(code=code, name=name) for code, name in (("A1", "乙"), ("B2", "甲"), ("C3", "乙"))]


@pytest.mark.django_db
def test_an_unknown_ordering_field_is_a_400_naming_it(api, industries):
    response = api.get(INDUSTRIES, {"ordering": "password"})
    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]
    (message,) = response.json()["ordering"]
    assert "“password”" in message and "code, name" in message


@pytest.mark.django_db
def test_one_unknown_field_in_a_list_is_named_alone(api, industries):
    response = api.get(INDUSTRIES, {"ordering": "name,-secret,code"})
    assert response.status_code == 400
    assert len(response.json()["ordering"]) == 1 and "“-secret”" in response.json()["ordering"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "codes"),
    [("code", ["A1", "B2", "C3"]), ("-code", ["C3", "B2", "A1"]), ("-name,code", ["B2", "A1", "C3"])],
)
def test_known_fields_descending_and_lists_still_order(api, industries, ordering, codes):
    response = api.get(INDUSTRIES, {"ordering": ordering})
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == codes


@pytest.mark.django_db
def test_the_schema_documents_ordering_with_its_fields(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"][INDUSTRIES]["get"]["parameters"]}
    assert "ordering" in parameters
    assert "code, name" in parameters["ordering"]["description"]
    # The accepted values are in the schema itself, not only in words.
    ordering = parameters["ordering"]
    assert (ordering["style"], ordering["explode"]) == ("form", False)
    assert ordering["schema"] == {
        "type": "array",
        "items": {"type": "string", "enum": ["code", "-code", "name", "-name"]},
    }


def test_a_list_without_its_own_ordering_fields_documents_drfs_default_ones(admin_user):
    # The filings sort by their serializer's model fields (DRF's default): the schema must list
    # exactly those, or a client sending a documented value would be refused.
    client = APIClient()
    client.force_authenticate(admin_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/filings/"]["get"]["parameters"]}
    accepted = parameters["ordering"]["schema"]["items"]["enum"]
    assert "filed_at" in accepted and "-filed_at" in accepted
    for term in accepted:
        assert client.get("/api/filings/", {"ordering": term}).status_code == 200, term
