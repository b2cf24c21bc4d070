"""Serializers of the investment app. The quota report's are plain: they write the
``quotas.Target`` objects in the contract's format and compute nothing."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from investment.models import AttractionProject
from investment.quotas import Kind
from jiaxian import periods
from jiaxian.api import RECORD_FIELDS, ValidatedModelSerializer


class AttractionProjectSerializer(ValidatedModelSerializer):
    """An attraction project; ``stage`` (today), ``is_big_project`` (the rule of its year's
    plan) and ``is_key_industry`` are derived and read-only."""

    stage = serializers.SerializerMethodField(help_text=_("Stage today, derived from the dates."))
    is_big_project = serializers.SerializerMethodField()
    is_key_industry = serializers.SerializerMethodField()

    class Meta:
        model = AttractionProject
        fields = "__all__"
        read_only_fields = RECORD_FIELDS

    def get_stage(self, obj) -> str:
        return obj.stage_on(periods.today())

    def get_is_big_project(self, obj) -> bool:
        # The list annotates it in the same query; a single record asks its plan.
        annotated = getattr(obj, "big_project", None)
        return annotated if annotated is not None else obj.is_big_project()

    def get_is_key_industry(self, obj) -> bool:
        return obj.is_key_industry


PLACES = {Kind.COUNT: Decimal("1"), Kind.AMOUNT: Decimal("0.01"), Kind.SHARE: Decimal("0.0001")}


def decimal_text(value, kind: Kind) -> str | None:
    """A Decimal as the contract writes it: counts whole, 万元 with two places, ratios four."""
    if value is None:
        return None
    return str(value.quantize(PLACES[kind]))


class TargetSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField(allow_null=True)
    value = serializers.SerializerMethodField()
    threshold = serializers.SerializerMethodField()
    met = serializers.BooleanField(allow_null=True)

    def get_value(self, target) -> str | None:
        return decimal_text(target.value, target.kind)

    def get_threshold(self, target) -> str | None:
        return decimal_text(target.threshold, target.kind)


class QuotaReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    targets = TargetSerializer(many=True)
    indicators = TargetSerializer(many=True)


class QuotaReportQuerySerializer(serializers.Serializer):
    """The report's parameters; a bad one is a 400 that names it."""

    year = serializers.IntegerField(min_value=2000, max_value=2100)
    as_of = serializers.DateField(required=False)
