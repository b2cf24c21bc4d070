"""One lockout for both doors that take a password: the admin's login and ``POST /api/token/``
count the failures of a username from an address together (``jiaxian.logins``)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

PASSWORD = "pw-Jiaxian-2023"
HERE, ELSEWHERE = "10.0.0.1", "10.0.0.2"


@pytest.fixture
def lockout(settings, db):
    """The defaults (5 failures in 15 minutes), a token rate that never refuses first, English."""
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15
    settings.LANGUAGE_CODE = "en"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": "1000/minute"},
    }
    User.objects.create_user("clerk", password=PASSWORD, is_staff=True)


def admin(password: str, address: str = HERE) -> str:
    answer = Client().post(reverse("admin:login"), {"username": "clerk", "password": password}, REMOTE_ADDR=address)
    return "ok" if answer.status_code == 302 else answer.content.decode()


def api(password: str, address: str = HERE):
    return APIClient().post(
        "/api/token/", {"username": "clerk", "password": password}, format="json", REMOTE_ADDR=address
    )


def test_three_failures_at_the_admin_and_two_at_the_api_lock_the_name_at_both_doors(lockout):
    for _ in range(3):
        assert "correct username and password" in admin("wrong")
    assert [api("wrong").status_code for _ in range(2)] == [400, 400]

    refused = api(PASSWORD)
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "Too many failed logins for this username. Try again in 15 minutes, or ask an administrator "
        "to reset the password."
    }
    assert 14 * 60 < int(refused["Retry-After"]) <= 15 * 60
    assert "Too many failed logins for this username. Try again in 15 minutes" in admin(PASSWORD)

    # From another address the name is not locked, at either door.
    assert api(PASSWORD, address=ELSEWHERE).status_code == 200
    assert admin(PASSWORD, address=ELSEWHERE) == "ok"


def test_five_failures_at_the_api_lock_the_admin_too(lockout):
    assert [api("wrong").status_code for _ in range(5)] == [400] * 5
    assert "Too many failed logins" in admin(PASSWORD)
    assert api(PASSWORD).status_code == 429


def test_a_success_at_either_door_clears_the_shared_count(lockout):
    for _ in range(4):
        admin("wrong")
    assert api(PASSWORD).status_code == 200
    for _ in range(4):
        admin("wrong")
    assert admin(PASSWORD) == "ok"
    for _ in range(4):
        api("wrong")
    assert api(PASSWORD).status_code == 200


def test_the_refusal_says_how_long_is_left_of_the_window(lockout, monkeypatch):
    from django.core.cache.backends import locmem

    # One clock for the lockout and for locmem's expiry (both read time.time), stopped.
    start = time.time()
    monkeypatch.setattr(locmem.time, "time", lambda: start)
    for _ in range(5):
        api("wrong")
    # Ten minutes later, five are left.
    monkeypatch.setattr(locmem.time, "time", lambda: start + 10 * 60)

    refused = api(PASSWORD)

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(5 * 60)
    assert "Try again in 5 minutes" in refused.json()["detail"]
    assert "Try again in 5 minutes" in admin(PASSWORD)
    # And after the window, the right password works again.
    monkeypatch.setattr(locmem.time, "time", lambda: start + 15 * 60 + 1)
    assert api(PASSWORD).status_code == 200


def test_the_schema_says_that_the_token_endpoint_locks_a_name_out(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()
    refusal = schema["paths"]["/api/token/"]["post"]["responses"]["429"]
    assert "too many failed passwords for this username" in refusal["description"]
    # The shared error component, as every refusal of the API (jiaxian.api).
    assert refusal["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
