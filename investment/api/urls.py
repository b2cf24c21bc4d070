"""The investment app's resources for the one router under /api/, and its other routes."""

from django.urls import path

from .views import AttractionProjectViewSet, FilingViewSet, QuarterlyExportView, QuotaReportView

routes = [
    ("attraction-projects", AttractionProjectViewSet),
    ("filings", FilingViewSet),
]

urlpatterns = [
    path("reports/quotas/", QuotaReportView.as_view(), name="quota-report"),
    path("exports/quarterly/", QuarterlyExportView.as_view(), name="quarterly-export"),
]
