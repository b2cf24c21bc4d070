"""API views of the investment app."""

from django.core.exceptions import (
    PermissionDenied as DjangoPermissionDenied,
    ValidationError as DjangoValidationError,
)
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from investment import dispatch, filtersets, models, notifications, quotas, rankings
from investment.choices import OrderReplyDecisionChoices
from investment.circular import CircularExporter
from investment.exporters import QuarterlyExporter
from investment.filings import download_response, file_circular, file_quarter
from investment.filtersets import AttractionProjectFilterSet, CircularFilingFilterSet, FilingFilterSet
from investment.pipeline import AlreadySigned, sign
from jiaxian import periods, versions
from jiaxian.api import (
    DATE_PARAMETER_SCHEMA,
    Conflict,
    DownloadNegotiation,
    PreconditionFailed,
    api_validation_error,
    body_version,
    claimed_version,
    if_match_versions,
    refused_version,
)
from jiaxian.api_defaults import ModelPermissions, SignedInWithPermissions
from jiaxian.exporting import CONTENT_TYPES, Format, export_response
from jiaxian.ledger_api import AsOfMixin, DepartmentRule, LedgerViewSet
from jiaxian.subqueries import ids_related
from jiaxian.versions import StaleVersion
from projects import indicators
from projects.models import NoPlan, YearPlan

from . import serializers
from .serializers import (
    AttractionProjectSerializer,
    CircularExportQuerySerializer,
    CircularFilingSerializer,
    FilingSerializer,
    PeriodQuerySerializer,
    QuarterlyExportQuerySerializer,
    QuotaReportQuerySerializer,
    QuotaReportSerializer,
    RankingsQuerySerializer,
    RankingsSerializer,
)


class AttractionProjectViewSet(LedgerViewSet):
    queryset = models.AttractionProject.objects.select_related("industry").annotate(
        successor_ids=ids_related(models.AttractionProject, "successors")
    )
    serializer_class = AttractionProjectSerializer
    filterset_class = AttractionProjectFilterSet
    ordering_fields = ("contract_amount", "fixed_asset_investment", "signed_on", "started_on", "name", "year")

    def get_queryset(self):
        queryset = super().get_queryset()
        # Only when reading: the 100-million rule asks the record's own amounts, which a write
        # may change; a write answers with the record as written, asked by the model.
        if self.request.method != "GET":
            return queryset
        return quotas.with_big_project(queryset)


