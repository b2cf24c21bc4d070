"""Importing the ledgers from XLSX and CSV (django-import-export resources): the base that every
ledger's resource builds on.

The files are the quarterly export's ledger sheets (their Chinese headers are with each ledger's
app, the frame they share in ``headers.py``), possibly edited by a clerk: ``LedgerResource`` is
what the three ledgers share; ``KeyProjectResource`` and ``BondReserveResource`` are in
``projects/resources.py``, ``AttractionProjectResource`` in ``investment/resources.py``. The
admin's import page and ``manage.py import_ledger`` both call
``resource.import_data(dataset, dry_run=…, user=…)``. What is the domain's comes from it: who may
edit which department's records (``access``, the rule the setting names) and what a record's
``clean()`` reads once per batch (``LedgerResource.validation_batch``).

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
- **Validation.** Every changed or new record gets its model's full validation: the fields'
  checks and ``clean()`` (the admin's and the API's rules), the unique fields and constraints
  (checked for the whole file at once, against the stored records and among its rows: a row may
  not take a name or code that another record holds when the import begins). A department's
  staff may only import rows of records whose 责任单位 (before and after the row) they may edit
  (``access``).
- **All or nothing.** Any bad row and nothing is written (one transaction, rolled back). Each
  error names its row (the sheet's row number, as Excel shows it) and column (the header).
- **Unchanged records are not touched** (no write, no version, no history entry), which makes
  re-importing an export a no-op. Changed records are claimed at the version read (at the
  admin's preview, else as the import began: a record changed since is an error of its row),
  written with their version raised by one and a history entry recording the importing user.
  A new key project gets its eight standard milestones.

Queries: the rows are read, validated and written in batches of ``BATCH_ROWS`` (2,000); an
import costs one query per reference table, one for the year plans and one for the predecessor
links, then per batch one for its stored records (key projects: and their listings), one claim
of the changed records' versions, one read of their timestamps (deferred until a record
changes: ``bulk.load_deferred``), and the bulk inserts and updates of the records and their
history rows (and a new key project's milestones and listing): a fixed number per batch, none
per row. ``clean()`` asks nothing of the database in a batch (``validation_batch``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext
from import_export import fields, resources, widgets
from import_export.results import Error, InvalidRow, Result, RowResult

from jiaxian import access, bulk, headers, versions
from jiaxian.exporting import FORMULA_STARTS
from jiaxian.importing import (
    Book,
    BookDataset,
    CellError,
    FormulaError,
    UnreadableFile,
    column_letter,
    find_header,
    is_blank,
    parse_amount,
    parse_date,
    parse_integer,
    preview_html,
)

# What the import reads of a ledger's record beyond a version, for the type checker only (the
# ledgers are the apps'; nothing here may import them): at run time this name is Model.
if TYPE_CHECKING:
    from jiaxian.models import CodedModel

    class LedgerRecord(versions.Versioned):
        """A ledger's record, found by its national project code or its name (and year)."""

        name: str
        project_code: str | None
        year: int | None  # the ledgers with ``has_year``
        department_id: int | None  # the owning department (the department rule, ``access``)
        _validation_batch: Any  # what ``clean()`` reads of the batch (``validation_batch``)

        class Meta:
            abstract = True

else:
    LedgerRecord = Model

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


class ParsedCell(widgets.Widget):
    """A cell read by ``parse`` (one of ``importing``'s parsers): a value it refuses is an error
    saying what was expected (``refusal``), but a ``CellError`` already says why and stays."""

    def parse(self, value: Any) -> Any:
        raise NotImplementedError

    def refusal(self) -> str:
        """The error's sentence, with ``%(value)s``, in the import's language."""
        raise NotImplementedError

    def clean(self, value, row=None, **kwargs):
        try:
            return self.parse(value)
        except CellError:
            raise
        except ValueError:
            raise ValueError(self.refusal() % {"value": value}) from None


class AmountCell(ParsedCell):
    """An amount in 万元: a number cell, or text such as ``12,345.50`` (``importing.parse_amount``);
    a percentage is refused."""

    def parse(self, value: Any) -> Any:
        return parse_amount(value)

    def refusal(self) -> str:
        return gettext("Enter an amount in 万元, not “%(value)s”.")

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}"


