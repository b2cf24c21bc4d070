"""List filters of the investment app's API."""

import django_filters
from django.db.models import Q

from jiaxian.filters import (
    AsOfFilter,
    BooleanFilter,
    IntegerFilter,
    MonthOfYearFilter,
    QuarterFilter,
    SearchFilterSet,
    StrictFilterSet,
    TodayChoiceFilter,
    YearFilter,
)

from . import models
from .choices import (
    AttractionProjectInvestorOriginChoices,
    AttractionProjectStageChoices,
    CarrierAvailabilityChoices,
    CarrierKindChoices,
    CarrierPriceUnitChoices,
    CarrierSizeUnitChoices,
    ChainLinkCoverageChoices,
    ChainLinkPositionChoices,
    DispatchMeetingKindChoices,
    OrderReplyDecisionChoices,
    SupervisionOrderLevelChoices,
    SupervisionOrderStageChoices,
    TargetEnterpriseSizeChoices,
    TargetEnterpriseStageChoices,
)
from .querysets import AttractionProjectQuerySet, TargetEnterpriseQuerySet


class FilingFilterSet(StrictFilterSet):
    year = YearFilter()
    quarter = QuarterFilter()

    class Meta:
        model = models.Filing
        fields = ["format"]


class CircularFilingFilterSet(StrictFilterSet):
    year = YearFilter()
    month = MonthOfYearFilter()

    class Meta:
        model = models.CircularFiling
        fields = ["format"]


class AttractionProjectFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(method="search", label="name, investor or project code contains")
    is_key_industry = BooleanFilter(field_name="industry__is_key")
    stage = TodayChoiceFilter(
        choices=AttractionProjectStageChoices.choices,
        condition=AttractionProjectQuerySet.stage_condition,
        label="stage today",
    )
    industry = IntegerFilter()
    area = IntegerFilter()
    department = IntegerFilter()
    key_project = IntegerFilter()
    predecessor = IntegerFilter()
    link = IntegerFilter()
    chain = IntegerFilter(field_name="link__chain", label="industrial chain (of its link)")
    year = YearFilter()
    investor_origin = django_filters.MultipleChoiceFilter(choices=AttractionProjectInvestorOriginChoices.choices)
    ranges = ["contract_amount", "signed_on", "started_on"]

    class Meta:
        model = models.AttractionProject
        fields = ["year"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(investor__icontains=value) | Q(project_code__icontains=value)
        )


# --- industrial chains and their lists ----------------------------------------------------------


class IndustrialChainFilterSet(SearchFilterSet):
    search_fields = ("name", "chain_master", "lead_leader")
    industry = IntegerFilter(field_name="industries", distinct=True)

    class Meta:
        model = models.IndustrialChain
        fields = ["industry"]


class ChainLinkFilterSet(SearchFilterSet):
    """``coverage``: today's, from the annotation the viewset adds (``with_coverage``)."""

    search_fields = ("name", "description")
    chain = IntegerFilter()
    position = django_filters.MultipleChoiceFilter(choices=ChainLinkPositionChoices.choices)
    coverage = django_filters.MultipleChoiceFilter(
        choices=ChainLinkCoverageChoices.choices, field_name="coverage_as_of", label="coverage today"
    )

    class Meta:
        model = models.ChainLink
        fields = ["chain"]


class TargetEnterpriseFilterSet(SearchFilterSet):
    search_fields = ("company", "region", "responsible_person", "next_step")
    chain = IntegerFilter(field_name="link__chain", label="industrial chain (of its link)")
    link = IntegerFilter()
    stage = TodayChoiceFilter(
        choices=TargetEnterpriseStageChoices.choices,
        condition=TargetEnterpriseQuerySet.stage_condition,
        label="stage today",
    )
    region = django_filters.CharFilter(lookup_expr="icontains", label="region contains")
    size = django_filters.MultipleChoiceFilter(choices=TargetEnterpriseSizeChoices.choices)
    signed = BooleanFilter(field_name="signed_on", lookup_expr="isnull", exclude=True, label="signed")
    ranges = ["contacted_on", "last_contact_on", "signed_on"]

    class Meta:
        model = models.TargetEnterprise
        fields = ["link"]


class LocalEnterpriseFilterSet(SearchFilterSet):
    search_fields = ("company",)
    chain = IntegerFilter(field_name="link__chain", label="industrial chain (of its link)")
    link = IntegerFilter()
    ranges = ["annual_output", "employees"]

    class Meta:
        model = models.LocalEnterprise
        fields = ["link"]


