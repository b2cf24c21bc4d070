"""A JSON body nested deeper than ``JSON_MAX_DEPTH`` (default 64) is a 400 before it is decoded,
on the token endpoint and on every write; at the limit it is parsed as usual."""

from __future__ import annotations

import json

import pytest
from django.test import Client

TOKEN = "/api/token/"
INDUSTRIES = "/api/industries/"


@pytest.fixture
def anonymous() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def post_json(client, path: str, text: str):
    return client.post(path, text, content_type="application/json")


def nested(depth: int) -> str:
    """A JSON array nested ``depth`` levels deep: ``[[…]]``."""
    return "[" * depth + "]" * depth


def test_the_depth_limit_is_64_by_default(settings):
    assert settings.JSON_MAX_DEPTH == 64


@pytest.mark.django_db
def test_a_token_request_nested_to_the_limit_is_parsed_and_one_level_more_is_refused(anonymous):
    # The object is level 1, so the username's arrays may take the other 63.
    at_limit = post_json(anonymous, TOKEN, '{"username": ' + nested(63) + ', "password": "x"}')
    assert at_limit.status_code == 400
    assert "username" in at_limit.json()  # parsed: the serializer judged the field

    past = post_json(anonymous, TOKEN, '{"username": ' + nested(64) + ', "password": "x"}')
    assert past.status_code == 400
    assert past["Content-Type"] == "application/json"
    assert past.json() == {"detail": "JSON parse error - the body is nested deeper than 64 levels."}


@pytest.mark.django_db
def test_a_write_nested_to_the_limit_is_parsed_and_one_level_more_is_refused(api):
    at_limit = post_json(api, INDUSTRIES, '{"code": "Z1", "name": ' + nested(63) + "}")
    assert at_limit.status_code == 400
    assert set(at_limit.json()) == {"name"}

    past = post_json(api, INDUSTRIES, '{"code": "Z1", "name": ' + nested(64) + "}")
    assert past.status_code == 400
    assert "nested deeper than 64 levels" in past.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [TOKEN, INDUSTRIES])
def test_a_body_nested_a_thousand_levels_deep_is_a_400_not_a_recursion_error(api, path):
    response = post_json(api, path, nested(1000))
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


@pytest.mark.django_db
def test_brackets_inside_strings_do_not_count_as_nesting(api):
    name = "[" * 500 + '\\"{' * 100
    response = post_json(api, INDUSTRIES, json.dumps({"code": "Z1", "name": name[:50]}))
    assert response.status_code == 201, response.json()
    deep_text = json.dumps({"code": "Z2", "name": "x", "unknown": "[" * 1000})
    # Parsed (the unknown field is named), not refused as too deep.
    assert post_json(api, INDUSTRIES, deep_text).json() == {"unknown": ["Unknown field."]}


@pytest.mark.django_db
def test_the_depth_limit_follows_the_setting(api, settings):
    settings.JSON_MAX_DEPTH = 2
    assert post_json(api, INDUSTRIES, '{"code": "Z1", "name": ["x"]}').json() == {"name": ["Not a valid string."]}
    response = post_json(api, INDUSTRIES, '{"code": "Z1", "name": [["x"]]}')
    assert response.json() == {"detail": "JSON parse error - the body is nested deeper than 2 levels."}
