"""Querysets of the investment app: stages as of a date, asked in the database."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from .choices import (
    AttractionProjectStageChoices as Stage,
    ChainLinkCoverageChoices as Coverage,
    TargetEnterpriseStageChoices as TargetStage,
)

# Each stage's date field, latest stage first; "negotiating" has no date.
STAGE_DATES = (
    ("in_production_on", Stage.IN_PRODUCTION),
    ("started_on", Stage.STARTED),
    ("signed_on", Stage.SIGNED),
)


class AttractionProjectQuerySet(models.QuerySet):
    def with_stage(self, as_of: datetime.date) -> AttractionProjectQuerySet:
        """Annotate ``stage_as_of``: the stage on ``as_of``, the same answer as
        ``AttractionProject.stage_on``. (Not ``stage``: that is the model's property for today.)"""
        return self.annotate(
            stage_as_of=Case(
                *(When(Q(**{f"{field}__lte": as_of}), then=Value(stage.value)) for field, stage in STAGE_DATES),
                default=Value(Stage.NEGOTIATING.value),
                output_field=models.CharField(max_length=20),
            )
        )

    @staticmethod
    def stage_condition(stage: str, as_of: datetime.date) -> Q:
        """The condition on the dates themselves for a stage of ``stage`` on ``as_of``; an
        unknown stage is a ValueError."""
        if stage not in Stage.values:
            raise ValueError(f"unknown stage {stage!r}")
        condition = Q()
        for field, later_stage in STAGE_DATES:
            if later_stage == stage:
                return condition & Q(**{f"{field}__lte": as_of})
            condition &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": as_of})
        return condition  # negotiating: not signed by then

    def in_stage(self, stage: str, as_of: datetime.date) -> AttractionProjectQuerySet:
        """Projects at ``stage`` on ``as_of``."""
        return self.filter(self.stage_condition(stage, as_of))

    def signed_by(self, as_of: datetime.date) -> AttractionProjectQuerySet:
        return self.filter(signed_on__lte=as_of)


# Each step of the lead pipeline with its date field, latest step first; "identified" (on the
# list, not contacted yet) has no date.
TARGET_STEP_DATES = (
    ("signed_on", TargetStage.SIGNED),
    ("negotiating_on", TargetStage.NEGOTIATING),
    ("visited_on", TargetStage.VISITED),
    ("contacted_on", TargetStage.CONTACTED),
)


def courted_condition(as_of: datetime.date, prefix: str = "") -> Q:
    """Target enterprises being courted on ``as_of``: contacted by then and not signed by then."""
    return Q(**{f"{prefix}contacted_on__lte": as_of}) & (
        Q(**{f"{prefix}signed_on__isnull": True}) | Q(**{f"{prefix}signed_on__gt": as_of})
    )


def signed_condition(as_of: datetime.date, prefix: str = "") -> Q:
    """Target enterprises signed on or before ``as_of``."""
    return Q(**{f"{prefix}signed_on__lte": as_of})


def coverage_from_counts(local_enterprises: int, courted: int, signed: int) -> str:
    """A link's coverage from its counts: covered with at least one local enterprise; else
    pursued with at least one target being courted or signed (a signed enterprise has not
    settled yet: the link stays pursued until the clerk records it among the local
    enterprises); else a gap. The rule of ``ChainLinkQuerySet.with_coverage``, in Python."""
    if local_enterprises > 0:
        return Coverage.COVERED
    if courted > 0 or signed > 0:
        return Coverage.PURSUED
    return Coverage.GAP


class TargetEnterpriseQuerySet(models.QuerySet):
    def with_stage(self, as_of: datetime.date) -> TargetEnterpriseQuerySet:
        """Annotate ``stage_as_of``: the latest step dated on or before ``as_of`` (else
        ``identified``), the same answer as ``TargetEnterprise.stage_on``."""
        return self.annotate(
            stage_as_of=Case(
                *(When(Q(**{f"{field}__lte": as_of}), then=Value(step.value)) for field, step in TARGET_STEP_DATES),
                default=Value(TargetStage.IDENTIFIED.value),
                output_field=models.CharField(max_length=20),
            )
        )

    @staticmethod
    def stage_condition(stage: str, as_of: datetime.date) -> Q:
        """The condition on the dates for being at ``stage`` on ``as_of`` (usable in a filter,
        unlike the annotation's alias in some joins); an unknown stage is a ValueError."""
        if stage not in TargetStage.values:
            raise ValueError(f"unknown stage {stage!r}")
        condition = Q()
        for field, step in TARGET_STEP_DATES:
            if step == stage:
                return condition & Q(**{f"{field}__lte": as_of})
            condition &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": as_of})
        return condition  # identified: not contacted by then

    def in_stage(self, stage: str, as_of: datetime.date) -> TargetEnterpriseQuerySet:
        return self.filter(self.stage_condition(stage, as_of))

    def courted_on(self, as_of: datetime.date) -> TargetEnterpriseQuerySet:
        """Targets contacted by ``as_of`` and not signed by then."""
        return self.filter(courted_condition(as_of))


class ChainLinkQuerySet(models.QuerySet):
    def with_coverage(self, as_of: datetime.date) -> ChainLinkQuerySet:
        """Annotate each link's ``local_enterprise_count``, ``courted_count`` (targets
        contacted by ``as_of`` and not signed by then), ``signed_count`` (targets signed by
        ``as_of``) and ``coverage_as_of`` (the rule of ``coverage_from_counts``), the same
        answer as ``ChainLink.coverage_on``. Counted in subqueries, so that the two lists
        do not multiply each other's rows and other annotations stay exact."""
        local_model = self.model._meta.get_field("local_enterprises").related_model
        target_model = self.model._meta.get_field("target_enterprises").related_model

        def count(model, condition: Q | None = None):
            rows = (
                model.objects.filter(condition or Q(), link=OuterRef("pk"))
                .order_by()
                .values("link")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows, output_field=models.IntegerField()), Value(0))

        return self.annotate(
            local_enterprise_count=count(local_model),
            courted_count=count(target_model, courted_condition(as_of)),
            signed_count=count(target_model, signed_condition(as_of)),
        ).annotate(
            coverage_as_of=Case(
                When(local_enterprise_count__gt=0, then=Value(Coverage.COVERED.value)),
                When(Q(courted_count__gt=0) | Q(signed_count__gt=0), then=Value(Coverage.PURSUED.value)),
                default=Value(Coverage.GAP.value),
                output_field=models.CharField(max_length=20),
            )
        )
