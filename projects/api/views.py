"""API views of the projects app: queryset, serializer, filters — little else."""

from rest_framework import viewsets

from projects.filtersets import IndustryFilterSet, YearPlanFilterSet
from projects.models import Industry, YearPlan

from .serializers import IndustrySerializer, YearPlanSerializer


class IndustryViewSet(viewsets.ModelViewSet):
    queryset = Industry.objects.all()
    serializer_class = IndustrySerializer
    filterset_class = IndustryFilterSet
    ordering_fields = ("code", "name")


class YearPlanViewSet(viewsets.ModelViewSet):
    """Year plans, looked up by year: ``/api/plans/2023/``."""

    queryset = YearPlan.objects.all()
    serializer_class = YearPlanSerializer
    filterset_class = YearPlanFilterSet
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"
    ordering_fields = ("year",)
