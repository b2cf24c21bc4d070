"""Serializers of the investment app. The quota report's are plain: they write the
``quotas.Target`` objects in the contract's format and compute nothing."""

from collections.abc import Mapping
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.relations import ManyRelatedField

from investment import dispatch, models
from investment.choices import (
    ChainLinkCoverageChoices,
    FilingFormatChoices,
    RankingUnitChoices,
    SupervisionOrderLevelChoices,
    SupervisionOrderStageChoices,
    TargetEnterpriseStageChoices,
)
from investment.pipeline import PROJECT_FIELDS
from investment.quotas import Kind
from investment.rankings import SPECS
from jiaxian import periods
from jiaxian.api import (
    DateParameter,
    QuarterParameter,
    RelatedIdsField,
    StrictCharField,
    StrictIntegerField,
    ValidatedModelSerializer,
    VersionField,
    YearParameter,
)


class AttractionProjectSerializer(ValidatedModelSerializer):
    """An attraction project; ``stage`` (today), ``is_big_project`` (the rule of its year's
    plan) and ``is_key_industry`` are derived and read-only; ``successors`` are the ids of
    the second phases and expansions whose ``predecessor`` it is, in the order of their ids."""

    successors = RelatedIdsField("successors", "successor_ids")

    stage = serializers.SerializerMethodField(help_text=_("Stage today, derived from the dates."))
    is_big_project = serializers.SerializerMethodField()
    is_key_industry = serializers.SerializerMethodField()

    class Meta:
        model = models.AttractionProject
        fields = "__all__"

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


class IndicatorFigureSerializer(serializers.Serializer):
    """One plan indicator's figure on the day (``projects.indicators.IndicatorFigure``): its
    figures as decimal strings with the indicator's decimal places."""

    id = serializers.IntegerField(source="indicator.pk")
    area = serializers.CharField(source="indicator.area")
    name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit")
    target = serializers.SerializerMethodField()
    comparison = serializers.CharField(source="indicator.comparison")
    accumulation = serializers.CharField(source="indicator.accumulation")
    frequency = serializers.CharField(source="indicator.frequency")
    department = serializers.IntegerField(source="indicator.department_id")
    department_name = serializers.CharField(source="indicator.department.name")
    leader = serializers.CharField(source="indicator.leader")
    figure = serializers.SerializerMethodField(
        help_text="The sum of the approved values of the months begun (cumulative) or the latest (a level); null: none."
    )
    status = serializers.CharField(help_text="`met`, `not_yet` or `no_figure`.")
    light = serializers.CharField(
        allow_null=True, help_text="`green`, `yellow`, `red` against the time progress; null when it has none."
    )
    completion = serializers.SerializerMethodField(help_text="The figure over the target, four places.")
    time_progress = serializers.SerializerMethodField(help_text="The time progress the light is held against.")

    @staticmethod
    def places(row) -> Decimal:
        return Decimal(1).scaleb(-row.indicator.decimals)

    def get_target(self, row) -> str:
        return str(row.indicator.target.quantize(self.places(row)))

    def get_figure(self, row) -> str | None:
        return None if row.figure is None else str(row.figure.quantize(self.places(row)))

    def get_completion(self, row) -> str | None:
        return None if row.completion is None else str(row.completion)

    def get_time_progress(self, row) -> str | None:
        return None if row.time_progress is None else str(row.time_progress)


class QuotaReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    known_on = serializers.DateField(
        allow_null=True, help_text="The day the monthly progress is known on (approved by its end); null: now."
    )
    targets = TargetSerializer(many=True)
    indicators = TargetSerializer(many=True)
    # Not required (so not "required" in the schema, which clients generated from it enforce):
    # the report has no such attribute, so the field is skipped unless the view computed them.
    plan_indicators = IndicatorFigureSerializer(
        many=True,
        required=False,
        help_text="With `include=indicators` only: the plan's other targets (as `/api/reports/indicators/`).",
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        rows = self.context.get("plan_indicators")
        if rows is not None:
            data["plan_indicators"] = IndicatorFigureSerializer(rows, many=True).data
        return data


class IndicatorReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    known_on = serializers.DateField(
        allow_null=True, help_text="The day the monthly values are known on (approved by its end); null: now."
    )
    indicators = IndicatorFigureSerializer(many=True)


class PeriodQuerySerializer(serializers.Serializer):
    """A report's year and as-of day; a bad one is a 400 that names it."""

    year = YearParameter()
    as_of = DateParameter(required=False)


class QuotaReportQuerySerializer(PeriodQuerySerializer):
    """The quota report's parameters; a bad one is a 400 that names it."""

    known_on = DateParameter(
        required=False,
        help_text="Count the monthly reports as approved by the end of this day (default: now).",
    )


class QuotaReportIncludeSerializer(QuotaReportQuerySerializer):
    """The quota report's parameters, with what else to include."""

    include = serializers.ChoiceField(
        choices=["indicators"],
        required=False,
        help_text="`indicators`: add the plan's other targets (`plan_indicators`).",
    )


class RankingsQuerySerializer(PeriodQuerySerializer):
    """The rankings' parameters; a bad one is a 400 that names it."""

    by = serializers.ChoiceField(
        choices=RankingUnitChoices.choices,
        default=RankingUnitChoices.DEPARTMENT,
        help_text=_("Rank the departments (department) or the areas (area)."),
    )


class RankingIndicatorSerializer(serializers.Serializer):
    """One indicator of the rankings (``rankings.IndicatorSpec``) with its weight this year."""

    key = serializers.CharField()
    label = serializers.CharField()
    direction = serializers.CharField(help_text="Which values are better: `higher` or `lower`.")
    weight = serializers.SerializerMethodField()

    def get_weight(self, spec) -> str:
        return str(self.context["weights"][spec.key])


class RankingFigureSerializer(serializers.Serializer):
    """A unit's value, rank (1 best, ties shared) and 0–100 score on one indicator; all null when
    the unit has nothing to rank on it."""

    indicator = serializers.CharField()
    value = serializers.SerializerMethodField()
    rank = serializers.IntegerField(allow_null=True)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)

    def get_value(self, figure) -> str | None:
        return decimal_text(figure.value, SPECS[figure.indicator].kind)


class UnitRankingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="unit_id")
    code = serializers.CharField()
    name = serializers.CharField()
    composite = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    red = serializers.BooleanField(help_text="On the 红榜: the best three by composite, ties included.")
    black = serializers.BooleanField(help_text="On the 黑榜: the worst three by composite, ties included.")
    figures = RankingFigureSerializer(many=True, source="figure_list", help_text="In the order of `indicators`.")


class RankingsSerializer(serializers.Serializer):
    """``rankings.Rankings`` as the API writes it: the indicators with their weights, the units
    by composite rank, and the ids of the units on the 红榜 and the 黑榜."""

    year = serializers.IntegerField()
    as_of = serializers.DateField()
    by = serializers.ChoiceField(choices=RankingUnitChoices.choices)
    indicators = serializers.SerializerMethodField()
    units = UnitRankingSerializer(many=True)
    red_list = serializers.SerializerMethodField()
    black_list = serializers.SerializerMethodField()

    @extend_schema_field(RankingIndicatorSerializer(many=True))
    def get_indicators(self, rankings) -> list[dict]:
        return RankingIndicatorSerializer(rankings.indicators, many=True, context={"weights": rankings.weights}).data

    def get_red_list(self, rankings) -> list[int]:
        return [unit.unit_id for unit in rankings.red_list]

    def get_black_list(self, rankings) -> list[int]:
        return [unit.unit_id for unit in rankings.black_list]


class CircularExportQuerySerializer(serializers.Serializer):
    """The monthly circular's parameters; a bad one is a 400 that names it."""

    year = YearParameter()
    month = serializers.IntegerField(min_value=1, max_value=12, help_text=_("The month, 1 to 12."))
    format = serializers.ChoiceField(choices=["xlsx", "csv"], default="xlsx", help_text=_("xlsx, or csv (a zip)."))


