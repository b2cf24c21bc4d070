"""Clients shared by the tests of the API's plumbing."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api(admin_user) -> APIClient:
    """A superuser signed in with a token, as a script is (no session, so no CSRF check reads
    the body before the view), reading English."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    return client
