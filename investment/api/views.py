"""API views of the investment app."""

import hashlib
import tempfile

from django.http import FileResponse
from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, permissions
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from investment import quotas
from investment.exporters import NoPlan, QuarterlyExporter
from investment.filings import download_response, file_quarter
from investment.filtersets import AttractionProjectFilterSet, FilingFilterSet
from investment.models import AttractionProject, Filing
from jiaxian import periods
from jiaxian.api import LedgerViewSet
from jiaxian.api_defaults import ModelPermissions
from jiaxian.exporting import CONTENT_TYPES, Format
from projects.models import YearPlan

from .serializers import (
    AttractionProjectSerializer,
    FilingSerializer,
    QuarterlyExportQuerySerializer,
    QuotaReportQuerySerializer,
    QuotaReportSerializer,
)


class AttractionProjectViewSet(LedgerViewSet):
    queryset = AttractionProject.objects.select_related("industry").prefetch_related("successors").with_big_project()
    serializer_class = AttractionProjectSerializer
    filterset_class = AttractionProjectFilterSet
    ordering_fields = ("contract_amount", "fixed_asset_investment", "signed_on", "started_on", "name", "year")


class QuotaReportView(APIView):
    """``GET /api/reports/quotas/?year=Y&as_of=D``: every target of Y's plan as of D
    (default: today, or Y's last day when Y is past). 400 names a bad parameter; 404 when
    Y has no plan."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[QuotaReportQuerySerializer], responses=QuotaReportSerializer)
    def get(self, request):
        query = QuotaReportQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        year = query.validated_data["year"]
        plan = YearPlan.objects.filter(year=year).first()
        if plan is None:
            raise NotFound(_("There is no year plan for %(year)s.") % {"year": year})
        as_of = query.validated_data.get("as_of") or periods.default_as_of(year)
        return Response(QuotaReportSerializer(quotas.report(plan, as_of)).data)


# --- the quarterly export and its filings --------------------------------------------------------

XLSX_TYPE = CONTENT_TYPES[Format.XLSX]
ZIP_TYPE = CONTENT_TYPES[Format.CSV]


class CanExportQuarter(permissions.BasePermission):
    """Signed in with ``investment.export_quarter``."""

    message = gettext_lazy("Exporting or filing the quarterly report needs the permission investment.export_quarter.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("investment.export_quarter"))


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


class DownloadNegotiation(BaseContentNegotiation):
    """For the views that answer with a file: the file is the answer whatever the ``Accept``
    header says, and ``format`` is the export's parameter (xlsx or csv), not DRF's renderer
    override; errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


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
        description="The quarterly compliance export (DESIGN.md §7), as of the quarter's last day.",
    )
    def get(self, request):
        query = QuarterlyExportQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        year, quarter = query.validated_data["year"], query.validated_data["quarter"]
        plan = YearPlan.objects.filter(year=year).first()
        if plan is None:
            raise NotFound(_("There is no year plan for %(year)s.") % {"year": year})
        exporter = QuarterlyExporter(plan, quarter, format=query.validated_data["format"])
        # Written to a temporary file, then streamed from it: memory stays bounded at any size.
        target = tempfile.TemporaryFile()
        exporter.write(target)
        target.seek(0)
        digest = hashlib.sha256()
        for block in iter(lambda: target.read(1 << 20), b""):
            digest.update(block)
        target.seek(0)
        response = FileResponse(
            target, as_attachment=True, filename=exporter.filename, content_type=exporter.content_type
        )
        response["X-Content-SHA256"] = digest.hexdigest()
        return response


class FilingViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Filed quarterly exports: list and retrieve their records, download their bytes, and
    POST ``{year, quarter, format}`` to file a new version. Never changed nor deleted (405)."""

    queryset = Filing.objects.without_content()
    serializer_class = FilingSerializer
    permission_classes = [FilingPermissions]
    filterset_class = FilingFilterSet

    def get_queryset(self):
        if self.action == "download":
            return Filing.objects.all()
        return super().get_queryset()

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            filing = file_quarter(data["year"], data["quarter"], data["format"], self.request.user)
        except NoPlan as error:
            raise ValidationError({"year": [str(error)]}) from error
        serializer.instance = Filing.objects.without_content().get(pk=filing.pk)

    @extend_schema(responses=BINARY_RESPONSES, description="The filed bytes; X-Content-SHA256 is their SHA-256.")
    @action(detail=True, methods=["get"], content_negotiation_class=DownloadNegotiation, url_name="download")
    def download(self, request, pk=None):
        return download_response(self.get_object())
