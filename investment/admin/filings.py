"""The filed quarterly exports and monthly circulars in the admin: listed and downloadable,
never added, changed or deleted (``investment.filings`` files and serves them). What the two
lists share is ``FiledExportAdmin``."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jiaxian.admin import record_page

from ..filings import download_response
from ..models import CircularFiling, Filing

IMMUTABLE_MESSAGE = _(
    "A filing cannot be changed or deleted, not even by a superuser: it is the record of what was filed."
)


class FiledExportAdmin(admin.ModelAdmin):
    """A list of filed exports (``models.FiledExport``): read-only, each downloadable with its
    SHA-256 in the response's headers."""

    list_select_related = ("filed_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).without_content()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("download"))
    def download(self, obj):
        meta = self.model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.filename)

    def get_urls(self):
        return [record_page(self, "download", self.download_view), *super().get_urls()]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return download_response(get_object_or_404(self.model, pk=pk))

    def refuse(self, request):
        return HttpResponseForbidden(str(IMMUTABLE_MESSAGE), content_type="text/plain; charset=utf-8")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            return self.refuse(request)
        extra_context = {**(extra_context or {}), "subtitle": IMMUTABLE_MESSAGE}
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self.refuse(request)

    def add_view(self, request, form_url="", extra_context=None):
        return self.refuse(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": IMMUTABLE_MESSAGE}
        return super().changelist_view(request, extra_context)


@admin.register(Filing)
class FilingAdmin(FiledExportAdmin):
    """Filed quarterly exports: listed and downloadable, never added, changed or deleted here
    (new ones come from the export page's 归档 button)."""

    list_display = (
        "__str__",
        "year",
        "quarter",
        "format",
        "version",
        "filed_by",
        "filed_at",
        "size",
        "sha256",
        "download",
    )
    list_filter = ("year", "quarter", "format")
    fields = ("year", "quarter", "format", "version", "sha256", "size", "filed_by", "filed_at", "known_on", "download")
    readonly_fields = fields


@admin.register(CircularFiling)
class CircularFilingAdmin(FiledExportAdmin):
    """Filed monthly circulars: listed and downloadable, never added, changed or deleted here
    (new ones come from the circular page's 归档 button)."""

    list_display = (
        "__str__",
        "year",
        "month",
        "format",
        "version",
        "filed_by",
        "filed_at",
        "size",
        "sha256",
        "download",
    )
    list_filter = ("year", "month", "format")
    fields = ("year", "month", "format", "version", "sha256", "size", "filed_by", "filed_at", "known_on", "download")
    readonly_fields = fields
