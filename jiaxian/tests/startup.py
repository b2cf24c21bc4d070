"""The settings as a process started with a given environment would read them, without starting
one (a fresh interpreter costs a second or more; these cost milliseconds).

``settings_under(**env)`` runs ``jiaxian/settings.py`` afresh with exactly ``env`` for the DJANGO_*
and DATABASE_URL variables (none of the test run's) and returns what it defines;
``check_deploy(**env)`` runs ``check --deploy --fail-level WARNING`` in this process against those
settings. The few tests whose point is the process itself (refusing to start, a bare checkout,
static files collected and then served) still start one, and say why.
"""

from __future__ import annotations

import os
import runpy
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

import jiaxian.settings

SETTINGS_FILE = Path(jiaxian.settings.__file__)
SECRET = "k7Qx2vN9pL4mR8sT1wY6zB3cF5hJ0dG2aE9uI7oP4qW1eR6tY8uZ3xC5vB7nM2lK"
PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "invest.example.gov.cn"}


def clean_environment(**env: str | None) -> dict[str, str]:
    """This process's environment less every DJANGO_* variable and DATABASE_URL, plus ``env``
    (a variable given as None stays unset)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    clean.update({k: v for k, v in env.items() if v is not None})
    return clean


def settings_under(**env: str | None) -> dict[str, Any]:
    """The settings (upper-case names) that ``jiaxian/settings.py`` defines under ``env``; what it
    raises (ImproperlyConfigured) is raised. The environment is this process's again afterwards."""
    with mock.patch.dict(os.environ, clean_environment(**env), clear=True):
        return _read_settings()


def _read_settings() -> dict[str, Any]:
    namespace = runpy.run_path(str(SETTINGS_FILE))
    return {k: v for k, v in namespace.items() if k.isupper() and not k.startswith("_")}


def setting(name: str, **env: str | None) -> str:
    """The repr of one setting under ``env`` (production unless overridden)."""
    return repr(settings_under(**{**PRODUCTION, **env})[name])


def check_deploy(**env: str | None) -> str:
    """``manage.py check --deploy --fail-level WARNING`` under ``env`` (production unless
    overridden), in this process: the settings that differ from the test run's are overridden for
    the check, and the environment is the one given while it runs (some checks read it, such as
    Django's refusal of DJANGO_ALLOW_ASYNC_UNSAFE, which the browser tests set). Returns what it
    printed; raises SystemCheckError when it finds an issue, and ImproperlyConfigured when the
    settings refuse the environment, as the real start would."""
    out, err = StringIO(), StringIO()
    with mock.patch.dict(os.environ, clean_environment(**{**PRODUCTION, **env}), clear=True):
        values = _read_settings()
        # The same apps: overriding them would rebuild the app registry, and nothing reads them differently.
        assert values.pop("INSTALLED_APPS") == settings.INSTALLED_APPS
        # The checks do not open the database (no --database); the test run's is a test database.
        values.pop("DATABASES")
        changed = {k: v for k, v in values.items() if getattr(settings, k, object()) != v}
        with override_settings(**changed):
            call_command("check", "--deploy", "--fail-level", "WARNING", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()
