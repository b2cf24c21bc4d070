"""Bodies over Django's upload limits under /api/: JSON answers, a 413 when it is the size (Django
raises RequestDataTooBig, a SuspiciousOperation, which would be its HTML 400 page)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

TOKEN = "/api/token/"
INDUSTRIES = "/api/industries/"


def post_json(client, path: str, text: str):
    return client.post(path, text, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("path", [TOKEN, INDUSTRIES])
def test_a_body_over_the_upload_limit_is_a_json_413_under_the_api(api, settings, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_json(api, path, json.dumps({"username": "x" * 2000, "password": "y", "name": "z"}))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is larger than the 1000 bytes accepted."}


@pytest.mark.django_db
def test_a_session_write_over_the_upload_limit_is_a_json_413_too(admin_client, settings):
    # The CSRF check of a session reads the body before the view: the same answer.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_json(admin_client, INDUSTRIES, json.dumps({"code": "Z1", "name": "x" * 2000}))
    assert response.status_code == 413
    assert response.json() == {"detail": "请求体超过允许的 1000 字节。"}  # in the default language


@pytest.mark.django_db
def test_too_many_parameters_under_the_api_is_a_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = api.get(INDUSTRIES + "?" + "&".join(f"p{i}=1" for i in range(10)))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "5 fields" in response.json()["detail"]


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_outside_the_api_stays_the_html_page(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/admin/login/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
