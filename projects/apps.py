from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Reference data, the year plan, key projects and special-bond reserves."""

    name = "projects"
    verbose_name = _("Key projects and bond reserves")

    def ready(self) -> None:
        # Connects the receiver that removes a deleted attachment's files (whoever deletes it:
        # the admin, the API, a record's cascade).
        # Registers the check of the OC4IDS id prefix (projects.E001).
        from . import (
            attachments,  # noqa: F401
            oc4ids,  # noqa: F401
        )
