"""With the database down, a 503 that says so: JSON with ``Retry-After`` under /api/ (the docs
too), a plain page elsewhere, and nothing of the exception in either."""

from __future__ import annotations

import contextlib
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.test import Client
from rest_framework.test import APIClient

# What the driver would say; none of it may reach a client.
SECRET = 'connection to server at "db.internal" (10.9.8.7), port 5432 failed: Connection refused'


@contextlib.contextmanager
def database_down():
    """Every new query fails as it would with the server gone (the test's own transaction is
    left alone, and works again once the block ends)."""
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError(SECRET)):
        yield


def assert_api_outage(answer):
    assert answer.status_code == 503
    assert answer["Content-Type"] == "application/json"
    assert int(answer["Retry-After"]) > 0
    assert set(answer.json()) == {"detail"}
    assert "db.internal" not in answer.content.decode() and "5432" not in answer.content.decode()


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/key-projects/"),
        ("get", "/api/reports/quotas/?year=2023"),
        ("post", "/api/industries/"),
    ],
)
def test_an_api_request_while_the_database_is_down_is_a_json_503(db, method, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    with database_down():
        answer = getattr(client, method)(path, {"code": "x"} if method == "post" else None, format="json")
    assert_api_outage(answer)


def test_the_api_docs_answer_json_while_the_database_is_down(admin_client):
    with database_down():
        answer = admin_client.get("/api/docs/")
    assert_api_outage(answer)


def test_a_token_request_while_the_database_is_down_is_a_json_503(db):
    with database_down():
        answer = APIClient().post("/api/token/", {"username": "clerk", "password": "pw"}, format="json")
    assert_api_outage(answer)


@pytest.mark.parametrize("path", ["/admin/", "/admin/projects/keyproject/", "/admin/dashboard/"])
def test_a_page_while_the_database_is_down_is_a_plain_503_page(admin_client, path):
    with database_down():
        answer = admin_client.get(path)
    assert answer.status_code == 503
    assert answer["Content-Type"].startswith("text/html")
    assert int(answer["Retry-After"]) > 0
    page = answer.content.decode()
    assert "<h1>服务暂时不可用</h1>" in page
    assert "db.internal" not in page and "OperationalError" not in page


def test_signing_in_while_the_database_is_down_is_a_503_page(db):
    with database_down():
        answer = Client().post("/admin/login/", {"username": "clerk", "password": "pw"})
    assert answer.status_code == 503
    assert "服务暂时不可用" in answer.content.decode()


class QueriesBeforeTheView:
    """A middleware that needs the database before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        User.objects.exists()
        return self.get_response(request)


@pytest.mark.parametrize("path, kind", [("/api/key-projects/", "application/json"), ("/admin/", "text/html")])
def test_an_outage_met_in_a_middleware_is_a_503_too(db, settings, path, kind):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.QueriesBeforeTheView"]
    with database_down():
        answer = Client(raise_request_exception=False).get(path)
    assert answer.status_code == 503
    assert answer["Content-Type"].startswith(kind)
    assert "db.internal" not in answer.content.decode()
