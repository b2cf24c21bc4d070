"""The version claim: the one check, for every door (admin change form, REST API, signing, the
monthly entry page, the import), that a record has not changed since a clerk or a client read it.

Every ledger record carries a ``version`` that each save raises by one. A write that read a record
at version *v* first *claims* it with a conditional UPDATE: the claim succeeds only while the
stored version is still *v*, and the UPDATE holds the row's write lock until the transaction
ends, so that nobody can slip a change in between the claim and the save. Call both functions
inside ``transaction.atomic()``.

- ``claim(record, expected)``: one record. The UPDATE leaves the version as it is (the save that
  follows raises it, as every save does); ``StaleVersion`` when the record is at another version
  or gone.
- ``claim_many(model, expected)``: a batch in one statement per chunk,
  ``UPDATE … SET version = version + 1 WHERE (id, version) IN (…) RETURNING id``: the ids missing
  from the answer are the stale ones. Here the claim itself raises the version, because a batch
  is then written with ``bulk_update`` (which calls no ``save()``): the caller sets each claimed
  record's ``version`` to its expected version + 1 before writing it.

Nothing here knows a ledger: any model with an integer ``version`` column will do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import connections, models, router

# A model with an integer ``version``, for the type checker only: the models are the apps' (their
# base, which every ledger record has), and any such model will do. At run time this name is Model.
if TYPE_CHECKING:

    class Versioned(models.Model):
        version: int

        class Meta:
            abstract = True

else:
    Versioned = models.Model

# Two parameters per row; SQLite allows 32,766 parameters in a statement, PostgreSQL 65,535.
CHUNK = 5000


class StaleVersion(Exception):
    """The record changed since the version a clerk or a client read.

    ``expected`` is the version that was read, ``current`` the stored one (None when the
    record no longer exists)."""

    def __init__(self, expected: int, current: int | None):
        self.expected, self.current = expected, current
        super().__init__(f"expected version {expected}, the record is at version {current}")


def claim(record: Versioned, expected: int) -> None:
    """Check that ``record`` is still stored at version ``expected`` and hold its row for this
    transaction; set ``record.version`` to ``expected`` (the save that follows raises it by one).

    Raises ``StaleVersion`` (with the stored version, or None for a deleted record) otherwise."""
    manager = type(record)._base_manager
    if not manager.filter(pk=record.pk, version=expected).update(version=expected):
        current = manager.filter(pk=record.pk).values_list("version", flat=True).first()
        raise StaleVersion(expected, current)
    record.version = expected


def claim_many(model: type[models.Model], expected: Mapping[int, int]) -> set[int]:
    """Claim every record of ``model`` whose id is a key of ``expected`` at the version it maps
    to, raising each claimed record's stored version by one, in one UPDATE per 5,000 records.

    Returns the ids that could not be claimed (changed since, or deleted): the caller refuses
    them (and rolls back the transaction, since the others were raised). An empty mapping
    claims nothing and runs no query."""
    if not expected:
        return set()
    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    claimed: set[int] = set()
    items = list(expected.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            rows = ", ".join(["(%s, %s)"] * len(chunk))
            params = [value for pair in chunk for value in pair]
            # A VALUES list of (id, version) pairs: row values work alike on SQLite (3.35+, for
            # RETURNING) and PostgreSQL.
            cursor.execute(
                f"UPDATE {table} SET version = version + 1 "  # noqa: S608 - names are quoted, values bound
                f"WHERE ({pk}, version) IN (VALUES {rows}) RETURNING {pk}",
                params,
            )
            claimed.update(row[0] for row in cursor.fetchall())
    return set(expected) - claimed
