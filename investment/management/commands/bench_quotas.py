"""``manage.py bench_quotas --rows N``: how far the quota report is from the fastest it could be.

Fills the current database with N synthetic attraction projects, N/10 key projects (each
listed for one to three years, with a monthly progress report for each month of a listed year
since its start) and N/10 special-bond reserves, spread over 2019–2024 with a
plan for each year; then times ``quotas.report(plan, as_of)`` against one hand-written SQL
statement that computes the same figures (the floor), checks that both agree, and prints one
JSON line on stdout:

    {"rows": N, "vendor": "sqlite", "report_ms": 41.3, "raw_sql_ms": 39.8, "ratio": 1.04, "queries": 4}

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

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from investment.bench import quotas as bench, timing
from investment.bench.data import YEARS, add_fill_arguments, delete_synthetic
from jiaxian import periods
from jiaxian.params import command_argument
from projects.models import YearPlan


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
        add_fill_arguments(parser, rows="Number of attraction projects to make")
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
        timing.require_debug("bench_quotas")
        rows, runs, year = options["rows"], options["runs"], options["year"]
        as_of = options["as_of"] or datetime.date(year, 6, 30)
        if isinstance(as_of, str):  # call_command(as_of="2023-06-30") does not go through the parser
            try:
                as_of = periods.parse_date(as_of, "--as-of")
            except periods.PeriodParameterError as exc:
                raise CommandError(f"--as-of: {exc.message}") from exc
        console = timing.Console(self.stderr, options["verbosity"])
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
            bench.refuse_real_records("bench_quotas")
        # From here on without DEBUG's query log: a million inserts would go through it (on
        # SQLite it even asks the database to quote each query's parameters), its cap of 9,000
        # queries would leave CaptureQueriesContext counting nothing, and it would add to every
        # timed query of both sides, which production does not.
        with override_settings(DEBUG=False):
            if options["fresh"]:
                delete_synthetic()
            bench.prepare(console, rows, options["seed"])
            result = bench.measure(console, YearPlan.for_year(year), as_of, runs)
        timing.json_line(self.stdout, {"rows": rows, "vendor": connection.vendor, **result})
