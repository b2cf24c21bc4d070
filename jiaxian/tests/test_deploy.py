"""A deployment's safety: ``check --deploy`` clean with only the secret key and the hosts set,
each secure default relaxable through the environment, static files from WhiteNoise, rate limits
on the API and the token endpoint, and failed admin logins throttled."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import SystemCheckError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from jiaxian.settings import envint, envrate
from jiaxian.tests.startup import PRODUCTION, check_deploy, clean_environment, setting

BASE_DIR = Path(__file__).resolve().parents[2]


def run(*args: str, **env) -> subprocess.CompletedProcess:
    """``args`` run in a fresh interpreter from the project folder with exactly ``env`` for the
    DJANGO_* and DATABASE_URL variables (none of the test run's)."""
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=clean_environment(**env), capture_output=True, text=True, timeout=120
    )


# --- check --deploy (in this process: jiaxian.tests.startup) --------------------------------------


def test_check_deploy_is_clean_with_only_the_secret_key_and_the_hosts():
    printed = check_deploy()
    assert "WARNINGS" not in printed
    assert "System check identified no issues" in printed


@pytest.mark.parametrize(
    "env, warning",
    [
        ({"DJANGO_SECURE_SSL_REDIRECT": "0"}, "security.W008"),
        ({"DJANGO_HSTS_SECONDS": "0"}, "security.W004"),
        ({"DJANGO_SESSION_COOKIE_SECURE": "no"}, "security.W012"),
        ({"DJANGO_CSRF_COOKIE_SECURE": "off"}, "security.W016"),
        ({"DJANGO_HSTS_INCLUDE_SUBDOMAINS": "0"}, "security.W005"),
    ],
)
def test_the_environment_relaxes_each_secure_default(env, warning):
    with pytest.raises(SystemCheckError) as refused:
        check_deploy(**env)
    assert warning in str(refused.value)


def test_the_secure_defaults_with_debug_off():
    assert setting("SECURE_SSL_REDIRECT") == "True"
    assert setting("SESSION_COOKIE_SECURE") == "True"
    assert setting("CSRF_COOKIE_SECURE") == "True"
    assert setting("SECURE_HSTS_SECONDS") == "31536000"
    assert setting("SECURE_PROXY_SSL_HEADER") == "None"
    assert setting("X_FRAME_OPTIONS") == "'DENY'"
    assert "CompressedManifestStaticFilesStorage" in setting("STORAGES")


def test_debug_on_keeps_plain_http_and_plain_static_files():
    assert setting("SECURE_SSL_REDIRECT", DJANGO_DEBUG="1") == "False"
    assert setting("SECURE_HSTS_SECONDS", DJANGO_DEBUG="1") == "0"
    assert "CompressedManifestStaticFilesStorage" not in setting("STORAGES", DJANGO_DEBUG="1")


def test_behind_a_tls_proxy_the_forwarded_protocol_is_trusted_only_when_asked():
    assert (
        setting("SECURE_PROXY_SSL_HEADER", DJANGO_SECURE_PROXY_SSL_HEADER="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"
    )
    assert setting("CSRF_TRUSTED_ORIGINS", DJANGO_CSRF_TRUSTED_ORIGINS="https://a.example, https://b.example") == (
        "['https://a.example', 'https://b.example']"
    )


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DJANGO_HSTS_SECONDS", "a year"),
        ("DJANGO_HSTS_SECONDS", "-1"),
        ("DJANGO_LOGIN_FAILURE_LIMIT", "0"),
        ("DJANGO_TRUSTED_PROXY_COUNT", "-1"),
        ("DJANGO_TRUSTED_PROXY_COUNT", "two"),
        ("DJANGO_TRUSTED_PROXY_COUNT", "1.5"),
        ("DJANGO_THROTTLE_USER", "lots"),
        ("DJANGO_THROTTLE_TOKEN", "10/fortnight"),
    ],
)
def test_nonsense_in_a_number_or_a_rate_stops_the_start_naming_the_variable(variable, value):
    with pytest.raises(ImproperlyConfigured, match=variable):
        check_deploy(**{variable: value})


