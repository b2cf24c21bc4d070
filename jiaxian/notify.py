"""Telling people what is theirs to do: the shape of a reminder, what any app hands to the
sending here. Domain-free: an app finds its events (``investment.reminders``) and describes
each as a ``Reminder``; this module knows nothing of orders or reports."""

from __future__ import annotations

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
