"""The ledgers that grow with a city's counties are listed in an order an index serves, in its
directions: a deep page is then read from the index, not sorted from the whole table."""

from __future__ import annotations

import pytest

from investment.models import AttractionProject
from projects.models import BondReserve, KeyProject


def served_by_an_index(model) -> bool:
    ordering = list(model._meta.ordering)
    indexes = [list(index.fields) for index in model._meta.indexes]
    if len(ordering) == 1 and not ordering[0].startswith("-"):
        field = model._meta.get_field(ordering[0])
        # A unique or indexed column, read forwards (or backwards: one direction).
        return field.unique or field.db_index or [ordering[0]] in indexes
    return ordering in indexes


@pytest.mark.parametrize("model", [KeyProject, BondReserve, AttractionProject])
def test_the_default_order_of_a_large_ledger_is_an_index(model):
    assert served_by_an_index(model), model._meta.ordering
