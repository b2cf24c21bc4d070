"""What every ledger of the admin builds on, in both apps: ``LedgerAdmin`` (100 rows a page,
history, the department rule, a change form that refuses to save over a newer version:
``VersionedModelForm``), the column helpers (``wan``, ``lineage``), ``YearFilter``, and
``RecordsFilter``, the base of the filters that list the records behind a figure of the year's
report, where the dashboard's links lead, with the parsers of their parameters.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jiaxian import periods, versions

from .. import access


def lineage(obj) -> str:
    """A project's predecessor and successors (second phases, expansions) as links to their
    change pages, one per line; a dash when it has neither. Works for any model with
    ``predecessor`` and ``successors``."""
    meta = obj._meta
    url_name = f"admin:{meta.app_label}_{meta.model_name}_change"
    rows = []
    if obj.pk is None:
        return "—"
    if obj.predecessor_id is not None:
        rows.append((gettext("predecessor"), reverse(url_name, args=[obj.predecessor_id]), str(obj.predecessor)))
    for successor in obj.successors.order_by("pk"):
        rows.append((gettext("successor"), reverse(url_name, args=[successor.pk]), str(successor)))
    if not rows:
        return "—"
    return format_html_join(mark_safe("<br>"), '{}: <a class="lineage" href="{}">{}</a>', rows)


def wan(value) -> str:
    """An amount in 万元 as a clerk writes it: thousands separated, two places; blank when
    unknown."""
    return "" if value is None else f"{value:,.2f}"


class LedgerChangeList(ChangeList):
    """A ledger's changelist; it knows the figure of the year's report it shows the records of,
    if any, so that the breadcrumbs lead back to the dashboard."""

    @property
    def records_filter(self) -> RecordsFilter | None:
        return next((spec for spec in self.filter_specs if isinstance(spec, RecordsFilter)), None)


class SeenVersionField(forms.IntegerField):
    """The version of the record a form showed (hidden). Never a change of the form's own:
    it differs from the stored version exactly when someone else saved, and a formset would
    then save the row it shows, unchanged, over theirs."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class VersionedModelForm(forms.ModelForm):
    """A change form that remembers the version the clerk opened (a hidden field) and refuses
    to save over a newer one, so that two clerks never overwrite each other silently."""

    seen_version = SeenVersionField(required=False)
    # Whether the record is claimed even when nothing in the form changed: the change form's
    # record is saved whatever changed, an inline's row only when it changed (VersionedInline).
    claims_unchanged = True
    # Who is saving (set by LedgerAdmin.get_form): the department rule is checked on the record
    # as it would be saved, so that nobody creates a record for, or moves one to, a department
    # that is not theirs.
    access_user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk is not None and (self.claims_unchanged or self.has_changed()):
            # The admin validates inside its transaction: claiming the version here holds the
            # row until the save, so nobody can slip a change in between. A post without the
            # hidden field claims the version this request read.
            if seen is None:
                seen = self.instance.version
            try:
                versions.claim(self.instance, seen)
            except versions.StaleVersion as stale:
                raise forms.ValidationError(
                    gettext(
                        "Someone else saved this record (now version %(now)s) after you opened it (version "
                        "%(seen)s). Your changes were not saved: open the record again to see theirs, then "
                        "make yours."
                    )
                    % {"now": stale.current, "seen": seen},
                    code="stale_version",
                ) from stale
        return cleaned

    def _post_clean(self):
        # After the instance has the form's values (super), so that the new department counts.
        super()._post_clean()
        if self.access_user is None:
            return
        field = (access.owner_path(type(self.instance)) or "").split("__")[0]
        if field in self.errors:
            return  # already refused (a required department left blank), said once
        reason = access.refusal(self.access_user, self.instance)
        if reason is not None:
            self.add_error(field if field in self.fields else None, reason)


class VersionedInlineForm(VersionedModelForm):
    """An inline's row: claimed only when changed or marked for deletion, as only then is it
    saved (or deleted)."""

    claims_unchanged = False


