"""``manage.py bench_import --rows N [--model attraction-projects|key-projects|bond-reserves]``:
how fast the ledger import reads, validates and writes N rows, against the floor, and with how
much memory.

Builds an N-row XLSX of the ledger with the export's headers (a title row above, a totals row
below). It imports the sheet twice through the same resource as ``import_ledger``: into a
ledger without those records (every row created), then again (every row unchanged). Then the
floor: the same rows, validated by a dry run of the import, written by plain ``bulk_create`` (a
key project's eight milestones and its listing too) without history, reading or validation,
and timed alone. Each part runs in a transaction that is rolled back (the database is left as
it was). Prints one JSON line per pass (``create``, ``unchanged``, ``floor``: ``seconds``,
``rows_per_s``, ``cpu_seconds`` — this process's CPU time, which a loaded machine stretches
less than the seconds; on PostgreSQL the server's is not in it —, …), then the summary:

    {"model": "attraction-projects", "vendor": "postgresql", "pass": "summary", "rows": 10000,
     "created_rows_per_s": 3500, "floor_rows_per_s": 9000, "ratio": 2.6,
     "unchanged_rows_per_s": 12000, "peak_rss_mb": 150.2}

``ratio`` is the floor's rows per second over the import's (created); ``peak_rss_mb`` the
process's peak resident size through the two import passes (``getrusage``; a child process
writes the sheet, and the floor runs after them); ``--tracemalloc`` also traces Python's
allocations and gives each pass's peak (slower: the seconds are then not comparable). On
PostgreSQL the rolled-back rows are vacuumed away before each part (``VACUUM ANALYZE`` of the
ledgers' tables).

DEBUG only (its reference data is made with ``BENCH-`` codes, as bench_quotas makes them, and
rolled back with the rest). The benchmark itself is ``investment.bench.imports``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from investment.bench import imports, timing
from investment.bench.data import add_fill_arguments


class Command(BaseCommand):
    help = (
        "Benchmark the ledger import (DEBUG only): build an N-row XLSX of --model, import it into the current "
        "database twice (created, then unchanged) and write the same validated rows by plain bulk_create (the "
        "floor), inside a transaction that is rolled back, and print one JSON line per pass and a summary "
        '{"created_rows_per_s", "floor_rows_per_s", "ratio", "unchanged_rows_per_s", "peak_rss_mb"}.'
    )

    def add_arguments(self, parser):
        add_fill_arguments(parser, rows="Rows of the sheet")
        parser.add_argument("--model", choices=sorted(imports.ROWS), default="attraction-projects")
        parser.add_argument("--tracemalloc", action="store_true", help="Also trace Python's allocations (slower).")

    def handle(self, *args, rows, model, seed, **options):
        timing.require_debug("bench_import")
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        with override_settings(DEBUG=False):
            for line in imports.run(model, rows, seed, options["tracemalloc"]):
                timing.json_line(self.stdout, line)
