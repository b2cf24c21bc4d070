"""What every ledger's model builds on, whatever its subject: ``TrackedModel`` (times,
version, history), ``CodedModel`` (reference data: a code and a name), and the field and
constraint helpers (amounts in 万元, ratios, years, predecessor links). Money is ``Decimal``
in 万元 (ten thousand yuan) everywhere.

Abstract only: the ``jiaxian`` app has no tables of its own (and no migrations). A field's
validators are Django's own (``django.core.validators``), so that the migrations of the apps
that use these helpers name nothing here and moving a helper changes no migration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, FieldError, ValidationError
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
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
    # Remembered, so that the unique constraint this repeats is not asked again by the same
    # validation (``TrackedModel.validate_constraints``).
    instance.__dict__.setdefault(_UNIQUE_PASSED, []).append(lookup)
    return {}


# The lookups that ``unique_errors`` found no other record for, on the instance being validated.
_UNIQUE_PASSED = "_unique_lookups_passed"


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

    def full_clean(
        self,
        exclude: Iterable[str] | None = None,
        validate_unique: bool = True,
        validate_constraints: bool = True,
        known_references: Iterable[str] = (),
    ) -> None:
        """Django's ``full_clean()``, the same checks and errors, but for the foreign keys named
        in ``known_references``, whose target the caller knows to exist (the REST API: those as
        stored, and those its serializer has just read): their field checks are skipped (for a
        foreign key, one query that asks whether the target exists), not their unique checks
        nor their constraints."""
        self.__dict__[_UNIQUE_PASSED] = []
        exclude = set(exclude or ())
        errors: dict[str, Any] = {}
        try:
            self.clean_fields(exclude=exclude | set(known_references))
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        try:
            self.clean()
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        # As Django does: the unique checks, then the constraints, only on the fields that passed.
        if validate_unique:
            exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
            try:
                self.validate_unique(exclude=exclude)
            except ValidationError as e:
                errors = e.update_error_dict(errors)
        if validate_constraints:
            exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
            try:
                self.validate_constraints(exclude=exclude)
            except ValidationError as e:
                errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude: Iterable[str] | None = None) -> None:
        """Django's check of the model's constraints, with the same errors in the same order, in
        fewer queries: the check constraints in one query (Django asks one query each), and a
        unique constraint not at all when ``clean()`` has just asked the same (``unique_errors``,
        for an error that names the field) and found no other record. A check that fails, or that
        cannot be asked with the others, is asked again Django's way, which writes its error."""
        exclude = set(exclude or ())
        using = router.db_for_write(type(self), instance=self)
        errors: dict[str, Any] = {}
        for model_class, constraints in self.get_constraints():
            passed = self._passing_checks(model_class, constraints, exclude, using)
            constraint: Any  # a check or a unique constraint, each with validate() and its fields
            for constraint in constraints:
                if id(constraint) in passed or self._asked_by_clean(model_class, constraint):
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as e:
                    # Django's own placement: a unique field's error on that field.
                    fields: tuple[str, ...] = tuple(getattr(constraint, "fields", ()))
                    if getattr(e, "code", None) == "unique" and len(fields) == 1:
                        errors.setdefault(fields[0], []).append(e)
                    else:
                        errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _passing_checks(self, model_class, constraints, exclude: set[str], using: str) -> set[int]:
        """The ids of the check constraints among ``constraints`` that hold for this record, asked
        in one query as Django asks each (``Q.check``: a null condition passes, as in the
        database); none when the query cannot be made, so that each is asked on its own."""
        connection = connections[using]
        checks = [c for c in constraints if isinstance(c, models.CheckConstraint)]
        if not checks or not connection.features.supports_comparing_boolean_expr:
            return set()
        query = Query(None)
        # The record's values as Django's own check passes them (a private method of Model).
        against = cast(Any, self)._get_field_expression_map(meta=model_class._meta, exclude=exclude)
        for name, value in against.items():
            query.add_annotation(value if hasattr(value, "resolve_expression") else Value(value), name, select=False)
        asked = []
        for index, check in enumerate(checks):
            try:
                query.add_annotation(
                    Coalesce(Q(check.condition), Value(True), output_field=BooleanField()), f"_check_{index}"
                )
            except FieldError:
                continue  # it names an excluded field: Django's check skips it too
            asked.append(check)
        if not asked:
            return set()
        # Inside a transaction a failed query would spoil it: a savepoint, as Django's check has.
        atomic = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
        try:
            with atomic:
                row = query.get_compiler(using=using).execute_sql(SINGLE)
        except DatabaseError:
            return set()
        return {id(check) for check, holds in zip(asked, row, strict=True) if holds}

    def _asked_by_clean(self, model_class, constraint) -> bool:
        """Whether ``clean()`` has just asked ``constraint`` (a plain unique constraint) with this
        record's values and found no other record (``unique_errors``)."""
        if not isinstance(constraint, models.UniqueConstraint) or constraint.condition or constraint.expressions:
            return False
        if constraint.nulls_distinct is False:
            return False
        meta = model_class._meta
        columns = {meta.get_field(name).attname for name in constraint.fields}
        for lookup in self.__dict__.get(_UNIQUE_PASSED, ()):
            try:
                asked = {meta.get_field(name).attname: value for name, value in lookup.items()}
            except FieldDoesNotExist:
                continue
            values = {name: getattr(value, "pk", value) for name, value in asked.items()}
            if set(values) == columns and all(getattr(self, name) == value for name, value in values.items()):
                return True
        return False


class CodedModel(TrackedModel):
    """Reference data: a unique short code that imports and the API use, and a name."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
