"""The projects app's resources: (prefix, viewset) pairs for the one router under /api/."""

from django.urls import path

from . import attachments, oc4ids, views

routes = [
    ("industries", views.IndustryViewSet),
    ("areas", views.AreaViewSet),
    ("departments", views.DepartmentViewSet),
    ("sectors", views.SectorViewSet),
    ("plans", views.YearPlanViewSet),
    ("key-projects", views.KeyProjectViewSet),
    ("annual-listings", views.AnnualListingViewSet),
    ("milestones", views.MilestoneViewSet),
    ("progress-reports", views.ProgressReportViewSet),
    ("problems", views.ProblemViewSet),
    ("bond-reserves", views.BondReserveViewSet),
    ("plan-indicators", views.PlanIndicatorViewSet),
    ("indicator-values", views.IndicatorValueViewSet),
    ("attachments", attachments.AttachmentViewSet),
]

# Views outside the router (jiaxian/urls.py includes them before it).
urlpatterns = [
    path("oc4ids/", oc4ids.OC4IDSPackageView.as_view(), name="oc4ids-package"),
    path("oc4ids/<str:identifier>/", oc4ids.OC4IDSProjectView.as_view(), name="oc4ids-project"),
]
