"""Checks shared by the ledgers' ``clean()`` methods.

Each returns a dict of field name → messages, the shape ``ValidationError`` takes, so that
a model can gather every problem of a record before it raises, and the admin, the API and
the import all name the same fields.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from jiaxian import periods
from jiaxian.models import unique_errors

# 投资项目统一代码: time code, region code (Jiaxian is 410425), sector, project type,
# five digits and a check character — 24 characters in all.
# ASCII digits only: Python's \d would also take full-width ２０２３.
PROJECT_CODE_RE = re.compile(r"[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}-[0-9]{5}[0-9A-Z]")


def validate_project_code(value: str) -> None:
    """Refuse a national investment project code that does not have the national shape."""
    if not PROJECT_CODE_RE.fullmatch(value or ""):
        raise ValidationError(
            _(
                "A national project code has 24 characters shaped NNNN-NNNNNN-NN-NN-NNNNNX "
                "(for example 2023-410425-30-03-012345); got %(value)s."
            ),
            code="invalid_project_code",
            params={"value": value},
        )


def label(instance: models.Model, field: str) -> str:
    return str(instance._meta.get_field(field).verbose_name)


def add_error(errors: dict[str, list], field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def date_order_errors(instance: models.Model, steps: Sequence[str]) -> dict[str, list]:
    """Errors for dates of ``steps`` that are out of order or skip a step.

    ``steps`` are date fields in the order a record goes through them. A later step's date
    needs every earlier one to be set (a project cannot start unsigned) and must not come
    before any of them; the same day is allowed. Errors name the later field.
    """
    errors: dict[str, list] = {}
    for index, field in enumerate(steps):
        value = getattr(instance, field)
        if value is None:
            continue
        for earlier in steps[:index]:
            earlier_value = getattr(instance, earlier)
            if earlier_value is None:
                add_error(
                    errors,
                    field,
                    _("%(field)s needs %(earlier)s to be filled in first.")
                    % {"field": label(instance, field), "earlier": label(instance, earlier)},
                )
                break
            if value < earlier_value:
                add_error(
                    errors,
                    field,
                    _("%(field)s (%(date)s) cannot be before %(earlier)s (%(earlier_date)s).")
                    % {
                        "field": label(instance, field),
                        "date": value.isoformat(),
                        "earlier": label(instance, earlier),
                        "earlier_date": earlier_value.isoformat(),
                    },
                )
                break
    return errors


def future_date_errors(instance: models.Model, fields: Iterable[str]) -> dict[str, list]:
    """Errors for the dates among ``fields`` that lie after today in the county's time zone:
    they record things that happened, so they cannot be in the future. In a ``Batch``, the
    day it began (asked once: the time zone's conversion was a tenth of an import's
    validation)."""
    batch = batch_of(instance)
    today = periods.today() if batch is None else batch.today
    errors: dict[str, list] = {}
    for field in fields:
        value = getattr(instance, field)
        if value is not None and value > today:
            add_error(
                errors,
                field,
                _("%(field)s (%(date)s) is after today (%(today)s).")
                % {"field": label(instance, field), "date": value.isoformat(), "today": today.isoformat()},
            )
    return errors


def not_more_than_errors(
    instance: models.Model, field: str, limit_field: str, message: str | None = None, on: str | None = None
) -> dict[str, list]:
    """Error on ``field`` (or on ``on``) when its value exceeds that of ``limit_field``; equal is
    allowed, and a missing value on either side is left to the field's own validation. The
    message names both fields and their values, unless ``message`` is given. The rule that
    ``jiaxian.models.not_more_than`` guards in the database."""
    value, limit = getattr(instance, field), getattr(instance, limit_field)
    if value is None or limit is None:
        return {}
    if Decimal(value) > Decimal(limit):
        if message is None:
            message = _("%(field)s (%(value)s) cannot exceed %(limit)s (%(limit_value)s).") % {
                "field": label(instance, field),
                "value": value,
                "limit": label(instance, limit_field),
                "limit_value": limit,
            }
        return {on or field: [message]}
    return {}


@dataclasses.dataclass
class Batch:
    """What the validation of a batch of records (an import's rows) asked the database once for
    the whole batch, so that each record's ``clean()`` asks it nothing:

    - ``plans``: the saved year plans by year; ``plan(year, YearPlan)`` is ``YearPlan.for_year``'s
      answer (an unsaved plan with the defaults for a year without one);
    - ``predecessors``: for each model with predecessor links, every stored record's link
      (id → predecessor id), for ``lineage_errors``;
    - ``today``: ``periods.today()`` as the batch began, for ``future_date_errors``;
    - and the promise that the batch checks the unique names and codes itself, against the
      stored records and among its own records (``jiaxian.bulk.UniqueKeys``): the queries of
      ``clean()`` that repeat a unique constraint with a friendlier message are left out.

    A record validated in a batch carries it as ``_validation_batch`` (``batch_of``)."""

    plans: dict[int, Any] = dataclasses.field(default_factory=dict)
    predecessors: dict[type, dict[int, int]] = dataclasses.field(default_factory=dict)
    # Looked up when the batch is made (a test may set ``periods.today``).
    today: datetime.date = dataclasses.field(default_factory=lambda: periods.today())

    @classmethod
    def of_import(cls, plan_model: Any, predecessors: dict[type, dict[int, int]]) -> Batch:
        """The batch of an import (``jiaxian.resources.LedgerResource.validation_batch``): every
        saved year plan (``plan_model``'s: the models import this module), in one query, and the
        ``predecessors`` the import read."""
        return cls(plans={plan.year: plan for plan in plan_model.objects.all()}, predecessors=predecessors)

    def plan(self, year: int, plan_model: Callable[..., Any]):
        plan = self.plans.get(year)
        if plan is None:
            plan = self.plans[year] = plan_model(year=year)
        return plan


def batch_of(instance: models.Model) -> Batch | None:
    """The ``Batch`` that ``instance`` is validated in, or None (validated on its own)."""
    return getattr(instance, "_validation_batch", None)


def name_per_year_errors(instance: models.Model, message: str) -> dict[str, list]:
    """Error on ``name`` when another record of ``instance``'s model has its name in its year
    (the ``unique_name_per_year`` constraint, asked first so that the error names the field);
    ``message`` is written with ``%(name)s`` and ``%(year)s``. Nothing inside a ``Batch``: the
    import checks the unique keys of all its rows at once."""
    if batch_of(instance) is not None:
        return {}
    name, year = instance.name, instance.year
    return unique_errors(instance, "name", message % {"name": name, "year": year}, year=year, name=name)


def lineage_errors(instance: models.Model, field: str = "predecessor") -> dict[str, list]:
    """Error when following ``field`` from ``instance`` comes back to it: a project cannot be
    its own predecessor, directly or through a chain of phases. In a ``Batch`` that knows the
    model's links the chain is followed there, without a query."""
    links = getattr(batch_of(instance), "predecessors", {}).get(type(instance))
    if links is not None:
        return _lineage_errors_by_id(instance, field, links)
    seen = set()
    current = getattr(instance, field)
    while current is not None:
        if instance.pk is not None and current.pk == instance.pk:
            return {field: [_("A project cannot be its own predecessor, directly or through earlier phases.")]}
        if current.pk in seen:  # a cycle further up that does not involve this project
            break
        seen.add(current.pk)
        current = getattr(current, field)
    return {}


def merge(*parts: dict[str, list]) -> dict[str, list]:
    merged: dict[str, list] = {}
    for part in parts:
        for field, messages in part.items():
            merged.setdefault(field, []).extend(messages)
    return merged


def _lineage_errors_by_id(instance: models.Model, field: str, links: dict[int, int]) -> dict[str, list]:
    seen = set()
    current = getattr(instance, f"{field}_id")
    while current is not None:
        if instance.pk is not None and current == instance.pk:
            return {field: [_("A project cannot be its own predecessor, directly or through earlier phases.")]}
        if current in seen:
            break
        seen.add(current)
        current = links.get(current)
    return {}
