"""API views of the projects app: queryset, serializer, filters — little else. Every list
costs a fixed number of queries whatever the page size (related rows are prefetched)."""

from django.db.models import Prefetch
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from jiaxian import periods
from jiaxian.api import DATE_PARAMETER_SCHEMA
from jiaxian.ledger_api import AsOfMixin, LedgerViewSet
from jiaxian.subqueries import ids_related
from projects import filtersets, models

from . import serializers


class IndustryViewSet(LedgerViewSet):
    queryset = models.Industry.objects.all()
    serializer_class = serializers.IndustrySerializer
    filterset_class = filtersets.IndustryFilterSet
    ordering_fields = ("code", "name")


class AreaViewSet(LedgerViewSet):
    queryset = models.Area.objects.all()
    serializer_class = serializers.AreaSerializer
    filterset_class = filtersets.AreaFilterSet
    ordering_fields = ("code", "name")


class DepartmentViewSet(LedgerViewSet):
    queryset = models.Department.objects.all()
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet
    ordering_fields = ("code", "name")


class SectorViewSet(LedgerViewSet):
    queryset = models.Sector.objects.all()
    serializer_class = serializers.SectorSerializer
    filterset_class = filtersets.SectorFilterSet
    ordering_fields = ("code", "name")


class YearPlanViewSet(LedgerViewSet):
    """Year plans, looked up by year: ``/api/plans/2023/``."""

    queryset = models.YearPlan.objects.all()
    serializer_class = serializers.YearPlanSerializer
    filterset_class = filtersets.YearPlanFilterSet
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"
    ordering_fields = ("year",)


AS_OF = OpenApiParameter(
    "as_of",
    DATE_PARAMETER_SCHEMA,
    description=(
        f"The date of the warning light and the problem counts (YYYY-MM-DD, in the years {periods.YEAR_MIN} "
        f"to {periods.YEAR_MAX}); default today."
    ),
)


@extend_schema_view(list=extend_schema(parameters=[AS_OF]), retrieve=extend_schema(parameters=[AS_OF]))
class KeyProjectViewSet(AsOfMixin, LedgerViewSet):
    """Key projects; each with its warning light and problem counts as of ``?as_of=`` (default
    today), annotated in the list's one query (the plan of that date's year is one more). A
    detail reads its light's figures and its plan's thresholds in its one query instead, and a
    write answers with those read (today's: nothing the write changes goes into them)."""

    queryset = models.KeyProject.objects.prefetch_related(
        Prefetch("listings", queryset=models.AnnualListing.objects.order_by("year"))
    ).annotate(successor_ids=ids_related(models.KeyProject, "successors"))
    serializer_class = serializers.KeyProjectSerializer
    filterset_class = filtersets.KeyProjectFilterSet
    ordering_fields = ("name", "total_investment", "started_on", "planned_completion_on", "completed_on")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset.with_warning(self.as_of, self.plan).with_problem_counts(self.as_of)
        if self.action in ("retrieve", "update", "partial_update"):
            return queryset.with_warning_figures(self.as_of).with_problem_counts(self.as_of)
        return queryset

    @cached_property
    def plan(self) -> models.YearPlan:
        """The plan whose thresholds the lights follow: that of ``as_of``'s year."""
        return models.YearPlan.for_year(self.as_of.year)


class MilestoneViewSet(LedgerViewSet):
    queryset = models.Milestone.objects.all()
    serializer_class = serializers.MilestoneSerializer
    filterset_class = filtersets.MilestoneFilterSet
    ordering_fields = ("planned_on", "done_on")


class ProgressReportViewSet(LedgerViewSet):
    queryset = models.ProgressReport.objects.all()
    serializer_class = serializers.ProgressReportSerializer
    filterset_class = filtersets.ProgressReportFilterSet
    ordering_fields = ("month", "completed_investment")


class ProblemViewSet(LedgerViewSet):
    queryset = models.Problem.objects.all()
    serializer_class = serializers.ProblemSerializer
    filterset_class = filtersets.ProblemFilterSet
    ordering_fields = ("raised_on", "due_on", "resolved_on")


class AnnualListingViewSet(LedgerViewSet):
    # No join of the key projects: the listing shows its project by id.
    queryset = models.AnnualListing.objects.all()
    serializer_class = serializers.AnnualListingSerializer
    filterset_class = filtersets.AnnualListingFilterSet
    ordering_fields = ("year", "planned_investment", "listed_on")


class BondReserveViewSet(LedgerViewSet):
    queryset = models.BondReserve.objects.all()
    serializer_class = serializers.BondReserveSerializer
    filterset_class = filtersets.BondReserveFilterSet
    ordering_fields = ("name", "year", "total_investment", "bond_demand", "reserved_on", "issued_on")

    def get_queryset(self):
        queryset = super().get_queryset()
        # Only when reading: a write answers with the record as written, asked by the model.
        if self.request.method != "GET":
            return queryset
        return queryset.with_coverage_warning()
