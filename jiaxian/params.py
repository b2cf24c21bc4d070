"""The doors of the admin's forms and pages and of the commands onto ``periods``' parsers, so that a
year, a quarter or an as-of date is read the same way, with the same range, everywhere (the
API's are in ``jiaxian.api``: ``YearParameter``, ``DateParameter``, ``period_parameter``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from django import forms

from jiaxian import periods


class PeriodField(forms.Field):
    """A form field read by ``parse`` (one of ``periods.parse_*``): blank is "not given" (None);
    anything the parser refuses is the form's error with the parser's message."""

    parse: Callable[[str], Any]

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        try:
            return type(self).parse(value)
        except periods.PeriodParameterError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from None


class YearField(PeriodField, forms.IntegerField):
    """A form's (or a filter's) year, read by ``periods.parse_year``: YEAR_MIN to YEAR_MAX
    (also the widget's bounds)."""

    parse = staticmethod(periods.parse_year)

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", periods.YEAR_MIN)
        kwargs.setdefault("max_value", periods.YEAR_MAX)
        super().__init__(**kwargs)


class QuarterField(PeriodField, forms.IntegerField):
    """A form's (or a filter's) quarter, read by ``periods.parse_quarter``: 1 to 4."""

    parse = staticmethod(periods.parse_quarter)

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 4)
        super().__init__(**kwargs)


class DateField(PeriodField, forms.CharField):
    """A form's (or a filter's) as-of date, read by ``periods.parse_date``: YYYY-MM-DD within
    the years YEAR_MIN to YEAR_MAX."""

    parse = staticmethod(periods.parse_date)


def page_parameter(
    data: Mapping[str, str], name: str, parse: Callable[[str, str], Any], errors: list[str], label: str, default=None
):
    """For an admin page: ``data[name]`` read by ``parse`` (one of ``periods.parse_*``),
    ``default`` when absent or blank. A bad one appends ``label`` (a translated "Year:
    %(error)s") with the parser's message to ``errors``, for the page to show with a 400, and
    gives ``default``."""
    given = data.get(name, "").strip()
    if not given:
        return default
    try:
        return parse(given, name)
    except periods.PeriodParameterError as exc:
        errors.append(label % {"error": exc.message})
        return default


def command_argument(parse):
    """An argparse ``type`` that reads an option with ``parse`` (one of ``periods.parse_*``):
    a bad value ends the command with the parser's message ("argument --year: …"), which
    ``call_command`` raises as a CommandError."""

    def read(raw):
        try:
            return parse(raw)
        except periods.PeriodParameterError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None

    read.__name__ = parse.__name__
    return read
