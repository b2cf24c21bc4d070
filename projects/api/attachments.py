"""``/api/attachments/``: the files attached to records, listed, uploaded, downloaded, corrected and
deleted. Thin on purpose: what a file may be, a batch's all or nothing, who may see and who may
attach, and the download's headers are ``projects.attachments``' (and ``jiaxian.uploads``');
this module reads the request, asks them, and writes their answer.

- Reading (the list, a detail, a download, a thumbnail, the history) follows the record's kind:
  whoever may view it (``attachments.may_view``) sees its attachments; the others' are not in the
  queryset at all (404, never 403, so that an id tells nothing).
- Uploading (a multipart POST, one or several files under ``file``), correcting the kind, title
  or date and deleting need ``attachments.refusal(user, record)`` to be None: the record's change
  permission and the department rule. Otherwise a 403 whose ``detail`` is the refusal.
- A correction or a deletion claims the version read (``If-Match`` or ``version``): 412 when
  stale, as for every ledger (``jiaxian.api.LedgerViewSet``).
"""

from __future__ import annotations

from typing import cast

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import parsers, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from jiaxian import uploads
from jiaxian.api import (
    MAX_ID,
    AutoSchema,
    DownloadNegotiation,
    LedgerViewSet,
    ValidatedModelSerializer,
    api_validation_error,
)
from jiaxian.filters import IntegerFilter, StrictFilterSet
from projects import attachments
from projects.choices import AttachmentKindChoices
from projects.models import Attachment


def record_type_choices() -> list[tuple[str, str]]:
    """The record types that take attachments (``"key-project"``), sorted."""
    return [(name, name) for name in sorted(attachments.record_types())]


# Read once, when the API's URLs load (every app's models are loaded by then: this module is
# imported by the router, never while the apps load), for the filter, the fields and the schema.
RECORD_TYPES = record_type_choices()


def record_type_name(attachment: Attachment) -> str:
    # The content type is read with the attachment (the queryset's select_related).
    model = attachment.record_type.model_class()
    return model.attachment_record_type  # type: ignore[union-attr]


# --- the list's filters --------------------------------------------------------------------------


@extend_schema_field({"type": "string", "enum": [name for name, _label in RECORD_TYPES]})
class RecordTypeFilter(django_filters.ChoiceFilter):
    """A record type by its name; the schema says which (django-filter's own guess would be the
    content type's integer key)."""


class AttachmentFilterSet(StrictFilterSet):
    """``record_type`` with ``record_id`` for one record's files; ``kind`` (several allowed);
    ``uploaded_on_min``/``_max`` by the day of the upload (in the county's time zone) and
    ``taken_on_min``/``_max`` by the day taken or signed."""

    record_type = RecordTypeFilter(choices=RECORD_TYPES, method="filter_record_type")
    record_id = IntegerFilter()
    kind = django_filters.MultipleChoiceFilter(choices=AttachmentKindChoices.choices)
    uploaded_on_min = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="uploaded on or after"
    )
    uploaded_on_max = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="uploaded on or before"
    )
    ranges = ["taken_on"]

    class Meta:
        model = Attachment
        fields = ["record_id"]

    def filter_record_type(self, queryset, name, value):
        model = attachments.record_types()[value]
        return queryset.filter(record_type=ContentType.objects.get_for_model(model))


# --- serializers ---------------------------------------------------------------------------------


class RecordTypeField(serializers.ChoiceField):
    """The record's type by its resource's name (``"key-project"``), read-only."""

    def __init__(self, **kwargs):
        super().__init__(choices=RECORD_TYPES, source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return record_type_name(value)


class AttachmentSerializer(ValidatedModelSerializer):
    """One attachment as the API shows it; only ``kind``, ``title`` and ``taken_on`` are written
    (a file is replaced by uploading another and deleting this one)."""

    record_type = RecordTypeField(help_text="The kind of record, by the name of its resource.")
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)
    download = serializers.SerializerMethodField(help_text="Where to download the file.")
    thumbnail = serializers.SerializerMethodField(
        help_text="Where to download the JPEG thumbnail of an image; null for a document."
    )

    class Meta:
        model = Attachment
        fields = (
            "id",
            "version",
            "record_type",
            "record_id",
            "kind",
            "title",
            "taken_on",
            "uploaded_by",
            "uploaded_at",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "download",
            "thumbnail",
        )
        read_only_fields = ("record_id", "uploaded_by", "original_name", "size", "content_type", "sha256")

    def url(self, name: str, attachment: Attachment) -> str:
        return reverse(name, kwargs={"pk": attachment.pk}, request=self.context.get("request"))

    @extend_schema_field({"type": "string", "format": "uri"})
    def get_download(self, attachment: Attachment) -> str:
        return self.url("attachment-download", attachment)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_thumbnail(self, attachment: Attachment) -> str | None:
        return self.url("attachment-thumbnail", attachment) if attachment.thumbnail else None