class QuarterlyExportQuerySerializer(serializers.Serializer):
    """The export's parameters; a bad one is a 400 that names it."""

    year = YearParameter()
    quarter = QuarterParameter()
    format = serializers.ChoiceField(choices=["xlsx", "csv"], default="xlsx", help_text=_("xlsx, or csv (a zip)."))
    known_on = DateParameter(
        required=False,
        help_text="Count the monthly reports as approved by the end of this day (default: now; a filing's "
        "`known_on` recomputes it).",
    )


class FiledExportSerializer(serializers.ModelSerializer):
    """A filed export's record (never its bytes: ``download_url`` serves them). Written once, by
    POSTing its period (``PERIOD_FIELDS``) and ``format``; never changed."""

    format = serializers.ChoiceField(choices=FilingFormatChoices.choices, default=FilingFormatChoices.XLSX)
    download_url = serializers.SerializerMethodField()

    COMMON_FIELDS = ("format", "version", "sha256", "size", "filed_by", "filed_at", "known_on", "download_url")
    READ_ONLY_FIELDS = ("version", "sha256", "size", "filed_by", "filed_at", "known_on")

    def get_download_url(self, obj) -> str:
        request = self.context.get("request")
        path = reverse(f"{obj._meta.model_name}-download", kwargs={"pk": obj.pk})
        return request.build_absolute_uri(path) if request is not None else path

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - {*self.Meta.model.PERIOD_FIELDS, "format"})
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class FilingSerializer(FiledExportSerializer):
    """A filing's record (never its bytes: ``download_url`` serves them). Written once, by
    POSTing ``year``, ``quarter`` and ``format``; never changed."""

    year = StrictIntegerField(min_value=periods.YEAR_MIN, max_value=periods.YEAR_MAX)
    quarter = StrictIntegerField(min_value=1, max_value=4)

    class Meta:
        model = models.Filing
        fields = ("id", "year", "quarter", *FiledExportSerializer.COMMON_FIELDS)
        read_only_fields = FiledExportSerializer.READ_ONLY_FIELDS


class CircularFilingSerializer(FiledExportSerializer):
    """A filed circular's record (never its bytes: ``download_url`` serves them). Written once,
    by POSTing ``year``, ``month`` and ``format``; never changed."""

    year = StrictIntegerField(min_value=periods.YEAR_MIN, max_value=periods.YEAR_MAX)
    month = StrictIntegerField(min_value=1, max_value=12)

    class Meta:
        model = models.CircularFiling
        fields = ("id", "year", "month", *FiledExportSerializer.COMMON_FIELDS)
        read_only_fields = FiledExportSerializer.READ_ONLY_FIELDS


# --- industrial chains and their lists -----------------------------------------------------------


class ManyToManySerializer(ValidatedModelSerializer):
    """A ledger with many-to-many fields (lists of ids): the model's ``full_clean()`` runs on
    the other fields (a many-to-many is set after the record is saved, which ModelSerializer
    does)."""

    def many_to_many(self) -> set[str]:
        return {field.source for field in self.fields.values() if isinstance(field, ManyRelatedField)}

    def to_internal_value(self, data):
        # DRF takes any iterable for a list of ids, an object ({}) too: refuse what is not a list.
        not_lists = {}
        if isinstance(data, Mapping):
            not_lists = {
                name: [_("Send a list of ids, for example [1, 2].")]
                for name, field in self.fields.items()
                if isinstance(field, ManyRelatedField) and not field.read_only
                if name in data and not isinstance(data[name], list)
            }
        try:
            known = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not_lists and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **not_lists}) from exc
            raise
        if not_lists:
            raise serializers.ValidationError(not_lists)
        return known

    def validate(self, attrs):
        related = {name: attrs.pop(name) for name in self.many_to_many() & set(attrs)}
        attrs = super().validate(attrs)
        return {**attrs, **related}


