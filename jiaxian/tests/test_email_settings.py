"""The e-mail settings read from the environment (docs/notifications.md): DJANGO_EMAIL_URL, or
the variables one by one, the console in debug, and the refusals that name the variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from jiaxian.tests.startup import settings_under

SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
FIELDS = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD")


def email(**env):
    found = settings_under(DJANGO_DEBUG="1", **env)
    return tuple(found.get(name) for name in FIELDS) + (found.get("EMAIL_USE_TLS"), found.get("EMAIL_USE_SSL"))


@pytest.mark.parametrize(
    "url, expected",
    [
        ("smtp://mail.example:2525", (SMTP, "mail.example", 2525, "", "", False, False)),
        ("smtp://u:p@mail.example", (SMTP, "mail.example", 25, "u", "p", False, False)),
        ("smtp+tls://a%40b.cn:p%40ss%3A1@mail.example", (SMTP, "mail.example", 587, "a@b.cn", "p@ss:1", True, False)),
        ("SMTP+SSL://u:p@mail.example:994", (SMTP, "mail.example", 994, "u", "p", False, True)),
    ],
)
def test_an_email_url_gives_the_server_its_port_login_and_encryption(url, expected):
    assert email(DJANGO_EMAIL_URL=url) == expected


def test_console_url_prints_the_messages():
    assert settings_under(DJANGO_DEBUG="0", DJANGO_EMAIL_URL="console://")["EMAIL_BACKEND"] == CONSOLE


@pytest.mark.parametrize(
    "url, says",
    [
        ("http://mail.example", "must start with smtp://"),
        ("smtp://mail.example:port", "port that is not a number"),
        ("smtp://", "names no host"),
    ],
)
def test_a_bad_email_url_is_refused_naming_the_variable(url, says):
    with pytest.raises(ImproperlyConfigured, match=f"DJANGO_EMAIL_URL.*{says}|{says}"):
        settings_under(DJANGO_DEBUG="1", DJANGO_EMAIL_URL=url)


def test_the_variables_one_by_one():
    assert email(
        DJANGO_EMAIL_HOST="smtp.example",
        DJANGO_EMAIL_HOST_USER="u",
        DJANGO_EMAIL_HOST_PASSWORD="p",
        DJANGO_EMAIL_USE_TLS="1",
    ) == (SMTP, "smtp.example", 587, "u", "p", True, False)
    assert email(DJANGO_EMAIL_HOST="smtp.example", DJANGO_EMAIL_PORT="26")[2] == 26


def test_debug_prints_and_production_sends_by_smtp_when_nothing_is_set():
    assert email()[0] == CONSOLE
    assert settings_under(DJANGO_DEBUG="0")["EMAIL_BACKEND"] == SMTP


def test_tls_and_ssl_together_are_refused():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_EMAIL_USE_TLS"):
        settings_under(DJANGO_DEBUG="1", DJANGO_EMAIL_USE_TLS="1", DJANGO_EMAIL_USE_SSL="1")


def test_the_sender_and_the_attempts(monkeypatch):
    monkeypatch.setenv("REMINDER_MAX_ATTEMPTS", "3")
    found = settings_under(DJANGO_DEBUG="1", DJANGO_DEFAULT_FROM_EMAIL="提醒 <remind@example.invalid>")
    assert (found["DEFAULT_FROM_EMAIL"], found["REMINDER_MAX_ATTEMPTS"]) == ("提醒 <remind@example.invalid>", 3)
    monkeypatch.setenv("REMINDER_MAX_ATTEMPTS", "0")
    with pytest.raises(ImproperlyConfigured, match="REMINDER_MAX_ATTEMPTS"):
        settings_under(DJANGO_DEBUG="1")
