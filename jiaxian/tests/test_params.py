"""The admin pages' door onto ``periods``' parsers (``params.page_parameter``); the pages that use
it are tested in ``test_period_parameters.py`` and ``investment/tests/test_dashboard.py``."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jiaxian import periods
from jiaxian.params import QuarterField, page_parameter

DEFAULT = datetime.date(2023, 6, 30)


@pytest.mark.parametrize("data", [{}, {"as_of": ""}, {"as_of": "  "}])
def test_a_page_parameter_absent_or_blank_is_the_default_without_a_message(data):
    errors: list[str] = []
    assert page_parameter(data, "as_of", periods.parse_date, errors, "As of: %(error)s", DEFAULT) == DEFAULT
    assert errors == []


def test_a_page_parameter_is_read_by_its_parser():
    errors: list[str] = []
    assert page_parameter({"year": " 2023 "}, "year", periods.parse_year, errors, "Year: %(error)s") == 2023
    assert errors == []


def test_a_bad_page_parameter_is_the_default_and_the_parsers_message_under_its_label():
    errors: list[str] = []
    with translation.override("en"):
        value = page_parameter({"year": "1999"}, "year", periods.parse_year, errors, "Year: %(error)s", 2023)
    assert value == 2023
    assert errors == ["Year: “1999” is not a year from 2000 to 2100."]


@pytest.mark.parametrize(("given", "valid"), [("1", True), ("4", True), (" 2 ", True), ("0", False), ("1.0", False)])
def test_a_quarter_field_takes_1_to_4_as_the_export_does(given, valid):
    field = QuarterField()
    if valid:
        assert field.clean(given) == int(given)
    else:
        with translation.override("en"), pytest.raises(ValidationError, match="is not a quarter"):
            field.clean(given)