class VersionedInlineFormSet(forms.BaseInlineFormSet):
    """Refuses the deletion of a row someone else saved since (a formset ignores the errors of
    the rows it deletes, so the row's own refusal would go unseen)."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if self.can_delete and form.cleaned_data.get("DELETE"):
                stale = [error for error in form.non_field_errors().as_data() if error.code == "stale_version"]
                if stale:
                    raise forms.ValidationError(stale)


class VersionedInline:
    """An inline whose rows remember the version they showed (hidden), so that a row someone
    else saved since — on its own page, the monthly entry page, the API — is refused with the
    whole page instead of overwritten."""

    form = VersionedInlineForm
    formset = VersionedInlineFormSet

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "seen_version"]


class LedgerAdmin(SimpleHistoryAdmin):
    """Shared by every ledger: 100 rows a page, history view, the bookkeeping fields shown
    but never edited, and a change form that refuses to save over a newer version.

    The department rule (``projects.access``) on top of the model permissions: a record the
    user may not edit opens read-only and cannot be deleted (in bulk neither); saving a record
    for a department that is not theirs is an error on its ``department`` field. The lists
    still show every record."""

    list_per_page = 100
    readonly_fields = ("version", "created_at", "updated_at")
    form = VersionedModelForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.fieldsets and obj is not None:
            fieldsets = [*fieldsets, (None, {"fields": ("seen_version",), "classes": ("hidden",)})]
        return fieldsets

    def get_changelist(self, request, **kwargs):
        return LedgerChangeList

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.access_user = request.user  # a class made for this request by modelform_factory
        return form

    def has_add_permission(self, request):
        # Records without an owning department (reference data) only those who edit all may add.
        return super().has_add_permission(request) and (
            access.owner_path(self.model) is not None or access.edits_all_departments(request.user)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or access.may_edit(request.user, obj))

    def get_deleted_objects(self, objs, request):
        # "Delete selected" on the list: a record the user may not edit makes it refuse, as a
        # missing permission does (listed on the confirmation page, 403 on confirming).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed |= {str(obj) for obj in objs if not access.may_edit(request.user, obj)}
        return deleted, counts, perms_needed, protected

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # History is only read: SIMPLE_HISTORY_REVERT_DISABLED hides the Revert button, and a
        # post to an old version's page (which simple_history would save) is refused.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class YearFilter(admin.SimpleListFilter):
    """Years that have records, newest first; one query."""

    title = _("year")
    parameter_name = "year"
    year_field = "year"

    def years(self, queryset):
        return queryset.order_by(f"-{self.year_field}").values_list(self.year_field, flat=True).distinct()

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in self.years(model_admin.model.objects.all())]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if not self.value().isdigit():
            raise IncorrectLookupParameters(f"year must be a number, not {self.value()!r}")
        return queryset.filter(**{self.year_field: self.value()})


# --- the records behind the year's targets ------------------------------------------------------


def dashboard_url(year: int, as_of: datetime.date) -> str:
    """The dashboard of the year's targets for ``year`` as of ``as_of`` (a route of the project,
    not an import: this app never imports the investment app)."""
    return f"{reverse('quota-dashboard')}?{urlencode({'year': year, 'as_of': as_of.isoformat()})}"


class RecordsFilter(admin.ListFilter):
    """The records behind one figure of the year's report: where the dashboard's links lead.

    Its parameters come together from a link, not from the sidebar, so it shows in the sidebar
    only while active: a sentence saying what the list holds, a link back to the dashboard and
    one that clears it. A bad or incomplete value shows an error message and makes the admin
    fall back to the whole list (``IncorrectLookupParameters``: its ``?e=1`` page), never a 500.

    A subclass names its ``parameters`` (all are consumed, so that none is mistaken for a field
    lookup) and the ``changelist`` it filters, and implements ``parse`` (the parameters' text
    to keyword values, a ValueError when bad), ``select`` and ``describe`` (both given those
    values) and ``link`` (the parameters of a dashboard link).
    """

    title = _("the year's targets")
    template = "admin/records_filter.html"
    parameters: tuple[str, ...] = ()
    changelist = ""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                self.used_parameters[name] = params.pop(name)[-1]
        self.values: dict | None = None
        if self.used_parameters:
            try:
                self.values = self.parse(dict(self.used_parameters))
            except ValueError as error:
                messages.error(
                    request,
                    gettext("The records behind the year's targets cannot be listed: %(error)s") % {"error": error},
                    fail_silently=True,
                )
                raise IncorrectLookupParameters(str(error)) from error

    @property
    def parameter_name(self) -> str:
        return self.parameters[0]

    @classmethod
    def url(cls, **values) -> str | None:
        """The changelist filtered to the records of ``values``, None when it has no such
        list."""
        query = cls.link(**values)
        return None if query is None else f"{reverse(cls.changelist)}?{urlencode(query)}"

    @classmethod
    def link(cls, **values) -> dict | None:
        raise NotImplementedError

    def parse(self, given: dict[str, str]) -> dict:
        raise NotImplementedError

    def select(self, queryset, **values):
        raise NotImplementedError

    def describe(self, **values) -> str:
        raise NotImplementedError

    def has_output(self) -> bool:
        return self.values is not None

    def expected_parameters(self) -> list[str]:
        return list(self.parameters)

    def queryset(self, request, queryset):
        return queryset if self.values is None else self.select(queryset, **self.values)

    @property
    def dashboard_url(self) -> str | None:
        return None if self.values is None else dashboard_url(self.values["year"], self.values["as_of"])

    def choices(self, changelist):
        yield {
            "selected": True,
            "query_string": changelist.get_query_string(),
            "display": self.describe(**self.values),
            "role": "description",
        }
        yield {
            "selected": False,
            "query_string": self.dashboard_url,
            "display": gettext("Back to the year's targets"),
            "role": "dashboard",
        }
        yield {
            "selected": False,
            "query_string": changelist.get_query_string(remove=self.parameters),
            "display": gettext("Show all records"),
            "role": "clear",
        }

    @staticmethod
    def year_and_date(given: dict[str, str], year_parameter: str) -> tuple[int, datetime.date]:
        """The year (required) and the ``as_of`` date (the year's default when absent)."""
        if year_parameter not in given:
            raise ValueError(gettext("the year (%(parameter)s) is missing.") % {"parameter": year_parameter})
        year = periods.parse_year(given[year_parameter], year_parameter)
        as_of = periods.parse_date(given["as_of"]) if "as_of" in given else periods.default_as_of(year)
        return year, as_of
