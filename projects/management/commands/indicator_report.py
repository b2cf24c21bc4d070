"""``manage.py indicator_report --year 2023 [--as-of D ...] [--known-on K]``: the year plan's
indicators (年度目标指标) as a plain table, one per line, as of each day given (default: each
quarter's end of the year), from ``projects.indicators``: area, indicator, responsible unit,
figure against target, met or not yet, the light against the time progress. For reading the
figures without the admin (the demo's, a check after an import)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from jiaxian import periods
from jiaxian.params import command_argument

from ...indicators import indicators_on
from ...models import NoPlan, YearPlan


def places(value, decimals: int) -> str:
    return "—" if value is None else f"{value:.{decimals}f}"


class Command(BaseCommand):
    help = "Print the year plan's indicators against their targets as of each quarter's end (or the days given)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=command_argument(periods.parse_year), default=None)
        parser.add_argument(
            "--as-of",
            type=command_argument(periods.parse_date),
            action="append",
            help="A day of the table, YYYY-MM-DD; repeat for several (default: each quarter's end).",
        )
        parser.add_argument(
            "--known-on",
            type=command_argument(lambda raw: periods.parse_date(raw, "known_on")),
            default=None,
            help="Count the values approved by the end of this day (default: now).",
        )

    def handle(self, *args, **options):
        year = options["year"] or YearPlan.objects.latest_year()
        if year is None:
            raise CommandError("There is no year plan.")
        try:
            YearPlan.objects.saved(year)
        except NoPlan as missing:
            raise CommandError(str(missing)) from None
        days = options["as_of"] or periods.quarter_ends(year)
        with translation.override("zh-hans"):
            for day in days:
                self.stdout.write(f"\n{year} 年度目标指标 截至 {day.isoformat()}")
                for row in indicators_on(year, day, options["known_on"]):
                    indicator = row.indicator
                    self.stdout.write(
                        "  ".join(
                            [
                                f"{indicator.get_area_display():<6}",
                                f"{indicator.name:<16}",
                                f"{indicator.department.name:<12}",
                                f"{places(row.figure, indicator.decimals):>8} / "
                                f"{indicator.get_comparison_display()} {places(indicator.target, indicator.decimals)}"
                                f" {indicator.unit}",
                                f"{row.get_status_display()}",
                                f"{row.get_light_display() or ''}"
                                + (f"（时序 {row.time_progress:.0%}）" if row.time_progress is not None else ""),
                            ]
                        )
                    )
