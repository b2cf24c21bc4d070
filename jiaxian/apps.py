from django.apps import AppConfig


class JiaxianConfig(AppConfig):
    """The project itself as an app, for its system checks and the abstract model base
    (``jiaxian.models``); it has no tables of its own."""

    name = "jiaxian"
    verbose_name = "Jiaxian"

    def ready(self):
        from . import serving  # noqa: F401  (registers the deploy check)