class IndustrialChainSerializer(ManyToManySerializer):
    """An industrial chain; ``industries`` ids (written), ``links`` ids (read-only: a link is
    written at ``/api/chain-links/``)."""

    links = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = models.IndustrialChain
        fields = "__all__"


class ChainLinkSerializer(ValidatedModelSerializer):
    """A link of a chain, with its coverage today and the counts that decide it (read-only,
    derived: ``ChainLink.objects.with_coverage``)."""

    coverage = serializers.SerializerMethodField(help_text=_("Coverage today, derived: covered, pursued or gap."))
    local_enterprise_count = serializers.SerializerMethodField()
    courted_count = serializers.SerializerMethodField(
        help_text=_("Target enterprises contacted and not signed by today.")
    )
    signed_count = serializers.SerializerMethodField(help_text=_("Target enterprises signed by today."))

    class Meta:
        model = models.ChainLink
        fields = "__all__"

    def _counts(self, obj) -> tuple[int, int, int]:
        if hasattr(obj, "coverage_as_of"):
            return obj.local_enterprise_count, obj.courted_count, obj.signed_count
        return obj.coverage_counts(periods.today())

    def get_coverage(self, obj) -> ChainLinkCoverageChoices:
        return obj.coverage

    def get_local_enterprise_count(self, obj) -> int:
        return self._counts(obj)[0]

    def get_courted_count(self, obj) -> int:
        return self._counts(obj)[1]

    def get_signed_count(self, obj) -> int:
        return self._counts(obj)[2]


class TargetEnterpriseSerializer(ValidatedModelSerializer):
    """A target enterprise of a link. ``stage`` (today) and ``chain`` (its link's) are derived;
    ``signed_on`` and ``attraction_project`` are read-only: a target is signed by
    ``POST /api/target-enterprises/<id>/sign/``, which creates the project."""

    chain = serializers.SerializerMethodField(help_text=_("The industrial chain of its link."))
    stage = serializers.SerializerMethodField(help_text=_("Stage today, derived from the dates."))

    class Meta:
        model = models.TargetEnterprise
        fields = "__all__"
        read_only_fields = ("signed_on", "attraction_project")

    def get_chain(self, obj) -> int:
        return obj.link.chain_id

    def to_internal_value(self, data):
        # Read-only, but not quietly ignored: a client that believes it signed a target by
        # writing the date is told how signing is done. The stored value sent back (a PUT of
        # what was read) passes.
        if isinstance(data, Mapping):
            stored = {
                "signed_on": self.instance.signed_on.isoformat() if self.instance and self.instance.signed_on else None,
                "attraction_project": self.instance.attraction_project_id if self.instance else None,
            }
            refused = {
                name: [_("Read-only: sign the target with POST /api/target-enterprises/<id>/sign/.")]
                for name, value in stored.items()
                if name in data and data[name] != value
            }
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)

    def get_stage(self, obj) -> TargetEnterpriseStageChoices:
        return obj.stage_on(periods.today())


class LocalEnterpriseSerializer(ValidatedModelSerializer):
    chain = serializers.SerializerMethodField(help_text=_("The industrial chain of its link."))

    class Meta:
        model = models.LocalEnterprise
        fields = "__all__"

    def get_chain(self, obj) -> int:
        return obj.link.chain_id


class CarrierSerializer(ValidatedModelSerializer):
    class Meta:
        model = models.Carrier
        fields = "__all__"


class PolicySerializer(ManyToManySerializer):
    class Meta:
        model = models.Policy
        fields = "__all__"


