"""Querysets of the projects app: every "as of a date" question asked in the database.

The matching model properties answer the same question for one record in Python; the
tests hold the two to the same answers.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Case, Q, Value, When

from .choices import BondReserveStatusChoices as Status


def _on_or_before(field: str, as_of: datetime.date) -> Q:
    return Q(**{f"{field}__lte": as_of})


def _not_by(field: str, as_of: datetime.date) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": as_of})


class KeyProjectQuerySet(models.QuerySet):
    def listed_for(self, year: int, as_of: datetime.date | None = None) -> KeyProjectQuerySet:
        """Projects on ``year``'s key list; with ``as_of``, only those listed by that date."""
        condition = Q(listings__year=year)
        if as_of is not None:
            condition &= Q(listings__listed_on__lte=as_of)
        # (project, year) is unique, so the join cannot repeat a project.
        return self.filter(condition)


class BondReserveQuerySet(models.QuerySet):
    # The step dates, latest first: a reserve's status is the latest step it has reached.
    STEPS = (
        ("rejected_on", Status.REJECTED),
        ("issued_on", Status.ISSUED),
        ("approved_on", Status.APPROVED),
        ("submitted_on", Status.SUBMITTED),
        ("reserved_on", Status.RESERVED),
    )

    def with_status(self, as_of: datetime.date) -> BondReserveQuerySet:
        """Annotate ``status_as_of``: the status on ``as_of``, the latest step reached by
        then, or null for a reserve not yet entered in the pool on that day. (Not ``status``:
        that is the model's property for today.)"""
        return self.annotate(
            status_as_of=Case(
                *(When(_on_or_before(field, as_of), then=Value(status.value)) for field, status in self.STEPS),
                default=Value(None),
                output_field=models.CharField(max_length=20),
            )
        )

    @classmethod
    def status_condition(cls, status: str, as_of: datetime.date) -> Q:
        """The condition on the dates themselves (so that the database can use its indexes)
        for a status of ``status`` on ``as_of``; an unknown status is a ValueError."""
        fields = [field for field, _status in cls.STEPS]
        position = [s.value for _f, s in cls.STEPS].index(status)
        condition = _on_or_before(fields[position], as_of)
        for later in fields[:position]:
            condition &= _not_by(later, as_of)
        return condition

    def in_status(self, status: str, as_of: datetime.date) -> BondReserveQuerySet:
        """Reserves whose status on ``as_of`` is ``status``."""
        return self.filter(self.status_condition(status, as_of))

    def in_pool(self, as_of: datetime.date) -> BondReserveQuerySet:
        """Reserves in the pool on ``as_of``: entered by then and not rejected by then."""
        return self.filter(_on_or_before("reserved_on", as_of) & _not_by("rejected_on", as_of))
