"""The quota report's benchmark (``manage.py bench_quotas``): ``quotas.report(plan, as_of)``
against one hand-written SQL statement computing the same figures (the floor), on the
synthetic records of ``data.Filler``; both sides must agree before either is timed."""

from __future__ import annotations

import datetime
import decimal
import json
import random
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment import quotas
from investment.models import AttractionProject
from jiaxian import periods
from jiaxian.models import ratio
from projects.models import AnnualListing, BondReserve, Industry, KeyProject, ProgressReport, YearPlan

from . import timing
from .data import CENT, LEDGERS, Filler, expected_counts, real_records, synthetic

# The figures compared, in the order of the floor statement's columns (two pairs of summed
# amounts whose ratios the report gives: the year's completed and planned investment as
# "key_project_investment_progress", the last two as "attraction_funds_in_place_rate").
FIGURES = (
    "key_projects",
    "key_project_investment",
    "key_project_completed",
    "key_project_planned",
    "bond_reserves",
    "bond_demand",
    "signed",
    "big",
    "key_industry",
    "started",
    "in_production",
    "funds_in_place",
    "contract_amount",
)


def refuse_real_records(command: str) -> None:
    """Refuse a database whose ledgers hold records the benchmarks did not make."""
    foreign = [model.__name__ for model in LEDGERS if real_records(model).exists()]
    if foreign:
        raise CommandError(
            f"This database holds records that {command} did not make ({', '.join(foreign)}). "
            "Use an empty database, or pass --force to run beside them."
        )


def prepare(console: timing.Console, rows: int, seed: int) -> None:
    """Make sure the database holds the synthetic records for ``rows``: reuse them when their
    number matches, fill when there are none, refuse otherwise. On PostgreSQL the tables are
    VACUUM ANALYZEd after a fill, as autovacuum would."""
    wanted = expected_counts(rows)
    present = {model: synthetic(model).count() for model in wanted}
    if present == wanted:
        console.note(f"Reusing the {rows} synthetic attraction projects already present (--fresh to refill).")
        return
    if any(present.values()):
        found = ", ".join(f"{count} {model.__name__}" for model, count in present.items())
        raise CommandError(
            f"The database holds BENCH- records of another size ({found}); pass --fresh to replace them."
        )
    # With the key projects' monthly progress, which the report sums (its completed investment).
    Filler(random.Random(seed), rows, console.progress, monthly_progress=True).fill()
    timing.vacuum_analyze(timing.tables_of(*LEDGERS, AnnualListing, ProgressReport, Industry))


def measure(console: timing.Console, plan: YearPlan, as_of: datetime.date, runs: int) -> dict[str, Any]:
    """The report and the floor, checked to agree, then timed: medians of ``runs`` interleaved
    runs after one warm-up of each; ``queries`` is the number one report issues."""
    sql, params = floor_statement(plan, as_of)

    def run_report():
        return quotas.report(plan, as_of)

    def run_floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()

    with CaptureQueriesContext(connection) as captured:
        report = run_report()  # the warm-up of the report, counted
    row = run_floor()  # the warm-up of the floor
    figures = report_figures(report)
    floor = floor_figures(row)
    console.note(f"Figures of {plan.year} as of {as_of}: {json.dumps({k: str(v) for k, v in figures.items()})}", 2)
    if figures != floor:
        differ = {key: (str(figures[key]), str(floor[key])) for key in figures if figures[key] != floor[key]}
        raise CommandError(f"The report and the SQL statement disagree (report, SQL): {differ}")
    medians = timing.interleaved_medians({"report": run_report, "floor": run_floor}, runs)
    return {
        "report_ms": round(medians["report"], 2),
        "raw_sql_ms": round(medians["floor"], 2),
        "ratio": timing.ratio(medians["report"], medians["floor"]),
        "queries": len(captured.captured_queries),
    }


