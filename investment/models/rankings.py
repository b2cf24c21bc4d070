"""The weights of the rankings' indicators (``investment.rankings``), one row per year plan and
indicator, editable in the admin; a new plan gets equal weights (``investment.signals``)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import YearPlan

from ..choices import RankingIndicatorChoices


class RankingWeight(models.Model):
    """How much one indicator counts in the composite score of ``plan``'s rankings. Zero leaves
    the indicator out of the composite (its column is still shown); never negative."""

    DEFAULT = Decimal("1.00")

    plan = models.ForeignKey(YearPlan, models.CASCADE, verbose_name=_("year plan"), related_name="ranking_weights")
    indicator = models.CharField(_("indicator"), max_length=40, choices=RankingIndicatorChoices.choices)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=DEFAULT,
        help_text=_("Relative weight in the composite score; 0 leaves the indicator out of it."),
    )

    class Meta:
        ordering = ["plan", "indicator"]
        verbose_name = _("ranking weight")
        verbose_name_plural = _("ranking weights")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator"],
                name="%(app_label)s_%(class)s_unique_per_plan",
                violation_error_message=_("This plan already has a weight for this indicator."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="%(app_label)s_%(class)s_weight_non_negative",
                violation_error_message=_("A weight cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.get_indicator_display()}: {self.weight}"

    def clean(self):
        if self.weight is not None and self.weight < 0:
            raise ValidationError({"weight": _("A weight cannot be negative.")})

    @classmethod
    def seed(cls, plan: YearPlan) -> None:
        """Equal weights for every indicator ``plan`` has none for (one query to insert)."""
        cls.objects.bulk_create(
            [cls(plan=plan, indicator=value, weight=cls.DEFAULT) for value in RankingIndicatorChoices.values],
            ignore_conflicts=True,
        )
