"""Serializers of the projects app: fields as the models have them, checks in the models,
derived values read-only."""

from django.utils.translation import gettext as _, gettext_lazy
from rest_framework import serializers

from jiaxian import periods
from jiaxian.api import (
    RECORD_FIELDS,
    IdListField,
    RelatedIdsField,
    StrictCharField,
    StrictIntegerField,
    ValidatedModelSerializer,
)
from jiaxian.representing import QuickRepresentation
from projects import models
from projects.choices import KeyProjectWarningChoices, ReviewStageChoices


class IndustrySerializer(ValidatedModelSerializer):
    class Meta:
        model = models.Industry
        fields = ("id", "code", "name", "is_key", *RECORD_FIELDS)


class AreaSerializer(ValidatedModelSerializer):
    class Meta:
        model = models.Area
        fields = ("id", "code", "name", "kind", *RECORD_FIELDS)


class DepartmentSerializer(ValidatedModelSerializer):
    class Meta:
        model = models.Department
        fields = ("id", "code", "name", *RECORD_FIELDS)


class SectorSerializer(ValidatedModelSerializer):
    class Meta:
        model = models.Sector
        fields = ("id", "code", "name", *RECORD_FIELDS)


class YearPlanSerializer(ValidatedModelSerializer):
    """A year's targets; a POST of ``{"year": Y}`` alone takes the default figures."""

    year = StrictIntegerField(min_value=periods.YEAR_MIN, max_value=periods.YEAR_MAX)

    class Meta:
        model = models.YearPlan
        fields = "__all__"

    def validate_year(self, value):
        # The year is the plan's address (/api/plans/2023/): it is chosen once.
        if self.instance is not None and value != self.instance.year:
            raise serializers.ValidationError(
                _("The year of a plan cannot be changed; make a plan for the other year.")
            )
        if self.instance is None and models.YearPlan.objects.filter(year=value).exists():
            raise serializers.ValidationError(_("A plan for %(year)s already exists.") % {"year": value})
        return value


class AnnualListingSerializer(ValidatedModelSerializer):
    """One key project's place on one year's list (``/api/annual-listings/``)."""

    class Meta:
        model = models.AnnualListing
        fields = ("id", "project", "year", "category", "planned_investment", "listed_on", *RECORD_FIELDS)


class ListingInProjectSerializer(QuickRepresentation, serializers.ModelSerializer):
    """A listing as shown inside its key project (read-only; write through annual-listings)."""

    class Meta:
        model = models.AnnualListing
        fields = ("id", "year", "category", "planned_investment", "listed_on", "version")
        read_only_fields = fields


class KeyProjectSerializer(ValidatedModelSerializer):
    """A key project with its annual listings (read-only here), its predecessor's and its
    successors' ids (in the order of their ids), and, as of today or the ``?as_of=`` of a read:
    its warning light and its open and overdue problems (annotated by the viewset's query; a
    record just created is asked by the model, with the same rules)."""

    listings = ListingInProjectSerializer(many=True, read_only=True)
    successors = RelatedIdsField("successors", "successor_ids")
    warning = serializers.SerializerMethodField(
        help_text=gettext_lazy("The warning light (green, yellow or red) as of today or ?as_of=.")
    )
    open_problems = serializers.SerializerMethodField(help_text=gettext_lazy("Problems open as of today or ?as_of=."))
    overdue_problems = serializers.SerializerMethodField(
        help_text=gettext_lazy("Problems open and past their due date as of today or ?as_of=.")
    )

    class Meta:
        model = models.KeyProject
        fields = "__all__"

    @property
    def as_of(self):
        return self.context.get("as_of") or periods.today()

    def get_warning(self, obj) -> KeyProjectWarningChoices:
        # A list's light is annotated; a detail's decided from its annotated figures; a record
        # just created is asked by the model.
        annotated = getattr(obj, "warning", None) or obj.warning_from_figures(self.as_of)
        return annotated if annotated is not None else obj.warning_on(self.as_of)

    def get_open_problems(self, obj) -> int:
        annotated = getattr(obj, "open_problems", None)
        return annotated if annotated is not None else obj.problems.open_on(self.as_of).count()

    def get_overdue_problems(self, obj) -> int:
        annotated = getattr(obj, "overdue_problems", None)
        return annotated if annotated is not None else obj.problems.overdue_on(self.as_of).count()


