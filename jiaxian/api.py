"""REST plumbing shared by both apps: the base serializer that runs the models' own
validation, and the viewset that never loses an update. Nothing about the domain lives here:
the department rule is an object permission that ``jiaxian.ledger_api`` adds.
(The permission and pagination classes that settings name are in ``api_defaults``: DRF
imports those while its views module loads, so they must not import views.)"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _, gettext_lazy
from drf_spectacular import generators, openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import SkipField
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.relations import ManyRelatedField, RelatedField
from rest_framework.response import Response
from rest_framework.settings import api_settings

from jiaxian import periods, versions
from jiaxian.models import TrackedModel
from jiaxian.representing import QuickRepresentation

# What every record carries and no client writes: read-only in every serializer that lists
# them because ``TrackedModel``'s fields are not editable (DRF makes such a field read-only).
RECORD_FIELDS = ("version", "created_at", "updated_at")


# JSON types as the schema says them: DRF would turn 0 into "0", "5" into 5 and 5 into 5.00,
# so that a client's type error went unnoticed. Amounts are decimal strings, never numbers,
# so that no float ever carries money.


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # The length as sent, before the surrounding blanks are trimmed: the schema's maxLength.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictDecimalField(serializers.DecimalField):
    default_error_messages = {"not_a_string": 'Send amounts as decimal strings, for example "10000.00".'}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


# The largest id a record can have (a BigAutoField's, 2⁶³ − 1): a larger one is no id at all,
# and the database would overflow comparing it.
MAX_ID = 2**63 - 1


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "minItems": 1,
        "maxItems": 1000,
    }
)
class IdListField(serializers.Field):
    """A list of record ids (whole numbers from 1), 1 to ``max_length`` of them, for an action on
    several records. One flat message for the whole list (a ListField's are keyed by position,
    which the error body's schema does not allow), naming the first bad item."""

    default_error_messages = {
        "not_a_list": _("Send a list of ids, as in [12, 13]."),
        "empty": _("Name at least one record."),
        "too_many": _("At most %(max)s records at once."),
        "bad_item": _("Item %(position)s is not an id (a whole number from 1): %(item)s."),
    }

    def __init__(self, *, max_length: int = 1000, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        if not data:
            self.fail("empty")
        if len(data) > self.max_length:
            raise serializers.ValidationError(self.error_messages["too_many"] % {"max": self.max_length})
        for position, item in enumerate(data, start=1):
            if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= MAX_ID:
                shown = json.dumps(item)[:40]
                raise serializers.ValidationError(
                    self.error_messages["bad_item"] % {"position": position, "item": shown}
                )
        return list(dict.fromkeys(data))

    def to_representation(self, value):
        return list(value)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


# Query parameters of a period, read by ``periods`` (one parser, one range for every door).


class _PeriodParameter(serializers.Field):
    # The ``periods`` parser of the parameter (value, its name) → the value; each subclass's.
    parse: ClassVar[Callable[..., Any]]

    def to_internal_value(self, data):
        try:
            return type(self).parse(data, self.field_name)
        except periods.PeriodParameterError as exc:
            raise serializers.ValidationError(exc.message) from None

    def to_representation(self, value):
        return value


# A year and a quarter as OpenAPI says them, for these parameters and the list filters
# (``jiaxian.filters``) alike.
YEAR_PARAMETER_SCHEMA = {"type": "integer", "minimum": periods.YEAR_MIN, "maximum": periods.YEAR_MAX}
QUARTER_PARAMETER_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 4}


@extend_schema_field(YEAR_PARAMETER_SCHEMA)
class YearParameter(_PeriodParameter):
    parse = staticmethod(periods.parse_year)


@extend_schema_field(QUARTER_PARAMETER_SCHEMA)
class QuarterParameter(_PeriodParameter):
    parse = staticmethod(periods.parse_quarter)


# A date of the years YEAR_MIN to YEAR_MAX as OpenAPI can say it: format and a pattern of the years
# (a schema-driven client, or a fuzzer, then sends no date that the parser refuses for its year).
DATE_PARAMETER_SCHEMA = {
    "type": "string",
    "format": "date",
    "pattern": rf"^(?:{periods.YEAR_MIN // 100}[0-9]{{2}}|{periods.YEAR_MAX})-[0-9]{{2}}-[0-9]{{2}}$",
}
assert periods.YEAR_MIN % 100 == 0 and periods.YEAR_MAX == periods.YEAR_MIN + 100, "the pattern assumes 2000-2100"


@extend_schema_field(DATE_PARAMETER_SCHEMA)
class DateParameter(_PeriodParameter):
    """A date written YYYY-MM-DD within the years ``periods.YEAR_MIN`` to ``YEAR_MAX``."""

    parse = staticmethod(periods.parse_date)

    def to_representation(self, value):
        return value.isoformat()


def period_parameter(request, name: str, parse, default=None):
    """Query parameter ``name`` read by ``parse`` (one of ``periods.parse_*``), ``default``
    when absent; a bad one is a 400 ``{name: [message]}``."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return parse(raw, name)
    except periods.PeriodParameterError as exc:
        raise exceptions.ValidationError({exc.name: [exc.message]}) from None


class VersionField(serializers.IntegerField):
    """A record's ``version``: the answer's is the stored one; a request body may send back the one
    the client read, which the claim (``LedgerViewSet.claim``) checks, as it checks ``If-Match``.
    It is never written from the body: every save raises the version by one. A version that is
    not a whole number is a 400 naming the field; on a creation, a whole number is ignored."""

    default_error_messages = {"invalid": gettext_lazy("A version is a whole number, as in the ETag.")}

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        # Checked, then left out of the validated data: the claim reads it from the body.
        raise SkipField


def api_validation_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A model's refusal (``full_clean``, a rule of the domain) as the API's 400: each field's
    messages under its name, the record's own under ``non_field_errors``."""
    errors = exc.message_dict
    if NON_FIELD_ERRORS in errors:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
    return serializers.ValidationError(errors)


class ValidatedModelSerializer(QuickRepresentation, serializers.ModelSerializer):
    """A model serializer that refuses what the admin and the import refuse.

    ``validate`` applies the incoming values to a copy of the instance (never the live one,
    so that a refused write leaves nothing behind) and runs the model's ``full_clean()``;
    its errors come back under the same field names. Fields the resource does not have are
    refused, each by name, instead of being silently dropped. Values must have the JSON type
    the schema gives them.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.DecimalField: StrictDecimalField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.BooleanField: StrictBooleanField,
    }
    serializer_related_field = StrictPrimaryKeyRelatedField
    # Writable so that the schema offers it in request bodies; see VersionField.
    version = VersionField()

    def get_unique_together_validators(self):
        # The model's full_clean() checks them in validate() and names the field; DRF's own
        # check would answer non_field_errors first.
        return []

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        unknown = {name: [_("Unknown field.")] for name in sorted(set(data) - set(self.fields))}
        try:
            known = super().to_internal_value({k: v for k, v in data.items() if k in self.fields})
        except serializers.ValidationError as exc:
            # Every bad field at once: the unknown ones and those the known fields refused.
            # A serializer's refusal of its fields is a mapping of field to errors.
            raise serializers.ValidationError({**unknown, **cast(dict, exc.detail)}) from exc
        if unknown:
            raise serializers.ValidationError(unknown)
        return known

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model: type[models.Model] = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        try:
            if isinstance(instance, TrackedModel):
                instance.full_clean(known_references=known_references(instance, self.instance, attrs))
            else:
                instance.full_clean()
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc
        # What the model's cleaning normalised (a blank project code becomes null, codes upper
        # case) is what gets saved.
        return {name: getattr(instance, name) for name in attrs}


def known_references(record: models.Model, stored: models.Model | None, attrs: Mapping) -> set[str]:
    """The foreign keys of ``record`` whose target is known to exist, so that ``full_clean``
    need not ask the database again: one left as stored (the database's foreign key constraint
    kept its target there) and one whose target this request's serializer field has just read
    (``PrimaryKeyRelatedField`` gives the record it found). Not a key that restricts its
    choices (``limit_choices_to``), which only the model's check applies."""
    known = set()
    for field in record._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey) or field.get_limit_choices_to():
            continue
        if getattr(record, field.attname) is None:
            continue
        as_stored = (
            stored is not None
            and getattr(field, "db_constraint", True)
            and getattr(stored, field.attname) == getattr(record, field.attname)
        )
        if as_stored or isinstance(attrs.get(field.name), models.Model):
            known.add(field.name)
    return known


