"""API views of the projects app: queryset, serializer, filters — little else. Every list
costs a fixed number of queries whatever the page size (related rows are prefetched)."""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from jiaxian import periods
from jiaxian.api import DATE_PARAMETER_SCHEMA, Conflict, PreconditionFailed, body_version, claimed_version
from jiaxian.ledger_api import AsOfMixin, LedgerViewSet
from jiaxian.subqueries import ids_related
from projects import filtersets, models, review
from projects.choices import ReviewActionChoices

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


REVIEW_ERRORS = {
    400: OpenApiResponse(description="A return without a reason, or a malformed list of ids; nothing changed."),
    403: OpenApiResponse(
        description=(
            "Not the user's to take: another department's report (submit), or not bureau staff (approve, "
            "return); `detail` says which. Nothing changed."
        )
    ),
    409: OpenApiResponse(description="A report is not at a stage the action starts from; nothing changed."),
    412: OpenApiResponse(description="A report changed since the version read; nothing changed."),
}


class ReviewedViewSet(LedgerViewSet):
    """A ledger of reviewed records (``ReviewedMonth``) and their review (``projects.review``): a
    department clerk's entry is a draft until submitted, bureau staff's is approved as it saves;
    an approved record is locked for department clerks. ``…/<id>/submit/``, ``…/approve/``,
    ``…/return/`` act on one record (at the version of ``If-Match`` or the body's ``version``);
    the same paths without an id take a list of ``ids`` and act on all of them or on none. A
    subclass gives the actions their schema with ``review_schemas``."""

    def perform_create(self, serializer):
        self.check_written(serializer)
        model = serializer.Meta.model
        values = review.entry_values(
            self.request.user, serializer.validated_data.get(model.REVIEWED_AMOUNT), model=model
        )
        with transaction.atomic():
            report = serializer.save(**values)
            review.write_trail([review.entry_event(report, self.request.user)])

    def perform_update(self, serializer):
        self.check_written(serializer)
        self.check_unlocked(serializer.instance)
        model = type(serializer.instance)
        amount = serializer.validated_data.get(
            model.REVIEWED_AMOUNT, getattr(serializer.instance, model.REVIEWED_AMOUNT)
        )
        values = review.entry_values(self.request.user, amount, model=model)
        with transaction.atomic():
            self.claim(serializer.instance)
            report = serializer.save(**values)
            review.write_trail([review.entry_event(report, self.request.user)])

    def perform_destroy(self, instance):
        self.check_unlocked(instance)
        super().perform_destroy(instance)

    def check_unlocked(self, report) -> None:
        refused = review.entry_refusal(self.request.user, report)
        if refused:
            raise PermissionDenied(refused)

    def review(self, action: str, reports: list, reason: str, shown: dict | None) -> None:
        try:
            review.act(action, reports, self.request.user, reason, shown)
        except review.Refused as refused:
            detail = " ".join(refused.messages)
            if "forbidden" in refused.kinds:
                raise PermissionDenied(detail) from refused
            if "reason" in refused.kinds:
                raise ValidationError({"reason": refused.messages}) from refused
            if "stale" in refused.kinds:
                raise PreconditionFailed(detail) from refused
            raise Conflict(detail, code="review_stage") from refused

    def review_one(self, action: str, request):
        report = self.get_object()
        # The body first, as for an update: a malformed request is a 400 whatever its version.
        body = serializers.ReviewActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        header = request.headers.get("If-Match")
        shown = {report.pk: claimed_version(header, body_version(request.data), report.version)}
        self.review(action, [report], body.validated_data.get("reason", ""), shown)
        return Response(self.get_serializer(report).data)

    def review_many(self, action: str, request):
        body = serializers.ReviewBatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = body.validated_data["ids"]
        reports = list(self.get_queryset().filter(pk__in=ids))
        missing = sorted(set(ids) - {report.pk for report in reports})
        if missing:
            raise ValidationError(
                {"ids": [_("No such reports: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in missing)}]}
            )
        self.review(action, reports, body.validated_data.get("reason", ""), None)
        return Response(self.get_serializer(reports, many=True).data)

    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request, pk=None):
        return self.review_one(ReviewActionChoices.SUBMITTED, request)

    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        return self.review_one(ReviewActionChoices.APPROVED, request)

    @action(detail=True, methods=["post"], url_path="return", url_name="return", filter_backends=[])
    def return_report(self, request, pk=None):
        return self.review_one(ReviewActionChoices.RETURNED, request)

    @action(
        detail=False,
        methods=["post"],
        url_path="submit",
        url_name="submit-many",
        filter_backends=[],
        pagination_class=None,
    )
    def submit_many(self, request):
        return self.review_many(ReviewActionChoices.SUBMITTED, request)

    @action(
        detail=False,
        methods=["post"],
        url_path="approve",
        url_name="approve-many",
        filter_backends=[],
        pagination_class=None,
    )
    def approve_many(self, request):
        return self.review_many(ReviewActionChoices.APPROVED, request)

    @action(
        detail=False,
        methods=["post"],
        url_path="return",
        url_name="return-many",
        filter_backends=[],
        pagination_class=None,
    )
    def return_many(self, request):
        return self.review_many(ReviewActionChoices.RETURNED, request)


def review_schemas(serializer, prefix: str, one: str, many: str) -> dict:
    """The schema of a ``ReviewedViewSet``'s six actions (``extend_schema_view``): answered with
    ``serializer``, the batch operations' ids under ``prefix``, summaries naming ``one`` record
    or ``many``."""
    batch = {"request": serializers.ReviewBatchSerializer, "responses": {200: serializer(many=True), **REVIEW_ERRORS}}
    single = {"request": serializers.ReviewActionSerializer, "responses": {200: serializer, **REVIEW_ERRORS}}
    return {
        "submit": extend_schema(summary=f"Submit {one}", **single),
        "approve": extend_schema(summary=f"Approve {one}", **single),
        "return_report": extend_schema(summary=f"Return {one}", **single),
        "submit_many": extend_schema(operation_id=f"{prefix}_submit_many", summary=f"Submit {many}", **batch),
        "approve_many": extend_schema(operation_id=f"{prefix}_approve_many", summary=f"Approve {many}", **batch),
        "return_many": extend_schema(operation_id=f"{prefix}_return_many", summary=f"Return {many}", **batch),
    }


@extend_schema_view(**review_schemas(serializers.ProgressReportSerializer, "progress_reports", "a report", "reports"))
class ProgressReportViewSet(ReviewedViewSet):
    """Monthly reports and their review (``projects.review``): a department clerk's entry is a
    draft until submitted, bureau staff's is approved as it saves; an approved report is locked
    for department clerks. ``…/<id>/submit/``, ``…/approve/``, ``…/return/`` act on one report
    (at the version of ``If-Match`` or the body's ``version``); the same paths without an id
    take a list of ``ids`` and act on all of them or on none."""

    queryset = models.ProgressReport.objects.all()
    serializer_class = serializers.ProgressReportSerializer
    filterset_class = filtersets.ProgressReportFilterSet
    ordering_fields = ("month", "completed_investment")


class PlanIndicatorViewSet(LedgerViewSet):
    """The year plans' indicators; their figures are ``/api/reports/indicators/``'."""

    queryset = models.PlanIndicator.objects.all()
    serializer_class = serializers.PlanIndicatorSerializer
    filterset_class = filtersets.PlanIndicatorFilterSet
    ordering_fields = ("name", "target", "area")


@extend_schema_view(
    **review_schemas(serializers.IndicatorValueSerializer, "indicator_values", "an indicator value", "indicator values")
)
class IndicatorValueViewSet(ReviewedViewSet):
    """The indicators' monthly values and their review (``ReviewedViewSet``, ``projects.review``),
    reported by their indicator's unit."""

    # The indicator: its decimals and its unit's department (the rule) for a write's checks.
    queryset = models.IndicatorValue.objects.select_related("indicator__plan")
    serializer_class = serializers.IndicatorValueSerializer
    filterset_class = filtersets.IndicatorValueFilterSet
    ordering_fields = ("month", "value")


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
