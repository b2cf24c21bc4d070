"""The investment app's resources for the one router under /api/, and its other routes."""

from django.urls import path

from .chain_map import ChainMapView
from .views import (
    AttractionProjectViewSet,
    CarrierViewSet,
    ChainConversionView,
    ChainLinkViewSet,
    CircularExportView,
    CircularFilingViewSet,
    DispatchMeetingViewSet,
    FilingViewSet,
    IndicatorReportView,
    IndustrialChainViewSet,
    LocalEnterpriseViewSet,
    MeetingDecisionViewSet,
    NotificationViewSet,
    OrderReplyViewSet,
    PolicyViewSet,
    QuarterlyExportView,
    QuotaReportView,
    RankingsView,
    ResponsibilityViewSet,
    SupervisionOrderViewSet,
    TargetEnterpriseViewSet,
)

routes = [
    ("attraction-projects", AttractionProjectViewSet),
    ("filings", FilingViewSet),
    ("circular-filings", CircularFilingViewSet),
    ("chains", IndustrialChainViewSet),
    ("chain-links", ChainLinkViewSet),
    ("target-enterprises", TargetEnterpriseViewSet),
    ("local-enterprises", LocalEnterpriseViewSet),
    ("carriers", CarrierViewSet),
    ("policies", PolicyViewSet),
    ("responsibilities", ResponsibilityViewSet),
    ("supervision-orders", SupervisionOrderViewSet),
    ("order-replies", OrderReplyViewSet),
    ("dispatch-meetings", DispatchMeetingViewSet),
    ("meeting-decisions", MeetingDecisionViewSet),
    ("notifications", NotificationViewSet),
]

urlpatterns = [
    path("reports/quotas/", QuotaReportView.as_view(), name="quota-report"),
    path("reports/indicators/", IndicatorReportView.as_view(), name="indicator-report"),
    path("reports/rankings/", RankingsView.as_view(), name="rankings-report"),
    path("reports/chain-conversion/", ChainConversionView.as_view(), name="chain-conversion-report"),
    path("exports/circular/", CircularExportView.as_view(), name="circular-export"),
    path("exports/quarterly/", QuarterlyExportView.as_view(), name="quarterly-export"),
    # Before the router's chains/<id>/ (jiaxian/urls.py includes these first).
    path("chains/<int:id>/map/", ChainMapView.as_view(), name="chain-map-api"),
]
