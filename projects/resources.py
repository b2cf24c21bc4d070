"""Importing the ledgers from XLSX and CSV (django-import-export resources).

The files are the quarterly export's ledger sheets (their Chinese headers are in ``headers.py``),
possibly edited by a clerk: ``LedgerResource`` is what the three ledgers share, and
``KeyProjectResource`` and ``BondReserveResource`` are two of them (``AttractionProjectResource``
is in ``investment/resources.py``). The admin's import page and ``manage.py import_ledger`` both
call ``resource.import_data(dataset, dry_run=…, user=…)``.

What an import does with a sheet:

- **Sheet and header rows.** Of a workbook with several sheets, the one named for the ledger
  (``重点项目``, ``专项债储备``, ``招商引资项目``), else the first that holds the ledger's header.
  The header starts at the first row that holds ``项目名称`` and may span several rows, with
  merged group headings over the columns' own headers (``jiaxian.importing.find_header``): title
  rows above it are skipped; so are blank rows and the totals row (``合计…``). Columns the ledger
  does not import (序号, the derived ones: completed investment, stage, status, flags, coverage
  ratio; any the clerk added) are ignored, whatever they hold, and named (``ignored_columns``).
- **Year.** Attraction projects and bond reserves belong to a year, and the export's sheets
  have no year column: a row's year is its ``年度`` cell if the sheet has that column, else the
  year given to the import (``--year``, the admin form's year), else the ``年度`` line of the
  workbook's ``汇总`` sheet (an exported workbook carries it). Key projects have no year: the
  year (given, or from ``汇总``) is that of the listing (年度类别, 列入日期, 年度计划投资) that the
  row creates or updates; without a year those three columns are ignored.
- **Natural key.** A row updates the record with its national project code (投资项目统一代码)
  if it has one and such a record exists, else the record of the same name (and year, for
  attraction projects and bond reserves; key-project names are unique across years), else it
  creates one. Two rows of one file for the same record are an error.
- **References** (产业, 所在区域, 责任单位, 领域) by code or by name; an unknown or ambiguous one
  is an error naming the column.
- **Blank cells leave an existing record's value as it is** (the export leaves dates after its
  as-of day blank, and importing an older export must not erase later facts); clearing a value
  is done in the admin. For a new record a blank cell is empty (or the field's default).
- **Validation.** Every changed or new record goes through its model's ``full_clean()``: the
  admin's and the API's rules. A department's staff may only import rows of records whose
  責任单位 (before and after the row) they may edit (``projects.access``).
- **All or nothing.** Any bad row and nothing is written (one transaction, rolled back). Each
  error names its row (the sheet's row number, as Excel shows it) and column (the header).
- **Unchanged records are not touched** (no save, no version, no history entry), which makes
  re-importing an export a no-op. Changed records are saved through the model's ``save()``:
  their version goes up and the history records the importing user.

Queries: one per reference table and one for the existing records (plus, for key projects, one
for the year's listings) per import; then per row the model's validation queries (uniqueness
of the code and the name, the ``clean()`` checks) and, for each written record, its save and its
history entry (a new key project: its eight standard milestones, two more).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import cached_property
from typing import Any, ClassVar

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, Q, UniqueConstraint
from django.utils import translation
from django.utils.translation import gettext
from import_export import fields, resources, widgets
from import_export.results import Error, Result

from jiaxian.exporting import FORMULA_STARTS
from jiaxian.importing import (
    Book,
    BookDataset,
    CellError,
    FormulaError,
    PreviewDiff,
    UnreadableFile,
    column_letter,
    find_header,
    is_blank,
    parse_amount,
    parse_date,
    parse_integer,
)

from . import access, headers
from .choices import AnnualListingCategoryChoices, KeyProjectNatureChoices
from .models import AnnualListing, Area, BondReserve, Department, Industry, KeyProject, Sector

# How far down a sheet the header row may be (title lines, a note, a blank line).
HEADER_SEARCH_ROWS = 30
# How many rows a header may span (a title row of groups, the group headings, the headers).
HEADER_DEPTH = 4


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (no header row, no year, …); the message says why."""