class QuotaReportView(APIView):
    """``GET /api/reports/quotas/?year=Y&as_of=D&known_on=K``: every target of Y's plan as of D
    (default: today, or Y's last day when Y is past), the monthly progress as approved by the
    end of K (default: now); with ``include=indicators`` the plan's other targets too
    (``plan_indicators``, as ``/api/reports/indicators/``). 400 names a bad parameter; 404 when
    Y has no plan."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[serializers.QuotaReportIncludeSerializer], responses=QuotaReportSerializer)
    def get(self, request):
        query = serializers.QuotaReportIncludeSerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        year = query.validated_data["year"]
        try:
            plan = YearPlan.objects.saved(year)
        except NoPlan as missing:
            raise NotFound(str(missing)) from None
        as_of = query.validated_data.get("as_of") or periods.default_as_of(year)
        known_on = query.validated_data.get("known_on")
        context = {}
        if query.validated_data.get("include") == "indicators":
            context["plan_indicators"] = indicators.indicators_on(year, as_of, known_on)
        return Response(QuotaReportSerializer(quotas.report(plan, as_of, known_on), context=context).data)


class IndicatorReportView(APIView):
    """``GET /api/reports/indicators/?year=Y&as_of=D&known_on=K``: every indicator of Y's plan
    as of D (default: today, or Y's last day when Y is past), its monthly values as approved by
    the end of K (default: now), from ``projects.indicators``. 400 names a bad parameter; 404
    when Y has no plan."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[QuotaReportQuerySerializer], responses=serializers.IndicatorReportSerializer)
    def get(self, request):
        query = QuotaReportQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        year = query.validated_data["year"]
        try:
            YearPlan.objects.saved(year)
        except NoPlan as missing:
            raise NotFound(str(missing)) from None
        as_of = query.validated_data.get("as_of") or periods.default_as_of(year)
        known_on = query.validated_data.get("known_on")
        rows = indicators.indicators_on(year, as_of, known_on)
        data = {"year": year, "as_of": as_of, "known_on": known_on, "indicators": rows}
        return Response(serializers.IndicatorReportSerializer(data).data)


class ChainConversionView(APIView):
    """``GET /api/reports/chain-conversion/?year=Y&as_of=D``: the lead pipeline of every
    industrial chain for Y as of D (default: today, or Y's last day when Y is past), from
    ``quotas.chain_conversion``; informational, no plan needed. 400 names a bad parameter.
    Needs ``view_targetenterprise``."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[PeriodQuerySerializer],
        responses=serializers.ChainConversionReportSerializer,
        description=(
            "Per chain: its targets in play that year (not signed before it), how many reached negotiation, "
            "were signed, and whose attraction project started by `as_of`, with the funnel's ratios."
        ),
    )
    def get(self, request):
        if not request.user.has_perm("investment.view_targetenterprise"):
            raise PermissionDenied(_("The chains' conversion needs the permission investment.view_targetenterprise."))
        query = PeriodQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        year = query.validated_data["year"]
        as_of = query.validated_data.get("as_of") or periods.default_as_of(year)
        data = {"year": year, "as_of": as_of, "chains": quotas.chain_conversion(year, as_of)}
        return Response(serializers.ChainConversionReportSerializer(data).data)


class RankingsView(APIView):
    """``GET /api/reports/rankings/?year=Y&as_of=D&by=department|area``: the rankings of the
    departments or the areas on Y's plan as of D (default: today, or Y's last day when Y is
    past), from ``rankings.rankings``. 400 names a bad parameter; 404 when Y has no plan."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[RankingsQuerySerializer],
        responses=RankingsSerializer,
        description=(
            "Each unit's value, rank (ties share one) and 0–100 score on each indicator (null: nothing to rank "
            "it on), the composite of the scores with the year's weights, its rank, and the 红榜/黑榜."
        ),
    )
    def get(self, request):
        query = RankingsQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        year = query.validated_data["year"]
        try:
            plan = YearPlan.objects.saved(year)
        except NoPlan as missing:
            raise NotFound(str(missing)) from None
        as_of = query.validated_data.get("as_of") or periods.default_as_of(year)
        return Response(RankingsSerializer(rankings.rankings(plan, as_of, query.validated_data["by"])).data)


# --- the quarterly export and its filings --------------------------------------------------------

XLSX_TYPE = CONTENT_TYPES[Format.XLSX]
ZIP_TYPE = CONTENT_TYPES[Format.CSV]


class CanExportQuarter(SignedInWithPermissions):
    required = ("investment.export_quarter",)
    message = gettext_lazy("Exporting or filing the quarterly report needs the permission investment.export_quarter.")


class FilingPermissions(ModelPermissions):
    """Reading needs ``view_filing``; filing (POST) needs ``export_quarter``; PUT, PATCH and
    DELETE need nothing more than a signed-in user, who then gets 405: filings never change."""

    perms_map = {
        **ModelPermissions.perms_map,
        "POST": ["investment.export_quarter"],
        "PUT": [],
        "PATCH": [],
        "DELETE": [],
    }


BINARY_RESPONSES = {
    (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The workbook (format=xlsx)."),
    (200, ZIP_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="A zip of one CSV per sheet (format=csv)."),
}


class QuarterlyExportView(APIView):
    """``GET /api/exports/quarterly/?year=Y&quarter=Q&format=xlsx|csv``: the compliance export of
    Y's quarter Q as of its last day, streamed as a download (``X-Content-SHA256`` gives its
    checksum). 400 names a bad parameter; 404 when Y has no plan; 403 without
    ``investment.export_quarter``."""

    permission_classes = [CanExportQuarter]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        parameters=[QuarterlyExportQuerySerializer],
        responses=BINARY_RESPONSES,
        description="The quarterly compliance export, as of the quarter's last day.",
    )
    def get(self, request):
        query = QuarterlyExportQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        year, quarter = query.validated_data["year"], query.validated_data["quarter"]
        try:
            exporter = QuarterlyExporter.for_quarter(
                year, quarter, format=query.validated_data["format"], known_on=query.validated_data.get("known_on")
            )
        except NoPlan as missing:
            raise NotFound(str(missing)) from None
        return export_response(exporter)


