"""List filters of the investment app's API."""

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q

from jiaxian import periods
from projects.filtersets import AmountFilter, BooleanFilter, IntegerFilter, StrictFilterSet

from .choices import AttractionProjectInvestorOriginChoices, AttractionProjectStageChoices
from .models import AttractionProject, Filing
from .querysets import AttractionProjectQuerySet


class FilingFilterSet(StrictFilterSet):
    year = IntegerFilter()
    quarter = IntegerFilter()

    class Meta:
        model = Filing
        fields = ["format"]


class AttractionProjectFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(method="search", label="name, investor or project code contains")
    is_key_industry = BooleanFilter(field_name="industry__is_key")
    stage = django_filters.MultipleChoiceFilter(
        choices=AttractionProjectStageChoices.choices, method="filter_stage", label="stage today"
    )
    industry = IntegerFilter()
    area = IntegerFilter()
    department = IntegerFilter()
    key_project = IntegerFilter()
    predecessor = IntegerFilter()
    year = IntegerFilter()
    investor_origin = django_filters.MultipleChoiceFilter(choices=AttractionProjectInvestorOriginChoices.choices)
    contract_amount_min = AmountFilter(field_name="contract_amount", lookup_expr="gte")
    contract_amount_max = AmountFilter(field_name="contract_amount", lookup_expr="lte")
    signed_on_min = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte")
    signed_on_max = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte")
    started_on_min = django_filters.DateFilter(field_name="started_on", lookup_expr="gte")
    started_on_max = django_filters.DateFilter(field_name="started_on", lookup_expr="lte")

    class Meta:
        model = AttractionProject
        fields = ["year"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(investor__icontains=value) | Q(project_code__icontains=value)
        )

    def filter_stage(self, queryset, name, values):
        if not values:
            return queryset
        today = periods.today()
        return queryset.filter(reduce(or_, (AttractionProjectQuerySet.stage_condition(v, today) for v in values)))