class RelatedIdsField(serializers.ListField):
    """The ids of a record's related records (read-only), in the order of their ids: from the
    annotation ``annotation`` when the record's query has it (``jiaxian.subqueries.ids_related``,
    no query of its own), else from the relation ``relation``."""

    def __init__(self, relation: str, annotation: str, **kwargs):
        self.relation, self.annotation = relation, annotation
        super().__init__(child=serializers.IntegerField(), read_only=True, source="*", **kwargs)

    def to_representation(self, data):
        ids = getattr(data, self.annotation, None)
        if ids is None:
            ids = [related.pk for related in getattr(data, self.relation).all()]
        return sorted(ids)


class DownloadNegotiation(BaseContentNegotiation):
    """For the views that answer with a file (an export, a filing, an attachment): the file is the
    answer whatever the ``Accept`` header says, and ``format`` is never DRF's renderer override
    (an export's is its own parameter, xlsx or csv); errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale_version"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "in_use"


# A version as the ETag writes it: a whole number without a sign or a leading zero.
VERSION_TAG = re.compile(r"0|[1-9][0-9]*", re.ASCII)


def if_match_versions(header: str | None) -> set[int] | None:
    """The versions an ``If-Match`` header names: None when it names none (no header, or ``*``:
    any version will do), else the versions among its entity tags (``"3"``, ``W/"3"``). A tag
    that is not a version matches nothing (RFC 9110: then 412), so the set may be empty."""
    if header is None or header.strip() in ("", "*"):
        return None
    tags = (tag.strip().removeprefix("W/").strip('"') for tag in header.split(","))
    return {int(tag) for tag in tags if VERSION_TAG.fullmatch(tag)}


def claimed_version(header: str | None, sent: int | None, read: int) -> int:
    """The version a write claims (``jiaxian.versions.claim``): the one the client named —
    ``sent`` in the body, else the ``If-Match`` header's (of several tags, the one this request
    ``read`` if it is among them) — or, when it named none, ``read``, so that a change landing
    after the read is caught too. 412 at once when no version could match: a header naming no
    version, or not the body's."""
    tags = if_match_versions(header)
    if tags is None:
        return read if sent is None else sent
    named = tags if sent is None else tags & {sent}
    if not named:
        raise refused_version(header if sent is None else sent, read)
    return read if read in named else min(named)


