"""What serving needs that maintenance does not: a secret key of its own.

The settings let ``manage.py check``, ``makemigrations`` and ``migrate`` run on a bare checkout
with a throwaway key; the WSGI and ASGI entry points call ``refuse_without_secret_key`` and do
not start without ``DJANGO_SECRET_KEY`` (with debug off), and ``check --deploy`` reports it.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MESSAGE = (
    "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off the app needs a secret key: "
    "set DJANGO_SECRET_KEY to a long random string, for example the output of "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
)


def refuse_without_secret_key() -> None:
    """Raise ImproperlyConfigured, saying what to set, when debug is off and no key was given."""
    if settings.SECRET_KEY_MISSING:
        raise ImproperlyConfigured(MESSAGE)


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """``check --deploy``: a deployment without DJANGO_SECRET_KEY is an error, not a warning."""
    if settings.SECRET_KEY_MISSING:
        return [checks.Error(MESSAGE, id="jiaxian.E001")]
    return []
