"""Settings read from the environment: the refusals that protect a deployment."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import SystemCheckError

from jiaxian.settings import envbool, envlist
from jiaxian.tests.startup import check_deploy, clean_environment, settings_under

BASE_DIR = Path(__file__).resolve().parents[2]


SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def start_django(code: str = SETUP, **env):
    """Run ``code`` (by default: set Django up and print DEBUG) in a fresh interpreter with
    exactly ``env`` for the DJANGO_* and DATABASE_URL variables; returns the finished process.
    Only for what needs a real start: the rest reads the settings in this process
    (jiaxian.tests.startup)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=clean_environment(**env, DJANGO_SETTINGS_MODULE="jiaxian.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("entry_point", ["jiaxian.wsgi", "jiaxian.asgi"])
def test_debug_off_without_secret_key_refuses_to_start_and_says_what_to_set(entry_point):
    # A real start: the point is that the server's process stops.
    result = start_django(f"import {entry_point}", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    "command", [["check"], ["makemigrations", "--check", "--dry-run"]], ids=["check", "makemigrations"]
)
def test_maintenance_commands_run_on_a_bare_checkout(command):
    # Nothing set at all: what a tool or a newcomer runs first, in a real process (this one runs
    # with the test run's settings, a test database among them).
    result = start_django(
        f"import sys; from django.core.management import execute_from_command_line; "
        f"execute_from_command_line(['manage.py', *{command!r}])"
    )
    assert result.returncode == 0, result.stderr
    assert "DJANGO_SECRET_KEY" not in result.stderr


def test_check_deploy_without_secret_key_is_an_error_naming_it():
    with pytest.raises(SystemCheckError) as refused:
        check_deploy(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS="ledger.example.gov.cn")
    assert "jiaxian.E001" in str(refused.value)
    assert "DJANGO_SECRET_KEY is not set" in str(refused.value)


def test_debug_is_off_unless_asked():
    # A real start: the one proof that a started process takes its settings from its own
    # environment (the rest read jiaxian/settings.py in this process).
    result = start_django(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_debug_on_starts_without_a_secret_key():
    values = settings_under(DJANGO_DEBUG="1")
    assert values["DEBUG"] is True
    assert values["SECRET_KEY"] and not values["SECRET_KEY_MISSING"]


def test_unknown_database_url_scheme_is_refused_with_a_message():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        settings_under(DJANGO_DEBUG="1", DATABASE_URL="nosuchdb://somewhere/x")


def test_postgresql_connections_run_without_jit_unless_the_url_says_otherwise():
    url = "postgres://postgres@127.0.0.1:5432/jiaxian"
    database = settings_under(DJANGO_DEBUG="1", DATABASE_URL=url)["DATABASES"]["default"]
    assert database["OPTIONS"]["options"] == "-c jit=off"
    own = settings_under(DJANGO_DEBUG="1", DATABASE_URL=f"{url}?options=-c%20work_mem%3D64MB")
    assert own["DATABASES"]["default"]["OPTIONS"]["options"] == "-c work_mem=64MB"
    sqlite = settings_under(DJANGO_DEBUG="1", DATABASE_URL=None)["DATABASES"]["default"]
    assert "options" not in sqlite.get("OPTIONS", {})


@pytest.mark.django_db
def test_the_connection_has_jit_off_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize(
    "raw, expected", [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False), ("", False)]
)
def test_envbool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("JX_FLAG", raw)
    assert envbool("JX_FLAG", not expected) is expected


def test_envbool_refuses_nonsense_naming_the_variable(monkeypatch):
    monkeypatch.setenv("JX_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="JX_FLAG"):
        envbool("JX_FLAG", False)


def test_envbool_default_when_unset(monkeypatch):
    monkeypatch.delenv("JX_FLAG", raising=False)
    assert envbool("JX_FLAG", True) is True


def test_envlist_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("JX_HOSTS", " a.example , ,b.example,")
    assert envlist("JX_HOSTS", []) == ["a.example", "b.example"]


def test_chinese_is_the_default_language_and_shanghai_the_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