class CircularExportView(APIView):
    """``GET /api/exports/circular/?year=Y&month=M&format=xlsx|csv``: the monthly rankings circular
    of Y's month M as of its last day (``investment.circular``), streamed as a download
    (``X-Content-SHA256`` gives its checksum). 400 names a bad parameter; 404 when Y has no plan.
    For every signed-in user, as the rankings are."""

    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        parameters=[CircularExportQuerySerializer],
        responses=BINARY_RESPONSES,
        description="The monthly rankings circular (红榜/黑榜, departments, areas), as of the month's last day.",
    )
    def get(self, request):
        query = CircularExportQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        data = query.validated_data
        try:
            exporter = CircularExporter.for_month(data["year"], data["month"], format=data["format"])
        except NoPlan as missing:
            raise NotFound(str(missing)) from None
        return export_response(exporter)


class FiledExportViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Filed exports (``models.FiledExport``): list and retrieve their records, download their
    bytes, and POST a period and a format to file a new version (``file``). Never changed nor
    deleted (405)."""

    model: type[models.FiledExport]

    def get_queryset(self):
        if self.action == "download":
            return self.model.objects.all()
        return self.model.objects.without_content()

    def file(self, data: dict, user) -> models.FiledExport:
        raise NotImplementedError

    def perform_create(self, serializer):
        try:
            filing = self.file(serializer.validated_data, self.request.user)
        except NoPlan as error:
            raise ValidationError({"year": [str(error)]}) from error
        serializer.instance = self.model.objects.without_content().get(pk=filing.pk)

    @extend_schema(responses=BINARY_RESPONSES, description="The filed bytes; X-Content-SHA256 is their SHA-256.")
    @action(detail=True, methods=["get"], content_negotiation_class=DownloadNegotiation, url_name="download")
    def download(self, request, pk=None):
        return download_response(self.get_object())


class FilingViewSet(FiledExportViewSet):
    """Filed quarterly exports: list and retrieve their records, download their bytes, and
    POST ``{year, quarter, format}`` to file a new version. Never changed nor deleted (405)."""

    model = models.Filing
    queryset = models.Filing.objects.without_content()
    serializer_class = FilingSerializer
    permission_classes = [FilingPermissions]
    filterset_class = FilingFilterSet

    def file(self, data, user):
        return file_quarter(data["year"], data["quarter"], data["format"], user)


class CircularFilingPermissions(FilingPermissions):
    """Reading needs ``view_circularfiling``; filing (POST) needs ``file_circular``."""

    perms_map = {**FilingPermissions.perms_map, "POST": ["investment.file_circular"]}


class CircularFilingViewSet(FiledExportViewSet):
    """Filed monthly circulars: list and retrieve their records, download their bytes, and
    POST ``{year, month, format}`` to file a new version. Never changed nor deleted (405)."""

    model = models.CircularFiling
    queryset = models.CircularFiling.objects.without_content()
    serializer_class = CircularFilingSerializer
    permission_classes = [CircularFilingPermissions]
    filterset_class = CircularFilingFilterSet

    def file(self, data, user):
        return file_circular(data["year"], data["month"], data["format"], user)


# --- industrial chains and their lists -------------------------------------------------------------


class IndustrialChainViewSet(LedgerViewSet):
    queryset = models.IndustrialChain.objects.prefetch_related("industries", "links")
    serializer_class = serializers.IndustrialChainSerializer
    filterset_class = filtersets.IndustrialChainFilterSet
    ordering_fields = ("name",)


class ChainLinkViewSet(LedgerViewSet):
    """Links with their coverage today, annotated in the list's one query."""

    queryset = models.ChainLink.objects.all()
    serializer_class = serializers.ChainLinkSerializer
    filterset_class = filtersets.ChainLinkFilterSet
    ordering_fields = ("chain", "position", "order", "name")

    def get_queryset(self):
        return super().get_queryset().with_coverage(periods.today())


class CanSign(SignedInWithPermissions):
    """Signing changes the target and creates an attraction project: it needs both permissions."""

    required = ("investment.change_targetenterprise", "investment.add_attractionproject")
    message = gettext_lazy(
        "Signing needs the permissions investment.change_targetenterprise and investment.add_attractionproject."
    )


