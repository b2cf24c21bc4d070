"""A serializer's answer for a record, the dictionary DRF's ``Serializer.to_representation``
makes, with what does not change from record to record worked out once a list.

Why: for every field of every record DRF's loop asks the field for its value through
``get_attribute`` (a walk over the source's parts, a check that the value is not a method to
call, a catch of the errors a missing attribute raises), checks whether it is a key-only
stand-in, then converts it. For a page of fifty records of twenty fields that was half of the
list's time beside its queries (docs/benchmarks.md). Here each field is looked at once: a field
that reads a stored column of the model reads it directly, a key of a related record reads the
column that holds it, a method field calls its method; every other field (nested records,
lists of ids, anything with a source through relations) goes through DRF's own steps, so that
its answer cannot differ. Values are still converted by each field's own ``to_representation``
except where that is plainly the identity or a cast (text, whole numbers, ISO dates).

``jiaxian/tests/test_representing.py`` compares the two on every serializer of the API."""

from __future__ import annotations

import copy
import datetime
import decimal
import operator
from collections.abc import Callable
from typing import Any, ClassVar, cast

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

# (name in the answer, how the value is read from the record, how it is written; None: DRF's
# own steps for the field)
Step = tuple[str, Callable[[Any], Any] | None, Callable[[Any], Any] | None, serializers.Field]


def column_of(model: Any, source: str) -> models.Field | None:
    """The model's stored, non-relation field whose attribute is ``source``, if any: reading it
    never calls anything nor raises."""
    try:
        field = model._meta.get_field(source)
    except FieldDoesNotExist:
        return None
    if not field.concrete or field.is_relation or getattr(field, "attname", None) != source:
        return None
    return cast(models.Field, field)


def conversion(field: Any) -> Callable[[Any], Any]:
    """How a field writes a value that is not None: its own ``to_representation``, or what that
    plainly does for text, whole numbers and dates written as ISO 8601."""
    kind = type(field).to_representation
    if kind is serializers.CharField.to_representation:
        return str
    if kind is serializers.IntegerField.to_representation:
        return int
    if kind is serializers.DateField.to_representation:
        output = getattr(field, "format", api_settings.DATE_FORMAT)
        if isinstance(output, str) and output.lower() == ISO_8601:

            def isoformat(value):
                # As DateField: a string is written as it is; a datetime refused by its assert.
                if isinstance(value, str) or isinstance(value, datetime.datetime):
                    return field.to_representation(value)
                return value.isoformat()

            return isoformat
    if kind is serializers.DecimalField.to_representation:
        return decimal_conversion(field) or field.to_representation
    if kind is serializers.DateTimeField.to_representation:
        return datetime_conversion(field) or field.to_representation
    return field.to_representation


def decimal_conversion(field: Any) -> Callable[[Any], Any] | None:
    """DecimalField's writing of an amount as a string of its places (``quantize``), with the
    places and the context it copies for every value made once; None for the field's other
    ways (a number, a localised or normalised string)."""
    if (
        not getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        or field.normalize_output
        or field.localize
        or field.decimal_places is None
    ):
        return None
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits
    places = decimal.Decimal(".1") ** field.decimal_places
    rounding = field.rounding

    def written(value):
        if type(value) is not decimal.Decimal:
            return field.to_representation(value)
        return f"{value.quantize(places, rounding=rounding, context=context):f}"

    return written


def datetime_conversion(field: Any) -> Callable[[Any], Any] | None:
    """DateTimeField's writing of a stored (aware) time in ISO 8601, in the time zone it asks
    for every value (the request's) found once; None for its other ways."""
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if not isinstance(output, str) or output.lower() != ISO_8601 or zone is None:
        return None

    def written(value):
        if type(value) is not datetime.datetime or value.utcoffset() is None:
            return field.to_representation(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)  # its own error
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return written


def step_of(serializer: Any, field: Any) -> Step:
    model = serializer.Meta.model
    name: str = field.field_name
    if isinstance(field, serializers.SerializerMethodField):
        # DRF hands the record itself to the method (never None).
        return name, None, getattr(serializer, field.method_name), field
    attrs = getattr(field, "source_attrs", None)
    if not attrs or len(attrs) != 1:
        return name, None, None, field
    if isinstance(field, serializers.PrimaryKeyRelatedField) and field.use_pk_only_optimization():
        try:
            relation = model._meta.get_field(attrs[0])
        except FieldDoesNotExist:
            return name, None, None, field
        if not (relation.many_to_one or relation.one_to_one) or not relation.concrete or field.pk_field is not None:
            return name, None, None, field
        # DRF reads the key column (serializable_value) and writes the key.
        return name, operator.attrgetter(relation.attname), _identity, field
    if isinstance(field, serializers.RelatedField | serializers.ManyRelatedField | serializers.BaseSerializer):
        return name, None, None, field
    column = column_of(model, attrs[0])
    if column is None:
        return name, None, None, field
    return name, operator.attrgetter(column.attname), conversion(field), field


def _identity(value):
    return value


class QuickRepresentation:
    """A ``ModelSerializer`` mixin: ``to_representation`` as DRF's, its steps worked out once a
    serializer (the child of a list serves every record of the page)."""

    _steps: list[Step] | None = None
    # Each serializer class's fields as ModelSerializer builds them (unbound), by class and
    # language: a field's label is left out where the model's name for it reads as the
    # field's own name would (in English), so the fields built differ by language.
    _made_fields: ClassVar[dict[tuple[type, str | None], dict[str, serializers.Field]]] = {}

    def get_fields(self):
        # ModelSerializer builds its fields from the model's for every serializer made, one a
        # request: 2.7 ms for a key project's, against 0.8 ms to copy them (as DRF copies the
        # declared fields). They depend on the class (its Meta, its declared fields) and the
        # language alone, so they are built once for each and copied;
        # jiaxian/tests/test_representing.py compares.
        key = (type(self), translation.get_language())
        made = self._made_fields.get(key)
        if made is None:
            made = self._made_fields[key] = super().get_fields()  # type: ignore[misc]
        return copy.deepcopy(made)

    def representation_steps(self) -> list[Step]:
        if self._steps is None:
            self._steps = [step_of(self, field) for field in self._readable_fields]  # type: ignore[attr-defined]
        return self._steps

    def to_representation(self, instance):
        answer = {}
        for name, read, write, field in self.representation_steps():
            if write is None:
                # DRF's own steps for the field (Serializer.to_representation).
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                answer[name] = None if check_for_none is None else field.to_representation(attribute)
            elif read is None:
                answer[name] = write(instance)
            else:
                value = read(instance)
                answer[name] = None if value is None else write(value)
        return answer
