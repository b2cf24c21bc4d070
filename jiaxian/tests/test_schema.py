"""The OpenAPI schema and Swagger UI for signed-in users only (jiaxian/schema.py): anonymous
requests refused (the schema) or sent to the login (the docs), the schema generated once per
process in English whatever the client's language, and served from memory."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from jiaxian.schema import schema_cache

SCHEMA = "/api/schema/"
DOCS = "/api/docs/"


@pytest.fixture
def fresh_schema():
    """No schema generated yet in this process (and none left behind for the other tests' sake)."""
    schema_cache.clear()
    yield
    schema_cache.clear()


@pytest.fixture
def generations(monkeypatch) -> list[int]:
    """Counts the generator's runs: one item per ``SchemaGenerator.get_schema`` call."""
    calls: list[int] = []
    generate = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        calls.append(1)
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    return calls


@pytest.fixture
def reader() -> APIClient:
    client = APIClient()
    client.force_authenticate(User(username="reader"))
    return client


@pytest.mark.parametrize("accept", ["application/vnd.oai.openapi", "application/vnd.oai.openapi+json"])
def test_an_anonymous_request_for_the_schema_is_refused_in_json(db, accept):
    response = APIClient().get(SCHEMA, HTTP_ACCEPT=accept)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_refused_too(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(SCHEMA).status_code == 401


def test_the_schema_is_the_same_bytes_in_english_whatever_language_the_client_asks(reader, fresh_schema):
    bodies = {}
    for language in ("zh-hans", "en", None):
        schema_cache.clear()  # each built anew, under the language of its request
        extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
        response = reader.get(SCHEMA, {"format": "json"}, **extra)
        assert response.status_code == 200
        bodies[language] = response.content
    assert bodies["zh-hans"] == bodies["en"] == bodies[None]
    assert b"A page number within the paginated result set." in bodies["en"]


def test_manage_py_spectacular_writes_the_served_schema_whatever_the_active_language(reader, fresh_schema, tmp_path):
    served = reader.get(SCHEMA, {"format": "json"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    written = tmp_path / "schema.json"
    # The settings' language (Chinese) is the command's when it is given no --lang.
    with translation.override("zh-hans"):
        call_command("spectacular", "--format", "openapi-json", "--file", str(written))
    assert json.loads(written.read_text(encoding="utf-8")) == served
    assert served["components"]["schemas"]["KeyProject"]["properties"]["nature"]["title"] == "Construction nature"


def test_the_schema_is_generated_once_for_every_request_and_format(reader, fresh_schema, generations):
    first = reader.get(SCHEMA, HTTP_ACCEPT_LANGUAGE="zh-hans")
    second = reader.get(SCHEMA, HTTP_ACCEPT_LANGUAGE="en")
    as_json = reader.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert [first.status_code, second.status_code, as_json.status_code] == [200, 200, 200]
    assert len(generations) == 1
    assert first.content == second.content
    assert first["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    assert as_json["Content-Type"] == "application/vnd.oai.openapi+json"
    assert as_json.json()["openapi"].startswith("3")


def test_the_schema_answers_from_memory_without_a_query(db, reader, fresh_schema, django_assert_num_queries):
    reader.get(SCHEMA)
    # Generating reads no database either; answering from memory certainly reads none.
    with django_assert_num_queries(0):
        assert reader.get(SCHEMA).status_code == 200


def test_the_docs_send_an_anonymous_visitor_to_the_admin_login(db):
    response = APIClient().get(DOCS)
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/api/docs/"


def test_the_docs_script_is_behind_the_login_too(db):
    response = APIClient().get(DOCS, {"script": ""})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_a_signed_in_user_gets_the_docs_and_their_script_as_a_file(admin_client):
    page = admin_client.get(DOCS)
    assert page.status_code == 200
    assert b'<script src="/api/docs/?script="></script>' in page.content
    script = admin_client.get(DOCS, {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
    assert b'url: "/api/schema/"' in script.content


# --- what a generated client needs of the schema -------------------------------------------------


@pytest.fixture(scope="module")
def document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_error_answer_is_one_of_two_shared_components(document):
    statuses = set()
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                statuses.add(status)
                expected = "ValidationError" if status == "400" else "Error"
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": f"#/components/schemas/{expected}"}, (method, path, status)
    assert statuses == {"400", "401", "403", "404", "409", "412", "429"}
    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]
    assert document["components"]["schemas"]["ValidationError"]["additionalProperties"]


def test_every_update_and_delete_documents_if_match(document):
    writes = [(p, m, o) for p, m, o in operations(document) if m in ("put", "patch", "delete")]
    assert len(writes) > 50
    for path, method, operation in writes:
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert headers == ["If-Match"], (method, path)


def test_version_may_be_sent_in_request_bodies_and_is_always_in_answers(document):
    schemas = document["components"]["schemas"]
    versioned = [name for name, schema in schemas.items() if "version" in schema.get("properties", {})]
    requests = [name for name in versioned if name.endswith("Request")]
    assert "KeyProjectRequest" in requests and "PatchedKeyProjectRequest" in requests
    for name in requests:
        version = schemas[name]["properties"]["version"]
        assert version["type"] == "integer" and not version.get("readOnly"), name
        assert "version" not in schemas[name].get("required", []), name
    for name in set(versioned) - set(requests):
        assert "version" in schemas[name]["required"], name
    # A filing's version is its number among the quarter's filings: the server's to give.
    assert "version" not in schemas["FilingRequest"]["properties"]


@pytest.mark.parametrize("path", ["/api/exports/quarterly/", "/api/filings/{id}/download/"])
def test_the_downloads_are_binary_answers(document, path):
    content = document["paths"][path]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"}
    assert all(media["schema"] == {"type": "string", "format": "binary"} for media in content.values())
