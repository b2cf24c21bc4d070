"""List filters of the projects app's API (django-filter): ``<fk>`` by id, choices as
multiple choices, ``q`` for free text, ranges as ``_min``/``_max``."""

from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field

from jiaxian import params, periods
from jiaxian.api import DATE_PARAMETER_SCHEMA

from .choices import (
    AnnualListingCategoryChoices,
    AreaKindChoices,
    BondReserveStatusChoices,
    KeyProjectNatureChoices,
    MilestoneKindChoices,
)
from .models import (
    AnnualListing,
    Area,
    BondReserve,
    Department,
    Industry,
    KeyProject,
    Milestone,
    Problem,
    ProgressReport,
    Sector,
    YearPlan,
)
from .querysets import BondReserveQuerySet, ProblemQuerySet

INT64 = 2**63


@extend_schema_field({"type": "integer", "format": "int64", "minimum": -INT64, "maximum": INT64 - 1})
class IntegerFilter(django_filters.NumberFilter):
    """A whole number: a year, or a foreign key by id. An id that matches nothing gives an
    empty list (a filter, not a lookup); a value that is not a whole number, or beyond what
    the database holds, is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -INT64)
        kwargs.setdefault("max_value", INT64 - 1)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class CalendarYearFilter(IntegerFilter):
    """A year of a date (``month__year``): 1 to 9999, what a date can hold; year 0 would be a
    500 in the database's date arithmetic."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 12})
class MonthOfYearFilter(IntegerFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 12)
        super().__init__(*args, **kwargs)


