"""Attachments in the admin (附件): the block on the page of every record that takes them (its
photos as thumbnails in a row, its documents in a table, a link to upload more; a bond
reserve's three documents present or missing; a key project's latest site photos, its months'
included), the upload page (several files at once, one kind, title and date for the batch),
the downloads, and the list of every attachment, where a clerk corrects a kind, a title or a
date, or deletes one.

Who may do what is the record's (``projects.attachments``: its view permission to see and
download, its change permission and the department rule to upload, correct and delete); this
module only asks. The block is drawn for every model that declares ``attachment_record_type``,
found when the admin loads, so that ``investment``'s records have it without this app naming
them."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy as _, pgettext_lazy

from jiaxian import uploads
from jiaxian.admin import LedgerAdmin, add_page_block, change_url_of, record_page

from .. import attachments
from ..choices import BOND_RESERVE_DOCUMENTS, AttachmentKindChoices as Kind
from ..models import Attachment, BondReserve, KeyProject, ProgressReport

# How many of a key project's latest site photos its page shows.
LATEST_PHOTOS = 8

# The kind a new upload starts with, by the record it goes to (a clerk changes it at will).
FIRST_KIND = {
    "progress-report": Kind.SITE_PHOTO,
    "key-project": Kind.SITE_PHOTO,
    "bond-reserve": Kind.IMPLEMENTATION_PLAN,
}


def upload_url_of(record_type: str) -> Callable[[int, str], str]:
    """The upload page's URL for a record of ``record_type`` from its key and the page to
    return to, with one ``reverse()`` for a whole list of records."""
    url = reverse("admin:projects_attachment_upload")
    return lambda pk, back="": (
        f"{url}?record_type={record_type}&record_id={pk}" + (f"&next={quote(back)}" if back else "")
    )


def upload_url(record, back: str = "") -> str:
    """The upload page for ``record``, returning to ``back`` once the files are attached."""
    return upload_url_of(attachments.record_type_of(record))(record.pk, back)


def download_url(attachment: Attachment) -> str:
    return reverse("admin:projects_attachment_download", args=[attachment.pk])


def thumbnail_url(attachment: Attachment) -> str:
    return reverse("admin:projects_attachment_thumbnail", args=[attachment.pk])


def described(rows) -> list[Attachment]:
    """``rows`` with the links their template draws."""
    rows = list(rows)
    for row in rows:
        row.download_url = download_url(row)
        row.thumbnail_url = thumbnail_url(row) if row.thumbnail else ""
        row.change_url = reverse("admin:projects_attachment_change", args=[row.pk])
    return rows


def attachments_block(request, record) -> str:
    """The attachments of ``record`` on its page: two queries (its attachments with their
    uploaders; a bond reserve's documents or a key project's latest photos), whatever their number."""
    model = type(record)
    if not attachments.may_view(request.user, model):
        return ""
    rows = described(record.attachments.select_related("uploaded_by").order_by("-taken_on", "-created_at", "-pk"))
    context = {
        "photos": [row for row in rows if row.thumbnail],
        "documents": [row for row in rows if not row.thumbnail],
        "count": len(rows),
        "may_attach": attachments.refusal(request.user, record) is None,
        "upload_url": upload_url(record, request.get_full_path()),
    }
    if isinstance(record, BondReserve):
        present = attachments.present_kinds(record, BOND_RESERVE_DOCUMENTS)
        context["documents_required"] = [(Kind(kind).label, present[f"has_{kind}"]) for kind in BOND_RESERVE_DOCUMENTS]
    if isinstance(record, KeyProject):
        context["latest_photos"] = described(latest_photos(record))
    return render_to_string("admin/projects/attachments_block.html", context, request=request)


def latest_photos(project: KeyProject):
    """The latest site photos of the project's months (its progress reports), newest taken
    first; its own photos are the block's others."""
    months = ProgressReport.objects.filter(project=project).values("pk")
    return (
        Attachment.objects.filter(
            record_type=ContentType.objects.get_for_model(ProgressReport),
            record_id__in=months,
            kind=Kind.SITE_PHOTO,
        )
        .exclude(thumbnail="")
        .order_by("-taken_on", "-created_at", "-pk")[:LATEST_PHOTOS]
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's recipe): the list of them, each cleaned as one."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(each, initial) for each in data]
        return [] if data in self.empty_values else [super().clean(data, initial)]


class UploadForm(forms.Form):
    """The batch's kind, title and date; the files themselves are read by
    ``attachments.uploads_of`` (the size limit before reading) and judged by ``attach``."""

    file = MultipleFileField(
        label=_("files"),
        required=False,
        help_text=_("Several at once: hold Ctrl (or Shift) while choosing."),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices)
    title = forms.CharField(
        label=pgettext_lazy("attachment", "title"),
        max_length=200,
        required=False,
        help_text=_("Left empty, each file's title is its name."),
    )
    taken_on = forms.DateField(
        label=_("date taken or signed"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Left empty, a photo's date is the one its camera recorded."),
    )


class RecordTypeFilter(admin.SimpleListFilter):
    """The kinds of record that take attachments, by their names (not the content types')."""

    title = _("record type")
    parameter_name = "record_type"

    def lookups(self, request, model_admin):
        return [
            (record_type, model._meta.verbose_name_plural)
            for record_type, model in attachments.record_types().items()
            if attachments.may_view(request.user, model)
        ]

    def queryset(self, request, queryset):
        model = attachments.record_types().get(self.value() or "")
        if model is None:
            return queryset
        return queryset.filter(record_type__app_label=model._meta.app_label, record_type__model=model._meta.model_name)


@admin.register(Attachment)
class AttachmentAdmin(LedgerAdmin):
    """Every attachment a user may see, newest first; opened to correct its kind, title or date.
    Files are added on the upload page (from a record's page), never here."""

    list_display = (
        "title",
        "kind",
        "record_column",
        "taken_on",
        "original_name",
        "size_column",
        "uploaded_by",
        "created_at",
    )
    list_filter = ("kind", RecordTypeFilter)
    list_select_related = ("record_type", "uploaded_by")
    search_fields = ("title", "original_name", "sha256")
    ordering = ("-created_at", "-id")
    fields = (
        "record_link",
        "kind",
        "title",
        "taken_on",
        "file_link",
        "original_name",
        "size",
        "content_type",
        "sha256",
        "uploaded_by",
        "version",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "record_link",
        "file_link",
        "original_name",
        "size",
        "content_type",
        "sha256",
        "uploaded_by",
        "version",
        "created_at",
        "updated_at",
    )

    def get_urls(self):
        meta = self.model._meta
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name=f"{meta.app_label}_{meta.model_name}_upload",
        )
        return [
            upload,
            record_page(self, "download", self.download_view),
            record_page(self, "thumbnail", self.thumbnail_view),
            *super().get_urls(),
        ]

    # --- what the user may do: the record's rule ---------------------------------------------

    def get_queryset(self, request):
        # The records' names in one query a kind of record (the generic relation's prefetch).
        return (
            super()
            .get_queryset(request)
            .filter(record_type__in=attachments.viewable_record_types(request.user))
            .prefetch_related("record")
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return any(attachments.may_view(request.user, model) for model in attachments.record_types().values())
        model = obj.record_type.model_class()
        return model is not None and attachments.may_view(request.user, model)

    def has_add_permission(self, request):
        return False  # the upload page, from the record's page

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return False  # nothing to edit in the list itself
        return obj.record is not None and attachments.refusal(request.user, obj.record) is None

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            # "Delete selected" is offered to those who may change some kind of record; each
            # selected attachment is then asked (``get_deleted_objects``).
            return any(
                attachments.may_view(request.user, model)
                and request.user.has_perm(attachments.permission(model, "change"))
                for model in attachments.record_types().values()
            )
        return self.has_change_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # An attachment whose record the user may not change makes it refuse (listed on the
        # confirmation page, 403 on confirming), as a missing permission does.
        deleted, counts, perms_needed, protected = admin.ModelAdmin.get_deleted_objects(self, objs, request)
        perms_needed |= {str(obj) for obj in objs if not self.has_delete_permission(request, obj)}
        return deleted, counts, perms_needed, protected

    # --- columns -------------------------------------------------------------------------------

    @admin.display(description=_("record"))
    def record_column(self, obj):
        return f"{obj.record_type.model_class()._meta.verbose_name}：{obj.record}"

    @admin.display(description=pgettext_lazy("file", "size"), ordering="size")
    def size_column(self, obj):
        return filesize(obj.size)

    @admin.display(description=_("record"))
    def record_link(self, obj):
        record = obj.record
        if record is None:
            return "—"
        model = type(record)
        label = f"{model._meta.verbose_name}：{record}"
        try:
            return format_html('<a href="{}">{}</a>', change_url_of(model._meta)(record.pk), label)
        except NoReverseMatch:  # a model without an admin page of its own (a problem)
            return label

    @admin.display(description=_("file"))
    def file_link(self, obj):
        if obj.thumbnail:
            return format_html(
                '<a href="{}"><img src="{}" alt="{}" class="attachment-thumbnail"></a>',
                download_url(obj),
                thumbnail_url(obj),
                obj.title,
            )
        return format_html('<a href="{}">{}</a>', download_url(obj), gettext("Download"))

    # --- pages ---------------------------------------------------------------------------------

    def download_view(self, request, pk):
        attachment = get_object_or_404(Attachment.objects.select_related("record_type"), pk=pk)
        if not self.has_view_permission(request, attachment):
            raise PermissionDenied
        return attachments.file_response(attachment)

    def thumbnail_view(self, request, pk):
        attachment = get_object_or_404(Attachment.objects.select_related("record_type"), pk=pk)
        if not self.has_view_permission(request, attachment):
            raise PermissionDenied
        if not attachment.thumbnail:
            raise Http404(gettext("This attachment has no thumbnail."))
        return attachments.file_response(attachment, thumbnail=True)

    def upload_record(self, request):
        """The record the upload page is for, from its ``record_type`` and ``record_id``."""
        source = request.POST if request.method == "POST" else request.GET
        model = attachments.record_types().get(source.get("record_type", ""))
        try:
            record_id = int(source.get("record_id", ""))
        except ValueError:
            record_id = None
        if model is None or record_id is None:
            raise Http404(gettext("Files cannot be attached to this kind of record."))
        return get_object_or_404(model, pk=record_id)

    def upload_view(self, request):
        record = self.upload_record(request)
        refused = attachments.refusal(request.user, record)
        if refused is not None:
            raise PermissionDenied(refused)
        back = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = ""
        try:
            back = back or change_url_of(type(record)._meta)(record.pk)
        except NoReverseMatch:
            back = reverse("admin:projects_attachment_changelist")
        record_type = attachments.record_type_of(record)
        status = 200
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    created = attachments.attach(
                        record,
                        attachments.uploads_of(form.cleaned_data["file"]),
                        kind=form.cleaned_data["kind"],
                        user=request.user,
                        title=form.cleaned_data["title"],
                        taken_on=form.cleaned_data["taken_on"],
                    )
                except ValidationError as error:
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                    # The browser forgets the chosen files with the page: say so.
                    form.add_error(None, gettext("Nothing of this batch was kept: choose the files again."))
                else:
                    messages.success(
                        request,
                        gettext("Attached %(count)s files to %(record)s.") % {"count": len(created), "record": record},
                    )
                    return HttpResponseRedirect(back)
            status = 400
        else:
            form = UploadForm(initial={"kind": FIRST_KIND.get(record_type, Kind.OTHER), "taken_on": None})
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Attach files to %(record)s") % {"record": record},
            "record": record,
            "record_label": type(record)._meta.verbose_name,
            "record_type": record_type,
            "form": form,
            "next": back,
            "max_mb": uploads.max_bytes() // (1024 * 1024),
            "accepted": uploads.accepted_names(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/projects/attachment_upload.html", context, status=status)


def filesize(size: int) -> str:
    """A size as a clerk reads it: 820 KB, 3.4 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def register_blocks() -> None:
    for model in attachments.record_types().values():
        add_page_block(model, attachments_block)


register_blocks()
