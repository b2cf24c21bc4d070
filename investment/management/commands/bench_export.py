"""``manage.py bench_export --rows N``: how fast the quarterly export writes N attraction projects.

Fills the current database with N synthetic attraction projects of ``--year``, all signed by
the end of ``--quarter`` (names ``BENCH-X-…``, reference data and plans as ``bench_quotas``
makes them), times a floor (the queries and every cell typed, nothing written), then exports
that quarter as XLSX and as CSV and prints one JSON line per measure, each with its ``ratio``
(its seconds over the floor's; ``--openpyxl`` adds openpyxl's write-only writer, the XLSX
alternative):

    {"measure": "xlsx", "format": "xlsx", "writer": "jiaxian.xlsx", "rows": 100015, "seconds": 2.885,
     "rows_per_s": 34663, "peak_rss_mb": 107.9, "bytes": 7065172, "ratio": 1.46}

``rows`` counts the data rows written (every sheet); ``peak_rss_mb`` is the peak resident size
of the process that ran that export (``getrusage``): each format runs in a fresh child process
(``manage.py bench_export --measure FORMAT``), so that each figure is its own and the fill's
memory is not counted. ``--in-process`` measures in this process instead (tests: their
database is not visible to a child).

``--scale city`` (or ``county``, ``province``) measures on the records ``bench_pages --scale``
made instead, every ledger as that many counties keep it, and neither fills nor deletes: the
quarter (``--quarter``, default 4) of the year with the most listed key projects, with its
reserves and its attraction projects, then the API's download of it (``"measure": "api"``, a
superuser ``bench-export`` through Django's test client). Each line also carries ``load_1m``,
the machine's load average when the measure ended.

Safe as bench_quotas is: DEBUG only; BENCH- records only; refuses a database holding other
attraction projects unless ``--force``; ``--delete`` removes the BENCH- records. The benchmark
itself is ``investment.bench.exports``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from investment.bench import exports, pages, timing
from investment.bench.data import add_fill_arguments, delete_synthetic
from jiaxian import periods
from jiaxian.exporting import Format
from jiaxian.params import command_argument


class Command(BaseCommand):
    help = (
        "Benchmark the quarterly export (DEBUG only, never on real data): fill N synthetic attraction projects "
        "(BENCH-X-) of --year signed by the end of --quarter, time a floor (the rows without writing), export XLSX "
        'and CSV and print one JSON line per measure {"measure", "format", "writer", "rows", "seconds", '
        '"rows_per_s", "peak_rss_mb", "bytes", "ratio"} (ratio: seconds over the floor\'s).'
    )

    def add_arguments(self, parser):
        add_fill_arguments(parser, rows="Attraction projects to make")
        parser.add_argument(
            "--year",
            type=command_argument(periods.parse_year),
            default=2023,
            help="Year of the projects and the export (2023).",
        )
        parser.add_argument(
            "--quarter", type=command_argument(periods.parse_quarter), default=4, help="Quarter exported (default 4)."
        )
        parser.add_argument(
            "--scale",
            choices=sorted(pages.SCALES),
            help="Measure on bench_pages' records of this scale (fill them with bench_pages first), "
            "the busiest year's --quarter, also through the API; --rows and --year are not used.",
        )
        parser.add_argument("--format", choices=[f.value for f in Format], action="append", help="Default: both.")
        parser.add_argument("--in-process", action="store_true", help="Measure in this process, not in children.")
        parser.add_argument(
            "--openpyxl", action="store_true", help="Also measure openpyxl's write-only API (the XLSX alternative)."
        )
        parser.add_argument("--measure", choices=list(exports.MEASURES), help="(internal) measure one writer.")
        parser.add_argument("--delete", action="store_true", help="Only delete the BENCH- records, then stop.")
        parser.add_argument("--force", action="store_true", help="Run beside attraction projects not named BENCH-.")

    def handle(
        self, *args, rows, year, quarter, seed, format, in_process, measure: str | None, scale: str | None, **options
    ):
        timing.require_debug("bench_export")
        if measure:
            with override_settings(DEBUG=False):
                timing.json_line(self.stdout, exports.measure(year, quarter, measure))
            return
        if options["delete"]:
            self.stdout.write(f"Deleted {delete_synthetic()} BENCH- records.")
            return
        formats = format or [f.value for f in Format]
        if scale:
            with override_settings(DEBUG=False):
                for line in exports.run_scale(scale, quarter, formats, in_process, options["force"]):
                    self.stdout.write(line)
            return
        if rows < 1:
            raise CommandError("--rows must be at least 1.")
        with override_settings(DEBUG=False):
            for line in exports.run(
                rows, year, quarter, seed, formats, in_process, options["force"], options["openpyxl"]
            ):
                self.stdout.write(line)
