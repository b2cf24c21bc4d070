"""The ledgers' import page in the admin: upload a file → a preview of every row, nothing
written → confirm, which imports it all or nothing (``resources.py`` says what a row does).

- **Upload** (``import_action``): the file and the year (of rows without a 年度 column, and
  of the key projects' listing). The file's content decides its kind (``jiaxian.importing``):
  there is no format to choose. The preview shows, before the rows, the sheet and header rows
  the import used, the columns it imports, those it ignores and those missing; then every row
  (new; changed, with its changes; unchanged), or every bad row with its errors in words
  beside it, and no confirmation.
- **Kept for the confirmation** in the database (``ImportUpload``: every app server can read
  it), with the versions of the stored records the preview read. The confirmation's form
  carries a signed token of its id (``django.core.signing``, valid ``IMPORT_CONFIRM_MAX_AGE``
  seconds, default an hour), never a path.
- **Confirm** (``process_import``): a token that is missing, altered or expired, or an upload
  that is gone (confirmed already, purged) or another user's, is refused with a message asking
  to upload again (HTTP 400, nothing written). The upload is used once. A record changed since
  the preview is an error of its row; any error and nothing is written.

Only those who may both add and change the ledger's records may import; the department rule
applies row by row.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, gettext_lazy as _, pgettext
from django.views.decorators.http import require_POST
from import_export.admin import ImportMixin

from jiaxian.importing import BookDataset, UnreadableFile, read_book
from jiaxian.params import YearField
from jiaxian.resources import error_lines

from .models import ImportUpload

YEAR_HELP = _(
    "The year of rows without a 年度 column (attraction projects, bond reserves) and of the key projects' "
    "listing; blank: the 年度 of the workbook's 汇总 sheet, if any."
)
FILE_HELP = _(
    "The file's format is read from its content: .xlsx, .xlsm, .xls, .ods, .csv (UTF-8 or GB18030) or the "
    "quarterly export's .csv.zip."
)
SALT = "projects.import_admin.confirm"
# How long a preview may be confirmed (seconds); older uploads are purged.
DEFAULT_CONFIRM_MAX_AGE = 3600
# Errors a failed confirmation's message lists (the rest: upload again to see them all).
ERRORS_SHOWN = 10


def confirm_max_age() -> int:
    return getattr(settings, "IMPORT_CONFIRM_MAX_AGE", DEFAULT_CONFIRM_MAX_AGE)


class LedgerImportForm(forms.Form):
    import_file = forms.FileField(label=_("File to import"), help_text=FILE_HELP)
    year = YearField(label=_("year"), required=False, help_text=YEAR_HELP)


class LedgerConfirmImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput())


def header_rows_text(rows) -> str | None:
    """``[3, 4]`` → 第3–4行 (the sheet's row numbers of the header), None when unknown."""
    rows = list(rows or [])
    if not rows:
        return None
    if len(rows) == 1:
        return pgettext("import page", "row %(row)s") % {"row": rows[0]}
    return pgettext("import page", "rows %(first)s–%(last)s") % {"first": rows[0], "last": rows[-1]}


def layout(resource) -> dict:
    """What the preview says before the rows: the sheet, its header rows, the columns imported,
    ignored and missing (each None when the reader did not tell)."""
    return {
        "sheet": resource.sheet,
        "header_rows": header_rows_text(getattr(resource, "header_rows", None)),
        "imported": getattr(resource, "imported_columns", None),
        "ignored": getattr(resource, "ignored_columns", None),
        "missing": getattr(resource, "missing_columns", None),
    }


class LedgerImportMixin(ImportMixin):
    """Import for a ledger admin: set ``resource_classes`` to the ledger's resource. Keeps
    import-export's URLs and the changelist's 导入 button; the pages are this module's."""

    import_template_name = "admin/ledger_import.html"

    def has_import_permission(self, request):
        opts = self.opts
        return all(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("add", "change")
        )

    def ledger_resource(self, request, year: int | None, preview: bool):
        return self.get_import_resource_classes(request)[0](year=year, preview=preview)

    def import_action(self, request, **kwargs):
        """The upload form; posted, the preview (and the confirmation when no row is bad)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = LedgerImportForm(request.POST or None, request.FILES or None)
        context = {}
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["import_file"]
            year = form.cleaned_data["year"]
            data = b"".join(upload.chunks())
            try:
                book = read_book(data, upload.name)
            except UnreadableFile as error:
                form.add_error("import_file", str(error))
            else:
                resource = self.ledger_resource(request, year, preview=True)
                result = resource.import_data(BookDataset(book), dry_run=True, user=request.user)
                context.update(result=result, layout=layout(resource))
                if not (result.has_errors() or result.has_validation_errors()):
                    stored = self.keep(request, upload.name, data, year, resource.read_versions)
                    token = signing.dumps(stored.pk, salt=SALT)
                    context["confirm_form"] = LedgerConfirmImportForm(initial={"token": token})
        return self.render_import(request, form, context)

    def keep(self, request, name: str, data: bytes, year: int | None, versions: dict) -> ImportUpload:
        """Store the upload for its confirmation, and purge those too old to be confirmed."""
        ImportUpload.objects.filter(
            created_at__lt=timezone.now() - datetime.timedelta(seconds=confirm_max_age())
        ).delete()
        return ImportUpload.objects.create(
            user=request.user,
            ledger=self.opts.label_lower,
            file_name=name[:255],
            data=data,
            year=year,
            versions={label: {str(pk): version for pk, version in ids.items()} for label, ids in versions.items()},
        )

    def confirmed_upload(self, request) -> ImportUpload | None:
        """The upload that the posted token names, signed by us within its age, this user's and
        this ledger's, taken out of the database (an upload is confirmed once); else None."""
        form = LedgerConfirmImportForm(request.POST)
        if not form.is_valid():
            return None
        try:
            pk = signing.loads(form.cleaned_data["token"], salt=SALT, max_age=confirm_max_age())
        except signing.BadSignature:  # altered, or expired (SignatureExpired is one)
            return None
        upload = ImportUpload.objects.filter(pk=pk, user=request.user, ledger=self.opts.label_lower).first()
        if upload is None or not ImportUpload.objects.filter(pk=upload.pk).delete()[0]:
            return None
        return upload

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """Import the confirmed upload, all or nothing, against the versions its preview read."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        upload = self.confirmed_upload(request)
        if upload is None:
            refusal = gettext(
                "This import can no longer be confirmed: its confirmation is missing, altered or expired, was "
                "already used, or is another user's. Nothing was imported; upload the file again."
            )
            return self.render_import(request, LedgerImportForm(), {"refusal": refusal}, status=400)
        book = read_book(bytes(upload.data), upload.file_name)
        resource = self.ledger_resource(request, upload.year, preview=False)
        result = resource.import_data(BookDataset(book), dry_run=False, user=request.user, versions=upload.versions)
        if result.has_errors() or result.has_validation_errors():
            lines = error_lines(result)
            message = gettext(
                "Nothing was imported: since the preview, the records changed and %(count)s row(s) "
                "became wrong. Upload the file again to see them."
            ) % {"count": len(result.invalid_rows) or len(result.base_errors)}
            shown = [
                " ".join(
                    part
                    for part in (
                        pgettext("import page", "row %(row)s") % {"row": row} if row is not None else "",
                        f"[{column}]" if column else "",
                        text,
                    )
                    if part
                )
                for row, column, text in lines[:ERRORS_SHOWN]
            ]
            messages.error(request, " ".join([message, *shown]))
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        totals = result.totals
        messages.success(
            request,
            gettext("Imported: %(new)s created, %(updated)s updated, %(skipped)s unchanged.")
            % {"new": totals["new"], "updated": totals["update"], "skipped": totals["skip"]},
        )
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def render_import(self, request, form, context: dict, status: int = 200):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            **context,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context, status=status)
