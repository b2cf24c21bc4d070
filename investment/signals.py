"""The investment app's receivers: a new year plan (``projects``, which never imports this app)
gets equal ranking weights."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from projects.models import YearPlan

from .models import RankingWeight


@receiver(post_save, sender=YearPlan, dispatch_uid="investment_seed_ranking_weights")
def seed_ranking_weights(sender, instance: YearPlan, created: bool, raw: bool = False, **kwargs) -> None:
    """Equal weights for a plan just created; not while loading fixtures (``raw``), whose
    weights, if any, come with them."""
    if created and not raw:
        RankingWeight.seed(instance)
