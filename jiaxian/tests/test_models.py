"""The domain-free model helpers of ``jiaxian.models``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from jiaxian import periods
from jiaxian.models import ratio, unique_errors, year_field
from projects.models import Industry

# The upload of the import page keeps the year the clerk chose (read by periods.parse_year on the
# page); it is not a ledger's year column.
NOT_A_LEDGER_YEAR = {"projects.ImportUpload"}


def test_year_field_takes_the_years_of_the_periods():
    field = year_field()
    field.clean(periods.YEAR_MIN, None)
    field.clean(periods.YEAR_MAX, None)
    for outside in (periods.YEAR_MIN - 1, periods.YEAR_MAX + 1):
        with pytest.raises(ValidationError):
            field.clean(outside, None)


def test_year_field_passes_its_options_on():
    field = year_field("plan year", unique=True)
    assert (field.verbose_name, field.unique) == ("plan year", True)
    assert str(year_field().verbose_name) == gettext("year")


def year_columns():
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in ("projects", "investment") and label not in NOT_A_LEDGER_YEAR:
            if "year" in {field.name for field in model._meta.get_fields()} and not label.split(".")[1].startswith(
                "Historical"
            ):
                yield label, model._meta.get_field("year")


@pytest.mark.parametrize(("label", "field"), list(year_columns()), ids=lambda value: str(value))
def test_every_ledger_year_column_is_a_year_field(label, field):
    bounds = {type(v).__name__: v.limit_value for v in field.validators}
    assert bounds == {"MinValueValidator": periods.YEAR_MIN, "MaxValueValidator": periods.YEAR_MAX}, label


def test_year_columns_are_found():
    assert {label for label, _field in year_columns()} >= {
        "projects.YearPlan",
        "projects.AnnualListing",
        "projects.BondReserve",
        "investment.AttractionProject",
        "investment.Filing",
    }


def test_ratio_rounds_half_up_and_refuses_no_denominator():
    assert ratio(Decimal("1"), Decimal("8")) == Decimal("0.1250")
    assert ratio(Decimal("2"), Decimal("3")) == Decimal("0.6667")
    assert ratio(Decimal("1"), Decimal("0")) is None
    assert ratio(None, Decimal("3")) is None


@pytest.mark.django_db
def test_unique_errors_names_the_field_only_for_another_record_and_asks_nothing_without_a_value(
    make_industry, django_assert_num_queries
):
    stored = make_industry(code="C01")
    assert unique_errors(Industry(code="C01"), "code", "taken", code="C01") == {"code": ["taken"]}
    assert unique_errors(stored, "code", "taken", code="C01") == {}  # itself is no clash
    assert unique_errors(Industry(code="C02"), "code", lambda: "never written", code="C02") == {}
    assert unique_errors(Industry(code="C01"), "code", lambda: "written late", code="C01") == {"code": ["written late"]}
    with django_assert_num_queries(0):
        assert unique_errors(Industry(), "code", "taken", code="") == {}
        assert unique_errors(Industry(), "code", "taken", code=None) == {}
