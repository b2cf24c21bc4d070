"""``manage.py bench_pages --scale county|city|province``: how far each page that grows with the
ledgers is from the fastest it could be (``investment/bench/pages.py``; docs/benchmarks.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from investment.bench import pages, timing
from investment.bench.data import delete_synthetic, expected_counts, synthetic
from investment.bench.quotas import refuse_real_records


class Command(BaseCommand):
    help = (
        "Benchmark the admin's and the API's pages (DEBUG only, never on real data): fill the database with "
        "the synthetic records of --scale (names starting BENCH-; reused when present in the right number), "
        "then time each page with debug off against its floor statement and its empty twin and print one "
        'JSON line a page {"page", "url", "vendor", "rows", "ms", "base_ms", "floor_ms", "ratio", "queries"} '
        "(ratio: (ms - base_ms) / floor_ms)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(pages.SCALES), default="county")
        parser.add_argument(
            "--rows",
            type=int,
            help="Attraction projects to make instead of the scale's (a tenth as many key projects).",
        )
        parser.add_argument("--runs", type=int, default=5, help="Timed runs of each side (default 5).")
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument(
            "--only", metavar="SUBSTRING", help="Time only the pages whose name contains SUBSTRING (e.g. monthly)."
        )
        parser.add_argument("--fresh", action="store_true", help="Delete the BENCH- records first and fill again.")
        parser.add_argument("--delete", action="store_true", help="Only delete the BENCH- records, then stop.")
        parser.add_argument(
            "--force", action="store_true", help="Run beside ledgers that hold records not named BENCH-."
        )

    def handle(self, *args, **options):
        timing.require_debug("bench_pages")
        console = timing.Console(self.stderr, options["verbosity"])
        rows = options["rows"] or pages.SCALES[options["scale"]]["rows"]
        if options["runs"] < 1 or rows < 10:
            raise CommandError("--runs must be at least 1, --rows at least 10.")
        # Without DEBUG's query log from here (see bench_quotas): the fill's inserts would go
        # through it, and every timed query would pay for it, which production does not.
        with override_settings(DEBUG=False):
            if options["delete"]:
                self.stdout.write(f"Deleted {delete_synthetic()} BENCH- records.")
                return
            if not options["force"]:
                refuse_real_records("bench_pages")
            if options["fresh"]:
                delete_synthetic()
            wanted = expected_counts(rows)
            present = {model: synthetic(model).count() for model in wanted}
            if present != wanted:
                if any(present.values()):
                    raise CommandError(
                        "The database holds synthetic records of another scale: pass --fresh to replace them."
                    )
                pages.fill(console, rows, options["seed"])
            pages.fill_missing_problems(console, rows, options["seed"])
            for line in pages.run(console, options["runs"], options["only"]):
                timing.json_line(self.stdout, line)
