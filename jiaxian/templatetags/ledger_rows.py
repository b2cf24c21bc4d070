"""``{% ledger_result_list cl %}``: the rows of an admin list, the same HTML as Django's
``{% result_list cl %}``, made in one pass with what does not change from row to row worked out
once a page.

Why: Django's ``items_for_result`` looks each column up again for every cell (``lookup_field``
tries the model's fields, then the admin, then the model), rebuilds a choice field's choices
for every cell, and for every row's link resolves the change URL again to merge the list's
filters into it (``add_preserved_filters``). At a hundred rows a page that was most of a ledger
list's time beside its queries (docs/benchmarks.md). Here each column is looked up once, a
choice field's labels are a dictionary made once, and the filters kept on the links are merged
once. Every cell is still displayed by Django's own ``display_for_field`` and
``display_for_value``, so dates, numbers and booleans read as in any admin.

A list that edits in place (``list_editable``) or a popup (a related-object chooser) keeps
Django's code: their cells carry forms and JavaScript hooks this does not write.
``jiaxian/tests/test_ledger_rows.py`` compares the two on every registered admin."""

from __future__ import annotations

import datetime
import decimal
import functools
import html
import operator
from collections.abc import Callable, Iterator
from typing import Any

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import (  # type: ignore[attr-defined]
    # Django's private helpers, so that a column is found as Django finds it; a Django whose
    # helpers change fails jiaxian/tests/test_ledger_rows.py, which compares the rows.
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


class Column:
    """One column of the list: how its cell's value is found and displayed, worked out once."""

    def __init__(self, cl, index: int, name: Any, linked: bool, model_admin):
        self.name = name
        self.linked = linked
        self.classes = [f"field-{admin_list._coerce_field_name(name, index)}"]  # type: ignore[attr-defined]
        self.default_empty = model_admin.get_empty_value_display()
        self.field: models.Field | None = None
        self.attr: Any = None
        self.value_of: Callable[[Any], Any] | None = None
        self.choices: dict | None = None
        try:
            field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):  # lookup_field's other cases
            field = None
        if field is not None:
            self.field = field
            self.value_of = operator.attrgetter(name)
            if field.flatchoices:
                try:
                    self.choices = dict(field.flatchoices)
                except TypeError:  # list-like choices: Django's own path, cell by cell
                    self.choices = None
        elif callable(name):
            self.attr = name
            self.value_of = name
        elif hasattr(model_admin, name) and name != "__str__":
            self.attr = getattr(model_admin, name)
            self.value_of = self.attr
        # Otherwise (a model attribute, a property, "__str__", a lookup through relations)
        # lookup_field does it for every cell, as in Django.
        self.model_admin = model_admin
        self.written: dict[Any, SafeString] = {}
        self.words: list[Promise] = []
        # A date field's dates: display_for_field localises them (formats.localize).
        self.plain_date = isinstance(self.field, models.DateField) and not isinstance(
            self.field, models.DateTimeField | models.TimeField
        )
        self.language = translation.get_language()
        # A method's plain text or HTML, not a yes/no icon: display_for_value writes it as it
        # is (the class of the checkbox's column is its own).
        self.text_as_it_comes = (
            self.field is None and self.value_of is not None and not getattr(self.attr, "boolean", False)
        )
        classes = ["action-checkbox"] if name == "action_checkbox" else self.classes
        self.text_class = f' class="{" ".join(classes)}"'

    def lookup(self, obj) -> tuple[models.Field | None, Any, Any]:
        if self.value_of is None:
            return lookup_field(self.name, obj, self.model_admin)
        return self.field, self.attr, self.value_of(obj)

    def cell(self, obj) -> tuple[Any, list[str]]:
        """The cell's content (escaped when written) and its classes; as ``items_for_result``."""
        try:
            field, attr, value = self.lookup(obj)
        except ObjectDoesNotExist:
            return self.default_empty, self.classes
        return self.display(obj, field, attr, value)

    def display(self, obj, field, attr, value) -> tuple[Any, list[str]]:
        classes = self.classes
        empty = getattr(attr, "empty_value_display", self.default_empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if field is None or field.auto_created:
            if self.name == "action_checkbox":
                classes = ["action-checkbox"]
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            shown = display_for_value(value, empty, boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                classes = [*classes, "nowrap"]
            return shown, classes
        if isinstance(field.remote_field, models.ManyToOneRel):
            related = getattr(obj, field.name)
            shown = empty if related is None else related
        elif self.choices is not None:
            shown = self.choices.get(value, empty)
        elif type(value) is datetime.date and self.plain_date:
            shown = localized_date(value, self.language)
        else:
            shown = display_for_field(value, field, empty, avoid_link=self.linked)
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes = [*classes, "nowrap"]
        return shown, classes

    def td(self, obj) -> SafeString:
        """The cell of a column that is not the link. A method's text (an amount, a checkbox) is
        written as it comes, as ``display`` would write it. Any other cell is written once a page
        for each value met: dates, amounts, words and related names repeat from row to row, and
        displaying one (localised, translated) cost more than the rest of the row. A value's cell
        depends on the value alone (the column's field, empty text and flags are the page's), a
        related record's on its key (its text comes from the page's one query)."""
        try:
            field, attr, value = self.lookup(obj)
        except ObjectDoesNotExist:
            return self.write(*self.cell(obj))
        if self.text_as_it_comes and type(value) in (str, SafeString) and value.strip():
            return mark_safe(f"<td{self.text_class}>{escaped(value)}</td>")
        if field is not None and isinstance(field.remote_field, models.ManyToOneRel):
            key: Any = (models.ForeignKey, getattr(obj, field.attname))
        elif isinstance(value, Promise):
            # A translated word by the object itself (a choice's label is one object): its text
            # would be translated again for every row. The word is kept with the page's cells,
            # so that no other object takes its id while the page is written.
            key = (Promise, id(value))
        elif value is None or isinstance(value, WRITTEN_ONCE):
            # The type as well as the text: "1.0" and "1.00", a date and a time, a safe string
            # and a plain one (escaped or not) are not alike.
            key = (type(value), str(value))
        else:
            return self.write(*self.display(obj, field, attr, value))
        try:
            return self.written[key]
        except KeyError:
            if isinstance(value, Promise):
                self.words.append(value)
            item = self.written[key] = self.write(*self.display(obj, field, attr, value))
            return item

    @staticmethod
    def write(shown, classes: list[str]) -> SafeString:
        return mark_safe(f'<td class="{" ".join(classes)}">{escaped(shown)}</td>')


@functools.lru_cache(maxsize=4096)
def localized_date(value: datetime.date, language: str | None) -> str:
    """A date as the admin writes it in ``language`` (the active one: its formats), once a
    process: a year's dates recur on every page, and formatting one (the format looked up,
    parsed, applied) was a tenth of a row's cells."""
    return formats.localize(value)


def escaped(text) -> str:
    """``conditional_escape`` without its check for lazy arguments (a cell is written a
    thousand times a page): safe text as it is, any other escaped."""
    if isinstance(text, Promise):
        text = str(text)
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


# The values whose cell is written once a page (Column.td): those whose text says it all.
WRITTEN_ONCE = (str, int, float, decimal.Decimal, datetime.date, datetime.time)


def linked_columns(cl) -> list[bool]:
    """Which columns link to the record's page (``items_for_result``'s ``link_in_col``)."""
    links = []
    first = True
    for name in cl.list_display:
        if cl.list_display_links is None:
            linked = False
        elif first and not cl.list_display_links:
            linked = True
        else:
            linked = name in cl.list_display_links
        if linked:
            first = False
        links.append(linked)
    return links


def cells(cl) -> Iterator[list[SafeString]]:
    """Each row's cells, the HTML ``admin_list.results`` yields (no forms)."""
    columns = [
        Column(cl, index, name, linked, cl.model_admin)
        for index, (name, linked) in enumerate(zip(cl.list_display, linked_columns(cl), strict=True))
    ]
    first_link = next((index for index, column in enumerate(columns) if column.linked), None)
    kept: str | None = None  # the filters every link keeps, merged once
    for result in cl.result_list:
        items = []
        for index, column in enumerate(columns):
            if not column.linked:
                items.append(column.td(result))
                continue
            shown, classes = column.cell(result)
            row_class = f' class="{" ".join(classes)}"'
            tag = "th" if index == first_link else "td"
            try:
                url = cl.url_for_result(result)
            except NoReverseMatch:
                content: SafeString | str = conditional_escape(shown)
            else:
                if kept is None:
                    # The change URLs differ only by the key: the query Django merges into one
                    # (the list's filters, to come back to) is every row's.
                    merged = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
                    kept = merged[len(url) :] if merged.startswith(url) else None
                    if kept is None:
                        raise ValueError(f"preserved filters changed the URL itself: {url} -> {merged}")
                content = f'<a href="{conditional_escape(url + kept)}">{conditional_escape(shown)}</a>'
            items.append(mark_safe(f"<{tag}{row_class}>{content}</{tag}>"))
        yield items


def rows(cl) -> Iterator[admin_list.ResultList]:
    """The page's rows as ``admin_list.results`` yields them, each row's cells written as one
    piece."""
    for items in cells(cl):
        yield admin_list.ResultList(None, [mark_safe("".join(items))])


def rows_written(results: list[admin_list.ResultList]) -> SafeString:
    """The table's rows as ``change_list_results.html`` writes them, written here: its loop
    over a hundred rows cost a fifth of the page's rendering (templates/admin/change_list_results.html)."""
    return mark_safe("".join(f"\n<tr>{''.join(row)}</tr>" for row in results))


def ledger_result_list(cl) -> dict:
    """The context of ``admin/change_list_results.html``, as ``admin_list.result_list``."""
    if cl.formset or cl.is_popup:
        return admin_list.result_list(cl)
    headers = list(admin_list.result_headers(cl))
    results = list(rows(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": results,
        "rows_written": rows_written(results),
    }


@register.tag(name="ledger_result_list")
def ledger_result_list_tag(parser, token):
    # As Django's result_list: the template may be overridden per app and model.
    return InclusionAdminNode(
        parser, token, func=ledger_result_list, template_name="change_list_results.html", takes_context=False
    )
