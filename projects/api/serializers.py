"""Serializers of the projects app: fields as the models have them, checks in the models."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from jiaxian.api import ValidatedModelSerializer
from projects.models import Industry, YearPlan

RECORD_FIELDS = ("version", "created_at", "updated_at")


class IndustrySerializer(ValidatedModelSerializer):
    class Meta:
        model = Industry
        fields = ("id", "code", "name", "is_key", *RECORD_FIELDS)


class YearPlanSerializer(ValidatedModelSerializer):
    """A year's targets; a POST of ``{"year": Y}`` alone takes the default figures."""

    year = serializers.IntegerField(min_value=2000, max_value=2100)

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
