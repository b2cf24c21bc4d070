from django.apps import AppConfig


class JiaxianConfig(AppConfig):
    """The project itself as an app, for its system checks; it has no models."""

    name = "jiaxian"
    verbose_name = "Jiaxian"

    def ready(self):
        from . import serving  # noqa: F401  (registers the deploy check)