def test_no_proxy_is_trusted_unless_the_deployment_says_how_many():
    assert setting("TRUSTED_PROXY_COUNT") == "0"
    assert setting("TRUSTED_PROXY_COUNT", DJANGO_TRUSTED_PROXY_COUNT="2") == "2"


def test_envint_reads_whole_numbers_and_refuses_the_rest(monkeypatch):
    monkeypatch.setenv("JX_NUMBER", " 42 ")
    assert envint("JX_NUMBER", 1) == 42
    monkeypatch.delenv("JX_NUMBER")
    assert envint("JX_NUMBER", 7) == 7
    for nonsense in ("", "4.5", "1e3", "四", "-3"):
        monkeypatch.setenv("JX_NUMBER", nonsense)
        with pytest.raises(ImproperlyConfigured, match="JX_NUMBER"):
            envint("JX_NUMBER", 1)
    monkeypatch.setenv("JX_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        envint("JX_NUMBER", 5, minimum=1)


def test_envrate_reads_drf_rates(monkeypatch):
    monkeypatch.setenv("JX_RATE", "100/hour")
    assert envrate("JX_RATE", "1/s") == "100/hour"
    monkeypatch.setenv("JX_RATE", "5 / minute")
    assert envrate("JX_RATE", "1/s") == "5/minute"
    monkeypatch.setenv("JX_RATE", "hourly")
    with pytest.raises(ImproperlyConfigured, match="JX_RATE"):
        envrate("JX_RATE", "1/s")


# --- static files ---------------------------------------------------------------------------------


def test_whitenoise_comes_right_after_the_security_headers(settings):
    # The content policy before WhiteNoise, so that static files carry it too.
    assert settings.MIDDLEWARE[:3] == [
        "django.middleware.security.SecurityMiddleware",
        "csp.middleware.CSPMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def test_the_admin_css_is_served_without_collecting_in_development(client):
    answer = client.get("/static/admin/css/base.css")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content if answer.streaming else [answer.content])


def test_collected_static_files_are_served_hashed_and_compressed_with_debug_off(tmp_path):
    # Real processes, as a deployment runs them: WhiteNoise indexes the collected files and the
    # storage reads the manifest when the process starts; in this one both were built already
    # for the test run's debug-on settings.
    env = {**PRODUCTION, "DJANGO_STATIC_ROOT": str(tmp_path), "DJANGO_ALLOWED_HOSTS": "testserver"}
    collected = run("manage.py", "collectstatic", "--noinput", "-v0", **env)
    assert collected.returncode == 0, collected.stderr
    script = (
        "import django; django.setup()\n"
        "from django.templatetags.static import static\n"
        "from django.test import Client\n"
        "url = static('admin/css/base.css')\n"
        "answer = Client().get(url, HTTP_ACCEPT_ENCODING='gzip', secure=True)\n"
        "print(url, answer.status_code, answer.headers.get('Content-Encoding'), answer.headers.get('Cache-Control'))\n"
    )
    result = run("-c", script, DJANGO_SETTINGS_MODULE="jiaxian.settings", **env)
    assert result.returncode == 0, result.stderr
    url, status, encoding, cache_control = result.stdout.split(maxsplit=3)
    assert url.startswith("/static/admin/css/base.") and url != "/static/admin/css/base.css"  # hashed
    assert (status, encoding) == ("200", "gzip")
    assert "immutable" in cache_control


# --- API rate limits ------------------------------------------------------------------------------


@pytest.fixture
def rates(settings):
    """Set the API's rates for one test (the throttles read them at each request)."""

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates


def test_a_user_past_the_rate_is_answered_429_with_retry_after(db, rates, admin_user):
    rates(user="3/minute")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")

    statuses = [client.get("/api/industries/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/industries/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    # Another user still has the whole rate.
    other = APIClient()
    other.force_authenticate(User.objects.create_superuser("other"))
    assert other.get("/api/industries/").status_code == 200


class OpenToAll(APIView):
    """A view anybody may read, with the API's default throttles: none of the API's is (the schema
    needs a login too; the token endpoint has its own rate)."""

    permission_classes = [AllowAny]

    def get(self, request):
        return Response({})


def test_anonymous_requests_have_their_own_rate(db, rates):
    """What anybody may read is throttled per address; a request refused for want of credentials
    (the API's resources and its schema) is refused before it is counted."""
    rates(anon="1/hour")
    assert [APIClient().get("/api/industries/").status_code for _ in range(2)] == [401, 401]
    assert [APIClient().get("/api/schema/").status_code for _ in range(2)] == [401, 401]
    open_to_all = OpenToAll.as_view()
    assert [open_to_all(APIRequestFactory().get("/open/")).status_code for _ in range(2)] == [200, 429]


def test_the_token_endpoint_gives_a_token_and_has_its_own_stricter_rate(db, rates):
    rates(token="2/minute", anon="1000/hour")
    User.objects.create_user("clerk", password="pw-Jiaxian-2023")
    client = APIClient()

    good = client.post("/api/token/", {"username": "clerk", "password": "pw-Jiaxian-2023"}, format="json")
    bad = client.post("/api/token/", {"username": "clerk", "password": "guess"}, format="json")
    third = client.post("/api/token/", {"username": "clerk", "password": "pw-Jiaxian-2023"}, format="json")

    assert good.status_code == 200 and good.data["token"] == Token.objects.get(user__username="clerk").key
    assert bad.status_code == 400
    assert third.status_code == 429


def test_the_default_rates_are_generous_for_users_and_strict_for_tokens(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "user": "2000/hour",
        "anon": "100/hour",
        "token": "10/minute",
    }


def test_the_schema_documents_429_and_the_token_endpoint(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()
    assert "429" in schema["paths"]["/api/industries/"]["get"]["responses"]
    assert "429" in schema["paths"]["/api/token/"]["post"]["responses"]


# --- failed admin logins --------------------------------------------------------------------------

PASSWORD = "pw-Jiaxian-2023"


@pytest.fixture
def staff(db):
    User.objects.create_user("clerk", password=PASSWORD, is_staff=True)
    User.objects.create_user("other", password=PASSWORD, is_staff=True)


def log_in(client, username, password, address="10.0.0.1"):
    answer = client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address)
    return "ok" if answer.status_code == 302 else answer.content.decode()


@pytest.fixture
def limit(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 10
    settings.LANGUAGE_CODE = "en"


def test_after_n_failures_even_the_right_password_is_refused_with_a_clear_message(client, staff, limit):
    for _ in range(3):
        assert "correct username and password" in log_in(client, "clerk", "wrong")

    refused = log_in(client, "clerk", PASSWORD)

    assert "Too many failed logins for this username. Try again in 10 minutes" in refused
    assert "_auth_user_id" not in client.session


def test_other_usernames_and_other_addresses_are_unaffected(client, staff, limit):
    for _ in range(3):
        log_in(client, "clerk", "wrong")
    assert log_in(client, "other", PASSWORD) == "ok"
    client.logout()
    assert log_in(client, "clerk", PASSWORD, address="10.0.0.2") == "ok"


def test_a_success_resets_the_count(client, staff, limit):
    log_in(client, "clerk", "wrong")
    log_in(client, "clerk", "wrong")
    assert log_in(client, "clerk", PASSWORD) == "ok"
    client.logout()
    log_in(client, "clerk", "wrong")
    log_in(client, "clerk", "wrong")
    assert log_in(client, "clerk", PASSWORD) == "ok"


def test_the_refusal_ends_with_the_window(client, staff, limit, monkeypatch):
    import time

    from django.core.cache.backends import locmem

    for _ in range(3):
        log_in(client, "clerk", "wrong")
    assert "Too many failed logins" in log_in(client, "clerk", PASSWORD)
    now = time.time()
    monkeypatch.setattr(locmem.time, "time", lambda: now + 10 * 60 + 1)
    assert log_in(client, "clerk", PASSWORD) == "ok"
