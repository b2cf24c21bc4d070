"""Failed logins, counted in one place for every door that takes a password (the admin's login
form and ``POST /api/token/``).

A username is refused from an address after ``LOGIN_FAILURE_LIMIT`` failed passwords within
``LOGIN_FAILURE_WINDOW_MINUTES`` (counted from the first failure, not extended by the next ones),
even with the right password, until the window ends. Counting per username *and* address means
that nobody can lock an official out from elsewhere; a successful login clears the count. The
counts live in Django's default cache, so every app server must share one (docs/operations.md, "Scaling out")."""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

from jiaxian.clients import client_address


class LoginLockout:
    """The failure count of one username from one client address."""

    def __init__(self, request, username: str):
        digest = hashlib.sha256(f"{username.casefold()}\0{client_address(request)}".encode()).hexdigest()
        self.count_key = f"login-failures:{digest}"
        # When the window opened by the first failure ends (a Unix time), to say when to try again.
        self.until_key = f"login-failures-until:{digest}"

    @property
    def window_seconds(self) -> int:
        return settings.LOGIN_FAILURE_WINDOW_MINUTES * 60

    def retry_after(self) -> int | None:
        """Seconds (at least 1) until the username may try again from this address; ``None`` if it
        is not locked."""
        if cache.get(self.count_key, 0) < settings.LOGIN_FAILURE_LIMIT:
            return None
        until = cache.get(self.until_key)
        remaining = until - time.time() if until is not None else self.window_seconds
        return max(1, math.ceil(remaining))

    def failed(self) -> None:
        """Count a wrong password."""
        window = self.window_seconds
        if cache.add(self.count_key, 0, timeout=window):
            cache.set(self.until_key, time.time() + window, timeout=window)
        try:
            cache.incr(self.count_key)
        except ValueError:  # expired between add and incr: this failure opens a new window
            cache.set(self.count_key, 1, timeout=window)
            cache.set(self.until_key, time.time() + window, timeout=window)

    def succeeded(self) -> None:
        cache.delete_many([self.count_key, self.until_key])


def locked_message(seconds: int) -> str:
    """What a locked-out user reads, at either door: when to try again, in whole minutes."""
    minutes = math.ceil(seconds / 60)
    return ngettext(
        "Too many failed logins for this username. Try again in %(minutes)s minute, or ask an "
        "administrator to reset the password.",
        "Too many failed logins for this username. Try again in %(minutes)s minutes, or ask an "
        "administrator to reset the password.",
        minutes,
    ) % {"minutes": minutes}
