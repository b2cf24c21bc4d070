"""Validating and writing many records at once: what the import needs to cost a fixed number of
queries per batch of rows rather than several per row.

- ``UniqueKeys(model)``: the model's unique fields and unique constraints, checked for a batch
  of records in memory, against the stored records the batch loaded (``add_stored``) and among
  the batch's own records (``check``): what ``validate_unique()`` and each ``UniqueConstraint``'s
  ``validate()`` would ask the database record by record, with their messages.
- ``create(model, records, user)``: the records inserted in as few statements as the database
  takes, with a history row each recording ``user``; ``create_rows(model, rows, user)`` the same
  for new records given as their fields' values (the key projects' standard milestones),
  without a model instance each.
- ``update(model, records, fields, expected, user)``: after the batch version claim
  (``jiaxian.versions.claim_many``) of every record at the version it was read, one
  ``bulk_update`` (a statement per 500 records) with the history rows.

The history rows are django-simple-history's (the historical model's table: every tracked
field, ``history_date``, ``history_type``, ``history_user``, ``history_change_reason``, as its
``bulk_history_create`` fills them), but written by ``insert``, which converts each distinct
value of a column once and sends many rows a statement: Django's ``bulk_create`` builds a model
instance per history row and converts every value of every row on its own, which made the
history cost more than the records themselves, and on SQLite it sends 999 parameters a
statement (the limit of SQLite builds older than 3.32) where the library in use takes its own.

Nothing here knows a ledger: any model with an integer ``version`` and simple-history's
``history`` will do.
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connections, models, router
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object, get_history_manager_for_model

from jiaxian.versions import Versioned

# Rows an INSERT writes at most (fewer when the parameter limit says so: ``max_parameters``). An
# update sends two parameters per record and field (``CASE WHEN id = … THEN …``), and
# PostgreSQL takes at most 65,535 parameters a statement.
BATCH_SIZE = 2000
UPDATE_BATCH_SIZE = 500
# Rows an UNNEST insert (PostgreSQL) writes at most: its parameters are one array a column.
UNNEST_ROWS = 5000


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
            # A unique constraint's fields are concrete fields (get_field could also give a relation).
            attnames = tuple(cast(models.Field, model._meta.get_field(name)).attname for name in constraint.fields)
            self.keys.append((attnames, constraint.fields[-1], _always(constraint.get_violation_error_message())))
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


def _always(message: str) -> Callable[[models.Model], str]:
    """The message of a record, whatever the record."""
    return lambda record: message


def max_parameters(connection) -> int:
    """How many parameters one statement may bind on ``connection``."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    if connection.vendor == "postgresql":
        return 65535
    return connection.features.max_query_params or 65535


def insert(
    model: type[models.Model], fields: Sequence[models.Field], rows: Sequence[Sequence[Any]], returning: bool = False
) -> list:
    """INSERT ``rows`` (each the values of ``fields``, in order, as Python values) into
    ``model``'s table, in statements of as many rows as the database's parameter limit (and
    ``BATCH_SIZE``) allows (PostgreSQL: ``_unnest``, ``UNNEST_ROWS`` a statement); the new
    primary keys, in the rows' order, when ``returning`` (else an empty list).

    Each column's values are converted for the database (``get_db_prep_save``, what
    ``bulk_create`` does) once per distinct value: a batch repeats its dates, users, kinds."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    converters = []
    for field in fields:
        memo: dict = {}

        def convert(value, field=field, memo=memo):
            if value is None:
                return None
            try:
                key = (type(value), value)
                return memo[key]
            except KeyError:
                prepared = memo[key] = field.get_db_prep_save(value, connection)
                return prepared
            except TypeError:  # unhashable (a JSON value)
                return field.get_db_prep_save(value, connection)

        converters.append(convert)
    kinds = _array_types(connection, fields)
    if kinds is not None:
        return _unnest(connection, model, fields, kinds, converters, rows, returning)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    per_statement = max(1, min(BATCH_SIZE, max_parameters(connection) // len(fields)))
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    keys: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [convert(value) for row in chunk for convert, value in zip(converters, row, strict=True)]
            cursor.execute(head + "VALUES " + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                keys.extend(key for (key,) in cursor.fetchall())
    return keys


def _array_types(connection, fields: Sequence[models.Field]) -> list[str] | None:
    """On PostgreSQL, the array types of ``fields`` for ``_unnest`` (without their sizes, as
    Django's: ``varchar[]``, not ``varchar(50)[]``); None elsewhere, or when a field is not of a
    standard type or has a placeholder of its own (the cases Django's bulk insert leaves out)."""
    if connection.vendor != "postgresql":
        return None
    kinds = []
    for field in fields:
        target = field.target_field if isinstance(field, models.ForeignObject) else field
        if hasattr(field, "get_placeholder") or target.get_internal_type() not in connection.data_types:
            return None
        kind = field.db_type(connection)
        if kind is None:  # a field without a column of its own
            return None
        kinds.append(kind.split("(")[0])
    return kinds


def _unnest(connection, model, fields, kinds, converters, rows, returning: bool) -> list:
    """PostgreSQL: ``INSERT … SELECT * FROM UNNEST(%s::type[], …)``, one array a column (as
    Django's own bulk insert does there): a statement of a few parameters, quick to send and to
    plan, instead of one of tens of thousands."""
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM UNNEST({', '.join(f'(%s)::{kind}[]' for kind in kinds)})"
        + (f" RETURNING {quote(model._meta.pk.column)}" if returning else "")
    )
    keys: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UNNEST_ROWS):
            columns = zip(*rows[start : start + UNNEST_ROWS], strict=True)
            cursor.execute(
                sql, [[convert(v) for v in column] for convert, column in zip(converters, columns, strict=True)]
            )
            if returning:
                keys.extend(key for (key,) in cursor.fetchall())
    return keys