# --- cells -----------------------------------------------------------------------------------


class TextCell(widgets.Widget):
    """Text, trimmed; the apostrophe the export puts before a leading ``= + - @`` is taken off."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return None
        text = str(value).strip()
        if text.startswith("'") and text[1:2] and text[1] in FORMULA_STARTS:
            text = text[1:]
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class AmountCell(widgets.Widget):
    """An amount in 万元: a number cell, or text such as ``12,345.50`` (``importing.parse_amount``);
    a percentage is refused."""

    def clean(self, value, row=None, **kwargs):
        try:
            return parse_amount(value)
        except CellError:
            raise
        except ValueError:
            raise ValueError(gettext("Enter an amount in 万元, not “%(value)s”.") % {"value": value}) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}"


class IntegerCell(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        try:
            return parse_integer(value)
        except ValueError:
            raise ValueError(gettext("Enter a whole number, not “%(value)s”.") % {"value": value}) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DateCell(widgets.Widget):
    """A date cell, text such as ``2023-03-01``, ``2023/3/1``, ``2023.3.1`` or ``2023年3月1日``, or
    an Excel serial day number (``importing.parse_date``)."""

    def clean(self, value, row=None, **kwargs):
        try:
            return parse_date(value)
        except ValueError:
            raise ValueError(gettext("Enter a date such as 2023-03-01, not “%(value)s”.") % {"value": value}) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.isoformat()


class ChoiceCell(widgets.Widget):
    """One of ``choices``, written as its Chinese label (as the export writes it), its English
    label or its stored value."""

    def __init__(self, choices):
        self.choices = choices
        self._values: dict[str, str] | None = None

    def values(self) -> dict[str, str]:
        if self._values is None:
            values = {}
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    values.update({str(label).strip().lower(): value for value, label in self.choices.choices})
            values.update({value: value for value in self.choices.values})
            self._values = values
        return self._values

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip()
        found = self.values().get(text.lower())
        if found is None:
            allowed = "、".join(str(label) for label in self.choices.labels)
            raise ValueError(gettext("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if not value else str(self.choices(value).label)


class ReferenceCell(widgets.Widget):
    """A record of reference data (industry, area, department, sector) by its code or its name.
    The import loads each table once (``load``); a name that several records share is
    ambiguous (give the code)."""

    def __init__(self, model: type[Model]):
        self.model = model
        self.by_code: dict[str, Model] = {}
        self.by_name: dict[str, list[Model]] = {}
        self.by_pk: dict[int, Model] = {}

    def load(self) -> None:
        self.by_code, self.by_name, self.by_pk = {}, {}, {}
        for record in self.model.objects.all():
            self.by_code[record.code.strip().lower()] = record
            self.by_name.setdefault(record.name.strip().lower(), []).append(record)
            self.by_pk[record.pk] = record

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip()
        record = self.by_code.get(text.lower())
        if record is not None:
            return record
        named = self.by_name.get(text.lower(), [])
        if len(named) == 1:
            return named[0]
        params = {"model": self.model._meta.verbose_name, "value": text}
        if named:
            raise ValueError(gettext("Several %(model)s records are named “%(value)s”: give the code.") % params)
        raise ValueError(gettext("There is no %(model)s with the code or name “%(value)s”.") % params)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


class Column(fields.Field):
    """A column of a ledger sheet: ``header`` read into ``attribute`` through ``widget``. A blank
    cell is not imported (see the module: it leaves an existing value as it is)."""

    def __init__(self, header: str, attribute: str, widget: widgets.Widget):
        super().__init__(attribute=attribute, column_name=header, widget=widget)

    def save(self, instance, row, is_m2m=False, **kwargs):
        value = row.get(self.column_name)
        if is_blank(value):
            return
        if isinstance(value, FormulaError):  # whatever the column: the value is not there
            raise ValueError(
                gettext("The cell shows the formula error %(value)s: correct the formula or type the value.")
                % {"value": value}
            )
        target = instance
        for attr in self.attribute.split("__")[:-1]:
            target = getattr(target, attr, None)
            if target is None:  # no listing to write into (key projects imported without a year)
                return
        super().save(instance, row, is_m2m, **kwargs)


# --- results ---------------------------------------------------------------------------------


class LedgerResult(Result):
    """import-export's result, with each error row numbered as the sheet numbers it."""

    def row_errors(self):
        return [(row.number, row.errors) for row in self.rows if row.errors]