class ResponsibilitySerializer(ManyToManySerializer):
    """Who covers a chain; ``target_enterprises`` must be on the same chain."""

    class Meta:
        model = models.Responsibility
        fields = "__all__"

    def validate(self, attrs):
        attrs = super().validate(attrs)
        chain = attrs.get("chain", getattr(self.instance, "chain", None))
        if "target_enterprises" in attrs:
            targets = attrs["target_enterprises"]
        else:
            targets = list(self.instance.target_enterprises.all()) if self.instance is not None else []
        errors = models.Responsibility(chain=chain).target_errors(targets)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class TargetSigningSerializer(ValidatedModelSerializer):
    """What a signing needs (``POST /api/target-enterprises/<id>/sign/``): the day it was
    signed, the contract's amounts, and any project field to set otherwise than the target
    says (the name, the industry when the chain has several, …). The project's own rules
    are checked by the signing, which answers 400 naming each bad field."""

    signed_on = serializers.DateField(help_text=_("The day the contract was signed; not after today."))

    class Meta:
        model = models.AttractionProject
        fields = ("signed_on", *PROJECT_FIELDS)
        extra_kwargs = {
            "name": {"required": False, "help_text": _("Default: the company and the link.")},
            "industry": {"required": False, "help_text": _("Default: the chain's industry, when it has one.")},
        }

    def validate(self, attrs):
        # The signing validates the project it builds (pipeline.sign): nothing to check here.
        return attrs


class ChainConversionSerializer(serializers.Serializer):
    """One chain's lead pipeline for the year (``quotas.ChainConversion``): counts, and the
    funnel's ratios as four-place decimal strings (null of nothing)."""

    chain = serializers.IntegerField(source="chain_id")
    name = serializers.CharField(source="chain")
    targets = serializers.IntegerField()
    negotiating = serializers.IntegerField()
    signed = serializers.IntegerField()
    started = serializers.IntegerField()
    negotiating_rate = serializers.SerializerMethodField()
    signing_rate = serializers.SerializerMethodField()
    start_rate = serializers.SerializerMethodField()

    def get_negotiating_rate(self, line) -> str | None:
        return decimal_text(line.negotiating_rate, Kind.SHARE)

    def get_signing_rate(self, line) -> str | None:
        return decimal_text(line.signing_rate, Kind.SHARE)

    def get_start_rate(self, line) -> str | None:
        return decimal_text(line.start_rate, Kind.SHARE)


class ChainConversionReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    chains = ChainConversionSerializer(many=True)


class OrderReplySerializer(ValidatedModelSerializer):
    """A department's reply to a supervision order, with the issuer's decision (accepted or
    returned with a comment). The decision fields are the issuers' (``investment.dispatch``): a
    department's clerk who writes them, or changes a decided reply, is refused (403 naming the
    fields)."""

    class Meta:
        model = models.OrderReply
        fields = "__all__"

    def validate(self, attrs):
        stored = self.instance
        if stored is None:
            changed = [name for name, value in attrs.items() if value not in ("", None)]
        else:
            changed = [name for name, value in attrs.items() if getattr(stored, name) != value]
        refused = dispatch.reply_refusal(self.context["request"].user, stored, changed)
        if refused:
            raise exceptions.PermissionDenied(refused)
        return super().validate(attrs)


class OrderReplyCreationSerializer(OrderReplySerializer):
    """The body of a reply to the path's order (``POST /api/supervision-orders/<id>/replies/``):
    what was done and the day (default today). The order's clerks reply (the department rule);
    the decision is the accept and return actions'."""

    class Meta:
        model = models.OrderReply
        fields = ("text", "replied_on", "version")
        extra_kwargs = {"replied_on": {"required": False, "help_text": _("Default today.")}}

    def validate(self, attrs):
        # The order's turn rules (Model.clean) need the order, and the day replied its default.
        attrs = {"order": self.context["order"], "replied_on": periods.today(), **attrs}
        return super().validate(attrs)


