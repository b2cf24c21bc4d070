"""The strict filter sets' generated ranges (``jiaxian.filters``): one declaration gives a
``_min`` and a ``_max`` filter of the class the model field calls for; a range that cannot be
generated is refused when the class is defined, not at a request. The ranges' answers are tested
with every list's filters in ``projects/tests/test_api.py``."""

from __future__ import annotations

import datetime
from unittest import mock

import django_filters
import pytest
from django.core.exceptions import ImproperlyConfigured

from investment.filtersets import AttractionProjectFilterSet, CarrierFilterSet, LocalEnterpriseFilterSet
from jiaxian import periods
from jiaxian.filters import AmountFilter, IntegerFilter, StrictFilterSet
from projects.filtersets import BondReserveFilterSet, KeyProjectFilterSet
from projects.models import KeyProject, YearPlan

d = datetime.date


@pytest.mark.parametrize(
    ("filterset", "field", "filter_class"),
    [
        (KeyProjectFilterSet, "total_investment", AmountFilter),
        (KeyProjectFilterSet, "started_on", django_filters.DateFilter),
        (BondReserveFilterSet, "bond_demand", AmountFilter),
        (AttractionProjectFilterSet, "signed_on", django_filters.DateFilter),
        (LocalEnterpriseFilterSet, "employees", IntegerFilter),
        # An area of two places is read as an amount is.
        (CarrierFilterSet, "size", AmountFilter),
    ],
)
def test_a_range_gives_a_min_and_a_max_filter_of_the_fields_type(filterset, field, filter_class):
    for suffix, lookup_expr in (("min", "gte"), ("max", "lte")):
        generated = filterset.base_filters[f"{field}_{suffix}"]
        assert type(generated) is filter_class
        assert (generated.field_name, generated.lookup_expr) == (field, lookup_expr)


def test_a_subclass_keeps_its_parents_ranges():
    class Narrower(KeyProjectFilterSet):
        pass

    assert {"total_investment_min", "started_on_max"} <= set(Narrower.base_filters)


def range_set(ranges, model=KeyProject, **declared):
    meta = type("Meta", (), {"model": model, "fields": []})
    return type("Ranges", (StrictFilterSet,), {"ranges": ranges, "Meta": meta, **declared})


def test_a_range_declared_by_hand_too_is_refused():
    with pytest.raises(ImproperlyConfigured, match="total_investment_min"):
        range_set(["total_investment"], total_investment_min=AmountFilter(field_name="total_investment"))


def test_a_range_of_a_field_the_model_does_not_have_is_refused():
    with pytest.raises(ImproperlyConfigured, match="no total_investmen"):
        range_set(["total_investmen"])


@pytest.mark.parametrize(
    ("model", "field"),
    # A ratio has four places, not an amount's two; text has no range.
    [(YearPlan, "attraction_big_share_target"), (KeyProject, "name")],
)
def test_a_range_of_a_field_without_a_range_filter_class_is_refused(model, field):
    with pytest.raises(ImproperlyConfigured, match="No range filter"):
        range_set([field], model=model)


# Judged today: the domain's condition, asked with the county's today (``periods.today``).


@pytest.mark.django_db
def test_a_today_boolean_filter_keeps_what_its_condition_holds_for_today_and_false_the_rest(api, make_key_project):
    project = make_key_project()
    days = {"late": d(2023, 6, 29), "due today": d(2023, 6, 30), "done": d(2023, 6, 1)}
    for kind, (name, planned_on) in zip(("start", "completion", "other"), days.items(), strict=True):
        project.milestones.create(
            kind=kind, name=name, planned_on=planned_on, done_on=planned_on if name == "done" else None
        )

    def names(**query):
        # Only the milestones named here: a new key project comes with its standard (unnamed) ones.
        return sorted(row["name"] for row in api.get("/api/milestones/", query).json()["results"] if row["name"])

    with mock.patch.object(periods, "today", lambda: d(2023, 6, 30)):
        assert (names(late="true"), names(late="false")) == (["late"], ["done", "due today"])
    with mock.patch.object(periods, "today", lambda: d(2023, 7, 1)):
        assert names(late="true") == ["due today", "late"]
