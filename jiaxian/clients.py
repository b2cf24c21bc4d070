"""Who the client is: the one address that every throttle and the login lockout count by.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as
the deployment says it passes through proxies of its own (``TRUSTED_PROXY_COUNT``, from
``DJANGO_TRUSTED_PROXY_COUNT``). Each trusted proxy appends the address it was reached from;
with N of them, the N-th entry from the right was written by the outermost one and is the
client's; everything to its left is the client's own say and is never read."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The client's address for ``request`` (a Django or DRF request).

    With ``TRUSTED_PROXY_COUNT`` 0 (the default) the socket's address (``REMOTE_ADDR``); with N,
    the N-th address from the right of ``X-Forwarded-For``. When the header has fewer than N
    entries, or that entry is not an IP address, the request did not come through the proxies as
    configured, and the socket's address counts: an address the client cannot choose."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count == 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
