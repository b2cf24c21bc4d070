from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    """Investment attraction: attraction projects, and later chains, quotas and exports."""

    name = "investment"
    verbose_name = _("Investment attraction")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
