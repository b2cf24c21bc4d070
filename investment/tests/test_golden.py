"""Behaviour kept while the code moves: on the demo data, the API schema, the quarterly
export (the CSV members' bytes, the XLSX's cell values, formats and sheet set-up) and the
figures of the two reports must equal the snapshots in ``golden/``, written before the
structure of the code was changed.

A snapshot changes only on purpose. To rewrite them after a change that is meant to be seen,
run ``JIAXIAN_WRITE_GOLDEN=1 .venv/bin/python -m pytest -n0 investment/tests/test_golden.py``:
each test then writes its file and fails (so that the run can never pass unnoticed), and the
diff of ``golden/`` is reviewed and committed with the change that explains it. A field the
API gains on purpose is listed in ``ADDED_TO_SCHEMA`` instead, so that the rest of the
schema is still compared."""

from __future__ import annotations

import datetime
import io
import json
import os
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone, translation
from drf_spectacular.generators import SchemaGenerator
from openpyxl.utils import get_column_letter
from rest_framework.test import APIClient

GOLDEN = Path(__file__).resolve().parent / "golden"
WRITE = os.environ.get("JIAXIAN_WRITE_GOLDEN") == "1"

# JSON pointers (RFC 6901) into the schema of what was added on purpose since the snapshot;
# they are removed from today's schema before it is compared.
ADDED_TO_SCHEMA: list[str] = [
    # The key projects published as OC4IDS (projects/oc4ids.py, docs/oc4ids.md).
    "/paths/~1api~1oc4ids~1",
    "/paths/~1api~1oc4ids~1{identifier}~1",
    # A reserve's coverage warning against its year's plan (issue 14 item 6).
    "/components/schemas/BondReserve/properties/coverage_warning",
    # The supervision orders and their replies (issue 17 item 2).
    "/paths/~1api~1order-replies~1",
    "/paths/~1api~1order-replies~1{id}~1",
    "/paths/~1api~1order-replies~1{id}~1history~1",
    "/paths/~1api~1supervision-orders~1",
    "/paths/~1api~1supervision-orders~1{id}~1",
    "/paths/~1api~1supervision-orders~1{id}~1history~1",
    "/components/schemas/OrderReply",
    "/components/schemas/OrderReplyDecisionEnum",
    "/components/schemas/OrderReplyRequest",
    "/components/schemas/PaginatedOrderReplyList",
    "/components/schemas/PaginatedSupervisionOrderList",
    "/components/schemas/PatchedOrderReplyRequest",
    "/components/schemas/PatchedSupervisionOrderRequest",
    "/components/schemas/SupervisionOrder",
    "/components/schemas/SupervisionOrderLevelEnum",
    "/components/schemas/SupervisionOrderRequest",
    "/components/schemas/SupervisionOrderStageEnum",
    # The review of monthly reports (issue 17 item 1).
    "/paths/~1api~1progress-reports~1approve~1",
    "/paths/~1api~1progress-reports~1return~1",
    "/paths/~1api~1progress-reports~1submit~1",
    "/paths/~1api~1progress-reports~1{id}~1approve~1",
    "/paths/~1api~1progress-reports~1{id}~1return~1",
    "/paths/~1api~1progress-reports~1{id}~1submit~1",
    "/components/schemas/ProgressReport/properties/stage",
    "/components/schemas/ProgressReport/properties/submitted_at",
    "/components/schemas/ProgressReport/properties/approved_at",
    "/components/schemas/ProgressReport/properties/approved_investment",
    "/components/schemas/ProgressReport/properties/returned_at",
    "/components/schemas/ProgressReport/properties/return_reason",
    "/components/schemas/ReviewActionRequest",
    "/components/schemas/ReviewBatchRequest",
    "/components/schemas/ProgressReportStageEnum",
    # The dispatch meetings and their decisions, 转督办 (issue 17 item 3).
    "/paths/~1api~1dispatch-meetings~1",
    "/paths/~1api~1dispatch-meetings~1{id}~1",
    "/paths/~1api~1dispatch-meetings~1{id}~1history~1",
    "/paths/~1api~1dispatch-meetings~1{id}~1decisions~1",
    "/paths/~1api~1dispatch-meetings~1{id}~1decisions~1{decision_id}~1to-order~1",
    "/paths/~1api~1meeting-decisions~1",
    "/paths/~1api~1meeting-decisions~1{id}~1",
    "/paths/~1api~1meeting-decisions~1{id}~1history~1",
    "/components/schemas/DecisionToOrderRequest",
    "/components/schemas/DispatchMeeting",
    "/components/schemas/DispatchMeetingKindEnum",
    "/components/schemas/DispatchMeetingRequest",
    "/components/schemas/MeetingDecision",
    "/components/schemas/MeetingDecisionRequest",
    "/components/schemas/PaginatedDispatchMeetingList",
    "/components/schemas/PaginatedMeetingDecisionList",
    "/components/schemas/PatchedDispatchMeetingRequest",
    "/components/schemas/PatchedMeetingDecisionRequest",
    # The supervision orders' actions: an order's replies, accepting and returning (issue 17 item 5).
    "/paths/~1api~1supervision-orders~1{id}~1replies~1",
    "/paths/~1api~1supervision-orders~1{id}~1accept~1",
    "/paths/~1api~1supervision-orders~1{id}~1return~1",
    "/components/schemas/OrderReplyCreationRequest",
    "/components/schemas/OrderDecisionRequest",
    # The year plan's due day of monthly reports (issue 17 item 1).
    "/components/schemas/YearPlan/properties/progress_due_day",
    "/components/schemas/YearPlanRequest/properties/progress_due_day",
    "/components/schemas/PatchedYearPlanRequest/properties/progress_due_day",
    # The rankings of the departments and areas (issue 18 item 1).
    "/paths/~1api~1reports~1rankings~1",
    "/components/schemas/RankingFigure",
    "/components/schemas/RankingIndicator",
    "/components/schemas/Rankings",
    "/components/schemas/RankingUnitEnum",
    "/components/schemas/UnitRanking",
    # The monthly rankings circular (issue 18 item 2).
    "/paths/~1api~1exports~1circular~1",
    # The signed-in person's notifications (issue 18 item 3).
    "/paths/~1api~1notifications~1",
    "/paths/~1api~1notifications~1{id}~1",
    "/paths/~1api~1notifications~1{id}~1read~1",
    "/paths/~1api~1notifications~1read-all~1",
    "/components/schemas/Notification",
    "/components/schemas/PaginatedNotificationList",
    "/components/schemas/MarkedRead",
    # The monthly circular's filings (issue 18 item 2).
    "/paths/~1api~1circular-filings~1",
    "/paths/~1api~1circular-filings~1{id}~1",
    "/paths/~1api~1circular-filings~1{id}~1download~1",
    "/components/schemas/CircularFiling",
    "/components/schemas/CircularFilingRequest",
    "/components/schemas/PaginatedCircularFilingList",
    # The attachments of records (issue 19 item 5).
    "/paths/~1api~1attachments~1",
    "/paths/~1api~1attachments~1{id}~1",
    "/paths/~1api~1attachments~1{id}~1download~1",
    "/paths/~1api~1attachments~1{id}~1history~1",
    "/paths/~1api~1attachments~1{id}~1thumbnail~1",
    "/components/schemas/Attachment",
    "/components/schemas/AttachmentKindEnum",
    "/components/schemas/AttachmentRequest",
    "/components/schemas/AttachmentUploadRequest",
    "/components/schemas/PaginatedAttachmentList",
    "/components/schemas/PatchedAttachmentRequest",
    "/components/schemas/RecordTypeEnum",
    # The year plan's indicators, their monthly values and their review, the figures (issue 20).
    "/paths/~1api~1indicator-values~1",
    "/paths/~1api~1indicator-values~1approve~1",
    "/paths/~1api~1indicator-values~1return~1",
    "/paths/~1api~1indicator-values~1submit~1",
    "/paths/~1api~1indicator-values~1{id}~1",
    "/paths/~1api~1indicator-values~1{id}~1approve~1",
    "/paths/~1api~1indicator-values~1{id}~1history~1",
    "/paths/~1api~1indicator-values~1{id}~1return~1",
    "/paths/~1api~1indicator-values~1{id}~1submit~1",
    "/paths/~1api~1plan-indicators~1",
    "/paths/~1api~1plan-indicators~1{id}~1",
    "/paths/~1api~1plan-indicators~1{id}~1history~1",
    "/paths/~1api~1reports~1indicators~1",
    "/components/schemas/IndicatorAccumulationEnum",
    "/components/schemas/IndicatorAreaEnum",
    "/components/schemas/IndicatorComparisonEnum",
    "/components/schemas/IndicatorFrequencyEnum",
    "/components/schemas/IndicatorFigure",
    "/components/schemas/IndicatorReport",
    "/components/schemas/IndicatorValue",
    "/components/schemas/IndicatorValueRequest",
    "/components/schemas/PaginatedIndicatorValueList",
    "/components/schemas/PaginatedPlanIndicatorList",
    "/components/schemas/PatchedIndicatorValueRequest",
    "/components/schemas/PatchedPlanIndicatorRequest",
    "/components/schemas/PlanIndicator",
    "/components/schemas/PlanIndicatorRequest",
    # The quota report's include=indicators (the parameters are in alphabetical order).
    "/paths/~1api~1reports~1quotas~1/get/parameters/1",
    "/components/schemas/QuotaReport/properties/plan_indicators",
]