def _new_fields(model: type[models.Model]) -> list[models.Field]:
    # The primary key is the database's (an auto field); every other column is written.
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _stamp(record: models.Model, fields: Sequence[models.Field], now) -> None:
    """What ``bulk_create`` does to a record before writing it: related objects saved since
    they were assigned give their ids, and the fields' ``pre_save`` (``auto_now`` and
    ``auto_now_add``: ``now``, one time for the batch)."""
    # Django's private step of bulk_create, which django-stubs does not declare.
    record._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            setattr(record, field.attname, now)
        elif type(field).pre_save is not models.Field.pre_save:
            field.pre_save(record, add=True)


def create(model: type[models.Model], records: Sequence[models.Model], user=None) -> None:
    """Insert ``records`` (primary keys are set on them) with a history row each recording
    ``user``, in as few statements as the database allows."""
    if not records:
        return
    # One time for the batch's records and history rows (else each asks the clock).
    now = timezone.now()
    fields = _new_fields(model)
    for record in records:
        _stamp(record, fields, now)
    keys = insert(model, fields, [[getattr(record, field.attname) for field in fields] for record in records], True)
    alias = router.db_for_write(model)
    for record, key in zip(records, keys, strict=True):
        record.pk = key
        record._state.adding = False
        record._state.db = alias
    history(model, records, "+", user, now)


def create_rows(model: type[models.Model], rows: list[dict[str, Any]], user=None) -> list:
    """Insert new records of ``model`` given as ``rows`` (attname → value; the other fields take
    their defaults, ``auto_now`` ones the time) with a history row each recording ``user``,
    without building a model instance each; the new primary keys, in order."""
    if not rows:
        return []
    now = timezone.now()
    fields = _new_fields(model)
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        elif not callable(field.default):
            defaults[field.attname] = field.get_default()
    values = []
    for row in rows:
        full = {**defaults, **row}
        for field in fields:
            if field.attname not in full:  # a callable default: one call per record
                full[field.attname] = field.get_default()
        values.append(full)
    keys = insert(model, fields, [[full[field.attname] for field in fields] for full in values], True)
    pk = model._meta.pk.attname
    for full, key in zip(values, keys, strict=True):
        full[pk] = key
    history(model, values, "+", user, now)
    return keys


def history(model: type[models.Model], records: Sequence, kind: str, user, when) -> None:
    """The history rows of ``records`` (model instances, or dicts of attname → value) of
    ``kind`` (``+`` created, ``~`` changed), as simple-history's ``bulk_history_create`` makes
    them: every tracked field's value, the time ``when``, the user (the record's
    ``_history_user``, else ``user``, else the history's default user) and the change reason
    (the record's, else none)."""
    manager = get_history_manager_for_model(model)
    historical = manager.model
    tracked = {field.attname for field in historical.tracked_fields}
    fields = _new_fields(historical)
    user_field = historical._meta.get_field("history_user")
    rows = []
    for record in records:
        instance = not isinstance(record, dict)
        if instance:
            who = getattr(record, "_history_user", user or historical.get_default_history_user(record))
            reason = get_change_reason_from_object(record) or None
        else:
            who, reason = user or historical.get_default_history_user(None), None
        extra = {
            "history_date": when,
            "history_type": kind,
            user_field.attname: None if who is None else who.pk,
            "history_change_reason": reason,
            # simple-history's optional link to the record (``HistoricalRecords(related_name=…)``).
            "history_relation_id": record.pk if instance else record[model._meta.pk.attname],
        }
        row = []
        for field in fields:
            if field.attname in tracked:
                row.append(getattr(record, field.attname) if instance else record[field.attname])
            elif field.attname in extra:
                row.append(extra[field.attname])
            else:
                row.append(field.get_default())
        rows.append(row)
    insert(historical, fields, rows)


def update(
    model: type[models.Model],
    records: Sequence[Versioned],
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
    now = timezone.now()
    stamped = [field for field in model._meta.concrete_fields if getattr(field, "auto_now", False)]
    for record in records:
        record.version = expected[record.pk] + 1
        for field in stamped:
            setattr(record, field.attname, now)
    names = {*fields, "version", *(field.name for field in stamped)}
    model._default_manager.bulk_update(records, sorted(names), batch_size=UPDATE_BATCH_SIZE)
    history(model, records, "~", user, now)


@contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector for a block that builds many objects that live
    until it ends (a batch of an import: its stored records, cells and rows). Each collection
    walks every object still alive, and a batch's thousands of new objects set off one after
    another: a third of an unchanged import's time. Reference counting still frees what the
    block drops; the few cycles it leaves are collected after it, so memory stays bounded by
    the batch."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
