"""``manage.py bench_pages --scale county|city|province``: how far each page that grows with the
ledgers is from the fastest it could be (``investment/bench/pages.py``; docs/benchmarks.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from investment.bench import pages, timing
from investment.bench.data import delete_synthetic


class Command(BaseCommand):
    help = (
        "Benchmark the admin's and the API's pages (DEBUG only, never on real data): fill the database with "
        "the synthetic records of --scale (names starting BENCH-; reused when present in the right number), "
        "then time each page with debug off against its floor statement and its empty twin and print one "
        'JSON line a page {"page", "url", "vendor", "rows", "ms", "base_ms", "floor_ms", "ratio", "queries"} '
        "(ratio: (ms - base_ms) / floor_ms)."
    )

    def add_arguments(self, parser):
        pages.add_scale_arguments(parser)
        parser.add_argument(
            "--only", metavar="SUBSTRING", help="Time only the pages whose name contains SUBSTRING (e.g. monthly)."
        )
        parser.add_argument("--delete", action="store_true", help="Only delete the BENCH- records, then stop.")

    def handle(self, *args, **options):
        timing.require_debug("bench_pages")
        console = timing.Console(self.stderr, options["verbosity"])
        rows = pages.scale_rows(options)
        # Without DEBUG's query log from here (see bench_quotas): the fill's inserts would go
        # through it, and every timed query would pay for it, which production does not.
        with override_settings(DEBUG=False):
            if options["delete"]:
                self.stdout.write(f"Deleted {delete_synthetic()} BENCH- records.")
                return
            pages.prepare(console, options, rows, "bench_pages")
            pages.fill_missing_problems(console, rows, options["seed"])
            for line in pages.run(console, options["runs"], options["only"]):
                timing.json_line(self.stdout, line)