EXPORTS = [(2023, 2, "xlsx"), (2023, 4, "xlsx"), (2023, 4, "csv")]
WRITTEN_AT = datetime.datetime(2024, 1, 5, 9, 30, tzinfo=datetime.UTC)
REPORT_DATES = ["2023-03-31", "2023-06-30", "2023-08-15", "2023-12-31"]


def compare(name: str, today: Any) -> None:
    """Equal to the snapshot ``golden/<name>.json``; with JIAXIAN_WRITE_GOLDEN=1, write it."""
    path = GOLDEN / f"{name}.json"
    text = as_text(today) + "\n"
    if WRITE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.fail(f"wrote {path.name}: review the diff, commit it, and run again without JIAXIAN_WRITE_GOLDEN")
    assert path.exists(), f"no snapshot {path.name}: write it with JIAXIAN_WRITE_GOLDEN=1"
    before = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(text) == before, f"{name} differs from golden/{path.name}"


def as_text(value: Any, indent: str = "") -> str:
    """JSON with sorted keys, a key or an item a line, but a list of plain values on one line
    (a cell is one line of the diff)."""
    inner = indent + " "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(key, ensure_ascii=False)}: {as_text(value[key], inner)}" for key in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        return "[\n" + ",\n".join(inner + as_text(item, inner) for item in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


def without(document: dict, pointers: list[str]) -> dict:
    for pointer in pointers:
        *parents, last = [part.replace("~1", "/").replace("~0", "~") for part in pointer.lstrip("/").split("/")]
        node: Any = document
        owner: Any = None  # the object schema whose ``properties`` hold ``last``, if they do
        for part in parents:
            owner = node
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):  # an item of a list (a parameter), by its index
            assert int(last) < len(node), f"{pointer} is not in the schema: take it out of ADDED_TO_SCHEMA"
            del node[int(last)]
            continue
        assert last in node, f"{pointer} is not in the schema: take it out of ADDED_TO_SCHEMA"
        del node[last]
        # A property's "required" entry is on the object schema, beside its "properties".
        if parents and parents[-1] == "properties" and last in owner.get("required", []):
            owner["required"].remove(last)
    return document


