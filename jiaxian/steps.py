"""Dated steps: a record whose state is the latest step it has a date for, as of a day.

An attraction project is signed, started, in production from the dates of those steps; a
target enterprise contacted, visited, negotiating, signed; a bond reserve reserved,
submitted, approved, issued, or rejected. The state is never stored, so that any figure can be
recomputed as of a past day. One ``DatedSteps`` per model declares its steps in the order they
come, each with its date field, and gives the state as of a day three ways that cannot drift
apart: for one record in Python (``step_on``), as a queryset annotation (``annotation``), and
as a filter on the dates themselves (``condition``, which an index can serve).

::

    STAGES = DatedSteps(
        ("signed_on", Stage.SIGNED), ("started_on", Stage.STARTED), before=Stage.NEGOTIATING, noun="stage"
    )
    STAGES.step_on(project, as_of)                  # "started"
    queryset.annotate(stage_as_of=STAGES.annotation(as_of))
    queryset.filter(STAGES.condition(Stage.SIGNED, as_of))

``DaysAfter(field, day)`` counts the days a dated step lies before a day, in the database (how
many days an order is past its due date on the quarter's end).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import models
from django.db.models import Case, Q, Value, When


class DatedSteps:
    """The ordered steps of a model: ``steps`` are ``(date field, step)`` pairs, earliest step
    first; a record is at the latest step whose date is on or before the day asked (a later
    step wins over an earlier one on the same day). ``before`` is the step of a record with no
    step dated by then (None: no step at all). ``ended_by`` is a ``(date field, step)`` that,
    once dated, beats every step whatever their dates (a reserve's rejection): it is not on the
    path, so the path's date order does not include it. ``noun`` names a step in errors."""

    def __init__(
        self,
        *steps: tuple[str, str],
        before: str | None = None,
        ended_by: tuple[str, str] | None = None,
        noun: str = "step",
    ):
        if not steps:
            raise ValueError("DatedSteps needs at least one step")
        self.steps: tuple[tuple[str, str], ...] = tuple(steps)
        self.before = before
        self.ended_by = ended_by
        self.noun = noun

    @property
    def fields(self) -> tuple[str, ...]:
        """The date fields of the path, in order: each on or after the one before (the rule of
        ``clean()``'s date order)."""
        return tuple(field for field, _step in self.steps)

    @property
    def date_fields(self) -> tuple[str, ...]:
        """Every date field, the path's and the one that ends it."""
        return self.fields + ((self.ended_by[0],) if self.ended_by else ())

    @property
    def values(self) -> list[str]:
        """Every state a record can be in (``before`` first when there is one)."""
        path = [str(step) for _field, step in self.steps]
        before = [str(self.before)] if self.before is not None else []
        ended = [str(self.ended_by[1])] if self.ended_by else []
        return before + path + ended

    def _latest_first(self) -> Sequence[tuple[str, str]]:
        """The steps in the order they are tried: the one that ends the path, then the path
        from its last step back."""
        return ((self.ended_by,) if self.ended_by else ()) + self.steps[::-1]

    def step_on(self, record: Any, as_of: datetime.date) -> str | None:
        """``record``'s step on ``as_of``, read from its attributes."""
        for field, step in self._latest_first():
            value = getattr(record, field)
            if value is not None and value <= as_of:
                return step
        return self.before

    def annotation(self, as_of: datetime.date) -> Case:
        """The expression of ``step_on`` in the database: the step's value, or ``before``."""
        return Case(
            *(When(Q(**{f"{field}__lte": as_of}), then=Value(str(step))) for field, step in self._latest_first()),
            default=Value(str(self.before) if self.before is not None else None),
            output_field=models.CharField(max_length=max(len(value) for value in self.values)),
        )

    def condition(self, step: str, as_of: datetime.date) -> Q:
        """The records at ``step`` on ``as_of``, as a condition on the dates themselves: its
        date is on or before the day and no step that would beat it is; ``before`` is no date
        by then at all. An unknown step is a ValueError."""
        if step not in self.values:
            raise ValueError(f"unknown {self.noun} {step!r}")
        condition = Q()
        for field, later in self._latest_first():
            if later == step:
                return condition & Q(**{f"{field}__lte": as_of})
            condition &= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": as_of})
        return condition


class LatestEvent:
    """A record whose state is the event that happened last: each event keeps the time it last
    happened in its own field (null: never), and the record is in the state of the event with
    the latest time, or ``before`` when none has happened. Unlike ``DatedSteps`` the events have
    no order of their own (a report is submitted, returned, submitted again, approved, returned
    again…); on equal times the event listed first wins (a report approved as it is entered
    carries the same time as submitted and approved, and is approved).

    The state three ways that cannot drift apart: ``state_of`` for one record, ``annotation``
    in the database, ``condition`` as a filter on the times.

    ::

        REVIEW = LatestEvent(
            ("approved_at", Stage.APPROVED), ("returned_at", Stage.RETURNED), ("submitted_at", Stage.SUBMITTED),
            before=Stage.DRAFT,
        )
    """

    def __init__(self, *events: tuple[str, str], before: str, noun: str = "state"):
        if not events:
            raise ValueError("LatestEvent needs at least one event")
        self.events: tuple[tuple[str, str], ...] = tuple(events)
        self.before = before
        self.noun = noun

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(field for field, _state in self.events)

    @property
    def values(self) -> list[str]:
        return [str(self.before)] + [str(state) for _field, state in self.events]

    def state_of(self, record: Any) -> str:
        """``record``'s state, read from its attributes."""
        best: tuple[str, Any] | None = None
        for field, state in self.events:
            value = getattr(record, field)
            # Strictly later only: on equal times the one listed first (already best) stays.
            if value is not None and (best is None or value > best[1]):
                best = (state, value)
        return str(best[0]) if best is not None else str(self.before)

    def condition(self, state: str) -> Q:
        """The records in ``state``, as a condition on the times: its time is set, later than
        each event listed before it and not earlier than each listed after it; ``before`` is no
        time at all. An unknown state is a ValueError."""
        if state not in self.values:
            raise ValueError(f"unknown {self.noun} {state!r}")
        if state == str(self.before):
            return Q(*(Q(**{f"{field}__isnull": True}) for field in self.fields))
        index = next(i for i, (_field, each) in enumerate(self.events) if str(each) == state)
        field = self.events[index][0]
        condition = Q(**{f"{field}__isnull": False})
        for other_index, (other, _state) in enumerate(self.events):
            if other_index == index:
                continue
            beats = "gt" if other_index < index else "gte"
            condition &= Q(**{f"{other}__isnull": True}) | Q(**{f"{field}__{beats}": models.F(other)})
        return condition

    def annotation(self) -> Case:
        """The expression of ``state_of`` in the database."""
        return Case(
            *(When(self.condition(str(state)), then=Value(str(state))) for _field, state in self.events),
            default=Value(str(self.before)),
            output_field=models.CharField(max_length=max(len(value) for value in self.values)),
        )


class DaysAfter(models.Func):
    """The whole days ``day`` comes after the date ``expression`` (``day − expression``: 0 on
    the same day, negative when ``day`` is earlier, null when the date is null), as an integer
    in the database. PostgreSQL subtracts two dates to an integer; SQLite subtracts their
    Julian day numbers (exact for dates: both fall at noon)."""

    # (CAST(day AS date) - CAST(expression AS date)); SQLite's below.
    template = "(CAST(%(expressions)s AS date))"
    arg_joiner = " AS date) - CAST("
    output_field = models.IntegerField()

    def __init__(self, expression: Any, day: datetime.date):
        super().__init__(Value(day, output_field=models.DateField()), expression)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )
