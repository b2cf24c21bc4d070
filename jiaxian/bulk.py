"""Validating and writing many records at once: what the import needs to cost a fixed number of
queries per batch of rows rather than several per row.

- ``UniqueKeys(model)``: the model's unique fields and unique constraints, checked for a batch
  of records in memory, against the stored records the batch loaded (``add_stored``) and among
  the batch's own records (``check``): what ``validate_unique()`` and each ``UniqueConstraint``'s
  ``validate()`` would ask the database record by record, with their messages.
- ``create(model, records, user)``: one ``bulk_create`` per batch, with a history row for each
  record (django-simple-history's ``bulk_create_with_history``) recording ``user``.
- ``update(model, records, fields, expected, user)``: after the batch version claim
  (``jiaxian.versions.claim_many``) of every record at the version it was read, one
  ``bulk_update`` (a statement per 500 records) with the history rows.

Nothing here knows a ledger: any model with an integer ``version`` and simple-history's
``history`` will do.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

# Records a statement writes at most (SQLite's take fewer: Django sizes them to its parameter
# limit). An update sends two parameters per record and field (``CASE WHEN id = … THEN …``), and
# PostgreSQL takes at most 65,535 parameters a statement.
BATCH_SIZE = 2000
UPDATE_BATCH_SIZE = 500


class UniqueKeys:
    """The unique fields (``unique=True``, the primary key aside) and the unconditional unique
    constraints over fields of ``model``, checked in memory for a batch of records.

    ``add_stored(record)`` registers a stored record's keys as the database holds them;
    ``check(record, identity)`` returns the errors of ``record`` (field → messages, the field
    being the unique field, or a constraint's last field) when another record already holds
    one of its keys, and otherwise registers its keys as held by ``identity`` (any hashable
    that tells the record apart: its primary key for a stored one). A key with an empty
    (None) part is never a clash: the database lets NULLs repeat."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.keys: list[tuple[tuple[str, ...], str, Callable[[models.Model], str]]] = []
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key:
                self.keys.append(((field.attname,), field.name, self._field_message(field.name)))
        for constraint in model._meta.total_unique_constraints:
            attnames = tuple(model._meta.get_field(name).attname for name in constraint.fields)
            message = constraint.get_violation_error_message()
            self.keys.append((attnames, constraint.fields[-1], lambda record, message=message: message))
        self.holders: dict[tuple[int, tuple], Hashable] = {}

    def _field_message(self, name: str) -> Callable[[models.Model], str]:
        return lambda record: str(record.unique_error_message(self.model, (name,)).messages[0])

    @staticmethod
    def values(record: models.Model, attnames: Sequence[str]) -> tuple | None:
        values = tuple(getattr(record, attname) for attname in attnames)
        return None if any(value is None for value in values) else values

    def add_stored(self, records: Iterable[models.Model]) -> None:
        for record in records:
            for index, (attnames, _, _) in enumerate(self.keys):
                values = self.values(record, attnames)
                if values is not None:
                    self.holders.setdefault((index, values), record.pk)

    def check(self, record: models.Model, identity: Hashable) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        taken = []
        for index, (attnames, field, message) in enumerate(self.keys):
            values = self.values(record, attnames)
            if values is None:
                continue
            holder = self.holders.get((index, values), identity)
            if holder != identity:
                errors.setdefault(field or NON_FIELD_ERRORS, []).append(message(record))
            else:
                taken.append((index, values))
        if not errors:
            for key in taken:
                self.holders[key] = identity
        return errors


def create(model: type[models.Model], records: list[models.Model], user=None) -> None:
    """Insert ``records`` (primary keys are set on them) with a history row each recording
    ``user``, in as few statements as the database allows."""
    if records:
        # One time for the batch's history rows (else simple-history asks the clock for each).
        now = timezone.now()
        bulk_create_with_history(records, model, batch_size=BATCH_SIZE, default_user=user, default_date=now)


def update(
    model: type[models.Model],
    records: list[models.Model],
    fields: Iterable[str],
    expected: Mapping[int, int],
    user=None,
) -> None:
    """Write ``fields`` of ``records`` (stored records, changed in memory) with a history row
    each recording ``user``. Each must have been claimed in this transaction at the version
    it was read (``expected``: id → version; ``jiaxian.versions.claim_many``, which raised the
    stored version by one): its ``version`` becomes that version plus one, and its ``auto_now``
    fields now."""
    if not records:
        return
    stamped = [field for field in model._meta.concrete_fields if getattr(field, "auto_now", False)]
    for record in records:
        record.version = expected[record.pk] + 1
        for field in stamped:
            field.pre_save(record, add=False)
    names = {*fields, "version", *(field.name for field in stamped)}
    bulk_update_with_history(
        records, model, sorted(names), batch_size=UPDATE_BATCH_SIZE, default_user=user, default_date=timezone.now()
    )
