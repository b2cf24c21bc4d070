"""``manage.py bench_reminders --scale county|city|province``: how far finding the reminders due
(``investment.reminders.due_reminders``) is from the fastest it could be
(``investment/bench/reminders.py``; docs/reminders.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from investment.bench import pages, reminders as bench, timing
from investment.bench.data import delete_synthetic, expected_counts, synthetic
from investment.bench.quotas import refuse_real_records


class Command(BaseCommand):
    help = (
        "Benchmark the finding of the reminders due (DEBUG only, never on real data): the synthetic records "
        "of bench_pages --scale (names starting BENCH-; reused when present in the right number), two members "
        "of each BENCH- department, a bureau clerk and supervision orders on a tenth of the key projects, then "
        "time due_reminders() against one hand-written SQL statement finding the same (event, person) pairs "
        'and print one JSON line {"page", "vendor", "rows", "now", "reminders", "pairs", "ms", "floor_ms", '
        '"ratio", "queries"} (ratio: ms / floor_ms).'
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
        parser.add_argument("--fresh", action="store_true", help="Delete the BENCH- records first and fill again.")
        parser.add_argument(
            "--force", action="store_true", help="Run beside ledgers that hold records not named BENCH-."
        )

    def handle(self, *args, **options):
        timing.require_debug("bench_reminders")
        console = timing.Console(self.stderr, options["verbosity"])
        rows = options["rows"] or pages.SCALES[options["scale"]]["rows"]
        if options["runs"] < 1 or rows < 10:
            raise CommandError("--runs must be at least 1, --rows at least 10.")
        with override_settings(DEBUG=False):
            if not options["force"]:
                refuse_real_records("bench_reminders")
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
            bench.fill_dispatch(console, options["seed"])
            result = bench.measure(console, options["runs"])
        timing.json_line(self.stdout, {"vendor": connection.vendor, "rows": rows, **result})