class TargetEnterpriseViewSet(LedgerViewSet):
    """Target enterprises; ``POST …/<id>/sign/`` signs one (the lead pipeline's last step)."""

    queryset = models.TargetEnterprise.objects.select_related("link")
    serializer_class = serializers.TargetEnterpriseSerializer
    filterset_class = filtersets.TargetEnterpriseFilterSet
    ordering_fields = ("company", "contacted_on", "last_contact_on", "signed_on")

    @extend_schema(
        summary="Sign a target enterprise",
        description=(
            "Signs the target on `signed_on` and creates its attraction project, linked both ways, in one "
            "transaction: the company as investor, the link, the chain's industry (when it has one) and lead "
            "leader carried over, the body's fields on top. 400 names each bad field (the project's, or "
            "`signed_on` before the negotiation began or without the earlier steps); 409 when the target is "
            "signed already; 412 when `If-Match` names a version other than the target's. Needs "
            "`change_targetenterprise` and `add_attractionproject`."
        ),
        request=serializers.TargetSigningSerializer,
        parameters=[
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                description='The target\'s version read, as in its ETag ("3"); a stale one is refused with 412.',
            )
        ],
        responses={
            201: AttractionProjectSerializer,
            409: OpenApiResponse(description="Signed already; nothing was written."),
            412: OpenApiResponse(description="The target changed since the version sent; nothing written."),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CanSign, DepartmentRule], filter_backends=[])
    def sign(self, request, pk=None):
        target = self.get_object()
        # The body first, as for an update: a malformed request is a 400 whatever its version.
        query = serializers.TargetSigningSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        expected = claimed_version(request.headers.get("If-Match"), None, target.version)
        fields = dict(query.validated_data)
        signed_on = fields.pop("signed_on")
        try:
            project = sign(target, signed_on=signed_on, user=request.user, expected_version=expected, **fields)
        except AlreadySigned as exc:
            raise Conflict(str(exc), code="already_signed") from exc
        except StaleVersion as exc:
            raise PreconditionFailed(
                _("The target was changed by someone else (now version %(now)s). Reload it and sign again.")
                % {"now": exc.current}
            ) from exc
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc
        project = self._signed_project(project.pk)
        data = AttractionProjectSerializer(project, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @staticmethod
    def _signed_project(pk: int) -> models.AttractionProject:
        return quotas.with_big_project(AttractionProjectViewSet.queryset).get(pk=pk)


class LocalEnterpriseViewSet(LedgerViewSet):
    queryset = models.LocalEnterprise.objects.select_related("link")
    serializer_class = serializers.LocalEnterpriseSerializer
    filterset_class = filtersets.LocalEnterpriseFilterSet
    ordering_fields = ("company", "annual_output", "employees")


class CarrierViewSet(LedgerViewSet):
    queryset = models.Carrier.objects.all()
    serializer_class = serializers.CarrierSerializer
    filterset_class = filtersets.CarrierFilterSet
    ordering_fields = ("name", "size", "price")


class PolicyViewSet(LedgerViewSet):
    queryset = models.Policy.objects.prefetch_related("chains")
    serializer_class = serializers.PolicySerializer
    filterset_class = filtersets.PolicyFilterSet
    ordering_fields = ("name", "valid_from", "valid_until")


class ResponsibilityViewSet(LedgerViewSet):
    queryset = models.Responsibility.objects.prefetch_related(
        Prefetch("target_enterprises", queryset=models.TargetEnterprise.objects.only("pk"))
    )
    serializer_class = serializers.ResponsibilitySerializer
    filterset_class = filtersets.ResponsibilityFilterSet
    ordering_fields = ("person",)


ORDER_AS_OF = OpenApiParameter(
    "as_of",
    DATE_PARAMETER_SCHEMA,
    description=(
        f"The date of the stage and the overdue flag, and of their filters (YYYY-MM-DD, in the years "
        f"{periods.YEAR_MIN} to {periods.YEAR_MAX}); default today."
    ),
)


class OrderReplyPermissions(ModelPermissions):
    """An order's replies (``…/supervision-orders/<id>/replies/``) by the replies' model
    permissions: reading them needs ``view_orderreply``, replying ``add_orderreply``."""

    def _queryset(self, view):
        return models.OrderReply.objects.all()


class MayDecide(permissions.BasePermission):
    """Accepting or returning a reply: the issuers' (``investment.dispatch.may_decide``)."""

    message = dispatch.DECIDE_REFUSAL

    def has_permission(self, request, view):
        return dispatch.may_decide(request.user)


ORDER_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description=(
        "The order's version read, as in its ETag (\"3\"); it counts its replies' changes too. A stale one is "
        "refused with 412."
    ),
)