# --- the base --------------------------------------------------------------------------------


class LedgerResource(resources.ModelResource):
    """What the three ledger imports share (see the module). Subclasses set ``sheet_name``, the
    ``Column``s, ``Meta.model`` and ``Meta.fields`` (the columns' names), and ``has_year``
    (records keyed by name and year rather than name alone)."""

    sheet_name: ClassVar[str]
    has_year: ClassVar[bool] = True
    # The headers without which a sheet is refused (the others may be left out: their values
    # are then blank, which leaves an existing record's as it is).
    required_headers: ClassVar[tuple[str, ...]] = (headers.NAME,)

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        import_id_fields = ()

    def __init__(self, *, year: int | None = None, preview: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.default_year = year
        if not preview:
            # No HTML diff of each row (the admin's preview shows it; the command prints the
            # changes of ``row_result.changes`` instead): options of this instance only.
            self._meta = copy.copy(type(self)._meta)
            self._meta.skip_html_diff = True
        self.user = None
        self.row_numbers: list[int] = []
        # What ``prepare()`` found (see there), for the command and the admin's preview.
        self.sheet = ""
        self.header_rows: list[int] = []
        self.imported_columns: list[str] = []
        self.ignored_columns: list[str] = []
        self.missing_columns: list[str] = []
        # Called with (rows done, rows in all) after each row, when set (the command's progress).
        self.progress = None

    def get_diff_class(self):
        # The preview's changes without style attributes (the content policy refuses them).
        return PreviewDiff

    def get_result_class(self):
        return LedgerResult

    @cached_property
    def columns(self) -> list[Column]:
        """The columns this resource reads, in order."""
        return [field for field in self.get_import_fields() if isinstance(field, Column)]

    def header_of(self, attribute: str) -> str:
        for column in self.columns:
            if column.attribute == attribute:
                return column.column_name
        return attribute

    # -- reading the sheet --------------------------------------------------------------------

    def prepare(self, dataset: tablib.Dataset) -> tablib.Dataset:
        """The rows to import as a dataset of this ledger's columns (blank where the sheet lacks
        one), with ``row_numbers`` the sheet's number of each; finds the sheet, its header rows
        (``importing.find_header``: merged group headings, several rows) and the year. Sets
        ``sheet``, ``header_rows`` (1-based), ``imported_columns`` and ``ignored_columns`` (the
        sheet's headers, in its order) and ``missing_columns`` (required headers not found).
        Raises ``ImportFileError`` when a required header is missing or stands twice."""
        if isinstance(dataset, BookDataset):
            book = dataset.book
        else:
            book = Book({"": [list(dataset.headers or []), *[list(row) for row in dataset]]})
        if self.default_year is None:
            self.default_year = self.summary_year(book)
        known = {column.column_name for column in self.columns}
        # The sheet named for the ledger; else the first sheet that has this ledger's header.
        names = [self.sheet_name] if self.sheet_name in book.names else book.names
        self.sheet, rows, header = (names or [""])[0], [], None
        for name in names:
            header = find_header(
                book.rows(name),
                book.merged(name),
                known,
                headers.NAME,
                search_rows=HEADER_SEARCH_ROWS,
                max_depth=HEADER_DEPTH,
            )
            if header is not None:
                self.sheet, rows = name, book.rows(name)
                break
        self.header_rows, self.imported_columns, self.ignored_columns = [], [], []
        if header is None:
            self.missing_columns = [headers.NAME]
            raise ImportFileError(
                gettext("The sheet “%(sheet)s” has no header row: no row holds %(name)s and the other headers.")
                % {"sheet": self.sheet, "name": headers.NAME}
            )
        self.header_rows = list(range(header.first_row + 1, header.last_row + 2))
        self.missing_columns = [name for name in self.required_headers if name not in header.columns]
        if self.missing_columns:
            raise ImportFileError(
                gettext("The sheet “%(sheet)s” has no column %(columns)s: the import needs it.")
                % {"sheet": self.sheet, "columns": "、".join(self.missing_columns)}
            )
        for name, at in header.duplicates.items():
            raise ImportFileError(
                gettext("The column %(column)s stands more than once in the sheet “%(sheet)s” (%(letters)s): keep one.")
                % {"column": name, "sheet": self.sheet, "letters": "、".join(column_letter(c) for c in at)}
            )
        unused = self.unused_headers()
        used = {name: at for name, at in header.columns.items() if name not in unused}
        name_at = header.columns[headers.NAME]
        wanted = [used.get(column.column_name) for column in self.columns]
        table = tablib.Dataset(headers=[column.column_name for column in self.columns])
        self.row_numbers = []
        unnamed: set[int] = set()  # columns holding values under no header
        labelled = set(header.columns.values()) | set(header.others)
        for index in range(header.last_row + 1, len(rows)):
            row = rows[index]
            name = row[name_at] if name_at < len(row) else None
            # The totals row: 合计… in the name column, or first in a row without a name.
            lead = name if not is_blank(name) else next((value for value in row if not is_blank(value)), None)
            if isinstance(lead, str) and lead.strip().startswith(headers.TOTAL_PREFIX):
                continue
            # "" rather than None for a missing cell: the preview shows the row's values as they are.
            values = [row[at] if at is not None and at < len(row) and row[at] is not None else "" for at in wanted]
            # Blank in every column imported: a blank line, or a template's numbered empty row.
            if all(is_blank(value) for value in values):
                continue
            unnamed.update(c for c, value in enumerate(row) if c not in labelled and not is_blank(value))
            table.append(values)
            self.row_numbers.append(index + 1)
        self.imported_columns = sorted(used, key=used.get)
        ignored = {at: name for name, at in header.columns.items() if name in unused}
        ignored |= header.others
        ignored |= {at: gettext("column %(letter)s (no header)") % {"letter": column_letter(at)} for at in unnamed}
        self.ignored_columns = [ignored[at] for at in sorted(ignored)]
        return table

    def unused_headers(self) -> set[str]:
        """Headers of this ledger that the sheet may hold but this import does not read."""
        return set()

    @staticmethod
    def summary_year(book: Book) -> int | None:
        """The year on the ``年度`` line of the workbook's ``汇总`` sheet, if there is one."""
        for row in book.sheets.get(headers.SUMMARY_SHEET, [])[:HEADER_SEARCH_ROWS]:
            if len(row) >= 2 and str(row[0] or "").strip() == headers.YEAR:
                try:
                    return int(str(row[1]).strip())
                except ValueError:
                    return None
        return None

    # -- loading what the rows refer to, once per import ---------------------------------------

    def load(self, table: tablib.Dataset) -> None:
        for column in self.columns:
            if isinstance(column.widget, ReferenceCell):
                column.widget.load()
        codes, names = set(), set()
        for row in table.dict:
            code = row.get(headers.PROJECT_CODE)
            if not is_blank(code):
                codes.add(str(code).strip().upper())
            name = TextCell().clean(row.get(headers.NAME))
            if name:
                names.add(name)
        model = self._meta.model
        related = [c.attribute for c in self.columns if isinstance(c.widget, ReferenceCell)]
        existing = model.objects.filter(Q(project_code__in=codes) | Q(name__in=names)).select_related(*related)
        self.by_code = {record.project_code: record for record in existing if record.project_code}
        self.by_key = {self.key_of(record.name, getattr(record, "year", None)): record for record in existing}
        self.seen: dict[Any, int] = {}

    def key_of(self, name: str, year: int | None):
        return (name, year) if self.has_year else name

    # -- one row ------------------------------------------------------------------------------

    def row_year(self, row) -> int | None:
        value = row.get(headers.YEAR)
        if not is_blank(value):
            try:
                return IntegerCell().clean(value)
            except ValueError:
                return None  # the 年度 column reports it
        return self.default_year

    def get_instance(self, instance_loader, row):
        code = row.get(headers.PROJECT_CODE)
        record = None
        if not is_blank(code):
            record = self.by_code.get(str(code).strip().upper())
        name = TextCell().clean(row.get(headers.NAME))
        if record is None and name:
            record = self.by_key.get(self.key_of(name, self.row_year(row) if self.has_year else None))
        key = ("pk", record.pk) if record is not None else ("new", self.key_of(name, self.row_year(row)))
        if name and key in self.seen:
            raise ValidationError(
                {"name": gettext("Row %(row)s is already about this project.") % {"row": self.seen[key]}}
            )
        self.seen[key] = self.current_row
        return record

    def init_instance(self, row=None):
        instance = super().init_instance(row)
        if self.has_year:
            instance.year = self.row_year(row)
        return instance

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_department_before = None if new else instance.department_id

    def import_row(self, row, instance_loader, **kwargs):
        self.current_row = self.row_numbers[kwargs["row_number"] - 1]
        self.changes = []
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.number = self.current_row
        row_result.changes = self.changes
        # import-export keeps a deep copy of every existing record here; the changes say what
        # the preview and the command need, in far less memory.
        row_result.original = None
        if self.progress is not None:
            self.progress(kwargs["row_number"], len(self.row_numbers))
        return row_result

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Never for a new record; for an existing one, when no column changes it (then nothing
        is saved). Records the changes (header, before, after) for the preview and the command."""
        if instance._state.adding:
            instance._import_changes, instance._import_own_changed = [], True
            return False
        changed = [column for column in self.columns if column.get_value(instance) != column.get_value(original)]
        instance._import_changes = self.changes = [
            (column.column_name, column.export(original), column.export(instance)) for column in changed
        ]
        instance._import_own_changed = any(not column.attribute.startswith("import_listing__") for column in changed)
        return not import_validation_errors and not changed

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if self.has_year and instance.year is None and "year" not in errors:
            errors["year"] = [
                gettext("The year is missing: give it in a %(column)s column, with --year or in the form.")
                % {"column": headers.YEAR}
            ]
        self.check_department(instance, errors)
        errors = self.full_clean(instance, errors)
        if errors:
            raise ValidationError(errors)

    def full_clean(self, instance, errors: dict) -> dict:
        """``errors`` plus those of the record's validation (``model_errors``); a reference found
        in the tables this import loaded is known to exist."""
        references = {
            column.attribute
            for column in self.columns
            if isinstance(column.widget, ReferenceCell) and getattr(instance, f"{column.attribute}_id", None)
        }
        return model_errors(instance, errors, known=references)

    def check_department(self, instance, errors: dict) -> None:
        """Refuse a row whose record's department, before the row (an existing record) or after
        it, the user may not edit (``access.may_edit_department``); no user, no check."""
        if self.user is None or "department" in errors:
            return
        departments = [instance.department_id]
        if not instance._state.adding:
            departments.insert(0, instance._import_department_before)
        for department_id in departments:
            if access.may_edit_department(self.user, department_id):
                continue
            department = self.department_widget().by_pk.get(department_id)
            if department is None:
                message = gettext("Only staff who edit every department's records may import a record without one.")
            else:
                message = gettext(
                    "You may import only the records of your own departments; this one belongs to %(department)s."
                ) % {"department": department.name}
            errors["department"] = [message]
            return

    def department_widget(self) -> ReferenceCell:
        return next(c.widget for c in self.columns if c.attribute == "department")

    def do_instance_save(self, instance, is_create):
        if is_create or instance._import_own_changed:
            instance._history_user = self.user
            instance.save(force_insert=is_create)

    # -- the whole import ---------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """Import ``dataset`` (a ``BookDataset`` from ``jiaxian.importing``, or a tablib dataset
        whose headers are the sheet's) all or nothing: any bad row rolls everything back.
        ``user`` (keyword) is checked against the departments and recorded in the history."""
        self.user = kwargs.get("user")
        kwargs.pop("rollback_on_validation_errors", None)
        try:
            table = self.prepare(dataset)
        except (ImportFileError, UnreadableFile) as error:  # a sheet is read when first asked for
            result = self.get_result_class()()
            result.append_base_error(Error(error))
            return result
        self.load(table)
        result = super().import_data(
            table, dry_run, raise_errors, use_transactions=True, rollback_on_validation_errors=True, **kwargs
        )
        self.name_errors(result)
        return result

    def name_errors(self, result: Result) -> None:
        """Give each invalid row its sheet row number and its errors the column headers."""
        for invalid in result.invalid_rows:
            invalid.number = self.row_numbers[invalid.number - 1]
            named: dict[str, list[str]] = {}
            for attribute, messages in invalid.error_dict.items():
                key = attribute if attribute == NON_FIELD_ERRORS else self.header_of(attribute)
                named.setdefault(key, []).extend(messages)
            invalid.error_dict = named
            invalid.error = ValidationError(named)
        for error_row in result.error_rows:
            error_row.number = self.row_numbers[error_row.number - 1]


def model_errors(instance: Model, errors: dict, known: Iterable[str] = ()) -> dict:
    """``errors`` plus those of ``instance``'s validation: ``full_clean()`` (field checks,
    ``clean()``, uniqueness) and its unique constraints, on the fields without an error yet.

    Two parts of ``full_clean()`` are left out because they ask the database, row after row,
    what is already known: that the related records of the fields in ``known`` exist
    (``ForeignKey.validate``), and the check constraints, which repeat rules of ``clean()`` and
    of the fields' validators as a last guard in the database (every ``CheckConstraint`` of the
    ledgers has its twin there; the database still enforces them on save). Together they were
    two thirds of an import's time (``bench_import``)."""
    try:
        instance.full_clean(exclude={*errors, *known}, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            try:
                constraint.validate(model_class, instance, exclude=set(errors))
            except ValidationError as error:
                field = constraint.fields[-1] if constraint.fields else NON_FIELD_ERRORS
                errors.setdefault(field, []).extend(error.messages)
    return errors


def error_lines(result: Result) -> list[tuple[int | None, str, str]]:
    """Every error of ``result`` as (sheet row or None, column header or "", message), in row
    order: what the command prints and the tests read."""
    lines: list[tuple[int | None, str, str]] = [(None, "", str(error.error)) for error in result.base_errors]
    for invalid in sorted(result.invalid_rows, key=lambda row: row.number):
        for key, messages in invalid.error_dict.items():
            for message in messages:
                lines.append((invalid.number, "" if key == NON_FIELD_ERRORS else key, message))
    for number, errors in result.row_errors():
        lines.extend((number, "", str(error.error)) for error in errors)
    return lines


def reference(header: str, attribute: str, model: type[Model]) -> Column:
    return Column(header, attribute, ReferenceCell(model))


# --- the ledgers of this app -------------------------------------------------------------------


class KeyProjectResource(LedgerResource):
    """Key projects (重点项目): keyed by code, else by name (unique across years). With a year,
    a row also creates or updates the project's listing of that year from 年度类别, 列入日期
    and 年度计划投资 (a listing is created only when one of them is filled in)."""

    sheet_name = headers.KEY_PROJECT_SHEET
    has_year = False

    name = Column(headers.NAME, "name", TextCell())
    project_code = Column(headers.PROJECT_CODE, "project_code", TextCell())
    owner = Column(headers.OWNER, "owner", TextCell())
    industry = reference(headers.INDUSTRY, "industry", Industry)
    area = reference(headers.AREA, "area", Area)
    department = reference(headers.DEPARTMENT, "department", Department)
    leader = Column(headers.LEADER, "leader", TextCell())
    nature = Column(headers.NATURE, "nature", ChoiceCell(KeyProjectNatureChoices))
    listing_category = Column(
        headers.LISTING_CATEGORY, "import_listing__category", ChoiceCell(AnnualListingCategoryChoices)
    )
    listing_listed_on = Column(headers.LISTED_ON, "import_listing__listed_on", DateCell())
    total_investment = Column(headers.TOTAL_INVESTMENT, "total_investment", AmountCell())
    listing_planned = Column(headers.PLANNED_INVESTMENT, "import_listing__planned_investment", AmountCell())
    started_on = Column(headers.STARTED_ON, "started_on", DateCell())
    planned_completion_on = Column(headers.PLANNED_COMPLETION_ON, "planned_completion_on", DateCell())
    completed_on = Column(headers.COMPLETED_ON, "completed_on", DateCell())

    LISTING_COLUMNS = (headers.LISTING_CATEGORY, headers.LISTED_ON, headers.PLANNED_INVESTMENT)

    def unused_headers(self) -> set[str]:
        # Without a year there is no listing to write them into.
        return set(self.LISTING_COLUMNS) if self.default_year is None else set()

    class Meta(LedgerResource.Meta):
        model = KeyProject
        fields = (
            "name",
            "project_code",
            "owner",
            "industry",
            "area",
            "department",
            "leader",
            "nature",
            "listing_category",
            "listing_listed_on",
            "total_investment",
            "listing_planned",
            "started_on",
            "planned_completion_on",
            "completed_on",
        )

    def load(self, table):
        super().load(table)
        self.listings: dict[int, AnnualListing] = {}
        if self.default_year is not None:
            projects = [record.pk for record in self.by_key.values()]
            for listing in AnnualListing.objects.filter(year=self.default_year, project__in=projects):
                self.listings[listing.project_id] = listing

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        listing = None if new else self.listings.get(instance.pk)
        if (
            listing is None
            and self.default_year is not None
            and any(not is_blank(row.get(h)) for h in self.LISTING_COLUMNS)
        ):
            listing = AnnualListing(year=self.default_year)
        instance.import_listing = listing

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        listing = instance.import_listing
        if listing is not None:
            listing.project = instance
            columns = {column.attribute for column in self.columns}
            # The project is this row's record: saved already, or about to be.
            for field, messages in model_errors(listing, {}, known={"project"}).items():
                attribute = f"import_listing__{field}" if f"import_listing__{field}" in columns else field
                if attribute not in errors:
                    errors.setdefault(attribute, []).extend(messages)
        super().validate_instance(instance, errors, validate_unique)

    def after_save_instance(self, instance, row, **kwargs):
        listing = instance.import_listing
        if listing is None:
            return
        listing_headers = set(self.LISTING_COLUMNS)
        changed = listing.pk is None or any(header in listing_headers for header, *_ in instance._import_changes)
        if changed:
            listing.project = instance
            listing._history_user = self.user
            listing.save()


class BondReserveResource(LedgerResource):
    """Special-bond reserves (专项债储备): keyed by code, else by name and year. The status steps
    after 入库日期 (申报, 审核通过, 发行, 未通过) are not in the export and are kept as they are."""

    sheet_name = headers.BOND_RESERVE_SHEET

    name = Column(headers.NAME, "name", TextCell())
    year = Column(headers.YEAR, "year", IntegerCell())
    project_code = Column(headers.PROJECT_CODE, "project_code", TextCell())
    sector = reference(headers.SECTOR, "sector", Sector)
    owner = Column(headers.OWNER, "owner", TextCell())
    department = reference(headers.DEPARTMENT, "department", Department)
    area = reference(headers.AREA, "area", Area)
    total_investment = Column(headers.TOTAL_INVESTMENT, "total_investment", AmountCell())
    bond_demand = Column(headers.BOND_DEMAND, "bond_demand", AmountCell())
    capital_portion = Column(headers.CAPITAL_PORTION, "capital_portion", AmountCell())
    expected_income = Column(headers.EXPECTED_INCOME, "expected_income", AmountCell())
    principal_and_interest = Column(headers.PRINCIPAL_AND_INTEREST, "principal_and_interest", AmountCell())
    reserved_on = Column(headers.RESERVED_ON, "reserved_on", DateCell())

    class Meta(LedgerResource.Meta):
        model = BondReserve
        fields = (
            "name",
            "year",
            "project_code",
            "sector",
            "owner",
            "department",
            "area",
            "total_investment",
            "bond_demand",
            "capital_portion",
            "expected_income",
            "principal_and_interest",
            "reserved_on",
        )