class IntegerCell(ParsedCell):
    def parse(self, value: Any) -> Any:
        return parse_integer(value)

    def refusal(self) -> str:
        return gettext("Enter a whole number, not “%(value)s”.")

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DateCell(ParsedCell):
    """A date cell, text such as ``2023-03-01``, ``2023/3/1``, ``2023.3.1`` or ``2023年3月1日``, or
    an Excel serial day number (``importing.parse_date``)."""

    def parse(self, value: Any) -> Any:
        return parse_date(value)

    def refusal(self) -> str:
        return gettext("Enter a date such as 2023-03-01, not “%(value)s”.")

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

    def __init__(self, model: type[CodedModel]):
        self.model = model
        self.by_code: dict[str, CodedModel] = {}
        self.by_name: dict[str, list[CodedModel]] = {}
        self.by_pk: dict[int, CodedModel] = {}

    def load(self) -> None:
        self.by_code, self.by_name, self.by_pk = {}, {}, {}
        for record in self.model._default_manager.all():
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


# --- results ---------------------------------------------------------------------------------


class LedgerResult(Result):
    """import-export's result (what the admin's preview and the command read): ``rows`` the
    ``LedgerRow`` of every row, ``invalid_rows`` import-export's ``InvalidRow`` of each bad
    one, numbered as the sheet numbers it, its errors keyed by the columns' headers."""

    def row_errors(self):
        return [(row.number, row.errors) for row in self.rows if row.errors]


class LedgerRow:
    """What one row did (import-export's ``RowResult``, without its per-row weight: an import
    keeps one for each of up to 200,000 rows): ``import_type`` (new, update, skip, invalid),
    the sheet's ``number``, the record's ``object_id`` and ``object_repr``, ``changes`` of a
    stored record ((header, before, after) as the cells read), ``diff`` (the preview's cells)."""

    __slots__ = ("number", "import_type", "object_id", "object_repr", "changes", "diff")
    errors = ()  # a row's failure is an InvalidRow of the result

    def __init__(self, number: int, import_type: str, record: Model | None = None):
        self.number, self.import_type = number, import_type
        self.object_id = None if record is None else record.pk
        self.object_repr = None if record is None else str(record)
        self.changes: Sequence[tuple[str, str, str]] = ()  # a list only for a changed record
        self.diff: list[str] | None = None


# --- the base --------------------------------------------------------------------------------


