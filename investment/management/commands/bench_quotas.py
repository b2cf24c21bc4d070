"""``manage.py bench_quotas --rows N``: how far the quota report is from the fastest it could be.

Fills the current database with N synthetic attraction projects, N/10 key projects (each
listed for one to three years) and N/10 special-bond reserves, spread over 2019–2024 with a
plan for each year; then times ``quotas.report(plan, as_of)`` against one hand-written SQL
statement that computes the same figures (the floor), checks that both agree, and prints one
JSON line on stdout:

    {"rows": N, "vendor": "sqlite", "report_ms": 41.3, "raw_sql_ms": 39.8, "ratio": 1.04, "queries": 3}

Times are medians of ``--runs`` runs of each side, interleaved, after one warm-up of each, with
DEBUG's query log off as in production; ``queries`` is the number of queries one report
issues. A progress bar goes to stderr while it fills (none at ``--verbosity 0``;
``--verbosity 2`` also writes the figures there). On PostgreSQL the tables are VACUUM ANALYZEd
after a fill, as autovacuum would.

Safe by construction: it runs only with DEBUG on; every record it makes has a name (and
reference data a code) starting with ``BENCH-``; it refuses a database whose ledgers hold
records of any other name unless ``--force``; it deletes only ``BENCH-`` records
(``--fresh``, ``--delete``), with plain SQL so that no signal writes a history row for them.
Records are made with ``bulk_create``, valid under the models' rules but without
``full_clean`` and without history rows. Year plans it finds are used as they are; missing
ones are made with the default targets and kept.
"""

from __future__ import annotations

import datetime
import decimal
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models.functions import Left
from django.test.utils import CaptureQueriesContext, override_settings

from investment import quotas
from investment.choices import AttractionProjectInvestorOriginChoices
from investment.models import AttractionProject
from jiaxian import periods
from jiaxian.models import ratio
from jiaxian.params import command_argument
from projects.choices import AnnualListingCategoryChoices, AreaKindChoices, KeyProjectNatureChoices
from projects.models import (
    AnnualListing,
    Area,
    BondReserve,
    Department,
    Industry,
    KeyProject,
    Sector,
    YearPlan,
)

PREFIX = "BENCH-"
YEARS = tuple(range(2019, 2025))
# Every date the fill makes lies within YEARS, so that none is in the future whenever it runs.
LAST_DAY = datetime.date(YEARS[-1], 12, 31)
BATCH = 5_000
CENT = Decimal("0.01")
# (code suffix, is_key): four key industries out of ten.
INDUSTRIES = [(f"IND-{n:02d}", n <= 4) for n in range(1, 11)]
AREAS = [f"AREA-{n:02d}" for n in range(1, 13)]
DEPARTMENTS = [f"DEPT-{n:02d}" for n in range(1, 16)]
SECTORS = [f"SEC-{n:02d}" for n in range(1, 7)]