def refused_version(sent, now: int | None) -> PreconditionFailed:
    """The 412 for a write that named version ``sent`` (None: it named none, and the record
    moved while it saved) of a record now at ``now``."""
    if sent is None:
        message = _(
            "The record was changed by someone else while you saved (now version %(now)s). "
            "Reload it and apply your change again."
        ) % {"now": now}
    else:
        message = _(
            "The record was changed by someone else: you sent version %(sent)s, it is now at %(now)s. "
            "Reload it and apply your change again."
        ) % {"sent": sent, "now": now}
    return PreconditionFailed(message)


def body_version(data) -> int | None:
    """The ``version`` a client sent in the body, None when it sent none; a version that is
    not a whole number is a 400 naming the field."""
    if not isinstance(data, Mapping) or data.get("version") is None:
        return None
    value = data["version"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise exceptions.ValidationError({"version": [_("A version is a whole number, as in the ETag.")]})
    return value


# --- OpenAPI ---------------------------------------------------------------------------------

# The schema's one language, for its identifiers, titles and enum names (a generated client's
# module names come from them) and its descriptions.
SCHEMA_LANGUAGE = "en"


class SchemaGenerator(generators.SchemaGenerator):
    """The schema in ``SCHEMA_LANGUAGE`` whatever language is active (a request's Accept-Language,
    the settings' Chinese in ``manage.py spectacular``), so that the document, and every client
    generated from it, is the same wherever it is made."""

    def get_schema(self, request=None, public=False):
        with translation.override(SCHEMA_LANGUAGE):
            # Lazy labels become text here, not later in whatever language the renderer runs in.
            return in_words(super().get_schema(request=request, public=public))


def in_words(value):
    """``value`` with every lazy text in it (at any depth of dicts and lists) turned into text."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {key: in_words(item) for key, item in value.items()}
    if isinstance(value, list):
        return [in_words(item) for item in value]
    return value


# The two error bodies, each one component that every error answer refers to (a client then has
# one type to catch, not one per operation and status).
ERROR = ResolvedComponent(
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object="Error",
    schema={
        "type": "object",
        "description": "A refusal in words.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
)
VALIDATION_ERROR = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="ValidationError",
    schema={
        "type": "object",
        "description": "Each bad field (or parameter) with its messages; `non_field_errors` for the record as a whole.",
        "additionalProperties": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
    },
)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the error answers every client must expect: 400 with
    the bad fields, 401/403 without the right credentials, 404 for a missing record, 409 for a
    record still in use, 412 for a stale version, 429 past a rate. A view may describe an error
    answer in its own words (``extend_schema(responses={409: OpenApiResponse(description=…)})``);
    its body is always ``ValidationError`` (400) or ``Error`` (the others)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {
            "401": "Not authenticated.",
            "403": "Not allowed: a model permission is missing.",
        }
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors["403"] = (
                "Not allowed: a model permission is missing, or the record belongs (or would belong) to a "
                "department that is not the user's; `detail` says which. Nothing changed."
            )
        has_id = "{" in self.path
        # Every read may take query parameters (filters, pages, as_of), so every read may be a 400.
        if self.method in ("POST", "PUT", "PATCH", "GET"):
            errors["400"] = "Refused: the body names each bad field or parameter."
        if has_id or self.method == "GET":
            errors["404"] = "Not found (a record, a year without a plan, or a page past the last)."
        if has_id and self.method == "DELETE":
            errors["409"] = "Still used by other records; nothing was deleted."
        if has_id and self.method in ("PUT", "PATCH", "DELETE"):
            errors["412"] = "The version sent is not the record's current version; nothing changed."
        if getattr(self.view, "throttle_classes", None):
            # A view may say more about its 429 (the token endpoint's login lockout).
            refusal = getattr(self.view, "too_many_requests", None)
            errors["429"] = refusal or "Too many requests: try again after the seconds in Retry-After."
        merged = {**{status: {"description": text} for status, text in errors.items()}, **responses}
        for status_code, response in merged.items():
            if status_code.startswith("4"):
                response["content"] = {"application/json": {"schema": self.error_component(status_code).ref}}
        return merged

    def error_component(self, status_code: str) -> ResolvedComponent:
        component = VALIDATION_ERROR if status_code == "400" else ERROR
        self.registry.register_on_missing(component)
        return component

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if "{" in self.path and self.method in ("PUT", "PATCH", "DELETE"):
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description='The version read, as in the ETag ("3"); a stale one is refused with 412.',
                )
            )
        return parameters


class VersionFieldSchema(OpenApiSerializerFieldExtension):
    """``version`` in the schema: read-only and always present in answers, optional in request
    bodies (the version read, checked like ``If-Match``)."""

    target_class = VersionField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "integer", "readOnly": True, "description": "Raised by one at each save; the ETag."}
        return {
            "type": "integer",
            "description": (
                "The version read (as in the ETag), instead of If-Match: an update naming another is refused "
                "with 412. Never written; ignored on a creation."
            ),
        }


# --- history ----------------------------------------------------------------------------------

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name, as in the record.")
    old = serializers.JSONField(allow_null=True, help_text="The value before, as the API writes it; null if none.")
    new = serializers.JSONField(allow_null=True, help_text="The value after, as the API writes it.")


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.ChoiceField(choices=list(HISTORY_TYPES.values()))
    history_user = serializers.CharField(allow_null=True, help_text="The username of who saved it; null if unknown.")
    version = serializers.IntegerField(help_text="The record's version after this change.")
    changes = HistoryChangeSerializer(
        many=True,
        help_text="The fields this entry changed, from the entry before; on creation, every field that has a value.",
    )


def api_value(field, value):
    """``value`` as the API writes it in ``field`` (amounts as decimal strings, dates ISO);
    a related record is its id, as the history stores it."""
    if value is None:
        return None
    if isinstance(field, RelatedField | ManyRelatedField):
        return value
    return field.to_representation(value)


class LedgerViewSet(viewsets.ModelViewSet):
    """A model viewset that never loses an update, and shows each record's history.

    Every detail answer carries ``ETag: "<version>"``. An update or delete that names a
    version (``If-Match`` header or ``version`` in the body) other than the stored one is
    refused with 412 and changes nothing; one that names none is checked against the
    version this request read, so a change made in between is never overwritten silently.
    Every save records who made it (``history_user``); ``GET .../<id>/history/`` lists them.

    Writes are judged by the object permissions twice: on the record as stored (``get_object``)
    and on the record as the write would leave it (``as_written``), so that a permission that
    depends on a field (the department rule) cannot be dodged by moving the record.
    """

    def check_written(self, serializer) -> None:
        self.check_object_permissions(self.request, self.as_written(serializer))

    @staticmethod
    def as_written(serializer) -> models.Model:
        """The record as the validated write would leave it (a copy: the live instance stays as
        it is), its many-to-many values left out (they need a saved record)."""
        record = copy.copy(serializer.instance) if serializer.instance is not None else serializer.Meta.model()
        many = {field.name for field in record._meta.many_to_many}
        for name, value in serializer.validated_data.items():
            if name not in many:
                setattr(record, name, value)
        return record

    def claim(self, instance) -> None:
        """Claim ``instance`` at the version the client sent (body or ``If-Match``), or at the one
        this request read: 412 when the stored record is at another."""
        header = self.request.headers.get("If-Match")
        sent = body_version(self.request.data)
        try:
            versions.claim(instance, claimed_version(header, sent, instance.version))
        except versions.StaleVersion as stale:
            named = sent is not None or if_match_versions(header) is not None
            raise refused_version(stale.expected if named else None, stale.current) from stale

    # Each write in one transaction: a refused or failed write leaves nothing behind. Who made it
    # reaches the history through simple_history's middleware: DRF's authentication (a token
    # too) sets the user on the request the middleware holds.
    def perform_create(self, serializer):
        self.check_written(serializer)
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        # The record as stored was checked by get_object; here, as it would be.
        self.check_written(serializer)
        with transaction.atomic():
            self.claim(serializer.instance)
            serializer.save()

    def update(self, request, *args, **kwargs):
        """DRF's update, but it keeps what the record's query prefetched of its reverse foreign keys
        (a project's listings, successors): no field of a serializer writes them, so that the answer
        shows them as read, without reading them again. DRF forgets every prefetched relation; the
        many-to-many ones, which the serializer may have written, are still forgotten."""
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        cache = getattr(instance, "_prefetched_objects_cache", None)
        if cache:
            reverse = {
                rel.get_accessor_name() for rel in instance._meta.related_objects if rel.one_to_many and not rel.hidden
            }
            instance._prefetched_objects_cache = {name: rows for name, rows in cache.items() if name in reverse}
        return Response(serializer.data)

    def perform_destroy(self, instance):
        with transaction.atomic():
            self.claim(instance)
            try:
                instance.delete()
            except ProtectedError as exc:
                raise Conflict(
                    _("%(record)s is still used by %(count)s other records; change or delete those first.")
                    % {"record": instance, "count": len(exc.protected_objects)}
                ) from exc

    @extend_schema(
        summary="History of a record",
        description=(
            "Every saved change of the record, newest first: when, by whom, which version it made and "
            "each field's value before and after (on creation, every field that has a value). Needs the "
            "view permission of the resource. A deleted record's id answers 404: its history stays "
            "in the admin."
        ),
        responses=HistoryEntrySerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, *args, **kwargs):
        instance = self.get_object()
        records = instance.history.select_related("history_user").order_by("-history_date", "-history_id")
        page = self.paginate_queryset(records)
        entries = list(page) if page is not None else list(records)
        # The entry before the oldest of this page (on the next page), for its changes: one query.
        if entries and entries[-1].history_type != "+":
            oldest = entries[-1]
            before = records.filter(
                Q(history_date__lt=oldest.history_date)
                | Q(history_date=oldest.history_date, history_id__lt=oldest.history_id)
            ).first()
        else:
            before = None
        fields = self.history_fields()
        data = [
            {
                "history_id": entry.history_id,
                "history_date": entry.history_date,
                "history_type": HISTORY_TYPES[entry.history_type],
                "history_user": entry.history_user.get_username() if entry.history_user else None,
                "version": entry.version,
                "changes": self.history_changes(entry, previous, fields),
            }
            for entry, previous in zip(entries, [*entries[1:], before][: len(entries)], strict=True)
        ]
        body = HistoryEntrySerializer(data, many=True).data
        return self.get_paginated_response(body) if page is not None else Response(body)

    def history_fields(self) -> dict:
        """The record's fields the API shows, by model field name: (the API's name, its field)."""
        return {
            field.source: (name, field)
            # A ledger's serializer is a ModelSerializer, whose fields are declared.
            for name, field in cast(serializers.Serializer, self.get_serializer()).fields.items()
            if isinstance(field.source, str) and field.source and "." not in field.source and field.source != "*"
        }

    @staticmethod
    def history_changes(entry, previous, fields: dict) -> list[dict]:
        """What ``entry`` changed from ``previous`` in the fields the API shows; for a creation
        (or the oldest entry kept), every such field that has a value, from null."""
        if entry.history_type == "+" or previous is None:
            deltas = [
                (name, None, entry.serializable_value(name))
                for name in sorted({f.name for f in entry.tracked_fields if f.editable} & set(fields))
            ]
            deltas = [(name, old, new) for name, old, new in deltas if new not in (None, "")]
        else:
            deltas = [(change.field, change.old, change.new) for change in entry.diff_against(previous).changes]
        changes = []
        for name, old, new in deltas:
            if name in fields:
                api_name, field = fields[name]
                changes.append({"field": api_name, "old": api_value(field, old), "new": api_value(field, new)})
        return changes

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.detail_version(response) is not None:
            response["ETag"] = f'"{self.detail_version(response)}"'
        return response

    @staticmethod
    def detail_version(response):
        data = getattr(response, "data", None)
        if (
            200 <= response.status_code < 300
            and isinstance(data, Mapping)
            and "version" in data
            and "results" not in data
        ):
            return data["version"]
        return None
