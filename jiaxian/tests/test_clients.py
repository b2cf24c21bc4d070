"""Who the client is: ``X-Forwarded-For`` believed only as far as the trusted proxies go, for
every throttle and for the login lockout."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from jiaxian.clients import client_address
from jiaxian.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

PROXY = "10.0.0.1"
PASSWORD = "pw-Jiaxian-2023"


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, None, PROXY),
        (0, "203.0.113.5", PROXY),  # no proxy of ours: the header is the client's say
        (1, None, PROXY),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),  # the left entry is the client's say
        (2, "198.51.100.7, 203.0.113.5, 192.0.2.9", "203.0.113.5"),
        (2, "203.0.113.5", PROXY),  # fewer entries than proxies: not through them, the socket counts
        (1, "not-an-address", PROXY),
        (1, "  2001:db8::1  ", "2001:db8::1"),
    ],
)
def test_the_client_is_the_nth_forwarded_address_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, **headers)
    assert client_address(request) == expected


@pytest.mark.parametrize("throttle", [UserRateThrottle, AnonRateThrottle, ScopedRateThrottle])
def test_every_throttle_counts_by_the_client_address(settings, throttle):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="spoof, 203.0.113.5")
    assert throttle().get_ident(request) == "203.0.113.5"


@pytest.fixture
def token_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": "3/minute"},
    }
    # The lockout must not be what refuses: only the rate is under test here.
    settings.LOGIN_FAILURE_LIMIT = 100
    User.objects.create_user("clerk", password=PASSWORD)


def guess(forwarded: str, password: str = "guess") -> int:
    return (
        APIClient()
        .post(
            "/api/token/",
            {"username": "clerk", "password": password},
            format="json",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        .status_code
    )


def test_without_a_trusted_proxy_a_new_forwarded_address_each_time_does_not_escape_the_rate(db, token_rate):
    statuses = [guess(f"198.51.100.{n}") for n in range(6)]
    assert statuses == [400, 400, 400, 429, 429, 429]
    # Even the right password waits for the rate.
    assert guess("192.0.2.1", PASSWORD) == 429


def test_behind_one_proxy_spoofed_left_entries_do_not_change_who_the_client_is(db, token_rate, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [guess(f"198.51.100.{n}, 203.0.113.5") for n in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    # Another client behind the same proxy (another right-most address) has its own rate.
    assert guess("198.51.100.1, 203.0.113.6") == 400
    assert guess("203.0.113.6", PASSWORD) == 200


def log_in(client, forwarded: str, password: str) -> str:
    answer = client.post(
        reverse("admin:login"),
        {"username": "clerk", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    return "ok" if answer.status_code == 302 else answer.content.decode()


def test_the_admin_lockout_counts_by_the_client_address_behind_the_proxy(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LANGUAGE_CODE = "en"
    User.objects.create_user("clerk", password=PASSWORD, is_staff=True)

    for n in range(3):
        log_in(client, f"198.51.100.{n}, 203.0.113.5", "wrong")

    # Spoofing the left entries does not unlock it ...
    assert "Too many failed logins" in log_in(client, "192.0.2.1, 203.0.113.5", PASSWORD)
    # ... and the clerk at another desk behind the same proxy is not locked out.
    assert log_in(client, "198.51.100.0, 203.0.113.6", PASSWORD) == "ok"
