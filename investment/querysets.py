"""Querysets of the investment app: stages as of a date, asked in the database."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Case, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from jiaxian.steps import DatedSteps, DaysAfter
from jiaxian.subqueries import count_related

from .choices import (
    AttractionProjectStageChoices as Stage,
    ChainLinkCoverageChoices as Coverage,
    OrderReplyDecisionChoices as Decision,
    SupervisionOrderStageChoices as OrderStage,
    TargetEnterpriseStageChoices as TargetStage,
)


class AttractionProjectQuerySet(models.QuerySet):
    # The stages in order, each reached on its date (the model's ``STAGES`` too);
    # "negotiating" has no date: it is the stage before the signing.
    STAGES = DatedSteps(
        ("signed_on", Stage.SIGNED),
        ("started_on", Stage.STARTED),
        ("in_production_on", Stage.IN_PRODUCTION),
        before=Stage.NEGOTIATING,
        noun="stage",
    )

    def with_stage(self, as_of: datetime.date) -> AttractionProjectQuerySet:
        """Annotate ``stage_as_of``: the stage on ``as_of``, the same answer as
        ``AttractionProject.stage_on``. (Not ``stage``: that is the model's property for today.)"""
        return self.annotate(stage_as_of=self.STAGES.annotation(as_of))

    @staticmethod  # a static method, so that the manager has it too (as_manager copies functions)
    def stage_condition(stage: str, as_of: datetime.date) -> Q:
        """The condition on the dates themselves for a stage of ``stage`` on ``as_of``; an
        unknown stage is a ValueError."""
        return AttractionProjectQuerySet.STAGES.condition(stage, as_of)

    def in_stage(self, stage: str, as_of: datetime.date) -> AttractionProjectQuerySet:
        """Projects at ``stage`` on ``as_of``."""
        return self.filter(self.stage_condition(stage, as_of))

    def signed_by(self, as_of: datetime.date) -> AttractionProjectQuerySet:
        return self.filter(signed_on__lte=as_of)


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
    # The steps of the lead pipeline in order, each reached on its date (the model's ``STEPS``
    # too); "identified" (on the list, not contacted yet) has no date.
    STEPS = DatedSteps(
        ("contacted_on", TargetStage.CONTACTED),
        ("visited_on", TargetStage.VISITED),
        ("negotiating_on", TargetStage.NEGOTIATING),
        ("signed_on", TargetStage.SIGNED),
        before=TargetStage.IDENTIFIED,
        noun="stage",
    )

    def with_stage(self, as_of: datetime.date) -> TargetEnterpriseQuerySet:
        """Annotate ``stage_as_of``: the latest step dated on or before ``as_of`` (else
        ``identified``), the same answer as ``TargetEnterprise.stage_on``."""
        return self.annotate(stage_as_of=self.STEPS.annotation(as_of))

    @staticmethod  # a static method, so that the manager has it too (as_manager copies functions)
    def stage_condition(stage: str, as_of: datetime.date) -> Q:
        """The condition on the dates for being at ``stage`` on ``as_of`` (usable in a filter,
        unlike the annotation's alias in some joins); an unknown stage is a ValueError."""
        return TargetEnterpriseQuerySet.STEPS.condition(stage, as_of)

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
        return self.annotate(
            local_enterprise_count=count_related(self.model, "local_enterprises"),
            courted_count=count_related(self.model, "target_enterprises", courted_condition(as_of)),
            signed_count=count_related(self.model, "target_enterprises", signed_condition(as_of)),
        ).annotate(
            coverage_as_of=Case(
                When(local_enterprise_count__gt=0, then=Value(Coverage.COVERED.value)),
                When(Q(courted_count__gt=0) | Q(signed_count__gt=0), then=Value(Coverage.PURSUED.value)),
                default=Value(Coverage.GAP.value),
                output_field=models.CharField(max_length=20),
            )
        )


class SupervisionOrderQuerySet(models.QuerySet):
    """Supervision orders' stage as of a day, from the latest reply replied by then: none, or one
    returned by then, leaves the order open; one accepted by then closes it; one not decided by
    then is replied. An order issued after the day has no stage yet (null). The rule of
    ``SupervisionOrder.stage_on``, in the page's query."""

    def with_stage(self, as_of: datetime.date) -> SupervisionOrderQuerySet:
        """Annotate ``stage_as_of``, ``overdue_as_of`` (not closed by ``as_of`` and due before
        it) and ``overdue_days_as_of`` (``as_of`` − due date in days when overdue, else null),
        the answers of ``stage_on``, ``is_overdue_on`` and ``overdue_days_on``."""
        # The replies' model through the relation: the models import this module, not the reverse.
        replies = self.model._meta.get_field("replies").related_model
        latest = (
            replies._default_manager.filter(order=OuterRef("pk"), replied_on__lte=as_of)
            .order_by("-replied_on", "-id")
            .annotate(
                stage=Case(
                    When(decided_on__lte=as_of, decision=Decision.ACCEPTED, then=Value(OrderStage.CLOSED)),
                    When(decided_on__lte=as_of, decision=Decision.RETURNED, then=Value(OrderStage.OPEN)),
                    default=Value(OrderStage.REPLIED),
                )
            )
            .values("stage")[:1]
        )
        stage = Case(
            When(issued_on__gt=as_of, then=Value(None)),
            default=Coalesce(Subquery(latest), Value(OrderStage.OPEN)),
            output_field=models.CharField(max_length=10),
        )
        annotated = self.annotate(stage_as_of=stage)
        overdue = Q(issued_on__lte=as_of, due_on__lt=as_of) & ~Q(stage_as_of=OrderStage.CLOSED)
        return annotated.annotate(
            overdue_as_of=Case(
                When(overdue, then=Value(True)), default=Value(False), output_field=models.BooleanField()
            ),
            overdue_days_as_of=Case(
                When(overdue, then=DaysAfter("due_on", as_of)), default=None, output_field=models.IntegerField()
            ),
        )

    def with_last_reply(self, as_of: datetime.date) -> SupervisionOrderQuerySet:
        """Annotate ``last_replied_on``: the day of the latest reply replied on or before
        ``as_of`` (null without one), whatever its decision."""
        replies = self.model._meta.get_field("replies").related_model._default_manager
        return self.annotate(
            last_replied_on=Subquery(
                replies.filter(order=OuterRef("pk"), replied_on__lte=as_of)
                .order_by()
                .values("order")
                .annotate(last=Max("replied_on"))
                .values("last"),
                output_field=models.DateField(),
            )
        )