# The figures compared, in the order of the floor statement's columns (the last two are
# summed amounts whose ratio the report gives as "attraction_funds_in_place_rate").
FIGURES = (
    "key_projects",
    "key_project_investment",
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


class Command(BaseCommand):
    help = (
        "Benchmark the quota report (DEBUG only, never on real data): fill the database with N synthetic "
        "attraction projects and N/10 key projects and bond reserves (names starting BENCH-, years "
        f"{YEARS[0]}-{YEARS[-1]}), time quotas.report() for --year as of --as-of against one hand-written "
        "SQL statement computing the same figures, check that they agree and print one JSON line "
        '{"rows", "vendor", "report_ms", "raw_sql_ms", "ratio", "queries"}. Synthetic rows already present '
        "in the right number are reused; --fresh replaces them. Refuses a database whose ledgers hold "
        "records not named BENCH- unless --force. On PostgreSQL the tables are VACUUM ANALYZEd after a fill."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rows", type=int, default=10_000, help="Number of attraction projects to make (default 10000)."
        )
        parser.add_argument(
            "--runs", type=int, default=7, help="Timed runs of each side; the median is printed (default 7)."
        )
        parser.add_argument(
            "--year",
            type=command_argument(periods.parse_year),
            default=2023,
            help=f"Plan year of the report, {YEARS[0]}-{YEARS[-1]} (default 2023).",
        )
        parser.add_argument(
            "--as-of",
            type=command_argument(periods.parse_date),
            default=None,
            help="Date of the report, YYYY-MM-DD (default: 30 June of --year).",
        )
        parser.add_argument("--seed", type=int, default=2023, help="Seed of the synthetic data (default 2023).")
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="Delete the BENCH- records left by an earlier run and fill anew (otherwise they are reused "
            "when their number matches --rows, whatever --seed made them, and refused when it does not).",
        )
        parser.add_argument("--delete", action="store_true", help="Only delete the BENCH- records, then stop.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run although the ledgers hold records that are not BENCH- records (they are left alone and "
            "counted in both figures). Never overrides the DEBUG check.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "bench_quotas fills the database with synthetic records: it runs only with DJANGO_DEBUG=1, "
                "on a development or benchmark database."
            )
        rows, runs, year = options["rows"], options["runs"], options["year"]
        as_of = options["as_of"] or datetime.date(year, 6, 30)
        if isinstance(as_of, str):  # call_command(as_of="2023-06-30") does not go through the parser
            try:
                as_of = periods.parse_date(as_of, "--as-of")
            except periods.PeriodParameterError as exc:
                raise CommandError(f"--as-of: {exc.message}") from exc
        self.verbosity = options["verbosity"]
        if options["delete"]:
            with override_settings(DEBUG=False):
                deleted = delete_synthetic()
            self.stdout.write(f"Deleted {deleted} BENCH- records.")
            return
        if rows < 1 or runs < 1:
            raise CommandError("--rows and --runs must be at least 1.")
        if year not in YEARS:
            raise CommandError(f"--year must be one of {YEARS[0]}-{YEARS[-1]}, the years the fill covers.")
        if not options["force"]:
            foreign = [model.__name__ for model in LEDGERS if real_records(model).exists()]
            if foreign:
                raise CommandError(
                    f"This database holds records that bench_quotas did not make ({', '.join(foreign)}). "
                    "Use an empty database, or pass --force to run beside them."
                )
        # From here on without DEBUG's query log: a million inserts would go through it (on
        # SQLite it even asks the database to quote each query's parameters), its cap of 9,000
        # queries would leave CaptureQueriesContext counting nothing, and it would add to every
        # timed query of both sides, which production does not.
        with override_settings(DEBUG=False):
            if options["fresh"]:
                delete_synthetic()
            self.prepare(rows, options["seed"])
            plan = YearPlan.for_year(year)
            result = self.measure(plan, as_of, runs)
        self.stdout.write(json.dumps({"rows": rows, "vendor": connection.vendor, **result}))

    # --- the data ----------------------------------------------------------------------------

    def prepare(self, rows: int, seed: int) -> None:
        """Make sure the database holds the synthetic records for ``rows``: reuse them when
        their number matches, fill when there are none, refuse otherwise."""
        wanted = expected_counts(rows)
        present = {model: synthetic(model).count() for model in wanted}
        if present == wanted:
            self.note(f"Reusing the {rows} synthetic attraction projects already present (--fresh to refill).")
            return
        if any(present.values()):
            found = ", ".join(f"{count} {model.__name__}" for model, count in present.items())
            raise CommandError(
                f"The database holds BENCH- records of another size ({found}); pass --fresh to replace them."
            )
        Filler(random.Random(seed), rows, self.progress).fill()
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a load like this: statistics for the planner and the
            # visibility map that index-only scans need. VACUUM cannot run inside a transaction
            # (a test's), where ANALYZE alone is done.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for model in (*LEDGERS, AnnualListing, Industry):
                    cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")

    # --- the timing --------------------------------------------------------------------------

    def measure(self, plan: YearPlan, as_of: datetime.date, runs: int) -> dict:
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
        self.note(f"Figures of {plan.year} as of {as_of}: {json.dumps({k: str(v) for k, v in figures.items()})}", 2)
        if figures != floor:
            differ = {key: (str(figures[key]), str(floor[key])) for key in figures if figures[key] != floor[key]}
            raise CommandError(f"The report and the SQL statement disagree (report, SQL): {differ}")

        report_times, floor_times = [], []
        for _run in range(runs):  # interleaved, so that neither side has the warmer cache throughout
            report_times.append(elapsed_ms(run_report))
            floor_times.append(elapsed_ms(run_floor))
        report_ms = statistics.median(report_times)
        floor_ms = statistics.median(floor_times)
        return {
            "report_ms": round(report_ms, 2),
            "raw_sql_ms": round(floor_ms, 2),
            "ratio": round(report_ms / floor_ms, 2) if floor_ms else None,
            "queries": len(captured.captured_queries),
        }

    # --- output ------------------------------------------------------------------------------

    def note(self, message: str, verbosity: int = 1) -> None:
        if self.verbosity >= verbosity:
            self.stderr.write(message, style_func=plain)

    def progress(self, label: str, total: int) -> Progress:
        return Progress(self.stderr if self.verbosity >= 1 else None, label, total)


