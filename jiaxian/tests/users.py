"""Helpers of the tests that act as a user: one holding given permissions, and an API client
authenticated as them."""

from __future__ import annotations

from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient


def user_with(*codenames: str, username: str = "clerk", staff: bool = False) -> User:
    """A user (``staff``: one who may open the admin) holding the permissions ``codenames``
    and no other."""
    user = User.objects.create_user(username, password="pw", is_staff=staff)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def client_for(user: User | None) -> APIClient:
    """An API client authenticated as ``user`` (None: anonymous), without a token or a login:
    no query for it, so that query counts are the view's own."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
