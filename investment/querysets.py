"""Querysets of the investment app: stages as of a date, asked in the database."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from projects.models import YearPlan

from .choices import AttractionProjectStageChoices as Stage

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

    def with_big_project(self) -> AttractionProjectQuerySet:
        """Annotate ``big_project``: the 100-million-yuan rule of the plan of each
        project's year (the default minimums for a year with no plan). Same answer as
        ``AttractionProject.is_big_project``."""
        defaults = YearPlan()

        def minimum(field: str):
            plan_value = YearPlan.objects.filter(year=OuterRef("year")).values(field)[:1]
            return Coalesce(Subquery(plan_value), Value(getattr(defaults, field)), output_field=models.DecimalField())

        return self.annotate(
            big_project=Case(
                When(
                    Q(contract_amount__gte=minimum("big_project_contract_min"))
                    & Q(fixed_asset_investment__gte=minimum("big_project_fixed_asset_min")),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )
