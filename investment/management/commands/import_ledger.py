"""``manage.py import_ledger --model attraction-projects|key-projects|bond-reserves FILE [--dry-run]``.

Imports one ledger from a workbook (.xlsx, .xlsm, .xls, .ods), a CSV file (UTF-8, or GB18030/GBK
as Excel on a Chinese Windows saves it) or the quarterly export's zip of CSVs, told apart by
their content (``jiaxian/importing.py``), through the same resource as the admin's import
(``projects/resources.py`` says what a row does). It first prints the sheet and header rows it
used, the columns it imports and those it does not (未导入的列：备注). All or nothing: any bad
row and nothing is written; every error is printed as ``第N行 [column] message`` and the
command exits with status 1. ``--dry-run`` prints what each row would do (新建 created,
更新 updated with its changes, 未变 unchanged) and writes nothing.

``--year`` gives the year of attraction projects and bond reserves without a ``年度`` column,
and of the key projects' listing (default: the ``年度`` of the workbook's ``汇总`` sheet).
``--user USERNAME`` imports as that user: their departments are enforced and the history
records them. Without it the import runs as the operator of the server, like
``export_quarter``: every department, and history entries without a user.

A progress line goes to stderr every 1,000 rows (none at ``--verbosity 0``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from import_export.results import RowResult

from investment.resources import AttractionProjectResource
from jiaxian import periods
from jiaxian.importing import BookDataset, Limits, UnreadableFile, read_book
from jiaxian.params import command_argument
from jiaxian.resources import LedgerResource, error_lines
from projects.resources import BondReserveResource, KeyProjectResource

RESOURCES: dict[str, type[LedgerResource]] = {
    "attraction-projects": AttractionProjectResource,
    "key-projects": KeyProjectResource,
    "bond-reserves": BondReserveResource,
}
PROGRESS_EVERY = 1_000
VERBS = {
    RowResult.IMPORT_TYPE_NEW: "新建",
    RowResult.IMPORT_TYPE_UPDATE: "更新",
    RowResult.IMPORT_TYPE_SKIP: "未变",
}


class Command(BaseCommand):
    help = (
        "Import a ledger from XLSX, XLS, ODS or CSV whose headers are the quarterly export's (title rows, derived "
        "columns and the totals row are skipped). All or nothing: any bad row and nothing is written, every error is "
        "printed with its row and column, and the command exits 1. --dry-run shows each row's change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--model", required=True, choices=sorted(RESOURCES), help="The ledger to import.")
        parser.add_argument("file", help="An .xlsx, .xlsm, .xls, .ods, a .csv, or the export's .csv.zip.")
        parser.add_argument("--dry-run", action="store_true", help="Show what each row would do; write nothing.")
        parser.add_argument(
            "--year",
            type=command_argument(periods.parse_year),
            help="Year of rows without a 年度 column, and of the key projects' listing.",
        )
        parser.add_argument("--user", help="Import as this user (departments enforced, recorded in the history).")

    def handle(self, *args, model, file, dry_run, year, user, **options):
        path = Path(file)
        limits = Limits.from_settings()
        try:
            limits.check_upload(path.stat().st_size)  # before reading it into memory
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except UnreadableFile as error:
            raise CommandError(str(error)) from None
        importer = None
        if user is not None:
            try:
                importer = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"There is no user {user}.") from None
        try:
            dataset = BookDataset(read_book(data, path.name, limits))
        except UnreadableFile as error:
            raise CommandError(str(error)) from None
        resource = RESOURCES[model](year=year, preview=False)
        resource.progress = self.progress if options["verbosity"] > 0 else None
        result = resource.import_data(dataset, dry_run=dry_run, user=importer)
        for line in self.found(resource):
            self.stdout.write(line)
        errors = error_lines(result)
        if errors:
            for row, column, message in errors:
                where = f"第{row}行" if row is not None else "文件"
                self.stderr.write(f"{where} [{column}] {message}" if column else f"{where} {message}")
            raise CommandError(f"{len(errors)} error(s) in {file}: nothing was imported.", returncode=1)
        if dry_run or options["verbosity"] > 1:
            for row in result.rows:
                verb = VERBS.get(row.import_type, row.import_type)
                line = f"第{row.number}行 {verb} {row.object_repr or ''}".rstrip()
                if row.import_type == RowResult.IMPORT_TYPE_UPDATE:
                    line += "：" + "；".join(
                        f"{column} {before or '（空）'} → {after}" for column, before, after in row.changes
                    )
                self.stdout.write(line)
        totals = result.totals
        summary = (
            f"{'Dry run, nothing written: ' if dry_run else ''}"
            f"{totals[RowResult.IMPORT_TYPE_NEW]} created, {totals[RowResult.IMPORT_TYPE_UPDATE]} updated, "
            f"{totals[RowResult.IMPORT_TYPE_SKIP]} unchanged."
        )
        self.stdout.write(summary)

    @staticmethod
    def found(resource: LedgerResource) -> list[str]:
        """What the import read: the sheet and its header rows, the columns imported and those
        not, and the required ones missing."""
        lines = []
        if resource.header_rows:
            rows = resource.header_rows
            span = str(rows[0]) if len(rows) == 1 else f"{rows[0]}–{rows[-1]}"
            lines.append(
                gettext("Sheet “%(sheet)s”, header in row(s) %(rows)s.") % {"sheet": resource.sheet, "rows": span}
            )
            lines.append(gettext("Columns imported: %(columns)s") % {"columns": "、".join(resource.imported_columns)})
        if resource.ignored_columns:
            lines.append(
                gettext("Columns not imported: %(columns)s") % {"columns": "、".join(resource.ignored_columns)}
            )
        if resource.missing_columns:
            lines.append(gettext("Columns missing: %(columns)s") % {"columns": "、".join(resource.missing_columns)})
        return lines

    def progress(self, done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            sys.stderr.write(f"\r{done}/{total} rows")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()
