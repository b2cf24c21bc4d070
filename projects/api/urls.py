"""The projects app's resources: (prefix, viewset) pairs for the one router under /api/."""

from . import views

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
]