def plain(text: str) -> str:
    return text


def elapsed_ms(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


class Progress:
    """A one-line progress bar redrawn with a carriage return: label, bar, percentage, count."""

    WIDTH = 30

    def __init__(self, stream, label: str, total: int):
        self.stream, self.label, self.total, self.done = stream, label, max(total, 1), 0
        self.draw()

    def advance(self, count: int) -> None:
        self.done += count
        self.draw()

    def draw(self) -> None:
        if self.stream is None:
            return
        share = min(self.done / self.total, 1)
        bar = "#" * round(share * self.WIDTH)
        line = f"\r{self.label:<22} [{bar:<{self.WIDTH}}] {share:4.0%} {self.done:>9,}/{self.total:,}"
        self.stream.write(line, style_func=plain, ending="")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("", style_func=plain)


# --- synthetic records ----------------------------------------------------------------------

LEDGERS = (KeyProject, BondReserve, AttractionProject)


def prefixed(model):
    """The records of ``model`` with ``bench_prefix``, the start of their name: compared with
    ``=``, which is case-sensitive on SQLite too (``startswith`` there is LIKE, which is not)."""
    return model.objects.alias(bench_prefix=Left("name", len(PREFIX)))


def synthetic(model):
    return prefixed(model).filter(bench_prefix=PREFIX)


def real_records(model):
    return prefixed(model).exclude(bench_prefix=PREFIX)


def expected_counts(rows: int) -> dict:
    tenth = max(1, rows // 10)
    return {AttractionProject: rows, KeyProject: tenth, BondReserve: tenth}


def delete_synthetic() -> int:
    """Delete every BENCH- record of the ledgers (their listings with them) in plain SQL: an
    ORM delete would load each record and write a history row for it. Links from other
    records to them are cleared first, as the models' SET_NULL would. Reference data and year
    plans stay. Returns the number of records deleted."""
    real_attraction = real_records(AttractionProject).values("pk")
    AttractionProject.objects.filter(pk__in=real_attraction, key_project__in=synthetic(KeyProject).values("pk")).update(
        key_project=None
    )
    for model in (KeyProject, AttractionProject):
        model.objects.filter(
            pk__in=real_records(model).values("pk"), predecessor__in=synthetic(model).values("pk")
        ).update(predecessor=None)
    table = {model: connection.ops.quote_name(model._meta.db_table) for model in (*LEDGERS, AnnualListing)}
    is_synthetic = f"SUBSTR(name, 1, {len(PREFIX)}) = %s"
    deleted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table[AnnualListing]} WHERE project_id IN "
            f"(SELECT id FROM {table[KeyProject]} WHERE {is_synthetic})",
            [PREFIX],
        )
        for model in (AttractionProject, BondReserve, KeyProject):
            cursor.execute(f"DELETE FROM {table[model]} WHERE {is_synthetic}", [PREFIX])
            deleted += cursor.rowcount
    return deleted


def batches(total: int, size: int = BATCH) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))


def amount(quarters: int) -> Decimal:
    return (Decimal(quarters) / 4).quantize(CENT)


