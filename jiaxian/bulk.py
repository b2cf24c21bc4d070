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

import datetime
import gc
import operator
import sqlite3
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from types import NoneType
from typing import Any, TypeVar, cast

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connections, models, router
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from psycopg.adapt import PyFormat, Transformer
from simple_history.utils import get_change_reason_from_object, get_history_manager_for_model

from jiaxian.versions import Versioned

# Rows an INSERT writes at most (fewer when the parameter limit says so: ``max_parameters``). An
# update sends two parameters per record and field (``CASE WHEN id = … THEN …``), and
# PostgreSQL takes at most 65,535 parameters a statement.
BATCH_SIZE = 2000
UPDATE_BATCH_SIZE = 500
# A column whose rows hold at most one distinct value in this many has its values turned to
# text once each before a COPY (``_copy_text``).
REPEATED = 4
SLOW_TO_DUMP = {datetime.datetime, datetime.date, datetime.time, Decimal}
Record = TypeVar("Record", bound=models.Model)
# Told apart from None (a record's ``_history_user`` may be None: no user).
MISSING = object()


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
    ``BATCH_SIZE``) allows (PostgreSQL: one ``_copy``); the new primary keys, in the rows'
    order, when ``returning`` (else an empty list).

    Each column's values are converted for the database (``get_db_prep_save``, what
    ``bulk_create`` does) once per distinct value: a batch repeats its dates, users, kinds."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    if _copyable(connection, fields):
        return _copy(connection, model, fields, prepared(connection, fields, rows, _copy_text(connection)), returning)
    rows = prepared(connection, fields, rows)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    tail = f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    per_statement = max(1, min(BATCH_SIZE, max_parameters(connection) // len(fields)))
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    keys: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = [value for row in chunk for value in row]
            cursor.execute(head + "VALUES " + ", ".join([one] * len(chunk)) + tail, params)
            if returning:
                keys.extend(key for (key,) in cursor.fetchall())
    return keys


def prepared(
    connection, fields: Sequence[models.Field], rows: Sequence[Sequence[Any]], text: Callable | None = None
) -> list[tuple]:
    """``rows`` with each value converted for ``connection`` by its field's ``get_db_prep_save``
    (what ``bulk_create`` does), once per distinct value of a column: a batch repeats its
    dates, users, kinds, defaults. The distinct values are found and the column rebuilt by
    ``set`` and ``map``, without a Python call per value. A column of values of more than one
    type tells them apart by type too (1, 1.0 and True are equal keys of a dict, but not the
    same value to write). None stays None. ``text``, when given, is then applied once to each
    distinct value of a column that repeats its values (``_copy_text``)."""
    columns = []
    for field, column in zip(fields, zip(*rows, strict=True), strict=True):
        kinds = set(map(type, column))
        kinds.discard(NoneType)
        keys = column if len(kinds) <= 1 else list(zip(map(type, column), column, strict=True))
        try:
            distinct = set(keys)
        except TypeError:  # an unhashable value (JSON): each converted on its own
            columns.append([None if value is None else field.get_db_prep_save(value, connection) for value in column])
            continue
        convert = field.get_db_prep_save
        if keys is column:
            memo = {value: None if value is None else convert(value, connection) for value in distinct}
        else:
            memo = {key: None if key[1] is None else convert(key[1], connection) for key in distinct}
        if text is not None and len(memo) * REPEATED <= len(keys):
            memo = {key: text(value) for key, value in memo.items()}
        columns.append(list(map(memo.__getitem__, keys)))
    return list(zip(*columns, strict=True)) if columns else [() for _ in rows]


def _copyable(connection, fields: Sequence[models.Field]) -> bool:
    """On PostgreSQL, whether ``fields`` can be written by ``_copy``: each of a standard type
    with no placeholder of its own (the cases Django's bulk insert sends as plain values)."""
    if connection.vendor != "postgresql":
        return False
    for field in fields:
        target = field.target_field if isinstance(field, models.ForeignObject) else field
        if hasattr(field, "get_placeholder") or target.get_internal_type() not in connection.data_types:
            return False
    return True


def _copy_text(connection) -> Callable[[Any], Any]:
    """A value as COPY's text format writes it, for the types psycopg dumps slowly (a
    ``datetime`` 2.5 µs, a ``date`` 0.9, a ``Decimal`` 0.4, where a ``str`` takes 0.15): given
    to ``prepared`` for the columns that repeat their values (a batch's times, its dates), so
    that each distinct value is dumped once and COPY writes the text. The text is the dumper's
    own (the one COPY would choose), so the server reads the same value."""
    connection.ensure_connection()  # the dumpers are those of the connection COPY will use
    transformer = Transformer(connection.connection)

    def text(value):
        if type(value) not in SLOW_TO_DUMP:
            return value
        dumped = transformer.get_dumper(value, PyFormat.TEXT).dump(value)
        assert dumped is not None, "a datetime, date or Decimal is never NULL"
        return bytes(dumped).decode()

    return text


def _copy(connection, model, fields, rows, returning: bool) -> list:
    """PostgreSQL: ``COPY table (columns) FROM STDIN``, one statement for all ``rows``. psycopg
    formats a row of COPY in C, where an INSERT's parameters (even as one array a column, through
    ``UNNEST``) are quoted value by value in Python: that quoting was most of the import's
    time on PostgreSQL, and the server also reads a COPY faster than an INSERT.

    COPY returns nothing, so when ``returning`` the new primary keys are first taken from the
    table's sequence (``reserve_keys``: one query) and written with the rows. Django's
    ``CursorDebugWrapper.copy`` records the COPY among the connection's queries like any
    statement (what ``CaptureQueriesContext`` counts)."""
    quote = connection.ops.quote_name
    keys = reserve_keys(connection, model, len(rows)) if returning else []
    columns = [model._meta.pk.column] * bool(returning) + [field.column for field in fields]
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.copy(sql) as copy:
        for row in ((key, *row) for key, row in zip(keys, rows, strict=True)) if returning else rows:
            copy.write_row(row)
    return keys


def reserve_keys(connection, model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model`` from its table's sequence (PostgreSQL: an auto
    field's identity or serial column), in one query: for rows written with their keys, which
    no other transaction is then given."""
    pk = model._meta.pk
    if not isinstance(pk, models.AutoField):  # BigAutoField and SmallAutoField too
        raise TypeError(f"{model.__name__}'s primary key is not an auto field: it has no sequence to take keys from.")
    with connection.cursor() as cursor:
        cursor.execute(
            # The sequence looked up once (``OFFSET 0`` keeps the subquery from being merged
            # into the outer query, where it would be looked up again for every key).
            "SELECT nextval(s.seq) FROM (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq OFFSET 0) AS s"
            " CROSS JOIN generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), pk.column, count],
        )
        return [key for (key,) in cursor.fetchall()]


def timestamps(model: type[models.Model]) -> list[str]:
    """The date-time columns of ``model`` (``created_at``, ``updated_at``): an import defers
    them when it reads the stored records, because PostgreSQL's are converted one by one in
    Python (Django's loader shifts each to the connection's time zone), which was some 40 % of
    reading a batch whose rows change nothing; ``load_deferred`` fetches them for the records
    that change (their history rows carry them)."""
    return [field.attname for field in model._meta.concrete_fields if isinstance(field, models.DateTimeField)]


def stored(queryset: models.QuerySet[Record], deferred: Sequence[str] = ()) -> list[Record]:
    """The records of ``queryset`` without the fields ``deferred``, as model instances built
    from their rows directly: an import reads thousands of stored records a batch, and Django's
    ``Model.__init__`` (per field, with its signals) was a quarter of a batch whose rows change
    nothing. The same instances as ``from_db`` gives (a deferred field absent from the
    instance's ``__dict__`` loads on use); a model with ``pre_init``/``post_init`` receivers is
    read the ordinary way, so that none is skipped."""
    model = queryset.model
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return list(queryset.defer(*deferred))
    names = [field.attname for field in model._meta.concrete_fields if field.attname not in deferred]
    alias, new = queryset.db, model.__new__
    records = []
    for row in queryset.values_list(*names):
        record = new(model)
        record.__dict__.update(zip(names, row, strict=True))
        state = record._state = ModelState()
        state.adding, state.db = False, alias
        records.append(record)
    return records


def load_deferred(model: type[models.Model], records: Sequence[models.Model]) -> None:
    """Set the deferred fields of ``records`` (stored records of ``model``) in one query per
    ``BATCH_SIZE`` records, rather than Django's one query per record and field on first use."""
    deferred = sorted(set().union(*(record.get_deferred_fields() for record in records)))
    if not deferred:
        return
    by_pk = {record.pk: record for record in records}
    keys = list(by_pk)
    for start in range(0, len(keys), BATCH_SIZE):
        chunk = keys[start : start + BATCH_SIZE]
        for pk, *values in model._base_manager.filter(pk__in=chunk).order_by().values_list("pk", *deferred):
            record = by_pk[pk]
            for name, value in zip(deferred, values, strict=True):
                setattr(record, name, value)


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
    """The history rows of ``records`` (all model instances, or all dicts of attname → value)
    of ``kind`` (``+`` created, ``~`` changed), as simple-history's ``bulk_history_create``
    makes them: every tracked field's value, the time ``when``, the user (the record's
    ``_history_user``, else ``user``, else the history's default user) and the change reason
    (the record's, else none).

    A row is its tracked values read in one call (``attrgetter`` / ``itemgetter``) followed by
    the values of the history's own fields: a loop over every field of every row was a
    third of a key project's history."""
    if not records:
        return
    historical = get_history_manager_for_model(model).model
    fields = _new_fields(historical)
    tracked = [field.attname for field in historical.tracked_fields]
    user_field = historical._meta.get_field("history_user")
    # simple-history's optional link to the record (``HistoricalRecords(related_name=…)``).
    related = any(field.attname == "history_relation_id" for field in fields)
    own = ["history_date", "history_type", user_field.attname, "history_change_reason"]
    own += ["history_relation_id"] * related
    rest = [field for field in fields if field.attname not in {*tracked, *own}]
    instances = not isinstance(records[0], dict)
    # One name makes the getter give a value rather than a tuple of one.
    values_of = (operator.attrgetter if instances else operator.itemgetter)(*tracked)
    read = values_of if len(tracked) > 1 else lambda record: (values_of(record),)
    pk = model._meta.pk.attname
    # The dicts' user, once; a record's own is read in the loop (every instance's ``who`` is set there).
    default_user = None if instances else user or historical.get_default_history_user(None)
    rows = []
    for record in records:
        who, reason = default_user, None
        if instances:
            who = getattr(record, "_history_user", MISSING)
            if who is MISSING:
                who = user or historical.get_default_history_user(record)
            reason = get_change_reason_from_object(record) or None
        values = read(record)
        relation = (record.pk if instances else record[pk],) if related else ()
        defaults = [field.get_default() for field in rest]
        rows.append((*values, when, kind, None if who is None else who.pk, reason, *relation, *defaults))
    by_name = {field.attname: field for field in fields}
    insert(historical, [by_name[name] for name in (*tracked, *own)] + rest, rows)


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
    load_deferred(model, records)
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
