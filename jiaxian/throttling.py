"""Throttles: DRF's rate limits with the rates read at each request (so that a deployment's
environment, and a test, decide them), the token endpoint with its own stricter scope, and
the admin's login form that refuses a username after too many failed passwords
(``jiaxian.logins``, which the token endpoint shares). Every one counts the client by
``jiaxian.clients.client_address``, never by what ``X-Forwarded-For`` says on its own.

Counters live in Django's default cache (``CACHES``). ``settings.REST_FRAMEWORK`` names the
classes here: DRF imports them while its views module loads, so this module imports no views."""

from __future__ import annotations

from typing import cast

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from rest_framework import throttling
from rest_framework.settings import api_settings

from jiaxian.clients import client_address
from jiaxian.logins import LoginLockout, locked_message


class _RatesAtRequestTime:
    """DRF's throttles as this project runs them: the rates read when the throttle is made, that
    is at each request (DRF binds ``THROTTLE_RATES`` when it is imported), and the client known by
    ``client_address``."""

    THROTTLE_RATES: dict[str, str | None]

    def __init__(self):
        # The stubs type the rates as numbers; DRF's are "N/period" strings, as the base class says.
        self.THROTTLE_RATES = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
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


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, refusing a username that ``jiaxian.logins.LoginLockout`` has locked
    from this address, even with the right password, and counting its wrong passwords there."""

    def clean(self):
        lockout = LoginLockout(self.request, self.cleaned_data.get("username") or "")
        wait = lockout.retry_after()
        if wait is not None:
            raise ValidationError(locked_message(wait), code="too_many_attempts")
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            # A wrong password, or a right one of an account that may not use the admin.
            if getattr(exc, "code", None) == "invalid_login":
                lockout.failed()
            raise
        lockout.succeeded()
        return cleaned
