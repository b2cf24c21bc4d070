"""Telling people what is theirs to do: the shape of a reminder, what any app hands to the
sending here. Domain-free: an app finds its events (``investment.reminders``) and describes
each as a ``Reminder``; this module knows nothing of orders or reports. It also posts to a
group robot (``post_webhook``): the mechanics of a channel, whoever sends by it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Webhook:
    """A group robot to post to: ``key`` names whose it is (``"department:5"``), so that an
    event reaches each robot once however many of its members are concerned."""

    key: str
    url: str
    secret: str = ""


@dataclass(frozen=True)
class Reminder:
    """One event someone must be told of.

    ``event`` is the event's stable key: the same event found on a later run gives the same
    key (``"order-overdue:42"``), which is what makes sending idempotent. ``text`` is the
    message in the users' language, ``link`` the path of the page to act on, ``about`` the
    record it concerns; ``user_ids`` the persons concerned, ``webhooks`` the robots of the
    units concerned."""

    event: str
    text: str
    link: str
    user_ids: tuple[int, ...]
    about: models.Model | None = None
    webhooks: tuple[Webhook, ...] = ()


class WebhookError(Exception):
    """A post that did not reach its robot, or that the robot refused; the message says why."""


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """``url`` with the signature of a robot that signs requests (DingTalk's scheme, which
    WeCom-style robots with a secret share): the HMAC-SHA256, keyed by the secret, of
    ``"<timestamp in ms>\n<secret>"``, base64 then URL-encoded, appended as
    ``timestamp=…&sign=…``. Without a secret, ``url`` as it is."""
    if not secret:
        return url
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def post_webhook(webhook: Webhook, text: str, timeout: float = 5) -> None:
    """Post ``text`` to ``webhook`` as a text message (``{"msgtype": "text", "text":
    {"content": …}}``, the shape DingTalk and WeCom robots both read), signed when the robot
    has a secret. Returns when the robot took it; raises ``WebhookError`` when it could not be
    reached within ``timeout`` seconds, answered other than 2xx, or answered a JSON body with a
    nonzero ``errcode`` (how these robots refuse: a bad signature, a rate limit). Only http and
    https addresses are posted to."""
    if urllib.parse.urlsplit(webhook.url).scheme not in ("http", "https"):
        raise WebhookError(f"not an http(s) address: {webhook.url!r}")
    url = signed_url(webhook.url, webhook.secret, int(time.time() * 1000))
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out
        raise WebhookError(f"not reached: {getattr(exc, 'reason', exc)}") from exc
    try:
        decoded = json.loads(answer)
    except ValueError:
        return  # a 2xx without JSON: taken
    if isinstance(decoded, dict) and decoded.get("errcode", 0) not in (0, "0"):
        raise WebhookError(f"refused: errcode {decoded.get('errcode')} {decoded.get('errmsg', '')}".strip())
