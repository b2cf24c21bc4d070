"""The ledgers' import page in the admin (django-import-export's ``ImportMixin``, import only:
the export is the quarterly exporter): upload an XLSX or CSV file → a preview of every row
(new, update with its changes, unchanged) or of every bad row's errors, nothing written → confirm,
which imports it all or nothing. ``LedgerImportMixin`` adds the year (see ``resources.py``) to
the upload form and carries it to the confirmation; only those who may both add and change
the ledger's records may import, and the department rule applies row by row.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.forms import ConfirmImportForm, ImportForm

from jiaxian.importing import LedgerCSV, LedgerXLSX
from jiaxian.params import YearField

YEAR_HELP = _(
    "The year of rows without a 年度 column (attraction projects, bond reserves) and of the key projects' "
    "listing; blank: the 年度 of the workbook's 汇总 sheet, if any."
)


class LedgerImportForm(ImportForm):
    year = YearField(label=_("year"), required=False, help_text=YEAR_HELP)


class LedgerConfirmImportForm(ConfirmImportForm):
    year = forms.IntegerField(widget=forms.HiddenInput(), required=False)


class LedgerImportMixin(ImportMixin):
    """Import for a ledger admin: set ``resource_classes`` to the ledger's resource."""

    import_form_class = LedgerImportForm
    confirm_form_class = LedgerConfirmImportForm
    formats = (LedgerXLSX, LedgerCSV)
    # The errors' messages name the row and the column; a traceback would only frighten the clerk.
    import_error_display = ("message",)

    @property
    def import_formats(self):
        return self.formats

    def has_import_permission(self, request):
        opts = self.opts
        return all(
            request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
            for action in ("add", "change")
        )

    def get_import_resource_kwargs(self, request, **kwargs):
        resource_kwargs = super().get_import_resource_kwargs(request, **kwargs)
        form = kwargs.get("form")
        if form is not None and form.is_valid():
            resource_kwargs["year"] = form.cleaned_data.get("year")
        return resource_kwargs

    def process_result(self, result, request):
        # The rows are read again on confirmation: a record changed since the preview can make a
        # row bad. Then nothing was written, and import-export would still say it imported.
        if result.has_errors() or result.has_validation_errors():
            bad = len(result.invalid_rows) + sum(1 for row in result.rows if row.errors)
            messages.error(
                request,
                _(
                    "Nothing was imported: since the preview, the records changed and %(count)s row(s) "
                    "became wrong. Upload the file again to see them."
                )
                % {"count": bad or len(result.base_errors)},
            )
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        return super().process_result(result, request)

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["year"] = import_form.cleaned_data.get("year")
        return initial
