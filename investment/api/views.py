"""API views of the investment app."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from investment import quotas
from investment.filtersets import AttractionProjectFilterSet
from investment.models import AttractionProject
from jiaxian import periods
from jiaxian.api import LedgerViewSet
from projects.models import YearPlan

from .serializers import AttractionProjectSerializer, QuotaReportQuerySerializer, QuotaReportSerializer


class AttractionProjectViewSet(LedgerViewSet):
    queryset = AttractionProject.objects.select_related("industry").with_big_project()
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