DECISION_RESPONSES = {
    200: serializers.SupervisionOrderSerializer,
    400: OpenApiResponse(
        description="`decided_on` in the future or before the reply, a return without a `comment`; nothing changed."
    ),
    403: OpenApiResponse(description="Not the issuer's or bureau staff's to decide; nothing changed."),
    409: OpenApiResponse(description="No reply awaits a decision (the order is not replied); nothing changed."),
    412: OpenApiResponse(description="The order or its replies changed since the version read; nothing changed."),
}


@extend_schema_view(list=extend_schema(parameters=[ORDER_AS_OF]), retrieve=extend_schema(parameters=[ORDER_AS_OF]))
class SupervisionOrderViewSet(AsOfMixin, LedgerViewSet):
    """Supervision orders; a list's ``stage`` and ``overdue`` (and their filters) as of
    ``?as_of=`` (default today). The creator is the order's ``issued_by``. ``…/<id>/replies/``
    lists the order's replies and takes a new one (its department's clerks, bureau staff);
    ``…/<id>/accept/`` and ``…/return/`` decide the reply that awaits a decision
    (``investment.dispatch``), at the order's version (``If-Match`` or the body's ``version``)."""

    queryset = models.SupervisionOrder.objects.annotate(reply_ids=ids_related(models.SupervisionOrder, "replies"))
    serializer_class = serializers.SupervisionOrderSerializer
    filterset_class = filtersets.SupervisionOrderFilterSet
    ordering_fields = ("year", "number", "issued_on", "due_on")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve"):
            return queryset.with_stage(self.as_of)
        return queryset

    def perform_create(self, serializer):
        serializer.save(issued_by=self.request.user)

    def order_answer(self, pk: int) -> Response:
        """The order as it now stands, its stage as of today."""
        order = self.queryset.with_stage(self.as_of).get(pk=pk)
        return Response(self.get_serializer(order).data)

    @extend_schema(
        methods=["GET"],
        summary="The replies to an order",
        description="The order's replies in turn (as `/api/order-replies/?order=<id>` gives them), not paginated.",
        responses=serializers.OrderReplySerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply to an order",
        description=(
            "A reply of the order's department (its clerks, or bureau staff): `text`, and `replied_on` (default "
            "today). Replies come in turn: 400 naming `replied_on` while the one before awaits its decision, "
            "before its return, or once one was accepted. 403 naming the department for another department's "
            "order; 412 when `If-Match` names a version other than the order's."
        ),
        request=serializers.OrderReplyCreationSerializer,
        parameters=[ORDER_IF_MATCH],
        responses={
            201: serializers.OrderReplySerializer,
            412: OpenApiResponse(description="The order changed since the version sent; nothing written."),
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[OrderReplyPermissions, DepartmentRule],
        filter_backends=[],
        pagination_class=None,
    )
    def replies(self, request, pk=None):
        order = self.get_object()
        if request.method == "GET":
            replies = models.OrderReply.objects.filter(order=order)
            return Response(serializers.OrderReplySerializer(replies, many=True).data)
        context = {**self.get_serializer_context(), "order": order}
        body = serializers.OrderReplyCreationSerializer(data=request.data, context=context)
        body.is_valid(raise_exception=True)
        # A creation's body version is not a claim (as on every creation); If-Match is the order's.
        header = request.headers.get("If-Match")
        with transaction.atomic():
            try:
                versions.claim(order, claimed_version(header, None, order.version))
            except StaleVersion as stale:
                named = if_match_versions(header) is not None
                raise refused_version(stale.expected if named else None, stale.current) from stale
            reply = body.save()
        data = serializers.OrderReplySerializer(reply, context=context).data
        return Response(data, status=status.HTTP_201_CREATED)

    def decide(self, request, decision: str) -> Response:
        order = self.get_object()
        # The body first, as for an update: a malformed request is a 400 whatever its version.
        body = serializers.OrderDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        header, sent = request.headers.get("If-Match"), body_version(request.data)
        expected = claimed_version(header, sent, order.version)
        try:
            dispatch.decide(order, decision, user=request.user, expected_version=expected, **body.validated_data)
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused)) from refused
        except dispatch.NotAwaitingDecision as exc:
            raise Conflict(str(exc), code="order_stage") from exc
        except StaleVersion as stale:
            named = sent is not None or if_match_versions(header) is not None
            raise refused_version(stale.expected if named else None, stale.current) from stale
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc
        return self.order_answer(order.pk)

    @extend_schema(
        summary="Accept the reply",
        description=(
            "Accepts the reply that awaits a decision, on `decided_on` (default today): the order is closed. "
            "Needs `investment.decide_orderreply` (the issuers: county leaders, bureau staff)."
        ),
        request=serializers.OrderDecisionSerializer,
        parameters=[ORDER_IF_MATCH],
        responses=DECISION_RESPONSES,
    )
    @action(detail=True, methods=["post"], permission_classes=[MayDecide], filter_backends=[])
    def accept(self, request, pk=None):
        return self.decide(request, OrderReplyDecisionChoices.ACCEPTED)

    @extend_schema(
        summary="Return the reply",
        description=(
            "Returns the reply that awaits a decision, with a `comment` the department sees, on `decided_on` "
            "(default today): the order is open again and awaits a new reply. Needs "
            "`investment.decide_orderreply` (the issuers: county leaders, bureau staff)."
        ),
        request=serializers.OrderDecisionSerializer,
        parameters=[ORDER_IF_MATCH],
        responses=DECISION_RESPONSES,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        permission_classes=[MayDecide],
        filter_backends=[],
    )
    def return_reply(self, request, pk=None):
        return self.decide(request, OrderReplyDecisionChoices.RETURNED)