def floor_statement(plan: YearPlan, as_of: datetime.date) -> tuple[str, list]:
    """One SELECT computing every figure of the report of ``plan`` as of ``as_of``: one
    derived table per ledger, each a single pass of conditional counts and sums, with the
    conditions of the quota report, and one of the listed projects' progress reports of the
    year's months begun by ``as_of`` (the completed investment). Portable SQL: plain CASE
    counts and placeholders only."""
    q = connection.ops.quote_name
    key_project, listing = q(KeyProject._meta.db_table), q(AnnualListing._meta.db_table)
    progress = q(ProgressReport._meta.db_table)
    reserve, project, industry = (
        q(BondReserve._meta.db_table),
        q(AttractionProject._meta.db_table),
        q(Industry._meta.db_table),
    )
    sql = f"""
        SELECT k.listed, k.investment, c.completed, k.planned, b.pooled, b.demand,
               a.signed, a.big, a.key_industry, a.started, a.in_production, a.funds_in_place, a.contract_amount
          FROM (SELECT COUNT(*) AS listed, SUM(p.total_investment) AS investment, SUM(l.planned_investment) AS planned
                  FROM {key_project} p INNER JOIN {listing} l ON l.project_id = p.id
                 WHERE l.year = %s AND l.listed_on <= %s) k
         CROSS JOIN
               (SELECT SUM(r.approved_investment) AS completed
                  FROM {progress} r
                 WHERE r.month >= %s AND r.month <= %s
                   AND r.project_id IN (SELECT l.project_id FROM {listing} l WHERE l.year = %s AND l.listed_on <= %s)) c
         CROSS JOIN
               (SELECT COUNT(*) AS pooled, SUM(r.bond_demand) AS demand
                  FROM {reserve} r
                 WHERE r.year = %s AND r.reserved_on <= %s AND (r.rejected_on IS NULL OR r.rejected_on > %s)) b
         CROSS JOIN
               (SELECT COUNT(*) AS signed,
                       COUNT(CASE WHEN a.contract_amount >= %s AND a.fixed_asset_investment >= %s THEN 1 END) AS big,
                       COUNT(CASE WHEN i.is_key = %s THEN 1 END) AS key_industry,
                       COUNT(CASE WHEN a.started_on <= %s THEN 1 END) AS started,
                       COUNT(CASE WHEN a.in_production_on <= %s THEN 1 END) AS in_production,
                       SUM(a.funds_in_place) AS funds_in_place,
                       SUM(a.contract_amount) AS contract_amount
                  FROM {project} a INNER JOIN {industry} i ON i.id = a.industry_id
                 WHERE a.year = %s AND a.signed_on <= %s) a
    """
    params = [
        *(plan.year, as_of),
        *(periods.year_start(plan.year), as_of, plan.year, as_of),
        *(plan.year, as_of, as_of),
        *(plan.big_project_contract_min, plan.big_project_fixed_asset_min, True, as_of, as_of, plan.year, as_of),
    ]
    return sql, params


def cents(value) -> Decimal:
    """A summed amount as a Decimal to the cent. SQLite hands a sum of decimals back as a
    float, which is read the way Django reads it (15 significant digits)."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float):
        value = decimal.Context(prec=15).create_decimal_from_float(value)
    return Decimal(value).quantize(CENT)


def report_figures(report: quotas.Report) -> dict:
    return {
        "key_projects": report["key_project_count"].numerator,
        "key_project_investment": cents(report["key_project_total_investment"].value),
        "key_project_progress": report["key_project_investment_progress"].value,
        "bond_reserves": report["bond_reserve_count"].numerator,
        "bond_demand": cents(report["bond_reserve_demand"].value),
        "signed": report["attraction_count"].numerator,
        "big": report["attraction_big_share"].numerator,
        "key_industry": report["attraction_key_industry_share"].numerator,
        "started": report["attraction_started_share"].numerator,
        "in_production": report["attraction_production_rate"].numerator,
        "funds_in_place_rate": report["attraction_funds_in_place_rate"].value,
    }


def floor_figures(row) -> dict:
    values = dict(zip(FIGURES, row, strict=True))
    amounts = {
        "key_project_investment",
        "key_project_completed",
        "key_project_planned",
        "bond_demand",
        "funds_in_place",
        "contract_amount",
    }
    figures: dict[str, Any] = {
        key: cents(value) if key in amounts else int(value or 0) for key, value in values.items()
    }
    completed, planned = figures.pop("key_project_completed"), figures.pop("key_project_planned")
    figures["key_project_progress"] = ratio(completed, planned)
    funds, contract = figures.pop("funds_in_place"), figures.pop("contract_amount")
    figures["funds_in_place_rate"] = ratio(funds, contract)
    return figures
