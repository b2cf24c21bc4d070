"""The list filters of the API (django-filter), for every ledger of both apps: filters that
refuse what they cannot read (a 400 naming the parameter, never a filter quietly dropped), and
``_min``/``_max`` ranges generated from one declaration.

A filter set declares its ranges by the model's field names::

    class KeyProjectFilterSet(SearchFilterSet):
        ranges = ["total_investment", "started_on"]

and gets ``total_investment_min`` (``>=``), ``total_investment_max`` (``<=``), ``started_on_min``
and ``started_on_max``, each of the filter class the field's type calls for
(``range_filter_class``): an amount, a date, a year or a whole number."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from functools import reduce
from operator import or_
from typing import Any, ClassVar

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django_filters.utils import get_model_field
from drf_spectacular.utils import extend_schema_field

from jiaxian import params, periods
from jiaxian.api import DATE_PARAMETER_SCHEMA, QUARTER_PARAMETER_SCHEMA, YEAR_PARAMETER_SCHEMA

INT64 = 2**63


def integer_schema(minimum: int, maximum: int, **extra: Any) -> dict[str, Any]:
    return {"type": "integer", **extra, "minimum": minimum, "maximum": maximum}


@extend_schema_field(integer_schema(-INT64, INT64 - 1, format="int64"))
class IntegerFilter(django_filters.NumberFilter):
    """A whole number from ``minimum`` to ``maximum`` (by default what the database holds): a
    foreign key by id, a count. An id that matches nothing gives an empty list (a filter, not a
    lookup); a value that is not a whole number, or out of range, is a 400 naming the
    parameter."""

    field_class = forms.IntegerField
    minimum: ClassVar[int] = -INT64
    maximum: ClassVar[int] = INT64 - 1

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", self.minimum)
        kwargs.setdefault("max_value", self.maximum)
        super().__init__(*args, **kwargs)


@extend_schema_field(integer_schema(1, 9999))
class CalendarYearFilter(IntegerFilter):
    """A year of a stored date (``month__year``): 1 to 9999, what a date can hold; year 0 would
    be a 500 in the database's date arithmetic. A plan's, a listing's or a report's year is a
    ``YearFilter``."""

    minimum, maximum = 1, 9999


@extend_schema_field(integer_schema(1, 12))
class MonthOfYearFilter(IntegerFilter):
    minimum, maximum = 1, 12


@extend_schema_field(YEAR_PARAMETER_SCHEMA)
class YearFilter(django_filters.Filter):
    """A year, read like every year parameter (``periods.parse_year``: YEAR_MIN to YEAR_MAX),
    so that a year outside them is the report's 400 naming the parameter, not an empty list."""

    field_class = params.YearField


@extend_schema_field(QUARTER_PARAMETER_SCHEMA)
class QuarterFilter(django_filters.Filter):
    """A quarter, 1 to 4, read by ``periods.parse_quarter``."""

    field_class = params.QuarterField


@extend_schema_field(DATE_PARAMETER_SCHEMA)
class AsOfFilter(django_filters.Filter):
    """A day the records are judged on (``valid_on``), read like every as-of date
    (``periods.parse_date``: the years YEAR_MIN to YEAR_MAX); a filter on a stored date column
    stays a ``DateFilter``."""

    field_class = params.DateField


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d{1,12}(?:\.\d{1,2})?$"})
class AmountFilter(django_filters.NumberFilter):
    """An amount in 万元 (or any figure of two places), written as the API writes amounts: a
    decimal string, two places."""

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


# --- judged today ------------------------------------------------------------------------------------
# A stage, a status, "late" or "open": what the records' dates make of them today, in the county's
# time zone (``periods.today()``), asked in the database by a condition the domain gives.


class TodayChoiceFilter(django_filters.MultipleChoiceFilter):
    """The records whose stage (or status) today is any of the chosen: ``condition(value,
    today)`` is the Q of one value."""

    def __init__(self, *args, condition: Callable[[str, datetime.date], Q], **kwargs):
        super().__init__(*args, **kwargs)
        self.condition = condition

    def filter(self, qs, value):
        if not value:
            return qs
        today = periods.today()
        return qs.filter(reduce(or_, (self.condition(choice, today) for choice in value)))


class TodayBooleanFilter(BooleanFilter):
    """``true``: the records for which ``condition(today)`` holds; ``false``: the others."""

    def __init__(self, *args, condition: Callable[[datetime.date], Q], **kwargs):
        super().__init__(*args, **kwargs)
        self.condition = condition

    def filter(self, qs, value):
        if value is None:
            return qs
        condition = self.condition(periods.today())
        return qs.filter(condition) if value else qs.exclude(condition)


# --- ranges ----------------------------------------------------------------------------------------

# A range's two ends: the parameter's suffix and its lookup, both ends included.
RANGE_ENDS = (("min", "gte"), ("max", "lte"))


def is_year_field(field: models.Field) -> bool:
    """Whether ``field`` holds a year of the ledgers: a whole number validated to the years
    ``periods.YEAR_MIN`` to ``YEAR_MAX``."""
    # Of the bounds' validators (a field's validators may also be plain functions, with no limit).
    bounds = [validator for validator in field.validators if isinstance(validator, BaseValidator)]
    limits = {(type(validator), validator.limit_value) for validator in bounds}
    return (MinValueValidator, periods.YEAR_MIN) in limits and (MaxValueValidator, periods.YEAR_MAX) in limits


def range_filter_class(field: models.Field) -> type[django_filters.Filter]:
    """The filter class of a range over ``field``: an amount for a decimal of two places, a
    ``DateFilter`` for a date, a ``YearFilter`` for a year, an ``IntegerFilter`` for another
    whole number. Any other field is an ImproperlyConfigured: its range needs a filter class
    written for it first."""
    if isinstance(field, models.DecimalField) and field.decimal_places == 2:
        return AmountFilter
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return django_filters.DateFilter
    if isinstance(field, models.IntegerField):
        return YearFilter if is_year_field(field) else IntegerFilter
    raise ImproperlyConfigured(f"No range filter for {field!r}: write its filter class in jiaxian.filters.")


class StrictFilterSet(django_filters.FilterSet):
    """A filter set that refuses instead of ignoring: a value its filter cannot read is a 400
    naming the parameter (the filters above), and so is a parameter given with an empty value
    (``?started_on_min=``), except free text, where empty means "anything".

    ``ranges``: the model's fields that get a ``<field>_min`` and a ``<field>_max`` filter."""

    ranges: ClassVar[Sequence[str]] = ()

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        if not cls._meta.model:
            return filters
        for field_name in cls.ranges:
            field = get_model_field(cls._meta.model, field_name)
            if field is None:
                raise ImproperlyConfigured(f"{cls.__name__}.ranges: {cls._meta.model.__name__} has no {field_name}.")
            filter_class = range_filter_class(field)
            for suffix, lookup_expr in RANGE_ENDS:
                name = f"{field_name}_{suffix}"
                if name in filters:
                    raise ImproperlyConfigured(f"{cls.__name__}.{name} is declared and in ranges: keep one.")
                filters[name] = filter_class(field_name=field_name, lookup_expr=lookup_expr)
        return filters

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

    search_fields: ClassVar[tuple[str, ...]] = ("code", "name")
    q = django_filters.CharFilter(method="search", label="text contains")

    def search(self, queryset, name, value):
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)
