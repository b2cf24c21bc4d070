"""List filters of the projects app's API (django-filter): ``<fk>`` by id, ``q`` for text."""

import django_filters
from django.db.models import Q

from .models import Industry, YearPlan


class IndustryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="code or name contains")

    class Meta:
        model = Industry
        fields = ["is_key"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class YearPlanFilterSet(django_filters.FilterSet):
    year_min = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_max = django_filters.NumberFilter(field_name="year", lookup_expr="lte")

    class Meta:
        model = YearPlan
        fields = ["year"]
