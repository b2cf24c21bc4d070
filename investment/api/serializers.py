"""Serializers of the investment app. The quota report's are plain: they write the
``quotas.Target`` objects in the contract's format and compute nothing."""

from collections.abc import Mapping
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from investment.choices import FilingFormatChoices
from investment.models import AttractionProject, Filing
from investment.quotas import Kind
from jiaxian import periods
from jiaxian.api import RECORD_FIELDS, StrictIntegerField, ValidatedModelSerializer


class AttractionProjectSerializer(ValidatedModelSerializer):
    """An attraction project; ``stage`` (today), ``is_big_project`` (the rule of its year's
    plan) and ``is_key_industry`` are derived and read-only; ``successors`` are the ids of
    the second phases and expansions whose ``predecessor`` it is."""

    successors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

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


class QuarterlyExportQuerySerializer(serializers.Serializer):
    """The export's parameters; a bad one is a 400 that names it."""

    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    format = serializers.ChoiceField(choices=["xlsx", "csv"], default="xlsx", help_text=_("xlsx, or csv (a zip)."))


class FilingSerializer(serializers.ModelSerializer):
    """A filing's record (never its bytes: ``download_url`` serves them). Written once, by
    POSTing ``year``, ``quarter`` and ``format``; never changed."""

    year = StrictIntegerField(min_value=2000, max_value=2100)
    quarter = StrictIntegerField(min_value=1, max_value=4)
    format = serializers.ChoiceField(choices=FilingFormatChoices.choices, default=FilingFormatChoices.XLSX)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = (
            "id",
            "year",
            "quarter",
            "format",
            "version",
            "sha256",
            "size",
            "filed_by",
            "filed_at",
            "download_url",
        )
        read_only_fields = ("version", "sha256", "size", "filed_by", "filed_at")

    def get_download_url(self, obj) -> str:
        request = self.context.get("request")
        path = reverse("filing-download", kwargs={"pk": obj.pk})
        return request.build_absolute_uri(path) if request is not None else path

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - {"year", "quarter", "format"})
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)