class FilesField(serializers.ListField):
    """One or several uploaded files; a part that is not a file is refused by its position, in one
    flat list of messages as every field's (a ListField's are keyed by position, which the error
    body's schema does not allow)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.FileField(allow_empty_file=True, use_url=False), allow_empty=False, **kwargs)

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except ValidationError as refused:
            detail = cast(dict, refused.detail)
            raise ValidationError(
                [
                    _("File %(position)s: %(message)s") % {"position": int(position) + 1, "message": message}
                    for position, messages in detail.items()
                    for message in messages
                ]
            ) from refused


class AttachmentUploadSerializer(serializers.Serializer):
    """The multipart form of an upload: the record, the kind, an optional title and date for every
    file, and one or several ``file`` parts."""

    record_type = serializers.ChoiceField(
        choices=RECORD_TYPES, help_text="The kind of record, by the name of its resource."
    )
    record_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The record's id.")
    kind = serializers.ChoiceField(choices=AttachmentKindChoices.choices)
    title = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The title of every file of the upload; without one, each file's name without its extension.",
    )
    taken_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day taken or signed, not after today; without one, a photo's camera date.",
    )
    file = FilesField(
        help_text=(
            "One or several files (the same part name repeated); each is judged by its content, and one "
            "refused file stores none of them."
        ),
    )

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


# --- the view ------------------------------------------------------------------------------------


class AttachmentPermissions(permissions.BasePermission):
    """Signed in to ask at all. Reading needs nothing more (the queryset holds only what the user
    may view); a correction or a deletion needs the record's ``attachments.refusal`` to be None."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        reason = attachments.refusal(request.user, obj.record)
        if reason is None:
            return True
        self.message = reason
        return False


class AttachmentSchema(AutoSchema):
    """Only the list is paged and filtered: an upload answers with the plain list of what it
    attached, and takes no filter."""

    def _get_paginator(self):
        return super()._get_paginator() if self.method == "GET" else None

    def get_filter_backends(self):
        return super().get_filter_backends() if self.method == "GET" else []


# What a download may be: every type ``jiaxian.uploads`` accepts, as read from the content.
DOWNLOAD_RESPONSES = {
    (200, file_type.content_type): OpenApiResponse(
        OpenApiTypes.BINARY, description=f"The file ({file_type.label}); X-Content-SHA256 is its SHA-256."
    )
    for file_type in uploads.ACCEPTED.values()
}
THUMBNAIL_RESPONSES = {
    (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The JPEG thumbnail, 400 px a side at most."),
    404: OpenApiResponse(description="No such attachment, or it is a document, which has no thumbnail."),
}


@extend_schema_view(
    create=extend_schema(
        summary="Attach files to a record",
        description=(
            "A multipart form: `record_type` and `record_id` name the record, `kind` what the files are, "
            "`title` and `taken_on` optionally, and one or several `file` parts. Answers 201 with the list "
            "of what was attached, in the order sent (always a list, of one for one file). All or nothing: "
            "a refused file is a 400 naming it under `file`, and nothing is stored. 403 without the right "
            "to change the record (its kind's change permission, and the department rule)."
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer(many=True)},
    ),
)
class AttachmentViewSet(LedgerViewSet):
    """Files attached to records (key projects, monthly reports, problems, bond reserves, attraction
    projects, supervision orders and their replies). Whoever may view a kind of record sees its
    attachments; attaching, correcting and deleting need the right to change the record (its
    kind's change permission and the department rule)."""

    queryset = Attachment.objects.all()
    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilterSet
    permission_classes = [AttachmentPermissions]
    ordering_fields = ("taken_on", "title", "size")
    schema = AttachmentSchema()

    def get_parsers(self):
        # Files come as a multipart form, the API's one exception to JSON: a form's values are
        # text, which the upload's serializer reads as such. Corrections stay JSON.
        request = getattr(self, "request", None)
        if request is not None and request.method == "POST":
            return [parsers.MultiPartParser(), parsers.FormParser()]
        return super().get_parsers()

    def get_queryset(self):
        return Attachment.objects.filter(
            record_type__in=attachments.viewable_record_types(self.request.user)
        ).select_related("record_type")

    def create(self, request, *args, **kwargs):
        form = AttachmentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        model = attachments.record_types()[data["record_type"]]
        record = model._default_manager.filter(pk=data["record_id"]).first()
        if record is None:
            raise ValidationError({"record_id": [_("There is no such record to attach the file to.")]})
        reason = attachments.refusal(request.user, record)
        if reason is not None:
            raise PermissionDenied(reason)
        try:
            created = attachments.attach(
                record,
                # Read only within the size limit (an oversized part is refused by its size).
                attachments.uploads_of(data["file"]),
                kind=data["kind"],
                user=request.user,
                title=data.get("title") or "",
                taken_on=data.get("taken_on"),
            )
        except DjangoValidationError as refused:
            raise api_validation_error(refused) from refused
        body = AttachmentSerializer(created, many=True, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Download an attachment's file", responses=DOWNLOAD_RESPONSES)
    @action(detail=True, methods=["get"], filter_backends=[], content_negotiation_class=DownloadNegotiation)
    def download(self, request, pk=None):
        return attachments.file_response(self.get_object())

    @extend_schema(summary="Download an image's thumbnail", responses=THUMBNAIL_RESPONSES)
    @action(detail=True, methods=["get"], filter_backends=[], content_negotiation_class=DownloadNegotiation)
    def thumbnail(self, request, pk=None):
        attachment = self.get_object()
        if not attachment.thumbnail:
            raise NotFound(_("A document has no thumbnail; download the file itself."))
        return attachments.file_response(attachment, thumbnail=True)
