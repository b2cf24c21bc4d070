"""The ledgers that grow with a city's counties are listed in an order an index serves, in its
directions: a deep page is then read from the index, not sorted from the whole table. A key
project's parts (listings, milestones, monthly progress, problems) are among them: their lists
order by the project's id, never through the project's name (a join, and a sort of every row)."""

from __future__ import annotations

import pytest
from django.db import models
from django.db.models.constants import LOOKUP_SEP

from investment.models import AttractionProject
from projects.api import views
from projects.models import AnnualListing, BondReserve, KeyProject, Milestone, Problem, ProgressReport

Key = tuple[str, bool]  # a column and whether it is descending


def ordering_keys(model) -> list[Key] | None:
    """The columns ``Meta.ordering`` sorts by, with their directions, as PostgreSQL's b-tree
    keeps them; None when a term is not a column of the table (a lookup through a relation, a
    foreign key named by its field, which Django orders by the related model's own ordering
    through a join) or asks for NULLs where the index does not keep them (an ascending b-tree
    keeps them last, a descending one first)."""
    keys = []
    for term in model._meta.ordering:
        if isinstance(term, models.OrderBy) and isinstance(term.expression, models.F):
            name, descending = term.expression.name, term.descending
            if (term.nulls_first and not descending) or (term.nulls_last and descending):
                return None
        elif isinstance(term, str):
            name, descending = term.removeprefix("-"), term.startswith("-")
        else:
            return None
        if LOOKUP_SEP in name:
            return None
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        if field.is_relation and name != field.attname and field.related_model._meta.ordering:
            return None
        keys.append((field.column, descending))
    return keys


def index_keys(model) -> list[list[Key]]:
    """The columns of each index of the table, with their directions: the declared indexes,
    the unique constraints and the single columns that are unique or indexed."""

    def column(name: str) -> str:
        return model._meta.get_field(name).column

    indexes = [
        [(column(name.removeprefix("-")), name.startswith("-")) for name in index.fields]
        for index in model._meta.indexes
    ]
    indexes += [
        [(column(name), False) for name in constraint.fields]
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and constraint.condition is None
    ]
    indexes += [[(field.column, False)] for field in model._meta.concrete_fields if field.unique or field.db_index]
    return indexes


def served_by_an_index(model) -> bool:
    """``Meta.ordering`` is the leading columns of an index, read forwards or backwards."""
    keys = ordering_keys(model)
    if not keys:
        return False
    backwards = [(name, not descending) for name, descending in keys]
    return any(index[: len(keys)] in (keys, backwards) for index in index_keys(model))


@pytest.mark.parametrize(
    "model", [KeyProject, BondReserve, AttractionProject, AnnualListing, Milestone, ProgressReport, Problem]
)
def test_the_default_order_of_a_large_ledger_is_an_index(model):
    assert served_by_an_index(model), model._meta.ordering


@pytest.mark.parametrize(
    "viewset",
    [views.AnnualListingViewSet, views.MilestoneViewSet, views.ProgressReportViewSet, views.ProblemViewSet],
)
def test_the_list_of_a_key_projects_part_reads_its_table_alone(viewset):
    # Each shows its project (and department) by id: a join would only cost.
    assert "JOIN" not in str(viewset.queryset.query)
