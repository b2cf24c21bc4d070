"""API views of the projects app: queryset, serializer, filters — little else. Every list
costs a fixed number of queries whatever the page size (related rows are prefetched)."""

from django.db.models import Prefetch

from jiaxian.api import LedgerViewSet
from projects import filtersets
from projects.models import AnnualListing, Area, BondReserve, Department, Industry, KeyProject, Sector, YearPlan

from . import serializers


class IndustryViewSet(LedgerViewSet):
    queryset = Industry.objects.all()
    serializer_class = serializers.IndustrySerializer
    filterset_class = filtersets.IndustryFilterSet
    ordering_fields = ("code", "name")


class AreaViewSet(LedgerViewSet):
    queryset = Area.objects.all()
    serializer_class = serializers.AreaSerializer
    filterset_class = filtersets.AreaFilterSet
    ordering_fields = ("code", "name")


class DepartmentViewSet(LedgerViewSet):
    queryset = Department.objects.all()
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet
    ordering_fields = ("code", "name")


class SectorViewSet(LedgerViewSet):
    queryset = Sector.objects.all()
    serializer_class = serializers.SectorSerializer
    filterset_class = filtersets.SectorFilterSet
    ordering_fields = ("code", "name")


class YearPlanViewSet(LedgerViewSet):
    """Year plans, looked up by year: ``/api/plans/2023/``."""

    queryset = YearPlan.objects.all()
    serializer_class = serializers.YearPlanSerializer
    filterset_class = filtersets.YearPlanFilterSet
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"
    ordering_fields = ("year",)


class KeyProjectViewSet(LedgerViewSet):
    queryset = KeyProject.objects.prefetch_related(
        Prefetch("listings", queryset=AnnualListing.objects.order_by("year")), "successors"
    )
    serializer_class = serializers.KeyProjectSerializer
    filterset_class = filtersets.KeyProjectFilterSet
    ordering_fields = ("name", "total_investment", "started_on", "planned_completion_on", "completed_on")


class AnnualListingViewSet(LedgerViewSet):
    queryset = AnnualListing.objects.select_related("project")
    serializer_class = serializers.AnnualListingSerializer
    filterset_class = filtersets.AnnualListingFilterSet
    ordering_fields = ("year", "planned_investment", "listed_on")


class BondReserveViewSet(LedgerViewSet):
    queryset = BondReserve.objects.all()
    serializer_class = serializers.BondReserveSerializer
    filterset_class = filtersets.BondReserveFilterSet
    ordering_fields = ("name", "year", "total_investment", "bond_demand", "reserved_on", "issued_on")
