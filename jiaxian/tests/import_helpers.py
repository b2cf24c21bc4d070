"""Helpers of the import tests: sheets written the way a clerk's Excel or the export writes them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import openpyxl
import tablib

from jiaxian.importing import BookDataset, read_book
from jiaxian.resources import error_lines


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    sheet: str = "Sheet1",
    extra_sheets: dict | None = None,
    merges: Sequence[str] = (),
) -> bytes:
    """A workbook whose sheet ``sheet`` holds ``rows`` from row 1 (None: an empty cell, [] an
    empty row), with the cells of ``merges`` ("E1:F1", ...) merged, after the sheets of
    ``extra_sheets`` (name → rows)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, lines in {**(extra_sheets or {}), sheet: rows}.items():
        worksheet = workbook.create_sheet(name)
        for line in lines:
            worksheet.append(list(line) if line else [None])
    for merge in merges:
        workbook[sheet].merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(["" if v is None else v for v in row] for row in rows)
    return text.getvalue().encode(encoding)


def dataset(data: bytes, name: str = "ledger.xlsx") -> tablib.Dataset:
    return BookDataset(read_book(data, name))


def run(resource, data: bytes, *, name: str = "ledger.xlsx", dry_run: bool = False, user=None, versions=None):
    """Import ``data`` with ``resource`` (``versions``: those a preview read); the result."""
    return resource.import_data(dataset(data, name), dry_run=dry_run, user=user, versions=versions)


def errors(result) -> list[tuple[int | None, str, str]]:
    return error_lines(result)


def kinds(result) -> list[tuple[int, str]]:
    """(sheet row, new|update|skip) of every row imported."""
    return [(row.number, row.import_type) for row in result.rows]
