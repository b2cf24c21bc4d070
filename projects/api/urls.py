"""The projects app's resources: (prefix, viewset) pairs for the one router under /api/."""

from .views import IndustryViewSet, YearPlanViewSet

routes = [
    ("industries", IndustryViewSet),
    ("plans", YearPlanViewSet),
]