class Filler:
    """Makes the synthetic records, the same ones for the same seed and number.

    Records of each ledger are spread evenly over YEARS in year order, as a ledger kept year
    after year grows. Amounts are whole quarters of a 万元 (.00, .25, .50, .75): SQLite sums
    decimals as binary floats, and quarters add up exactly, so that the two sides can be
    compared to the cent. Dates keep the models' order and never pass LAST_DAY.
    """

    def __init__(self, rng: random.Random, rows: int, progress: Callable[[str, int], Progress]):
        self.rng, self.rows, self.progress = rng, rows, progress
        counts = expected_counts(rows)
        self.key_projects, self.reserves = counts[KeyProject], counts[BondReserve]

    def fill(self) -> None:
        self.reference_data()
        for year in YEARS:
            YearPlan.objects.get_or_create(year=year)
        self.fill_key_projects()
        self.fill_reserves()
        self.fill_attraction()

    def reference_data(self) -> None:
        def ensure(model, code: str, **fields) -> int:
            obj, _created = model.objects.get_or_create(code=PREFIX + code, defaults={"name": PREFIX + code, **fields})
            return obj.pk

        kinds = AreaKindChoices.values
        self.key_industries = [ensure(Industry, code, is_key=True) for code, is_key in INDUSTRIES if is_key]
        self.other_industries = [ensure(Industry, code, is_key=False) for code, is_key in INDUSTRIES if not is_key]
        self.areas = [ensure(Area, code, kind=kinds[n % len(kinds)]) for n, code in enumerate(AREAS)]
        self.departments = [ensure(Department, code) for code in DEPARTMENTS]
        self.sectors = [ensure(Sector, code) for code in SECTORS]

    # --- helpers ------------------------------------------------------------------------------

    def quarters(self, low: int, high: int) -> int:
        """A random amount between ``low`` and ``high`` 万元, in quarters."""
        return self.rng.randint(low * 4, high * 4)

    def part(self, quarters: int, low: float, high: float) -> int:
        """A random share of ``quarters``, between ``low`` and ``high`` (at most 1), in quarters."""
        return int(quarters * self.rng.uniform(low, high))

    def day_in(self, year: int) -> datetime.date:
        start = datetime.date(year, 1, 1)
        return start + datetime.timedelta(days=self.rng.randrange((datetime.date(year + 1, 1, 1) - start).days))

    def later(self, day: datetime.date | None, low: int, high: int, chance: float = 1.0) -> datetime.date | None:
        """With probability ``chance``, ``low`` to ``high`` days after ``day``; None when there is
        no ``day``, by chance, or when that would pass LAST_DAY."""
        if day is None or self.rng.random() >= chance:
            return None
        result = day + datetime.timedelta(days=self.rng.randint(low, high))
        return result if result <= LAST_DAY else None

    def year_of(self, index: int, total: int) -> int:
        return YEARS[index * len(YEARS) // total]

    def save(self, model, objects: list) -> None:
        with transaction.atomic():
            model.objects.bulk_create(objects, batch_size=1_000)

    # --- the ledgers --------------------------------------------------------------------------

    def fill_key_projects(self) -> None:
        rng = self.rng
        categories = AnnualListingCategoryChoices
        bar = self.progress("key projects", self.key_projects)
        for chunk in batches(self.key_projects):
            projects, years = [], []
            for i in chunk:
                first = self.year_of(i, self.key_projects)
                last = min(first + rng.randint(0, 2), YEARS[-1])
                total = self.quarters(5_000, 500_000)
                started = self.day_in(first) if rng.random() < 0.7 else None
                projects.append(
                    KeyProject(
                        name=f"{PREFIX}K-{i:07d}",
                        owner=f"{PREFIX}owner {i % 5_000}",
                        industry_id=rng.choice(self.key_industries + self.other_industries),
                        area_id=rng.choice(self.areas),
                        department_id=rng.choice(self.departments),
                        nature=rng.choice(KeyProjectNatureChoices.values),
                        total_investment=amount(total),
                        started_on=started,
                        planned_completion_on=started and started + datetime.timedelta(days=rng.randint(365, 1_200)),
                        completed_on=self.later(started, 200, 900, chance=0.3),
                    )
                )
                years.append((first, last, total))
            self.save(KeyProject, projects)
            listings = []
            for project, (first, last, total) in zip(projects, years, strict=True):
                for year in range(first, last + 1):
                    if year == first:
                        category = categories.NEW_START if project.started_on else categories.PRELIMINARY
                    else:
                        category = categories.COMPLETION if year == last else categories.CONTINUING
                    # Most listings come with the list of the year's first quarter; some are added later.
                    if rng.random() < 0.8:
                        listed_on = datetime.date(year, 1, 15) + datetime.timedelta(days=rng.randint(0, 75))
                    else:
                        listed_on = datetime.date(year, 4, 1) + datetime.timedelta(days=rng.randint(0, 240))
                    listings.append(
                        AnnualListing(
                            project_id=project.pk,
                            year=year,
                            category=category,
                            planned_investment=amount(self.part(total, 0.1, 0.5)),
                            listed_on=listed_on,
                        )
                    )
            self.save(AnnualListing, listings)
            bar.advance(len(chunk))
        bar.close()

    def fill_reserves(self) -> None:
        rng = self.rng
        bar = self.progress("bond reserves", self.reserves)
        for chunk in batches(self.reserves):
            reserves = []
            for i in chunk:
                total = self.quarters(2_000, 300_000)
                demand = self.part(total, 0.3, 0.9)
                principal_and_interest = self.part(demand, 1.1, 1.6)
                reserved = self.day_in(self.year_of(i, self.reserves))
                submitted = self.later(reserved, 10, 120, chance=0.7)
                approved = self.later(submitted, 10, 90, chance=0.6)
                issued = self.later(approved, 10, 60, chance=0.6)
                rejected = None if approved else self.later(submitted, 5, 90, chance=0.25)  # refused once submitted
                reserves.append(
                    BondReserve(
                        year=reserved.year,
                        name=f"{PREFIX}B-{i:07d}",
                        department_id=rng.choice(self.departments),
                        owner=f"{PREFIX}owner {i % 5_000}",
                        area_id=rng.choice(self.areas),
                        sector_id=rng.choice(self.sectors),
                        total_investment=amount(total),
                        bond_demand=amount(demand),
                        capital_portion=amount(self.part(demand, 0, 0.25) if rng.random() < 0.3 else 0),
                        # Coverage between 1.0 and 2.5: never below the default refusal ratio.
                        expected_income=amount(principal_and_interest + self.part(principal_and_interest, 0, 1.5)),
                        principal_and_interest=amount(principal_and_interest),
                        reserved_on=reserved,
                        submitted_on=submitted,
                        approved_on=approved,
                        issued_on=issued,
                        issued_amount=amount(self.part(demand, 0.5, 1)) if issued else None,
                        rejected_on=rejected,
                    )
                )
            self.save(BondReserve, reserves)
            bar.advance(len(chunk))
        bar.close()

    def fill_attraction(self) -> None:
        rng = self.rng
        origins = AttractionProjectInvestorOriginChoices.values
        bar = self.progress("attraction projects", self.rows)
        for chunk in batches(self.rows):
            projects = []
            for i in chunk:
                year = self.year_of(i, self.rows)
                contract = self.quarters(10_000, 200_000) if rng.random() < 0.75 else self.quarters(500, 9_999)
                signed = self.day_in(year) if rng.random() < 0.85 else None
                started = self.later(signed, 0, 180, chance=0.75)
                industries = self.key_industries if rng.random() < 0.75 else self.other_industries
                projects.append(
                    AttractionProject(
                        year=year,
                        name=f"{PREFIX}A-{i:07d}",
                        investor=f"{PREFIX}investor {i % 5_000}",
                        investor_origin=rng.choice(origins),
                        industry_id=rng.choice(industries),
                        area_id=rng.choice(self.areas) if rng.random() < 0.9 else None,
                        department_id=rng.choice(self.departments) if rng.random() < 0.9 else None,
                        contract_amount=amount(contract),
                        fixed_asset_investment=amount(self.part(contract, 0.6, 1)),
                        funds_in_place=amount(self.part(contract, 0, 1)),
                        signed_on=signed,
                        started_on=started,
                        in_production_on=self.later(started, 30, 400, chance=0.5),
                    )
                )
            self.save(AttractionProject, projects)
            bar.advance(len(chunk))
        bar.close()


# --- the two sides ------------------------------------------------------------------------


def floor_statement(plan: YearPlan, as_of: datetime.date) -> tuple[str, list]:
    """One SELECT computing every figure of the report of ``plan`` as of ``as_of``: one
    derived table per ledger, each a single pass of conditional counts and sums, with the
    conditions of the quota report. Portable SQL: plain CASE counts and placeholders only."""
    q = connection.ops.quote_name
    key_project, listing = q(KeyProject._meta.db_table), q(AnnualListing._meta.db_table)
    reserve, project, industry = (
        q(BondReserve._meta.db_table),
        q(AttractionProject._meta.db_table),
        q(Industry._meta.db_table),
    )
    sql = f"""
        SELECT k.listed, k.investment, b.pooled, b.demand,
               a.signed, a.big, a.key_industry, a.started, a.in_production, a.funds_in_place, a.contract_amount
          FROM (SELECT COUNT(*) AS listed, SUM(p.total_investment) AS investment
                  FROM {key_project} p INNER JOIN {listing} l ON l.project_id = p.id
                 WHERE l.year = %s AND l.listed_on <= %s) k
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
    amounts = {"key_project_investment", "bond_demand", "funds_in_place", "contract_amount"}
    figures = {key: cents(value) if key in amounts else int(value or 0) for key, value in values.items()}
    funds, contract = figures.pop("funds_in_place"), figures.pop("contract_amount")
    figures["funds_in_place_rate"] = ratio(funds, contract)
    return figures
