"""Serializers of the projects app: fields as the models have them, checks in the models,
derived values read-only."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from jiaxian import periods
from jiaxian.api import RECORD_FIELDS, StrictIntegerField, ValidatedModelSerializer
from projects.models import AnnualListing, Area, BondReserve, Department, Industry, KeyProject, Sector, YearPlan


class IndustrySerializer(ValidatedModelSerializer):
    class Meta:
        model = Industry
        fields = ("id", "code", "name", "is_key", *RECORD_FIELDS)
        read_only_fields = RECORD_FIELDS


class AreaSerializer(ValidatedModelSerializer):
    class Meta:
        model = Area
        fields = ("id", "code", "name", "kind", *RECORD_FIELDS)
        read_only_fields = RECORD_FIELDS


class DepartmentSerializer(ValidatedModelSerializer):
    class Meta:
        model = Department
        fields = ("id", "code", "name", *RECORD_FIELDS)
        read_only_fields = RECORD_FIELDS


class SectorSerializer(ValidatedModelSerializer):
    class Meta:
        model = Sector
        fields = ("id", "code", "name", *RECORD_FIELDS)
        read_only_fields = RECORD_FIELDS


class YearPlanSerializer(ValidatedModelSerializer):
    """A year's targets; a POST of ``{"year": Y}`` alone takes the default figures."""

    year = StrictIntegerField(min_value=2000, max_value=2100)

    class Meta:
        model = YearPlan
        fields = "__all__"
        read_only_fields = RECORD_FIELDS

    def validate_year(self, value):
        # The year is the plan's address (/api/plans/2023/): it is chosen once.
        if self.instance is not None and value != self.instance.year:
            raise serializers.ValidationError(
                _("The year of a plan cannot be changed; make a plan for the other year.")
            )
        if self.instance is None and YearPlan.objects.filter(year=value).exists():
            raise serializers.ValidationError(_("A plan for %(year)s already exists.") % {"year": value})
        return value


class AnnualListingSerializer(ValidatedModelSerializer):
    """One key project's place on one year's list (``/api/annual-listings/``)."""

    class Meta:
        model = AnnualListing
        fields = ("id", "project", "year", "category", "planned_investment", "listed_on", *RECORD_FIELDS)
        read_only_fields = RECORD_FIELDS


class ListingInProjectSerializer(serializers.ModelSerializer):
    """A listing as shown inside its key project (read-only; write through annual-listings)."""

    class Meta:
        model = AnnualListing
        fields = ("id", "year", "category", "planned_investment", "listed_on", "version")
        read_only_fields = fields


class KeyProjectSerializer(ValidatedModelSerializer):
    """A key project with its annual listings (read-only here) and its successors' ids."""

    listings = ListingInProjectSerializer(many=True, read_only=True)
    successors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = KeyProject
        fields = "__all__"
        read_only_fields = RECORD_FIELDS


class BondReserveSerializer(ValidatedModelSerializer):
    """A special-bond reserve; ``status`` (today) and ``coverage_ratio`` are derived."""

    status = serializers.SerializerMethodField()
    coverage_ratio = serializers.DecimalField(max_digits=12, decimal_places=4, read_only=True, allow_null=True)

    class Meta:
        model = BondReserve
        fields = "__all__"
        read_only_fields = RECORD_FIELDS

    def get_status(self, obj) -> str | None:
        return obj.status_on(periods.today())
