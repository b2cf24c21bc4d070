"""``manage.py bench_reminders --scale county|city|province``: how far finding the reminders due
(``investment.reminders.due_reminders``) is from the fastest it could be
(``investment/bench/reminders.py``; docs/reminders.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings

from investment.bench import pages, reminders as bench, timing


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
        pages.add_scale_arguments(parser)

    def handle(self, *args, **options):
        timing.require_debug("bench_reminders")
        console = timing.Console(self.stderr, options["verbosity"])
        rows = pages.scale_rows(options)
        with override_settings(DEBUG=False):
            pages.prepare(console, options, rows, "bench_reminders")
            bench.fill_dispatch(console, options["seed"])
            result = bench.measure(console, options["runs"])
        timing.json_line(self.stdout, {"vendor": connection.vendor, "rows": rows, **result})
