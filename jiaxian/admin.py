"""The admin's base for every ledger, in both apps.

- ``LedgerAdmin``: 100 rows a page, history, the department rule (``access``: the rule of the
  domain, which the setting ``LEDGER_ACCESS_RULE`` names), a change form that refuses to save
  over a newer version (``VersionedModelForm``, ``VersionedInline``);
- the column helpers (``wan``, ``lineage``) and ``YearFilter``;
- ``RecordsFilter``, the base of the filters that list the records behind a figure of the year's
  report, where the dashboard's links lead, with the parsers of their parameters; the app that
  draws the dashboard names it (``RecordsFilter.lead_back_to``); ``YearRecordsFilter``, one of a
  year as of a day;
- ``ChoicesFilter`` (a list filter over a ``Choices`` class), ``DatedStepsFilter`` (one of a
  state derived from the dates, as of today) and ``ConditionsFilter`` (a few options, each a
  condition), ``annotated_column`` (a sortable column showing an annotation of the list's
  queryset) and ``record_page`` (the URL of one record's own page, such as signing or
  downloading);
- ``LedgerImportMixin``, the ledgers' import page (below).

The ledgers' import page in the admin: upload a file → a preview of every row, nothing
written → confirm, which imports it all or nothing (``resources.py`` says what a row does).

- **Upload** (``import_action``): the file and the year (of rows without a 年度 column, and
  of the key projects' listing). The file's content decides its kind (``jiaxian.importing``):
  there is no format to choose. The preview shows, before the rows, the sheet and header rows
  the import used, the columns it imports, those it ignores and those missing; then every row
  (new; changed, with its changes; unchanged), or every bad row with its errors in words
  beside it, and no confirmation.
- **Kept for the confirmation** in the database (the model that the setting
  ``LEDGER_IMPORT_UPLOAD_MODEL`` names, ``projects.ImportUpload``: every app server can read
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
import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast
from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_permission_codename
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Choices, Max, Min, Model, Q, URLField
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy as _, pgettext
from django.views.decorators.http import require_POST
from import_export.admin import ImportMixin
from simple_history.admin import SimpleHistoryAdmin

from jiaxian import access, periods, versions
from jiaxian.importing import BookDataset, UnreadableFile, read_book
from jiaxian.paging import IdsFirstPaginator
from jiaxian.params import YearField
from jiaxian.resources import error_lines
from jiaxian.steps import DatedSteps

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


# What stands for the record's key in a change URL reversed once (change_url_of).
KEY_MARKER = "__key__"


def change_url_of(opts, site_name: str = "admin") -> Callable[[Any], str]:
    """The change page's URL of a record of the model of ``opts`` from its key, with one
    ``reverse()`` for a whole page instead of one a row (a hundred rows' reversing was a tenth
    of a list's rendering). The key is quoted as Django's admin quotes it."""
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=(KEY_MARKER,), current_app=site_name)
    before, _marker, after = url.partition(KEY_MARKER)
    return lambda key: f"{before}{quote(key)}{after}"


RECORD_TIMES = ("created_at", "updated_at")


def unshown_times(model, list_display, list_select_related) -> list[str]:
    """The record times (``TrackedModel``'s) of ``model`` not among the list's columns, and of
    each relation the list reads with the rows, as ``defer()`` names them."""
    names = [name for name in RECORD_TIMES if name not in list_display and _has_field(model, name)]
    if isinstance(list_select_related, list | tuple):
        for path in list_select_related:
            related = model
            for step in path.split(LOOKUP_SEP):
                related = related._meta.get_field(step).related_model
            names += [f"{path}{LOOKUP_SEP}{name}" for name in RECORD_TIMES if _has_field(related, name)]
    return names


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


class LedgerChangeList(ChangeList):
    """A ledger's changelist; it knows the figure of the year's report it shows the records of,
    if any, so that the breadcrumbs lead back to the dashboard (when a dashboard was named)."""

    @cached_property
    def change_url(self) -> Callable[[Any], str]:
        return change_url_of(self.opts, self.model_admin.admin_site.name)

    def url_for_result(self, result) -> str:
        return self.change_url(getattr(result, self.pk_attname))

    def get_queryset(self, request, exclude_parameters=None):
        # The record times of the related records a row shows by name (list_select_related),
        # and the row's own when no column shows them, are not read: reading a stored time
        # (parsed, put in the time zone) was a tenth of a hundred rows' work, for nothing shown.
        queryset = super().get_queryset(request, exclude_parameters)
        return queryset.defer(*unshown_times(self.model, self.list_display, self.list_select_related))

    @property
    def records_filter(self) -> RecordsFilter | None:
        return next(
            (spec for spec in self.filter_specs if isinstance(spec, RecordsFilter) and spec.dashboard_url), None
        )


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
        seen = None if cleaned is None else cleaned.get("seen_version")
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
        super()._post_clean()  # type: ignore[misc]  # django-stubs 5.2.9 lacks BaseModelForm._post_clean
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


# What VersionedInline is mixed into (an admin inline), for the type checker only: at run time it
# stays a plain mixin, first in the bases of an admin.TabularInline or admin.StackedInline.
if TYPE_CHECKING:
    InlineBase = admin.options.InlineModelAdmin
else:
    InlineBase = object


class VersionedInline(InlineBase):
    """An inline whose rows remember the version they showed (hidden), so that a row someone
    else saved since — on its own page, the monthly entry page, the API — is refused with the
    whole page instead of overwritten."""

    form = VersionedInlineForm
    formset = VersionedInlineFormSet

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "seen_version"]


# --- what other apps show on a record's page ---------------------------------------------------

# A record's page may show records of an app its own app must not know (an app lower in the
# layers: ``projects`` never names ``investment``): that app registers a block for the model,
# a callable ``(request, obj) -> HTML`` drawn below the page's inlines.
PageBlock = Callable[[Any, Model], str]
_PAGE_BLOCKS: dict[type[Model], list[PageBlock]] = {}


def add_page_block(model: type[Model], block: PageBlock) -> None:
    """Show ``block(request, obj)`` on every saved ``model`` record's change page (an empty
    string shows nothing); blocks appear in the order they were added."""
    _PAGE_BLOCKS.setdefault(model, []).append(block)


def page_blocks(request, obj: Model) -> list[str]:
    return [html for block in _PAGE_BLOCKS.get(type(obj), []) if (html := block(request, obj))]


class LedgerAdmin(SimpleHistoryAdmin):
    """Shared by every ledger: 100 rows a page, history view, the bookkeeping fields shown
    but never edited, and a change form that refuses to save over a newer version.

    The department rule (``access``: the domain's) on top of the model permissions: a record the
    user may not edit opens read-only and cannot be deleted (in bulk neither); saving a record
    for a department that is not theirs is an error on its ``department`` field. The lists
    still show every record."""

    list_per_page = 100
    # No second count of the whole table beside the filtered one ("N of M"): at a city's size
    # that COUNT(*) was a page's slowest query.
    show_full_result_count = False
    # No "显示计数" (Django's facets): it counts every choice of every filter over the whole
    # ledger, one query a filter, and the light's and the stage's filters compute them for every
    # record; at a city's size the key projects' counts took 17 s and the attraction projects'
    # did not finish in five minutes. The dashboard gives the figures a clerk looks for.
    show_facets = admin.ShowFacets.NEVER
    # A page's records by their ids first (jiaxian.paging): a deep page computes the list's
    # annotations for its own rows only.
    paginator = IdsFirstPaginator
    readonly_fields = ("version", "created_at", "updated_at")
    form = VersionedModelForm
    # An address typed without a scheme (a robot's webhook) is read as https, Django 6's rule,
    # rather than as http now and https after an upgrade.
    formfield_overrides = {URLField: {"assume_scheme": "https"}}

    def action_checkbox(self, obj):
        # Django's column renders a CheckboxInput through the form renderer's templates for every
        # row, a third of a hundred rows' rendering; this is the same HTML written out
        # (jiaxian/tests/test_admin_rows.py compares them).
        # Escaped as format_html would (the label's words are ours, the record's name is not).
        label = gettext("Select this object for an action - {}").format(html.escape(str(obj)))
        return mark_safe(
            f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" value="{html.escape(str(obj.pk))}" '
            f'class="action-select" aria-label="{label}">'
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.fieldsets and obj is not None:
            fieldsets = [*fieldsets, (None, {"fields": ("seen_version",), "classes": ("hidden",)})]
        return fieldsets

    def get_changelist(self, request, **kwargs):
        return LedgerChangeList

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context["page_blocks"] = page_blocks(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

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
    """Every year from the latest a record has to the earliest, newest first; one query."""

    title = _("year")
    parameter_name = "year"
    year_field = "year"

    @staticmethod
    def years(model: type[Model], field: str = "year") -> list[int]:
        """The years from the latest ``field`` of ``model``'s records to the earliest: two ends
        of the field's index, where the distinct years of a city's ledger scanned it whole."""
        bounds = model._default_manager.aggregate(first=Min(field), last=Max(field))
        if bounds["first"] is None:
            return []
        return list(range(bounds["last"], bounds["first"] - 1, -1))

    def lookups(self, request, model_admin):
        return [(str(year), str(year)) for year in self.years(model_admin.model, self.year_field)]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(f"year must be a number, not {value!r}")
        return queryset.filter(**{self.year_field: value})


# --- the records behind the year's targets ------------------------------------------------------


class ChoicesFilter(admin.SimpleListFilter):
    """A list filter offering the values of ``options`` (a ``Choices`` class); ``select`` narrows
    the list to the one chosen, by default to the records whose ``field`` (a field, or an
    annotation of the admin's queryset) holds it. A value that is not one of them leaves the
    whole list."""

    options: ClassVar[type[Choices]]
    field: ClassVar[str]

    def lookups(self, request, model_admin):
        return self.options.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is not None and value in self.options.values:
            return self.select(queryset, value)
        return queryset

    def select(self, queryset, value: str):
        return queryset.filter(**{self.field: value})


class ConditionsFilter(admin.SimpleListFilter):
    """A list filter of a few fixed options, each a condition on the list's records:
    ``conditions()`` gives each option's value its label and its ``Q``, asked anew for each
    list (a condition may hold as of today). Any other value leaves the whole list."""

    def conditions(self) -> dict[str, tuple[StrOrPromise, Q]]:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _condition) in self.conditions().items()]

    def queryset(self, request, queryset):
        option = self.conditions().get(self.value() or "")
        return queryset if option is None else queryset.filter(option[1])


class DatedStepsFilter(ChoicesFilter):
    """A list filter of the state a record is in today, derived from its dates: ``steps`` (the
    model's ``DatedSteps``) asks it in the database, by a condition on the dates themselves."""

    steps: ClassVar[DatedSteps]

    def select(self, queryset, value):
        return queryset.filter(self.steps.condition(value, periods.today()))


def record_page(model_admin: admin.ModelAdmin, action: str, view: Callable) -> URLPattern:
    """The admin URL ``<pk>/<action>/`` of one record's own page ``view`` (signed-in staff
    only, as the admin's pages), named ``<app>_<model>_<action>``; ``get_urls`` lists it
    before the admin's own."""
    meta = model_admin.model._meta
    return path(
        f"<int:pk>/{action}/",
        model_admin.admin_site.admin_view(view),
        name=f"{meta.app_label}_{meta.model_name}_{action}",
    )


def annotated_column(attribute: str, description: StrOrPromise) -> Callable[[Any, Model], Any]:
    """A list column showing ``attribute``, an annotation of the admin's queryset, and sorted by
    it: ``open_problems = annotated_column("open_problem_count", _("open problems"))``."""

    @admin.display(description=description, ordering=attribute)
    def column(model_admin, obj):
        return getattr(obj, attribute)

    return column


def dashboard_url(year: int, as_of: datetime.date) -> str | None:
    """The dashboard of the year's targets for ``year`` as of ``as_of``: the page that the app
    drawing it named (``RecordsFilter.lead_back_to``); None while none is named."""
    name = RecordsFilter.dashboard_url_name
    if name is None:
        return None
    return f"{reverse(name)}?{urlencode({'year': year, 'as_of': as_of.isoformat()})}"


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
    # The URL name of the dashboard whose figures these filters list the records of, and where
    # they lead back: named by the app that draws it (``lead_back_to``), for every filter, as
    # neither this base nor the apps beneath that one know it.
    dashboard_url_name: ClassVar[str | None] = None

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        given: dict[str, str] = {}  # the parameters' text, as used_parameters holds it
        for name in self.parameters:
            if name in params:
                given[name] = self.used_parameters[name] = params.pop(name)[-1]
        self.values: dict | None = None
        if given:
            try:
                self.values = self.parse(given)
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

    @staticmethod
    def lead_back_to(url_name: str) -> None:
        """Name the dashboard (a URL name) where every records filter leads back."""
        RecordsFilter.dashboard_url_name = url_name

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

    def expected_parameters(self) -> list[str | None]:
        return list(self.parameters)

    def queryset(self, request, queryset):
        return queryset if self.values is None else self.select(queryset, **self.values)

    @property
    def dashboard_url(self) -> str | None:
        return None if self.values is None else dashboard_url(self.values["year"], self.values["as_of"])

    def choices(self, changelist):
        assert self.values is not None, "the sidebar shows a records filter only while active (has_output)"
        yield {
            "selected": True,
            "query_string": changelist.get_query_string(),
            "display": self.describe(**self.values),
            "role": "description",
        }
        if self.dashboard_url is not None:
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


class YearRecordsFilter(RecordsFilter):
    """A records filter of a year as of a day: its ``parameters`` are the year's (required) and
    ``as_of`` (the year's default when absent); ``select`` and ``describe`` are given ``year``
    and ``as_of``."""

    @classmethod
    def link(cls, **values) -> dict:
        return {cls.parameters[0]: values["year"], "as_of": values["as_of"].isoformat()}

    def parse(self, given):
        year, as_of = self.year_and_date(given, self.parameters[0])
        return {"year": year, "as_of": as_of}


# --- the import page ------------------------------------------------------------------------------


YEAR_HELP = _(
    "The year of rows without a 年度 column (attraction projects, bond reserves) and of the key projects' "
    "listing; blank: the 年度 of the workbook's 汇总 sheet, if any."
)
FILE_HELP = _(
    "The file's format is read from its content: .xlsx, .xlsm, .xls, .ods, .csv (UTF-8 or GB18030) or the "
    "quarterly export's .csv.zip."
)
SALT = "jiaxian.admin.import_confirm"
# How long a preview may be confirmed (seconds); older uploads are purged.
DEFAULT_CONFIRM_MAX_AGE = 3600
# Errors a failed confirmation's message lists (the rest: upload again to see them all).
ERRORS_SHOWN = 10


def confirm_max_age() -> int:
    return getattr(settings, "IMPORT_CONFIRM_MAX_AGE", DEFAULT_CONFIRM_MAX_AGE)


class KeptUpload(Protocol):
    """What the confirmation reads of a kept upload (a record of ``upload_model()``)."""

    pk: Any
    file_name: str
    data: bytes | memoryview
    year: int | None
    versions: dict[str, dict[str, int]]


def upload_model() -> type[Model]:
    """The model that keeps an upload for its confirmation (setting ``LEDGER_IMPORT_UPLOAD_MODEL``,
    ``app_label.ModelName``): fields ``user``, ``ledger``, ``file_name``, ``data``, ``year``,
    ``versions`` and ``created_at``."""
    return apps.get_model(settings.LEDGER_IMPORT_UPLOAD_MODEL)


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
        context: dict[str, Any] = {}
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

    def keep(self, request, name: str, data: bytes, year: int | None, versions: dict) -> Model:
        """Store the upload for its confirmation, and purge those too old to be confirmed."""
        uploads = upload_model()._default_manager
        uploads.filter(created_at__lt=timezone.now() - datetime.timedelta(seconds=confirm_max_age())).delete()
        return uploads.create(
            user=request.user,
            ledger=self.opts.label_lower,
            file_name=name[:255],
            data=data,
            year=year,
            versions={label: {str(pk): version for pk, version in ids.items()} for label, ids in versions.items()},
        )

    def confirmed_upload(self, request) -> KeptUpload | None:
        """The upload that the posted token names, signed by us within its age, this user's and
        this ledger's, taken out of the database (an upload is confirmed once); else None."""
        form = LedgerConfirmImportForm(request.POST)
        if not form.is_valid():
            return None
        try:
            pk = signing.loads(form.cleaned_data["token"], salt=SALT, max_age=confirm_max_age())
        except signing.BadSignature:  # altered, or expired (SignatureExpired is one)
            return None
        uploads = upload_model()._default_manager
        upload = uploads.filter(pk=pk, user=request.user, ledger=self.opts.label_lower).first()
        if upload is None or not uploads.filter(pk=upload.pk).delete()[0]:
            return None
        return cast(KeptUpload, upload)  # the setting names a model with these fields (upload_model)

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
