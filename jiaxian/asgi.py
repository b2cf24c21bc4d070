"""ASGI entry point, for servers that speak ASGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiaxian.settings")

from jiaxian.serving import refuse_without_secret_key  # noqa: E402  (needs the settings module set)

refuse_without_secret_key()
application = get_asgi_application()