@extend_schema_field(DATE_PARAMETER_SCHEMA)
class AsOfFilter(django_filters.Filter):
    """A day the records are judged on (``valid_on``), read like every as-of date
    (``periods.parse_date``: the years YEAR_MIN to YEAR_MAX); a filter on a stored date column stays a
    ``DateFilter``."""

    field_class = params.DateField


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d{1,12}(?:\.\d{1,2})?$"})
class AmountFilter(django_filters.NumberFilter):
    """An amount in 万元, written as the API writes amounts: a decimal string, two places."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "boolean"})
class BooleanFilter(django_filters.BooleanFilter):
    """``true`` or ``false``; anything else is a 400 naming the parameter (django-filter's
    own would quietly not filter, and a client would believe it had)."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """A filter set that refuses instead of ignoring: a parameter given with an empty value
    (``?started_on_min=``) is a 400, except free text, where empty means "anything"."""

    def is_valid(self):
        valid = super().is_valid()
        for name, declared in self.filters.items():
            if isinstance(declared, django_filters.CharFilter):
                continue
            if name in self.data and "" in self.data.getlist(name):
                self.form.add_error(name, _("Empty value: leave the parameter out to not filter on it."))
                valid = False
        return valid


class SearchFilterSet(StrictFilterSet):
    """``q``: a case-insensitive "contains" over ``search_fields``."""

    search_fields: tuple[str, ...] = ("code", "name")
    q = django_filters.CharFilter(method="search", label="text contains")

    def search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class IndustryFilterSet(SearchFilterSet):
    is_key = BooleanFilter()

    class Meta:
        model = Industry
        fields = ["code"]


class AreaFilterSet(SearchFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=AreaKindChoices.choices)

    class Meta:
        model = Area
        fields = ["code"]


class DepartmentFilterSet(SearchFilterSet):
    class Meta:
        model = Department
        fields = ["code"]


class SectorFilterSet(SearchFilterSet):
    class Meta:
        model = Sector
        fields = ["code"]


class YearPlanFilterSet(StrictFilterSet):
    year = IntegerFilter()
    year_min = IntegerFilter(field_name="year", lookup_expr="gte")
    year_max = IntegerFilter(field_name="year", lookup_expr="lte")

    class Meta:
        model = YearPlan
        fields = ["year"]


class KeyProjectFilterSet(SearchFilterSet):
    search_fields = ("name", "owner", "project_code", "leader")
    year = IntegerFilter(method="filter_year", label="listed for year")
    category = django_filters.MultipleChoiceFilter(
        choices=AnnualListingCategoryChoices.choices,
        method="filter_category",
        label="category of the year's listing (of any year's without year)",
    )
    nature = django_filters.MultipleChoiceFilter(choices=KeyProjectNatureChoices.choices)
    industry = IntegerFilter()
    area = IntegerFilter()
    department = IntegerFilter()
    predecessor = IntegerFilter()
    is_key_industry = BooleanFilter(field_name="industry__is_key")
    total_investment_min = AmountFilter(field_name="total_investment", lookup_expr="gte")
    total_investment_max = AmountFilter(field_name="total_investment", lookup_expr="lte")
    started_on_min = django_filters.DateFilter(field_name="started_on", lookup_expr="gte")
    started_on_max = django_filters.DateFilter(field_name="started_on", lookup_expr="lte")

    class Meta:
        model = KeyProject
        fields = ["project_code"]

    def filter_year(self, queryset, name, value):
        # With a category too, one join must match both (filter_category does it).
        if self.form.cleaned_data.get("category"):
            return queryset
        return queryset.filter(listings__year=value)

    def filter_category(self, queryset, name, values):
        """The category of the chosen year's listing, as the admin does; of any listing when no
        year is given."""
        if not values:
            return queryset
        year = self.form.cleaned_data.get("year")
        if year is not None:
            return queryset.filter(listings__year=year, listings__category__in=values)
        return queryset.filter(listings__category__in=values).distinct()


class AnnualListingFilterSet(StrictFilterSet):
    project = IntegerFilter()
    year = IntegerFilter()
    category = django_filters.MultipleChoiceFilter(choices=AnnualListingCategoryChoices.choices)
    planned_investment_min = AmountFilter(field_name="planned_investment", lookup_expr="gte")
    planned_investment_max = AmountFilter(field_name="planned_investment", lookup_expr="lte")

    class Meta:
        model = AnnualListing
        fields = ["year"]


class BondReserveFilterSet(SearchFilterSet):
    search_fields = ("name", "owner", "project_code")
    status = django_filters.MultipleChoiceFilter(
        choices=BondReserveStatusChoices.choices, method="filter_status", label="status today"
    )
    total_investment_min = AmountFilter(field_name="total_investment", lookup_expr="gte")
    total_investment_max = AmountFilter(field_name="total_investment", lookup_expr="lte")
    year = IntegerFilter()
    sector = IntegerFilter()
    department = IntegerFilter()
    area = IntegerFilter()
    bond_demand_min = AmountFilter(field_name="bond_demand", lookup_expr="gte")
    bond_demand_max = AmountFilter(field_name="bond_demand", lookup_expr="lte")
    reserved_on_min = django_filters.DateFilter(field_name="reserved_on", lookup_expr="gte")
    reserved_on_max = django_filters.DateFilter(field_name="reserved_on", lookup_expr="lte")

    class Meta:
        model = BondReserve
        fields = ["year", "project_code"]

    def filter_status(self, queryset, name, values):
        if not values:
            return queryset
        today = periods.today()
        return queryset.filter(reduce(or_, (BondReserveQuerySet.status_condition(v, today) for v in values)))


class MilestoneFilterSet(StrictFilterSet):
    """``late``: late today (planned before today and not done)."""

    project = IntegerFilter()
    department = IntegerFilter()
    kind = django_filters.MultipleChoiceFilter(choices=MilestoneKindChoices.choices)
    late = BooleanFilter(method="filter_late", label="late today")
    planned_on_min = django_filters.DateFilter(field_name="planned_on", lookup_expr="gte")
    planned_on_max = django_filters.DateFilter(field_name="planned_on", lookup_expr="lte")

    class Meta:
        model = Milestone
        fields = ["project"]

    def filter_late(self, queryset, name, value):
        if value is None:
            return queryset
        condition = Milestone.late_condition(periods.today())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class ProgressReportFilterSet(StrictFilterSet):
    project = IntegerFilter()
    year = CalendarYearFilter(field_name="month", lookup_expr="year", label="year of the month")
    month = MonthOfYearFilter(field_name="month", lookup_expr="month", label="month of the year (1 to 12)")
    completed_investment_min = AmountFilter(field_name="completed_investment", lookup_expr="gte")
    completed_investment_max = AmountFilter(field_name="completed_investment", lookup_expr="lte")

    class Meta:
        model = ProgressReport
        fields = ["project"]


class ProblemFilterSet(StrictFilterSet):
    """``open`` and ``overdue``: as of today (``ProblemQuerySet``)."""

    project = IntegerFilter()
    department = IntegerFilter()
    open = BooleanFilter(method="filter_open", label="open today")
    overdue = BooleanFilter(method="filter_overdue", label="open and past due today")
    raised_on_min = django_filters.DateFilter(field_name="raised_on", lookup_expr="gte")
    raised_on_max = django_filters.DateFilter(field_name="raised_on", lookup_expr="lte")

    class Meta:
        model = Problem
        fields = ["project"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        condition = ProblemQuerySet.open_condition(periods.today())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = ProblemQuerySet.overdue_condition(periods.today())
        return queryset.filter(condition) if value else queryset.exclude(condition)