class MilestoneSerializer(ValidatedModelSerializer):
    """A key project's milestone (``/api/milestones/``)."""

    class Meta:
        model = models.Milestone
        fields = ("id", "project", "kind", "name", "planned_on", "done_on", "department", "note", *RECORD_FIELDS)


class ProgressReportSerializer(ValidatedModelSerializer):
    """One month's completed investment of a key project (``/api/progress-reports/``);
    ``month`` is the month's first day. Its review (``stage`` and the times of the latest
    submission, approval and return, the approved amount, the reason of a return) is read-only:
    the actions ``submit``, ``approve`` and ``return`` write it (``projects.review``)."""

    stage = serializers.ChoiceField(
        choices=ReviewStageChoices.choices,
        read_only=True,
        help_text="The review stage: the latest of submitted, approved and returned (draft before any).",
    )

    class Meta:
        model = models.ProgressReport
        fields = (
            "id",
            "project",
            "month",
            "completed_investment",
            "note",
            "stage",
            "submitted_at",
            "approved_at",
            "approved_investment",
            "returned_at",
            "return_reason",
            *RECORD_FIELDS,
        )


class PlanIndicatorSerializer(ValidatedModelSerializer):
    """One quantified target of a year plan (``/api/plan-indicators/``) with its responsible
    unit; its figures are ``/api/reports/indicators/``'."""

    class Meta:
        model = models.PlanIndicator
        fields = (
            "id",
            "plan",
            "area",
            "name",
            "unit",
            "target",
            "comparison",
            "accumulation",
            "frequency",
            "decimals",
            "department",
            "leader",
            "source",
            *RECORD_FIELDS,
        )


class IndicatorValueSerializer(ValidatedModelSerializer):
    """An indicator's value for one month (``/api/indicator-values/``); ``month`` is the month's
    first day. Its review is read-only, written by the actions ``submit``, ``approve`` and
    ``return`` as a progress report's (``projects.review``)."""

    stage = serializers.ChoiceField(
        choices=ReviewStageChoices.choices,
        read_only=True,
        help_text="The review stage: the latest of submitted, approved and returned (draft before any).",
    )

    class Meta:
        model = models.IndicatorValue
        fields = (
            "id",
            "indicator",
            "month",
            "value",
            "note",
            "stage",
            "submitted_at",
            "approved_at",
            "approved_value",
            "returned_at",
            "return_reason",
            *RECORD_FIELDS,
        )


class ReviewActionSerializer(serializers.Serializer):
    """The body of a review action on one report (the path's): the reason of a return."""

    reason = StrictCharField(
        required=False, allow_blank=True, max_length=2000, help_text="Why the report is returned (return only)."
    )


class ReviewBatchSerializer(ReviewActionSerializer):
    """The body of a review action on several reports: their ids, and the reason of a return."""

    ids = IdListField(help_text="The reports (their ids); the action is taken on all of them or on none.")


class ProblemSerializer(ValidatedModelSerializer):
    """A key project's problem record (``/api/problems/``)."""

    class Meta:
        model = models.Problem
        fields = (
            "id",
            "project",
            "description",
            "raised_on",
            "department",
            "due_on",
            "resolved_on",
            "resolution",
            *RECORD_FIELDS,
        )


class BondReserveSerializer(ValidatedModelSerializer):
    """A special-bond reserve; ``status`` (today) and ``coverage_ratio`` are derived."""

    # ``coverage_warning`` is derived too: annotated by the viewset's query when reading; a
    # record just written is asked by the model, with the same rule.

    status = serializers.SerializerMethodField()
    coverage_ratio = serializers.DecimalField(max_digits=12, decimal_places=4, read_only=True, allow_null=True)
    coverage_warning = serializers.SerializerMethodField(
        help_text=gettext_lazy("True when the coverage ratio is below the warning ratio of its year's plan.")
    )

    class Meta:
        model = models.BondReserve
        fields = "__all__"

    def get_status(self, obj) -> str | None:
        return obj.status_on(periods.today())

    def get_coverage_warning(self, obj) -> bool:
        annotated = getattr(obj, "has_coverage_warning", None)
        return annotated if annotated is not None else obj.coverage_warning()
