"""List filters of the projects app's API (django-filter): ``<fk>`` by id, choices as
multiple choices, ``q`` for free text, ranges as ``_min``/``_max``."""

import django_filters
from django.db.models import Q

from jiaxian.filters import (
    BooleanFilter,
    CalendarYearFilter,
    IntegerFilter,
    MonthOfYearFilter,
    SearchFilterSet,
    StrictFilterSet,
    TodayBooleanFilter,
    TodayChoiceFilter,
    YearFilter,
)

from . import models
from .choices import (
    AnnualListingCategoryChoices,
    AreaKindChoices,
    BondReserveStatusChoices,
    IndicatorAccumulationChoices,
    IndicatorAreaChoices,
    IndicatorFrequencyChoices,
    KeyProjectNatureChoices,
    MilestoneKindChoices,
    ReviewStageChoices,
)
from .querysets import BondReserveQuerySet, ProblemQuerySet


class IndustryFilterSet(SearchFilterSet):
    is_key = BooleanFilter()

    class Meta:
        model = models.Industry
        fields = ["code"]


class AreaFilterSet(SearchFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=AreaKindChoices.choices)

    class Meta:
        model = models.Area
        fields = ["code"]


class DepartmentFilterSet(SearchFilterSet):
    class Meta:
        model = models.Department
        fields = ["code"]


class SectorFilterSet(SearchFilterSet):
    class Meta:
        model = models.Sector
        fields = ["code"]


class YearPlanFilterSet(StrictFilterSet):
    year = YearFilter()
    ranges = ["year"]

    class Meta:
        model = models.YearPlan
        fields = ["year"]


class KeyProjectFilterSet(SearchFilterSet):
    search_fields = ("name", "owner", "project_code", "leader")
    year = YearFilter(method="filter_year", label="listed for year")
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
    ranges = ["total_investment", "started_on"]

    class Meta:
        model = models.KeyProject
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
    year = YearFilter()
    category = django_filters.MultipleChoiceFilter(choices=AnnualListingCategoryChoices.choices)
    ranges = ["planned_investment"]

    class Meta:
        model = models.AnnualListing
        fields = ["year"]


class BondReserveFilterSet(SearchFilterSet):
    search_fields = ("name", "owner", "project_code")
    status = TodayChoiceFilter(
        choices=BondReserveStatusChoices.choices, condition=BondReserveQuerySet.status_condition, label="status today"
    )
    year = YearFilter()
    sector = IntegerFilter()
    department = IntegerFilter()
    area = IntegerFilter()
    ranges = ["total_investment", "bond_demand", "reserved_on"]

    class Meta:
        model = models.BondReserve
        fields = ["year", "project_code"]


class MilestoneFilterSet(StrictFilterSet):
    """``late``: late today (planned before today and not done)."""

    project = IntegerFilter()
    department = IntegerFilter()
    kind = django_filters.MultipleChoiceFilter(choices=MilestoneKindChoices.choices)
    late = TodayBooleanFilter(condition=models.Milestone.late_condition, label="late today")
    ranges = ["planned_on"]

    class Meta:
        model = models.Milestone
        fields = ["project"]


class ProgressReportFilterSet(StrictFilterSet):
    project = IntegerFilter()
    year = CalendarYearFilter(field_name="month", lookup_expr="year", label="year of the month")
    month = MonthOfYearFilter(field_name="month", lookup_expr="month", label="month of the year (1 to 12)")
    ranges = ["completed_investment"]

    class Meta:
        model = models.ProgressReport
        fields = ["project"]


class ProblemFilterSet(StrictFilterSet):
    """``open`` and ``overdue``: as of today (``ProblemQuerySet``)."""

    project = IntegerFilter()
    department = IntegerFilter()
    open = TodayBooleanFilter(condition=ProblemQuerySet.open_condition, label="open today")
    overdue = TodayBooleanFilter(condition=ProblemQuerySet.overdue_condition, label="open and past due today")
    ranges = ["raised_on"]

    class Meta:
        model = models.Problem
        fields = ["project"]


class ReviewStageFilter(django_filters.MultipleChoiceFilter):
    """A reviewed record's stage (one or more), on its times (``ReviewedMonth.REVIEW``), as its
    ``stage`` reads them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", ReviewStageChoices.choices)
        kwargs.setdefault("label", "review stage")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for stage in value:
            condition |= qs.model.REVIEW.condition(stage)
        return qs.filter(condition)


class PlanIndicatorFilterSet(SearchFilterSet):
    search_fields = ("name", "leader", "source")
    year = YearFilter(field_name="plan__year", label="year of the plan")
    area = django_filters.MultipleChoiceFilter(choices=IndicatorAreaChoices.choices)
    accumulation = django_filters.MultipleChoiceFilter(choices=IndicatorAccumulationChoices.choices)
    frequency = django_filters.MultipleChoiceFilter(choices=IndicatorFrequencyChoices.choices)
    department = IntegerFilter()

    class Meta:
        model = models.PlanIndicator
        fields = ["department"]


class IndicatorValueFilterSet(StrictFilterSet):
    indicator = IntegerFilter()
    department = IntegerFilter(field_name="indicator__department", label="responsible unit of the indicator")
    area = django_filters.MultipleChoiceFilter(field_name="indicator__area", choices=IndicatorAreaChoices.choices)
    # A plan's year, bounded as every year parameter: a value is of its indicator's plan's year.
    year = YearFilter(field_name="month", lookup_expr="year", label="year of the month")
    month = MonthOfYearFilter(field_name="month", lookup_expr="month", label="month of the year (1 to 12)")
    stage = ReviewStageFilter()
    ranges = ["value"]

    class Meta:
        model = models.IndicatorValue
        fields = ["indicator"]
