"""The investment app's resources for the one router under /api/, and its other routes."""

from django.urls import path

from .views import AttractionProjectViewSet, QuotaReportView

routes = [
    ("attraction-projects", AttractionProjectViewSet),
]

urlpatterns = [
    path("reports/quotas/", QuotaReportView.as_view(), name="quota-report"),
]
