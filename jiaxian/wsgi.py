"""WSGI entry point: ``gunicorn jiaxian.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaxian.settings")

application = get_wsgi_application()
