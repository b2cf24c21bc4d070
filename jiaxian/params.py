"""The doors of the admin's forms and of the commands onto ``periods``' parsers, so that a
year, a quarter or an as-of date is read the same way, with the same range, everywhere (the
API's are in ``jiaxian.api``: ``YearParameter``, ``DateParameter``, ``period_parameter``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from django import forms

from jiaxian import periods

T = TypeVar("T")


def form_value(parse: Callable[[str], T], value: str) -> T:
    """``value`` read by ``parse`` (one of ``periods.parse_*``); a bad one is the form's error."""
    try:
        return parse(value)
    except periods.PeriodParameterError as exc:
        raise forms.ValidationError(exc.message, code="invalid") from None


class YearField(forms.IntegerField):
    """A form's year, read by ``periods.parse_year``: YEAR_MIN to YEAR_MAX (also the widget's
    bounds)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", periods.YEAR_MIN)
        kwargs.setdefault("max_value", periods.YEAR_MAX)
        super().__init__(**kwargs)

    def to_python(self, value):
        return None if value in self.empty_values else form_value(periods.parse_year, value)


class DateField(forms.CharField):
    """A form's (or a filter's) as-of date, read by ``periods.parse_date``: YYYY-MM-DD within
    the years YEAR_MIN to YEAR_MAX."""

    def to_python(self, value):
        value = super().to_python(value)
        return None if value in self.empty_values else form_value(periods.parse_date, value)


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
