"""What every ledger's model builds on, whatever its subject: ``TrackedModel`` (times,
version, history), ``CodedModel`` (reference data: a code and a name), and the field and
constraint helpers (amounts in 万元, ratios, years, predecessor links). Money is ``Decimal``
in 万元 (ten thousand yuan) everywhere.

Abstract only: the ``jiaxian`` app has no tables of its own (and no migrations). A field's
validators are Django's own (``django.core.validators``), so that the migrations of the apps
that use these helpers name nothing here and moving a helper changes no migration.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import periods

if TYPE_CHECKING:  # a development requirement: the type checker's name for "str or lazy str"
    from django_stubs_ext import StrOrPromise

RATIO_PLACES = Decimal("0.0001")


def amount_field(verbose_name: StrOrPromise, **kwargs: Any) -> models.DecimalField:
    """An amount in 万元: up to 999,999,999,999.99, two places, never negative."""
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0"))])
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def ratio_field(verbose_name: StrOrPromise, default: str, *, upper: str | None = "1") -> models.DecimalField:
    """A ratio with four places (0.7000 is 70%), never negative, by default at most 1."""
    validators: list[BaseValidator] = [MinValueValidator(Decimal("0"))]
    if upper is not None:
        validators.append(MaxValueValidator(Decimal(upper)))
    return models.DecimalField(
        verbose_name, max_digits=7, decimal_places=4, default=Decimal(default), validators=validators
    )


def year_field(verbose_name: StrOrPromise | None = None, **kwargs: Any) -> models.PositiveSmallIntegerField:
    """A year of the ledgers (a plan's, a listing's, a filing's): ``periods.YEAR_MIN`` to
    ``periods.YEAR_MAX``, the same range every year parameter is read in."""
    return models.PositiveSmallIntegerField(
        verbose_name or _("year"),
        validators=[MinValueValidator(periods.YEAR_MIN), MaxValueValidator(periods.YEAR_MAX)],
        **kwargs,
    )


def predecessor_field() -> models.ForeignKey:
    """The project a second phase or an expansion grew from, with ``successors`` the other
    way. Deleting a predecessor clears the link and keeps its successors."""
    return models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("predecessor project"),
        related_name="successors",
        help_text=_("The project this second phase or expansion grew from."),
    )


def non_negative(*fields: str) -> list[models.CheckConstraint]:
    """One database check per amount field; null passes (it means "not known yet")."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
            name=f"%(app_label)s_%(class)s_{field}_gte_zero",
            violation_error_message=_("Amounts cannot be negative."),
        )
        for field in fields
    ]


def not_more_than(field: str, limit_field: str, name: str, message: StrOrPromise) -> models.CheckConstraint:
    """The database's check that ``field`` is at most ``limit_field``, named
    ``<app>_<model>_<name>``; null on either side passes (SQL's comparison with null is
    unknown). The guard behind ``clean()``, which names the field in its error."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__lte": models.F(limit_field)}),
        name=f"%(app_label)s_%(class)s_{name}",
        violation_error_message=message,
    )


def unique_name_per_year(message: StrOrPromise) -> models.UniqueConstraint:
    """The database's guard that no two records of a year share a name (fields ``year`` and
    ``name``), named ``<app>_<model>_unique_name_per_year``; ``clean()`` asks it first, so that
    the clerk's error names the field."""
    return models.UniqueConstraint(
        fields=["year", "name"], name="%(app_label)s_%(class)s_unique_name_per_year", violation_error_message=message
    )


def unique_errors(
    instance: models.Model, field: str, message: StrOrPromise | Callable[[], str], **lookup: Any
) -> dict[str, list]:
    """An error on ``field`` when another record of ``instance``'s model matches ``lookup``:
    a unique constraint checked in ``clean()``, so that the clerk's error names a field and its
    value (the database's refusal would name neither). No error, and no query, while a value
    of ``lookup`` is missing (None or ""). ``message`` may be a callable, for a message that
    can only be written once the values are known."""
    if any(value is None or value == "" for value in lookup.values()):
        return {}
    if type(instance)._default_manager.filter(**lookup).exclude(pk=instance.pk).exists():
        return {field: [message() if callable(message) else message]}
    return {}


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """``numerator / denominator`` rounded half-up to four places; None when the denominator
    is zero or missing."""
    if not denominator or numerator is None:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


class TrackedModel(models.Model):
    """What every record carries: when it was made and last changed, a ``version`` that
    each save raises by one (so that two clerks editing the same record can be told apart),
    and its full history of changes. Every door that writes a record someone read first claims
    the version read (``jiaxian.versions``)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # inherit: each concrete ledger gets its own history table, in its own app.
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)


class CodedModel(TrackedModel):
    """Reference data: a unique short code that imports and the API use, and a name."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
