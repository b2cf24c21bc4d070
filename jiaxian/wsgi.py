"""WSGI entry point: ``gunicorn jiaxian.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaxian.settings")

from jiaxian.serving import refuse_without_secret_key  # noqa: E402  (needs the settings module set)

refuse_without_secret_key()
application = get_wsgi_application()