def plain(value: Any) -> Any:
    """A cell's value as JSON: exact decimals and dates as text, the generation time hidden."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        # 3199990 and 3199990.0 are one number (a backend may give the decimal places).
        return format(Decimal(str(value)).normalize(), "f")
    return value


def colour(color) -> str | None:
    """A colour as written: its RGB, or the theme or palette entry it names."""
    if color is None:
        return None
    if color.type == "rgb":
        return color.rgb
    return f"{color.type}:{getattr(color, color.type)}:{color.tint}"


def style_of(cell) -> dict:
    font, fill, alignment = cell.font, cell.fill, cell.alignment
    return {
        "number_format": cell.number_format,
        "font": [font.name, font.sz and float(font.sz), bool(font.b), bool(font.i), colour(font.color)],
        "fill": [fill.fill_type, colour(fill.fgColor)],
        "alignment": [alignment.horizontal, alignment.vertical, bool(alignment.wrap_text)],
    }


def column_widths(sheet) -> dict[str, float]:
    """Every column's width by its letter, whether the file gives each column its own ``<col>``
    or one to a run of columns of the same width."""
    return {
        get_column_letter(index): dimension.width
        for dimension in sheet.column_dimensions.values()
        if dimension.width
        for index in range(dimension.min, dimension.max + 1)
    }


def workbook_snapshot(content: bytes) -> dict:
    """Every sheet's set-up and every cell's value and format, each distinct format once."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    styles: list[dict] = []
    sheets = []
    for sheet in book.worksheets:
        setup, fit = sheet.page_setup, sheet.sheet_properties.pageSetUpPr
        cells = []
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                style = style_of(cell)
                if style not in styles:
                    styles.append(style)
                cells.append([cell.coordinate, plain(cell.value), cell.data_type, styles.index(style)])
        sheets.append(
            {
                "title": sheet.title,
                "dimensions": sheet.dimensions,
                "freeze_panes": sheet.freeze_panes,
                "print_title_rows": sheet.print_title_rows,
                "print_title_cols": sheet.print_title_cols,
                "print_area": sheet.print_area,
                "orientation": setup.orientation,
                "paper_size": setup.paperSize and int(setup.paperSize),
                "fit_to_page": bool(fit and fit.fitToPage),
                "fit_to": [setup.fitToWidth and int(setup.fitToWidth), setup.fitToHeight and int(setup.fitToHeight)],
                "header": [sheet.oddHeader.left.text, sheet.oddHeader.center.text, sheet.oddHeader.right.text],
                "footer": [sheet.oddFooter.left.text, sheet.oddFooter.center.text, sheet.oddFooter.right.text],
                "auto_filter": sheet.auto_filter.ref,
                "merged": sorted(str(cells) for cells in sheet.merged_cells.ranges),
                "widths": column_widths(sheet),
                "cells": cells,
            }
        )
    return {"sheets": sheets, "styles": styles}


