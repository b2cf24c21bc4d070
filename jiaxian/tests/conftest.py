"""Clients shared by the tests of the API's plumbing."""

import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api(admin_user) -> APIClient:
    """A superuser signed in with a token, as a script is (no session, so no CSRF check reads
    the body before the view), reading English."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    return client


@pytest.fixture(autouse=True)
def default_language_after_each_test():
    """LocaleMiddleware activates each request's language in the thread and nothing deactivates
    it, so a test whose last request read English would leave English to the next test's
    messages; each test ends back in the default language."""
    yield
    translation.deactivate()