class OrderReplyViewSet(LedgerViewSet):
    """The replies to supervision orders: a department's clerks reply to their departments'
    orders; the issuers accept or return a reply (``decision``, ``decided_on``, ``comment``;
    or the order's ``accept`` and ``return`` actions)."""

    queryset = models.OrderReply.objects.all()
    serializer_class = serializers.OrderReplySerializer
    filterset_class = filtersets.OrderReplyFilterSet
    ordering_fields = ("replied_on", "decided_on")


# --- dispatch meetings ---------------------------------------------------------------------------------


class CanIssueOrders(SignedInWithPermissions):
    """转督办 issues an order: the orders' add permission (bureau staff, county leaders)."""

    required = (dispatch.ISSUE_PERMISSION, "investment.view_meetingdecision")
    message = gettext_lazy(
        "Turning a decision into an order needs the permissions investment.add_supervisionorder and "
        "investment.view_meetingdecision."
    )


class CanKeepDecisions(ModelPermissions):
    """A meeting's ``…/decisions/``: read with the decisions' view permission, add with their add
    permission (the meeting's own permissions say nothing about its decisions)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        needed = "view" if request.method in permissions.SAFE_METHODS else "add"
        return user.has_perm(f"investment.{needed}_meetingdecision")


class DispatchMeetingViewSet(LedgerViewSet):
    """Dispatch meetings; ``…/<id>/decisions/`` lists and adds a meeting's decisions, and
    ``…/<id>/decisions/<decision id>/to-order/`` turns one into a supervision order (转督办)."""

    queryset = models.DispatchMeeting.objects.prefetch_related("departments_present", "projects_discussed").annotate(
        decision_ids=ids_related(models.DispatchMeeting, "decisions")
    )
    serializer_class = serializers.DispatchMeetingSerializer
    filterset_class = filtersets.DispatchMeetingFilterSet
    ordering_fields = ("held_on",)

    @extend_schema(
        methods=["get"],
        summary="A meeting's decisions",
        responses={200: serializers.MeetingDecisionSerializer(many=True)},
    )
    @extend_schema(
        methods=["post"],
        summary="Add a decision to a meeting",
        request=serializers.MeetingDecisionSerializer,
        responses={201: serializers.MeetingDecisionSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[CanKeepDecisions, DepartmentRule],
        filter_backends=[],
        pagination_class=None,
    )
    def decisions(self, request, pk=None):
        meeting = self.get_object()
        context = self.get_serializer_context()
        if request.method == "GET":
            decisions = meeting.decisions.select_related("order")
            return Response(serializers.MeetingDecisionSerializer(decisions, many=True, context=context).data)
        if not isinstance(request.data, dict):
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [_("Send an object of fields.")]})
        # The meeting is the path's, whatever the body says.
        serializer = serializers.MeetingDecisionSerializer(
            data={**request.data, "meeting": meeting.pk}, context=context
        )
        serializer.is_valid(raise_exception=True)
        self.check_object_permissions(request, self.as_written(serializer))
        decision = serializer.save()
        return Response(serializers.MeetingDecisionSerializer(decision, context=context).data, status=201)

    @extend_schema(
        summary="Turn a decision into a supervision order (转督办)",
        description=(
            "Issues an order to the decision's department about its key project, due on the decision's date "
            "(or `due_on`), issued today (or `issued_on`) by the user, and links the two (the decision's "
            "`order`). 400 names the field: a decision without a key project, one already turned (`order`), "
            "a due date before the issue date; 412 when `If-Match` or `version` names another version of the "
            "decision. Needs `add_supervisionorder`."
        ),
        request=serializers.DecisionToOrderSerializer,
        parameters=[
            OpenApiParameter("decision_id", int, OpenApiParameter.PATH, description="The decision's id."),
            OpenApiParameter(
                "If-Match",
                str,
                OpenApiParameter.HEADER,
                description='The decision\'s version read, as in its ETag ("3"); a stale one is refused with 412.',
            ),
        ],
        responses={
            201: serializers.SupervisionOrderSerializer,
            412: OpenApiResponse(description="The decision changed since the version sent; nothing written."),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"decisions/(?P<decision_id>[0-9]{1,18})/to-order",
        url_name="decision-to-order",
        permission_classes=[CanIssueOrders],
        filter_backends=[],
    )
    def to_order(self, request, pk=None, decision_id=None):
        meeting = self.get_object()
        decision = (
            models.MeetingDecision.objects.select_related("meeting", "order")
            .filter(meeting=meeting, pk=decision_id)
            .first()
        )
        if decision is None:
            raise NotFound(_("The meeting has no decision %(id)s.") % {"id": decision_id})
        body = serializers.DecisionToOrderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        expected = claimed_version(request.headers.get("If-Match"), fields.pop("version", None), decision.version)
        try:
            order = dispatch.order_from_decision(decision, request.user, version=expected, **fields)
        except StaleVersion as exc:
            raise PreconditionFailed(
                _("The decision was changed by someone else (now version %(now)s). Reload it and try again.")
                % {"now": exc.current}
            ) from exc
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc
        order = SupervisionOrderViewSet.queryset.with_stage(periods.today()).get(pk=order.pk)
        data = serializers.SupervisionOrderSerializer(order, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class MeetingDecisionViewSet(LedgerViewSet):
    """The meetings' decisions, each with the order it became (``order``, read-only)."""

    queryset = models.MeetingDecision.objects.select_related("order")
    serializer_class = serializers.MeetingDecisionSerializer
    filterset_class = filtersets.MeetingDecisionFilterSet
    ordering_fields = ("due_on",)


# --- the signed-in person's notifications ------------------------------------------------------


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The signed-in person's own notifications, the newest first (``?unread=true``: those not
    read yet); someone else's is a 404, whoever asks. Marked read by POSTing to ``read/``
    (one) or ``read-all/`` (every unread one). Made by ``manage.py send_reminders``, never by
    the API."""

    queryset = models.Notification.objects.select_related("content_type")
    serializer_class = serializers.NotificationSerializer
    filterset_class = filtersets.NotificationFilterSet
    # Each person's own: no model permission to ask, only to be signed in (get_queryset).
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return super().get_queryset().filter(user=self.request.user)

    @extend_schema(request=None, responses={200: serializers.NotificationSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        notification = self.get_object()
        notifications.mark_read(models.Notification.objects.filter(pk=notification.pk), timezone.now())
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: serializers.MarkedReadSerializer})
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request):
        marked = notifications.mark_read(self.get_queryset(), timezone.now())
        return Response({"marked": marked})