@pytest.fixture
def api_client(demo_data, admin_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_the_api_schema_is_the_one_before_the_move(db):
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON, as a client reads it (lazy texts become strings, tuples lists).
    # The integers' bounds come from the database's column types (SQLite's are all 64-bit).
    compare(f"schema-{connection.vendor}", without(json.loads(json.dumps(schema, default=str)), ADDED_TO_SCHEMA))


@pytest.mark.parametrize("year,quarter,kind", EXPORTS, ids=[f"{y}Q{q}-{k}" for y, q, k in EXPORTS])
def test_the_quarterly_export_is_the_one_before_the_move(demo_data, tmp_path, monkeypatch, year, quarter, kind):
    # The export states when it was written: the same moment for every run.
    monkeypatch.setattr(timezone, "now", lambda: WRITTEN_AT)
    path = tmp_path / f"export.{kind}"
    call_command("export_quarter", year=year, quarter=quarter, format=kind, output=str(path), stdout=io.StringIO())
    if kind == "xlsx":
        snapshot = workbook_snapshot(path.read_bytes())
    else:
        with zipfile.ZipFile(path) as archive:
            # The members' bytes, exactly (BOM, line ends, quoting), as text for a readable diff.
            snapshot = {member: archive.read(member).decode("utf-8") for member in sorted(archive.namelist())}
    compare(f"export-{year}Q{quarter}-{kind}", snapshot)


@pytest.mark.parametrize("report", ["quotas", "chain-conversion"])
def test_the_reports_figures_are_the_ones_before_the_move(api_client, report):
    figures = {}
    for as_of in REPORT_DATES:
        response = api_client.get(f"/api/reports/{report}/", {"year": 2023, "as_of": as_of})
        assert response.status_code == 200, response.content
        figures[as_of] = response.json()
        # The day the reviewed figures are known on (issue 17): null, known now; the figures
        # themselves are the ones before.
        assert figures[as_of].pop("known_on", None) is None
    compare(f"report-{report}", figures)