class OrderDecisionSerializer(serializers.Serializer):
    """The body of an accept or a return (``POST /api/supervision-orders/<id>/accept/``,
    ``…/return/``) of the reply that awaits a decision; ``version`` is the order's, as its
    ``ETag`` says (or send ``If-Match``)."""

    comment = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why the reply is returned (needed for a return; the department sees it)."),
    )
    decided_on = serializers.DateField(
        required=False, help_text=_("Default today; not in the future, not before the reply.")
    )
    version = VersionField(help_text=_("The order's version read, as in its ETag; a stale one is refused with 412."))

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class SupervisionOrderSerializer(ValidatedModelSerializer):
    """A supervision order (督办单); ``reference`` (郏督〔2023〕12号), ``stage`` and ``overdue``
    (as of today or the list's ``?as_of=``) are derived, ``issued_by`` is who created it, and
    ``replies`` its replies' ids in turn. ``number`` left out takes the year's next free one."""

    reference = serializers.CharField(read_only=True)
    stage = serializers.SerializerMethodField(
        help_text=_("open, replied or closed as of today or ?as_of= (null before it is issued).")
    )
    overdue = serializers.SerializerMethodField(help_text=_("Not closed and past its due date."))
    replies = RelatedIdsField("replies", "reply_ids")

    class Meta:
        model = models.SupervisionOrder
        fields = "__all__"
        read_only_fields = ("issued_by",)
        extra_kwargs = {"number": {"required": False}}

    @property
    def as_of(self):
        return self.context.get("as_of") or periods.today()

    def get_stage(self, obj) -> SupervisionOrderStageChoices | None:
        if hasattr(obj, "stage_as_of"):
            return obj.stage_as_of
        return obj.stage_on(self.as_of)

    def get_overdue(self, obj) -> bool:
        if hasattr(obj, "overdue_as_of"):
            return obj.overdue_as_of
        return obj.is_overdue_on(self.as_of)


# --- dispatch meetings ---------------------------------------------------------------------------


class DispatchMeetingSerializer(ManyToManySerializer):
    """A dispatch meeting; ``departments_present`` and ``projects_discussed`` are lists of ids
    (written), ``decisions`` its decisions' ids (read-only: written at ``…/decisions/``)."""

    decisions = RelatedIdsField("decisions", "decision_ids")

    class Meta:
        model = models.DispatchMeeting
        fields = "__all__"


class MeetingDecisionSerializer(ValidatedModelSerializer):
    """A meeting's decision; ``order`` is the supervision order it became (read-only: set by
    ``…/decisions/<id>/to-order/``)."""

    order_reference = serializers.SerializerMethodField(help_text=_("The order's number, 郏督〔2023〕12号."))

    class Meta:
        model = models.MeetingDecision
        fields = "__all__"

    def get_order_reference(self, obj) -> str | None:
        return obj.order.reference if obj.order_id is not None else None


class DecisionToOrderSerializer(serializers.Serializer):
    """转督办: what the order takes besides the decision's department, project, text and date;
    ``version`` the decision's version read (or ``If-Match``)."""

    level = serializers.ChoiceField(
        choices=SupervisionOrderLevelChoices.choices, required=False, help_text=_("Default 一般督办 (general).")
    )
    issued_on = DateParameter(required=False, help_text=_("Default today; the order is numbered in its year."))
    due_on = DateParameter(required=False, help_text=_("Default the decision's due date."))
    version = StrictIntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text=_("The decision's version read.")
    )

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class NotificationSerializer(serializers.ModelSerializer):
    """One of the signed-in person's notifications: what, where to act on it (``link``, a path
    of this site), about which record (``about_kind`` as ``app_label.model`` and ``about_id``,
    both null when about none), when it was made and read (null while unread). Read-only: a
    notification is marked read by POSTing to its ``read/``."""

    about_kind = serializers.SerializerMethodField()
    about_id = serializers.IntegerField(source="object_id", read_only=True, allow_null=True)

    class Meta:
        model = models.Notification
        fields = ("id", "event", "text", "link", "about_kind", "about_id", "created_at", "read_at")
        read_only_fields = fields

    def get_about_kind(self, notification) -> str | None:
        content_type = notification.content_type
        return None if content_type is None else f"{content_type.app_label}.{content_type.model}"


class MarkedReadSerializer(serializers.Serializer):
    """How many notifications a ``read-all/`` marked read."""

    marked = serializers.IntegerField()