class LedgerResource(resources.ModelResource):
    """What the three ledger imports share (see the module). Subclasses set ``sheet_name``, the
    ``Column``s, ``Meta.model`` and ``has_year`` (records keyed by name and year rather than
    name alone). ``Meta.fields``, import-export's list of the fields a resource imports and in
    which order, is the names of the ``Column``s as they are declared (``__init_subclass__``)."""

    sheet_name: ClassVar[str]
    has_year: ClassVar[bool] = True
    # The headers without which a sheet is refused (the others may be left out: their values
    # are then blank, which leaves an existing record's as it is).
    required_headers: ClassVar[tuple[str, ...]] = (headers.NAME,)

    # Rows read, validated and written together: a batch costs a fixed number of queries, and
    # only its records are held in memory.
    BATCH_ROWS = 2000

    class Meta:
        import_id_fields = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # import-export's metaclass has gathered the declared fields into ``cls.fields`` (in the
        # order declared) and reads the Meta once this returns.
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "fields"):
            meta.fields = tuple(name for name, field in cls.fields.items() if isinstance(field, Column))

    def __init__(self, *, year: int | None = None, preview: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.default_year = year
        # The admin's preview shows each row's cells and changes (``LedgerRow.diff``); the
        # command and the confirmation print or need only the changes.
        self.preview = preview
        self.user = None
        self.row_numbers: list[int] = []
        # What ``prepare()`` found (see there), for the command and the admin's preview.
        self.sheet = ""
        self.header_rows: list[int] = []
        self.imported_columns: list[str] = []
        self.ignored_columns: list[str] = []
        self.missing_columns: list[str] = []
        self.read_versions: dict[str, dict[int, int]] = {}
        # Called with (rows done, rows in all) after each batch, when set (the command's progress).
        self.progress: Callable[[int, int], None] | None = None
        # Called with each batch's ``Pending`` once its rows are validated, when set: the floor of
        # bench_import writes the same records without the import.
        self.validated: Callable[[Pending], None] | None = None

    def get_result_class(self):
        return LedgerResult

    @cached_property
    def columns(self) -> list[Column]:
        """The columns this resource reads, in order."""
        return [field for field in self.get_import_fields() if isinstance(field, Column)]

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
        kept: list[list] = []
        self.row_numbers = []
        unnamed: set[int] = set()  # columns holding values under no header
        labelled = set(header.columns.values()) | set(header.others)
        width = max(map(len, rows[header.last_row + 1 :]), default=0)
        unlabelled = [c for c in range(width) if c not in labelled]
        for index in range(header.last_row + 1, len(rows)):
            row = rows[index]
            row_name = row[name_at] if name_at < len(row) else None
            # The totals row: 合计… in the name column, or first in a row without a name.
            lead = row_name if not is_blank(row_name) else next((value for value in row if not is_blank(value)), None)
            if isinstance(lead, str) and lead.strip().startswith(headers.TOTAL_PREFIX):
                continue
            # "" rather than None for a missing cell: the preview shows the row's values as they are.
            values = [row[at] if at is not None and at < len(row) and row[at] is not None else "" for at in wanted]
            # Blank in every column imported: a blank line, or a template's numbered empty row.
            if all(is_blank(value) for value in values):
                continue
            unnamed.update(c for c in unlabelled if c < len(row) and not is_blank(row[c]))
            kept.append(values)
            self.row_numbers.append(index + 1)
        table = tablib.Dataset(*kept, headers=[column.column_name for column in self.columns])
        self.imported_columns = sorted(used, key=used.__getitem__)
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

    # -- the whole import ---------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """Import ``dataset`` (a ``BookDataset`` from ``jiaxian.importing``, or a tablib dataset
        whose headers are the sheet's) all or nothing: any bad row and nothing is written.

        Keywords: ``user`` is checked against the departments and recorded in the history;
        ``versions`` are the versions the preview read (``read_versions`` of its resource):
        a record at another version now (changed since) is an error of its row. After a dry run
        (a preview) ``read_versions`` holds the versions of the stored records it read (label →
        id → version), for a confirmation to come."""
        self.user = kwargs.get("user")
        expected = kwargs.get("versions")
        self.expected_versions = (
            None
            if expected is None
            else {label: {int(pk): version for pk, version in ids.items()} for label, ids in expected.items()}
        )
        self.read_versions = {}
        # Only a preview keeps them: an import that writes claims what it read as it writes.
        self.keeps_versions = dry_run
        result = self.get_result_class()()
        try:
            with bulk.cyclic_gc_paused():  # the sheet's rows: many objects, all kept
                table = self.prepare(dataset)
        except (ImportFileError, UnreadableFile) as error:  # a reader may read a sheet when asked for it
            result.append_base_error(Error(error))
            return result
        result.diff_headers = [column.column_name for column in self.columns]
        total = result.total_rows = len(self.row_numbers)
        index_of = {header: index for index, header in enumerate(table.headers or [])}
        unused = self.unused_headers()
        positions = [
            (column, index_of.get(column.column_name)) for column in self.columns if column.column_name not in unused
        ]
        with transaction.atomic():
            self.begin()
            for start in range(0, total, self.BATCH_ROWS):
                stop = min(start + self.BATCH_ROWS, total)
                rows = list(zip(self.row_numbers[start:stop], table[start:stop], strict=True))
                with bulk.cyclic_gc_paused():
                    self.import_batch(rows, positions, result, write=not dry_run)
                if self.progress is not None:
                    self.progress(start + len(rows), total)
            if dry_run or result.has_validation_errors() or result.has_errors():
                transaction.set_rollback(True)
        return result

    # -- what every batch shares, loaded once per import ----------------------------------------

    def begin(self) -> None:
        """Load the reference tables, the year plans and the predecessor links (one query
        each), and start the import's record of rows seen and keys taken."""
        for column in self.columns:
            if isinstance(column.widget, ReferenceCell):
                column.widget.load()
        model = self._meta.model
        predecessors = {}
        if any(field.name == "predecessor" for field in model._meta.concrete_fields):
            links = model._base_manager.filter(predecessor__isnull=False).values_list("pk", "predecessor_id")
            predecessors[model] = dict(links)
        self.batch = self.validation_batch(predecessors)
        self.unique = {related: bulk.UniqueKeys(related) for related in self.validated_models()}
        # Identity of a record ("pk", id), or of a new one ("key", natural key), ("code", code)
        # → the sheet row that is about it.
        self.seen: dict[tuple, int] = {}

    def validation_batch(self, predecessors: dict[type[Model], dict[int, int]]) -> Any:
        """What the records' ``clean()`` read from the batch rather than from the database (each
        record carries it as ``_validation_batch``), loaded once per import: the domain's, which a
        ledger's resource gives (``projects.validation.Batch``), with ``predecessors`` (model →
        id → predecessor id, for the models with predecessor links). None here: every record
        asks the database itself."""
        return None

    def validated_models(self) -> list[type[Model]]:
        """The models whose records a row writes (the ledger's; key projects add listings)."""
        return [self._meta.model]

    @cached_property
    def own_columns(self) -> list[tuple[Column, Any]]:
        """The columns of the ledger's own fields, with each field."""
        model = self._meta.model
        return [
            (column, model._meta.get_field(column.attribute)) for column in self.columns if "__" not in column.attribute
        ]

    @cached_property
    def foreign_keys(self) -> list[Any]:
        return [field for field in self._meta.model._meta.concrete_fields if field.is_relation]

    @cached_property
    def headers_by_attribute(self) -> dict[str, str]:
        return {column.attribute: column.column_name for column in self.columns}

    def header_of(self, attribute: str) -> str:
        return self.headers_by_attribute.get(attribute, attribute)

    # -- one batch ------------------------------------------------------------------------------

    def import_batch(self, rows: list[tuple[int, Sequence]], positions: list, result, write: bool) -> None:
        """Read, validate and (``write``, while no row has failed) write ``rows`` (sheet row
        number, values): one query for their stored records, then, when writing, one claim of
        the changed records' versions and the bulk writes."""
        parsed = [(number, values, *self.read_cells(values, positions)) for number, values in rows]
        self.load_stored(parsed)
        pending = Pending()
        for number, values, cells, errors in parsed:
            self.import_row(number, values, cells, errors, result, pending)
        if self.validated is not None:
            self.validated(pending)
        if write:
            self.write(pending, result)

    def read_cells(self, values: Sequence, positions: list[tuple[Column, int | None]]) -> tuple[dict, dict]:
        """The row's filled-in cells, read by their columns' widgets: (attribute → value,
        attribute → the messages of the cells that cannot be read)."""
        cells: dict[str, Any] = {}
        errors: dict[str, list] = {}
        for column, at in positions:
            value = values[at] if at is not None and at < len(values) else None
            if value is None or (isinstance(value, str) and not value.strip()):  # is_blank, inline: every cell
                continue
            if isinstance(value, FormulaError):  # whatever the column: the value is not there
                errors[column.attribute] = [
                    gettext("The cell shows the formula error %(value)s: correct the formula or type the value.")
                    % {"value": value}
                ]
                continue
            try:
                cells[column.attribute] = column.widget.clean(value)
            except ValidationError as error:
                errors[column.attribute] = list(error.messages)
            except ValueError as error:
                errors[column.attribute] = [str(error)]
        code = cells.get("project_code")
        if code:
            cells["project_code"] = code.upper()
        return cells, errors

    def stored_records(self, condition: Q) -> QuerySet[LedgerRecord]:
        return self._meta.model._base_manager.filter(condition).order_by()

    def load_stored(self, parsed: list) -> None:
        """The stored records the rows of a batch may be about (by code or by name), in one
        query; each gets its reference records from the tables loaded (no query)."""
        codes = {cells["project_code"] for _, _, cells, _ in parsed if cells.get("project_code")}
        names = {cells["name"] for _, _, cells, _ in parsed if cells.get("name")}
        condition = Q(project_code__in=codes) | Q(name__in=names)
        model = self._meta.model
        records = bulk.stored(self.stored_records(condition), bulk.timestamps(model)) if codes or names else []
        references = [
            (field, column.widget.by_pk)
            for column, field in self.own_columns
            if isinstance(column.widget, ReferenceCell)
        ]
        for record in records:
            for field, by_pk in references:
                related = by_pk.get(getattr(record, field.attname))
                if related is not None:
                    field.set_cached_value(record, related)
        self.by_code = {record.project_code: record for record in records if record.project_code}
        self.by_key = {self.key_of(record.name, getattr(record, "year", None)): record for record in records}
        self.unique[self._meta.model].add_stored(records)

    def key_of(self, name: str, year: int | None) -> Hashable:
        return (name, year) if self.has_year else name

    def row_year(self, cells: dict, errors: dict) -> int | None:
        """The row's 年度 if it has one (None when it cannot be read: its column says so), else
        the import's year."""
        if "year" in cells:
            return cells["year"]
        return None if "year" in errors else self.default_year

    # -- one row --------------------------------------------------------------------------------

    def import_row(self, number: int, values: Sequence, cells: dict, errors: dict, result, pending: Pending) -> None:
        name, code = cells.get("name"), cells.get("project_code")
        year = self.row_year(cells, errors)
        record = self.by_code.get(code) if code else None
        if record is None and name:
            record = self.by_key.get(self.key_of(name, year))
        if record is not None:
            identities = [("pk", record.pk)]
        elif name:
            identities = [("key", self.key_of(name, year)), *([("code", code)] if code else [])]
        else:
            identities = []
        earlier = next((self.seen[identity] for identity in identities if identity in self.seen), None)
        if earlier is not None:
            message = gettext("Row %(row)s is already about this project.") % {"row": earlier}
            self.refuse(result, number, values, {"name": [message]})
            return
        for identity in identities:
            self.seen[identity] = number

        new = record is None
        if record is None:
            record = self._meta.model()
            if self.has_year:
                record.year = year
        else:
            self.note_version(record)
        department_before = None if new else record.department_id
        changes: list[tuple[Column, Any, Any]] = []
        changed_fields = self.apply_cells(record, cells, changes)
        extra_changed = self.apply_extra_cells(record, new, cells, changes)
        if new:
            kind = RowResult.IMPORT_TYPE_NEW
        elif changed_fields or extra_changed:
            kind = RowResult.IMPORT_TYPE_UPDATE
        else:
            kind = RowResult.IMPORT_TYPE_SKIP
        if kind != RowResult.IMPORT_TYPE_SKIP or errors:
            errors = self.validate(record, number, department_before, errors)
        if errors:
            self.refuse(result, number, values, errors)
            return
        row = LedgerRow(number, kind, record)
        if changes:
            row.changes = [
                (column.column_name, self.text(column, before), self.text(column, after))
                for column, before, after in changes
            ]
        if self.preview:
            row.diff = self.diff(record, changes)
        result.append_row_result(row)
        result.increment_row_result_total(row)
        if kind == RowResult.IMPORT_TYPE_NEW:
            pending.created.append((row, record, values))
        elif changed_fields:
            pending.updated.append((row, record, changed_fields, values))
        self.pend_extra(row, record, values, pending)

    def apply_cells(self, record: Model, cells: dict, changes: list) -> set[str]:
        """Set the record's fields from the row's cells; the names of those that changed, with
        (column, before, after) appended to ``changes`` for a stored record."""
        changed = set()
        stored = not record._state.adding
        for column, field in self.own_columns:
            if column.attribute not in cells:
                continue
            value = cells[column.attribute]
            if field.is_relation:
                if getattr(record, field.attname) == value.pk:
                    continue
            elif getattr(record, field.attname) == value:
                continue
            if stored:
                changes.append((column, getattr(record, column.attribute), value))
            setattr(record, column.attribute, value)
            changed.add(field.name)
        return changed

    def apply_extra_cells(self, record: Model, new: bool, cells: dict, changes: list) -> bool:
        """Set what a row writes besides the record's own fields (key projects: the listing);
        whether that changed. None here."""
        return False

    def pend_extra(self, row: LedgerRow, record: Model, values: Sequence, pending: Pending) -> None:
        """Add to ``pending`` what a valid row writes besides its record. Nothing here."""

    def note_version(self, record: versions.Versioned) -> None:
        if self.keeps_versions:
            self.read_versions.setdefault(record._meta.label_lower, {})[record.pk] = record.version

    def validate(self, record: LedgerRecord, number: int, department_before: int | None, errors: dict) -> dict:
        """``errors`` (of the cells) plus those of the record: the year, the department rule,
        the model's validation (``model_errors``, in this import's batch) and the unique
        fields and constraints (``UniqueKeys``, against the stored records and the rows)."""
        errors = dict(errors)
        if self.has_year and record.year is None and "year" not in errors:
            errors["year"] = [
                gettext("The year is missing: give it in a %(column)s column, with --year or in the form.")
                % {"column": headers.YEAR}
            ]
        self.check_department(record, department_before, errors)
        record._validation_batch = self.batch
        known = {field.name for field in self.foreign_keys if getattr(record, field.attname) is not None}
        errors = model_errors(record, errors, known=known)
        self.validate_extra(record, number, errors)
        # A stored record is its id; a new one its row, negated (ids are positive): no tuple per row.
        identity = -number if record._state.adding else record.pk
        for field, messages in self.unique[type(record)].check(record, identity).items():
            if field not in errors:
                errors[field] = messages
        return errors

    def validate_extra(self, record: Model, number: int, errors: dict) -> None:
        """Add to ``errors`` those of what the row writes besides the record. None here."""

    def check_department(self, record: Model, department_before: int | None, errors: dict) -> None:
        """Refuse a row whose record's department, before the row (a stored record) or after
        it, the user may not edit (``access.may_edit_department``); no user, no check."""
        if self.user is None or "department" in errors:
            return
        departments = [record.department_id]
        if not record._state.adding:
            departments.insert(0, department_before)
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

    def refuse(self, result, number: int, values: Sequence, errors: dict) -> None:
        """Record row ``number`` as invalid with ``errors`` (attribute → messages), each named
        by its column's header."""
        named: dict[str, list[str]] = {}
        for attribute, messages in errors.items():
            key = attribute if attribute == NON_FIELD_ERRORS else self.header_of(attribute)
            named.setdefault(key, []).extend(messages)  # texts, or the ValidationErrors of full_clean()
        shown = tuple("" if value is None else value for value in values)
        result.invalid_rows.append(InvalidRow(number=number, validation_error=ValidationError(named), values=shown))
        row = LedgerRow(number, RowResult.IMPORT_TYPE_INVALID)
        result.append_row_result(row)
        result.increment_row_result_total(row)

    # -- what the preview and the command show of a row -----------------------------------------

    def value_of(self, record: Model, attribute: str) -> Any:
        target, _, name = attribute.rpartition("__")
        holder = getattr(record, target, None) if target else record
        return None if holder is None else getattr(holder, name)

    @staticmethod
    def text(column: Column, value: Any) -> str:
        return "" if value is None else column.widget.render(value)

    def diff(self, record: Model, changes: list) -> list[str]:
        """The row's cells as the preview shows them (``importing.preview_html``, without style
        attributes, which the content policy refuses): a new record's values as inserted, a
        stored one's as they are, its changed values as the change from the stored value."""
        new = record._state.adding
        before = {column.attribute: self.text(column, value) for column, value, _ in changes}
        cells: list[str] = []
        for column in self.columns:
            after = self.text(column, self.value_of(record, column.attribute))
            cells.append(preview_html("" if new else before.get(column.attribute, after), after))
        return cells

    # -- writing a batch --------------------------------------------------------------------------

    def expected_version(self, record: versions.Versioned) -> int | None:
        """The version ``record`` must still be at: the preview's (None when the preview did not
        read it: it was not there yet), else the one this import read."""
        if self.expected_versions is None:
            return record.version
        return self.expected_versions.get(record._meta.label_lower, {}).get(record.pk)

    def write(self, pending: Pending, result) -> None:
        """Claim the batch's changed records at the versions read (a record changed since is an
        error of its row), then, while no row of the import has failed, write the batch: the
        changed records and the new ones with their history rows, and what comes with them."""
        updates: dict[type[Model], list] = {}
        for entry in pending.updated + pending.related_updated:
            updates.setdefault(type(entry[1]), []).append(entry)
        expected: dict[type[Model], dict[int, int]] = {}
        for model, entries in updates.items():
            wanted = {}
            for row, record, _, values in entries:
                version = self.expected_version(record)
                if version is None:
                    self.turn_stale(result, row, values)
                else:
                    wanted[record.pk] = version
            expected[model] = wanted
            stale = versions.claim_many(model, wanted)
            for row, record, _, values in entries:
                if record.pk in stale:
                    self.turn_stale(result, row, values)
        if result.has_validation_errors():
            return
        for model, entries in updates.items():
            changed = set().union(*(names for _, _, names, _ in entries))
            bulk.update(model, [record for _, record, _, _ in entries], changed, expected[model], self.user)
        created = [record for _, record, _ in pending.created]
        bulk.create(self._meta.model, created, self.user)
        for row, record, _ in pending.created:
            row.object_id = record.pk
            self.seen[("pk", record.pk)] = row.number
        self.write_extra(pending)

    def write_extra(self, pending: Pending) -> None:
        """Write what comes with the batch's records (key projects: milestones and listings)."""

    def turn_stale(self, result, row: LedgerRow, values: Sequence) -> None:
        """Row ``row``'s record changed since it was read: the row becomes an error."""
        if row.import_type == RowResult.IMPORT_TYPE_INVALID:
            return
        result.totals[row.import_type] -= 1
        result.rows.remove(row)
        message = gettext(
            "Someone else changed this record after the import read it (at the preview, or as it began): "
            "nothing was imported. Import the file again to see the change."
        )
        self.refuse(result, row.number, values, {NON_FIELD_ERRORS: [message]})


class Pending:
    """What the valid rows of a batch will write: (row, record, values) of the new records,
    (row, record, changed fields, values) of the changed ones, and the changed records of
    other models that come with them (key projects' listings) and their new ones."""

    def __init__(self):
        self.created: list[tuple[LedgerRow, LedgerRecord, Sequence]] = []
        self.updated: list[tuple[LedgerRow, LedgerRecord, set[str], Sequence]] = []
        self.related_created: list[tuple[LedgerRow, versions.Versioned, Sequence]] = []
        self.related_updated: list[tuple[LedgerRow, versions.Versioned, set[str], Sequence]] = []


def model_errors(instance: Model, errors: dict, known: Iterable[str] = ()) -> dict:
    """``errors`` plus those of ``instance``'s validation, ``full_clean()`` (field checks and
    ``clean()``), on the fields without an error yet.

    Three parts of a full validation are done otherwise, because they ask the database record
    after record what can be known for a whole batch: uniqueness (the import checks the unique
    fields and constraints for all its rows at once, ``jiaxian.bulk.UniqueKeys``); that the
    related records of the fields in ``known`` exist (``ForeignKey.validate``: they were read
    from the database); and the check constraints, which repeat rules of ``clean()`` and of the
    fields' validators as a last guard in the database (every ``CheckConstraint`` of the
    ledgers has its twin there; the database still enforces them on write). Fields the import
    deferred when it read the stored record (its timestamps, ``bulk.timestamps``) are not
    checked: no row sets them, and reading them would cost a query each."""
    exclude = {*errors, *known, *instance.get_deferred_fields()}
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    return errors


def error_lines(result: Result) -> list[tuple[int | None, str, str]]:
    """Every error of ``result`` as (sheet row or None, column header or "", message), in row
    order: what the command prints and the tests read."""
    lines: list[tuple[int | None, str, str]] = [(None, "", str(error.error)) for error in result.base_errors]
    for invalid in sorted(result.invalid_rows, key=lambda row: row.number):
        for key, messages in invalid.error_dict.items():
            for message in messages:
                lines.append((invalid.number, "" if key == NON_FIELD_ERRORS else key, message))
    return lines


def reference(header: str, attribute: str, model: type[CodedModel]) -> Column:
    return Column(header, attribute, ReferenceCell(model))
