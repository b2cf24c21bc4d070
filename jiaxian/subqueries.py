"""Counts and sums of a record's related rows, as correlated subqueries.

``queryset.annotate(open_problems=count_related(KeyProject, "problems", condition))`` counts,
in the same query, each project's problems that meet ``condition``; ``sum_related`` sums a
field of them. A subquery rather than ``Count``/``Sum`` over a join, so that two relations (or
a relation and another annotation) do not multiply each other's rows and every figure stays
exact. A record without related rows gets 0, never null.

``ids_related`` and ``rows_related`` give a record's few related rows in the same query, as a
list (a project's successors' ids, a chain's industries): one query less than a prefetch.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.fields.reverse_related import ManyToOneRel
from django.db.models.functions import Coalesce, JSONArray


def _related_rows(model: type[models.Model], relation: str, condition: Q | None) -> tuple[models.QuerySet, str]:
    """The rows of ``model``'s reverse relation ``relation`` (a foreign key on the related
    model pointing at ``model``) that meet ``condition`` and belong to the outer row, grouped
    by that key, and the key's name."""
    rel = model._meta.get_field(relation)
    if not isinstance(rel, ManyToOneRel) or not rel.one_to_many:
        raise ValueError(f"{model.__name__}.{relation} is not the reverse of a foreign key")
    link = rel.field.name
    # The foreign key's own model: the related rows (rel.related_model, as typed, may be "self").
    related: type[models.Model] = rel.field.model
    rows = (
        related._default_manager.filter(condition or Q(), **{link: OuterRef(rel.field.target_field.name)})
        .order_by()
        .values(link)
    )
    return rows, link


def count_related(model: type[models.Model], relation: str, condition: Q | None = None) -> Coalesce:
    """The number of the outer row's ``relation`` rows that meet ``condition`` (0 when none)."""
    rows, _link = _related_rows(model, relation, condition)
    counted = rows.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), Value(0))


def sum_related(
    model: type[models.Model], relation: str, field: str, condition: Q | None = None, expression: Any = None
) -> Coalesce:
    """The sum of ``field`` over the outer row's ``relation`` rows that meet ``condition`` (0
    when none), typed as ``field`` is (an amount stays a Decimal of two places). ``expression``,
    when given, is summed instead of the field itself (typed as the field): a value worked out
    from the row, such as the amount a report counted on a past day."""
    rows, _link = _related_rows(model, relation, condition)
    summed_field = rows.model._meta.get_field(field)
    output: Any = summed_field.clone()
    summed = rows.annotate(total=Sum(field if expression is None else expression, output_field=output)).values("total")
    return Coalesce(Subquery(summed, output_field=output), Value(output.to_python(0)), output_field=output)


class JSONList(models.Aggregate):
    """The aggregated values as one JSON list (SQLite ``json_group_array``, PostgreSQL
    ``jsonb_agg``: jsonb, which Django's PostgreSQL backend reads as text, as JSONField expects).
    In no particular order: neither SQLite 3.40 nor this aggregate orders it, so readers sort."""

    function = "JSON_GROUP_ARRAY"
    output_field = models.JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


class _Rows(models.JSONField):
    """A ``rows_related`` list as Python: the decoded list, [] when there is no row (the
    subquery then answers null)."""

    def from_db_value(self, value, expression, connection):
        decoded = super().from_db_value(value, expression, connection)
        return [] if decoded is None else decoded


def rows_related(rows: models.QuerySet, key: str, *fields: str) -> Subquery:
    """The outer row's related rows in the same query, as one list: ``rows`` is a queryset of
    them correlated to the outer row on ``key`` (``filter(key=OuterRef(...))``), and each row is
    the value of ``fields[0]`` when one field is named, else the list of their values. [] when
    none; in no particular order (sort in Python). For a few rows a record shows with it (a
    project's successors' ids, a chain's industries) where a prefetch would be one more query."""
    value = fields[0] if len(fields) == 1 else JSONArray(*fields)
    listed = rows.order_by().values(key).annotate(listed=JSONList(value)).values("listed")
    return Subquery(listed, output_field=_Rows())


def ids_related(model: type[models.Model], relation: str, condition: Q | None = None) -> Subquery:
    """The ids of the outer row's ``relation`` rows (a reverse foreign key, as for
    ``count_related``) that meet ``condition``, as a list in no particular order; [] when none."""
    rows, link = _related_rows(model, relation, condition)
    return rows_related(rows, link, "pk")
