"""The monthly circular (月度排名通报): the rankings of a month's end, as a workbook through the
export base (``jiaxian.exporting``), print-ready as the quarterly export is (A4 landscape, the
page header, the summary on one page).

``CircularExporter(plan, month)`` writes, as of the month's last day (``rankings.month_end_of``):

- ``汇总``: the county, year, month and day above the 红榜 and the 黑榜 of the departments and of
  the areas, each unit named with its composite score and rank;
- ``部门排名`` and ``区域排名``: every unit by composite rank, its composite, its list, then for
  each indicator its value, rank and score (empty where it has nothing to rank on).

It computes nothing: both rankings are ``rankings.rankings`` (each in its fixed number of
queries), read once in one snapshot (``reading``). Written in Simplified Chinese whatever the
active language, as the quarterly export is.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jiaxian.exporting import EXTENSIONS, GENERATED_AT, BaseExporter, Column, Format, Kind, Sheet, reading
from projects.models import YearPlan

from . import rankings
from .choices import RankingIndicatorChoices as Indicator, RankingUnitChoices as Unit
from .quotas import Kind as FigureKind

SUMMARY_SHEET = "汇总"
DEPARTMENT_SHEET = "部门排名"
AREA_SHEET = "区域排名"

# Each indicator's heading in the circular (a filed document: the same words for every reader).
HEADINGS: dict[str, str] = {
    Indicator.INVESTMENT_PROGRESS: "重点项目投资完成率与时序进度之差",
    Indicator.RED_LIGHT_SHARE: "红灯项目占比",
    Indicator.OVERDUE_ORDERS: "逾期督办事项（件）",
    Indicator.OVERDUE_PROBLEMS: "逾期未解决问题（个）",
    Indicator.LATE_REPORTS: "月报逾期未报（个）",
    Indicator.ATTRACTION_SIGNED: "招商项目签约数（个）",
    Indicator.ATTRACTION_BIG_SHARE: "亿元以上项目占比",
    Indicator.ATTRACTION_KEY_INDUSTRY_SHARE: "重点产业项目占比",
    Indicator.ATTRACTION_STARTED_SHARE: "签约项目开工占比",
    Indicator.PLAN_INDICATORS_ON_TRACK: "年度目标指标达标或绿灯占比",
    Indicator.LATE_INDICATOR_VALUES: "目标指标月度数值逾期未报（项）",
}
assert set(HEADINGS) == set(rankings.SPECS), "every indicator has its heading"

UNIT_WORDS = {Unit.DEPARTMENT: "部门", Unit.AREA: "区域"}
VALUE_KINDS = {FigureKind.COUNT: Kind.INTEGER, FigureKind.SHARE: Kind.RATIO}


def list_word(unit: rankings.UnitRanking) -> str | None:
    return "红榜" if unit.red else ("黑榜" if unit.black else None)


class CircularExporter(BaseExporter):
    """The circular of ``plan``'s year for ``month`` (1–12). ``for_month(year, month)`` finds the
    plan: a year without one is ``NoPlan``, a month outside 1–12 a ValueError."""

    identifier = "circular"
    verbose_name = _("Monthly rankings circular")

    def __init__(
        self,
        plan: YearPlan,
        month: int,
        *,
        format: Format | str = Format.XLSX,
        generated_at: datetime.datetime | None = None,
        county: str | None = None,
    ):
        super().__init__(format=format, generated_at=generated_at)
        self.plan = plan
        self.month = month
        self.as_of = rankings.month_end_of(plan.year, month)
        self.county = county or settings.COUNTY_NAME

    @classmethod
    def for_month(cls, year: int, month: int, format: Format | str = Format.XLSX, **kwargs) -> CircularExporter:
        if not 1 <= int(month) <= 12:
            raise ValueError(f"month {month!r} is not 1 to 12")
        return cls(YearPlan.objects.saved(year), int(month), format=format, **kwargs)

    @property
    def year(self) -> int:
        return self.plan.year

    @property
    def fixed_time(self) -> datetime.datetime:
        return datetime.datetime.combine(self.as_of, datetime.time())

    @property
    def page_header(self) -> str:
        """``郏县 2023年6月排名通报 截至2023-06-30``, above every printed page."""
        return f"{self.county} {self.year}年{self.month}月排名通报 截至{self.as_of.isoformat()}"

    @property
    def filename(self) -> str:
        return f"{self.county}-{self.year}-{self.month:02d}-排名通报.{EXTENSIONS[self.format]}"

    @cached_property
    def departments(self) -> rankings.Rankings:
        return rankings.rankings(self.plan, self.as_of, Unit.DEPARTMENT)

    @cached_property
    def areas(self) -> rankings.Rankings:
        return rankings.rankings(self.plan, self.as_of, Unit.AREA)

    def sheets(self) -> Iterator[Sheet]:
        yield self.summary()
        yield self.ranking_sheet(DEPARTMENT_SHEET, self.departments)
        yield self.ranking_sheet(AREA_SHEET, self.areas)

    def summary(self) -> Sheet:
        preamble = [
            ["县（区）", self.county],
            ["年度", str(self.year)],
            ["月份", f"{self.month}月"],
            ["截至日期", self.as_of],
            ["生成时间", GENERATED_AT],
            ["说明", "红榜为综合得分前三名、黑榜为后三名（并列者同列）；各项指标得分按0–100折算后加权平均。"],
            [],
        ]
        columns = (
            Column("榜单", width=8),
            # Wide enough for the preamble's day and time above it (a narrower one prints ###).
            Column("类别", width=20),
            Column("名次", Kind.INTEGER, width=6),
            Column("单位", width=30),
            Column("综合得分", Kind.AMOUNT, width=10),
        )
        return Sheet(SUMMARY_SHEET, columns, self.summary_rows(), preamble, one_page=True)

    def summary_rows(self) -> Iterator[list[Any]]:
        for word, pick in (("红榜", "red_list"), ("黑榜", "black_list")):
            for result in (self.departments, self.areas):
                units = getattr(result, pick)
                if not units:
                    yield [word, UNIT_WORDS[result.by], None, "（无）", None]
                for unit in units:
                    yield [word, UNIT_WORDS[result.by], unit.rank, unit.name, unit.composite]

    def ranking_sheet(self, name: str, result: rankings.Rankings) -> Sheet:
        columns = [
            Column("名次", Kind.INTEGER, width=6),
            Column("代码", width=10),
            Column("单位", width=24),
            Column("综合得分", Kind.AMOUNT, width=10),
            Column("榜单", width=6),
        ]
        for spec in rankings.INDICATORS:
            heading = HEADINGS[spec.key]
            weight = result.weights[spec.key]
            columns += [
                Column(
                    f"{heading}（{'越高越好' if spec.higher_is_better else '越低越好'}，权重{weight}）",
                    VALUE_KINDS[spec.kind],
                    width=14,
                ),
                Column(f"{heading}·名次", Kind.INTEGER, width=8),
                Column(f"{heading}·得分", Kind.AMOUNT, width=8),
            ]
        # Nine indicators of three columns each: three A4 pages wide, each page led by the
        # unit's rank, code and name (one page wide, the figures printed too small to read).
        return Sheet(name, columns, self.ranking_rows(result), pages_wide=3, title_columns=3)

    def ranking_rows(self, result: rankings.Rankings) -> Iterator[list[Any]]:
        for unit in result.units:
            row: list[Any] = [unit.rank, unit.code, unit.name, unit.composite, list_word(unit)]
            for spec in rankings.INDICATORS:
                figure = unit.figures[spec.key]
                row += [figure.value, figure.rank, figure.score]
            yield row

    def write(self, target) -> int:
        with translation.override("zh-hans"), reading():
            return super().write(target)
