"""Throttles: DRF's rate limits with the rates read at each request (so that a deployment's
environment, and a test, decide them), the token endpoint with its own stricter scope, and
the admin's login form that refuses a username after too many failed passwords. Every one counts
the client by ``jiaxian.clients.client_address``, never by what ``X-Forwarded-For`` says on its own.

Counters live in Django's default cache (``CACHES``). ``settings.REST_FRAMEWORK`` names the
classes here: DRF imports them while its views module loads, so this module imports no views."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext
from rest_framework import throttling
from rest_framework.settings import api_settings

from jiaxian.clients import client_address


class _RatesAtRequestTime:
    """DRF's throttles as this project runs them: the rates read when the throttle is made, that
    is at each request (DRF binds ``THROTTLE_RATES`` when it is imported), and the client known by
    ``client_address``."""

    def __init__(self):
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        super().__init__()

    def get_ident(self, request):
        # DRF's own would take a client's X-Forwarded-For as it stands: a new identity per request.
        return client_address(request)


class UserRateThrottle(_RatesAtRequestTime, throttling.UserRateThrottle):
    """``user`` rate per signed-in user (per address for anonymous requests)."""


class AnonRateThrottle(_RatesAtRequestTime, throttling.AnonRateThrottle):
    """``anon`` rate per address, for requests without credentials."""


class ScopedRateThrottle(_RatesAtRequestTime, throttling.ScopedRateThrottle):
    """The rate of the view's ``throttle_scope``."""


# --- failed admin logins -------------------------------------------------------------------


def _failures_key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.casefold()}\0{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing a username from an address after
    ``LOGIN_FAILURE_LIMIT`` failed attempts within ``LOGIN_FAILURE_WINDOW_MINUTES`` (counted from
    the first failure), even with the right password, until the window ends. A successful login
    clears the count; other usernames, and the same username from elsewhere, are not affected."""

    def _key(self) -> str:
        address = client_address(self.request) if self.request is not None else ""
        return _failures_key(self.cleaned_data.get("username") or "", address)

    def clean(self):
        key = self._key()
        limit = settings.LOGIN_FAILURE_LIMIT
        minutes = settings.LOGIN_FAILURE_WINDOW_MINUTES
        if cache.get(key, 0) >= limit:
            raise ValidationError(
                ngettext(
                    "Too many failed logins for this username. Try again in %(minutes)s minute, or ask an "
                    "administrator to reset the password.",
                    "Too many failed logins for this username. Try again in %(minutes)s minutes, or ask an "
                    "administrator to reset the password.",
                    minutes,
                )
                % {"minutes": minutes},
                code="too_many_attempts",
            )
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            # A wrong password, or a right one of an account that may not use the admin.
            if getattr(exc, "code", None) == "invalid_login":
                # The window starts at the first failure and is not extended by the next ones.
                cache.add(key, 0, timeout=minutes * 60)
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, timeout=minutes * 60)
            raise
        cache.delete(key)
        return cleaned