class CarrierFilterSet(SearchFilterSet):
    search_fields = ("name", "location")
    kind = django_filters.MultipleChoiceFilter(choices=CarrierKindChoices.choices)
    chain = IntegerFilter()
    area = IntegerFilter()
    availability = django_filters.MultipleChoiceFilter(choices=CarrierAvailabilityChoices.choices)
    size_unit = django_filters.MultipleChoiceFilter(choices=CarrierSizeUnitChoices.choices)
    price_unit = django_filters.MultipleChoiceFilter(choices=CarrierPriceUnitChoices.choices)
    ranges = ["size"]

    class Meta:
        model = models.Carrier
        fields = ["chain"]


class PolicyFilterSet(SearchFilterSet):
    search_fields = ("name", "issuing_body", "summary")
    chain = IntegerFilter(field_name="chains", distinct=True)
    valid_on = AsOfFilter(method="filter_valid_on", label="in force on (YYYY-MM-DD)")

    class Meta:
        model = models.Policy
        fields = ["chain"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.filter(models.Policy.valid_condition(value)) if value else queryset


class ResponsibilityFilterSet(SearchFilterSet):
    search_fields = ("person", "duty")
    chain = IntegerFilter()
    department = IntegerFilter()
    target_enterprise = IntegerFilter(field_name="target_enterprises", distinct=True)

    class Meta:
        model = models.Responsibility
        fields = ["chain"]


class SupervisionOrderFilterSet(SearchFilterSet):
    """The orders; ``stage`` and ``overdue`` as of the list's ``as_of`` (default today), read
    from the list's annotations (``SupervisionOrderQuerySet.with_stage``)."""

    search_fields = ("subject", "demand")
    stage = django_filters.MultipleChoiceFilter(
        field_name="stage_as_of", choices=SupervisionOrderStageChoices.choices, label="stage as of as_of"
    )
    overdue = BooleanFilter(field_name="overdue_as_of", label="overdue as of as_of")
    level = django_filters.MultipleChoiceFilter(choices=SupervisionOrderLevelChoices.choices)
    department = IntegerFilter()
    key_project = IntegerFilter()
    attraction_project = IntegerFilter()
    problem = IntegerFilter()
    year = YearFilter()
    ranges = ["issued_on", "due_on"]

    class Meta:
        model = models.SupervisionOrder
        fields = ["department"]


class OrderReplyFilterSet(StrictFilterSet):
    order = IntegerFilter()
    department = IntegerFilter(field_name="order__department", label="department (of its order)")
    decision = django_filters.MultipleChoiceFilter(choices=OrderReplyDecisionChoices.choices)
    decided = BooleanFilter(field_name="decided_on", lookup_expr="isnull", exclude=True, label="decided")
    ranges = ["replied_on", "decided_on"]

    class Meta:
        model = models.OrderReply
        fields = ["order"]


class DispatchMeetingFilterSet(SearchFilterSet):
    """The meetings: by kind, by the year they were held, by a department present or a project
    discussed, by the day held (``held_on_min``/``_max``)."""

    search_fields = ("title", "chaired_by", "minutes")
    kind = django_filters.MultipleChoiceFilter(choices=DispatchMeetingKindChoices.choices)
    year = YearFilter(field_name="held_on__year")
    department = IntegerFilter(field_name="departments_present", distinct=True, label="department present")
    key_project = IntegerFilter(field_name="projects_discussed", distinct=True, label="key project discussed")
    ranges = ["held_on"]

    class Meta:
        model = models.DispatchMeeting
        fields = ["kind"]


class MeetingDecisionFilterSet(SearchFilterSet):
    """The meetings' decisions: ``turned`` says whether a decision became an order."""

    search_fields = ("text",)
    meeting = IntegerFilter()
    department = IntegerFilter()
    key_project = IntegerFilter()
    year = YearFilter(field_name="meeting__held_on__year", label="year (its meeting's)")
    turned = BooleanFilter(field_name="order", lookup_expr="isnull", exclude=True, label="turned into an order")
    ranges = ["due_on"]

    class Meta:
        model = models.MeetingDecision
        fields = ["meeting"]


class NotificationFilterSet(StrictFilterSet):
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", label="not read yet")

    class Meta:
        model = models.Notification
        fields: list[str] = []
