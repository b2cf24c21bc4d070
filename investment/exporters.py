"""The quarterly compliance export (季度报表, DESIGN.md §7): one workbook per quarter.

``QuarterlyExporter`` writes, as of the quarter's last day, the sheet ``汇总`` (every target of
``quotas.report`` with its figure, threshold and whether it is met, then the informational
lines) and the ledgers behind the figures: ``重点项目``, ``专项债储备`` and ``招商引资项目``, each
ending in a totals row. Each sheet is one small class with one job; a new report is a new
exporter class made of sheets.

Nothing here computes a figure: the summary is ``quotas.report``, the records are
``quotas.records``, the flags of the attraction projects are ``quotas.with_share_flags``, the
stages and statuses the querysets' annotations, a reserve's coverage ratio its model's
property. Totals are sums of the rows written (so they are the report's numerators and
amounts). Dates after the as-of day are left blank: they were not known on that day, and the
export must read the same whenever it is made.

Queries, whatever the number of records: the report's three, then one per ledger sheet.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.exporting import GENERATED_AT, BaseExporter, Cell, Column, Format, Kind, Sheet
from projects.choices import AnnualListingCategoryChoices, BondReserveStatusChoices, KeyProjectNatureChoices
from projects.models import YearPlan

from . import quotas
from .choices import AttractionProjectInvestorOriginChoices, AttractionProjectStageChoices

CHUNK = 2_000
ZERO = Decimal("0")
KIND_OF = {quotas.Kind.COUNT: Kind.INTEGER, quotas.Kind.AMOUNT: Kind.AMOUNT, quotas.Kind.SHARE: Kind.RATIO}


class NoPlan(LookupError):
    """The year has no year plan: there is nothing to export."""


def known(day: datetime.date | None, as_of: datetime.date) -> datetime.date | None:
    """``day`` if it was known on ``as_of`` (on or before it), else None."""
    return day if day is not None and day <= as_of else None


def labels(choices) -> dict[str, str]:
    """Stored value → label, in the active language, for writing many rows fast."""
    return {value: str(label) for value, label in choices.choices}


def total_label(count: int) -> str:
    return f"合计（{count}个项目）"


class SummarySheet:
    """``汇总``: the county, year, quarter, as-of day and generation time above a table of
    every target (figure, threshold, met 是/否, records counted and looked at), then the
    informational lines (no target: 不考核)."""

    name = "汇总"
    columns = (
        Column("指标", width=36),
        Column("完成值", Kind.TEXT, width=18),
        Column("目标值", Kind.TEXT, width=18),
        Column("是否达标", width=10),
        Column("计入项目数（个）", Kind.INTEGER),
        Column("基数项目数（个）", Kind.INTEGER),
    )

    def sheet(self, export: QuarterlyExporter) -> Sheet:
        report = quotas.report(export.plan, export.as_of)
        preamble = [
            ["县（区）", export.county],
            ["年度", str(export.year)],
            ["季度", f"第{export.quarter}季度"],
            ["截至日期", export.as_of],
            ["生成时间", GENERATED_AT],
            ["说明", "各项指标按截至日期的台账数据计算；金额单位为万元。"],
            [],
        ]
        return Sheet(self.name, self.columns, self.rows(report), preamble)

    def rows(self, report: quotas.Report) -> Iterator[list[Any]]:
        for target in (*report.targets, *report.indicators):
            kind = KIND_OF[target.kind]
            met = "不考核" if target.met is None else ("是" if target.met else "否")
            threshold = None if target.threshold is None else Cell(target.threshold, kind)
            yield [
                str(target.label),
                Cell(target.value, kind) if target.value is not None else "—",
                threshold,
                met,
                target.numerator,
                target.denominator,
            ]


class KeyProjectSheet:
    """``重点项目``: the key projects listed for the year by the as-of day, with the year's
    listing (category, listed on, planned investment) and what was known of their progress
    on that day (started, completed); totals of the investment columns."""

    name = "重点项目"
    columns = (
        Column("序号", Kind.INTEGER, width=6),
        Column("项目名称", width=32),
        Column("投资项目统一代码", width=28),
        Column("项目单位", width=24),
        Column("产业", width=16),
        Column("所在区域"),
        Column("责任单位", width=20),
        Column("县级责任领导"),
        Column("建设性质"),
        Column("年度类别"),
        Column("列入日期", Kind.DATE),
        Column("总投资（万元）", Kind.AMOUNT),
        Column("年度计划投资（万元）", Kind.AMOUNT),
        Column("本季度完成投资（万元）", Kind.AMOUNT),
        Column("年度累计完成投资（万元）", Kind.AMOUNT),
        Column("开工日期", Kind.DATE),
        Column("计划竣工日期", Kind.DATE),
        Column("竣工日期", Kind.DATE),
        Column("截至日进展"),
    )

    def sheet(self, export: QuarterlyExporter) -> Sheet:
        return Sheet(self.name, self.columns, self.rows(export))

    def rows(self, export: QuarterlyExporter) -> Iterator[list[Any]]:
        as_of = export.as_of
        # The F()s reuse the join of the records' filter on the year's listing (one per project and year).
        records = (
            quotas.records(export.plan, as_of, "key_project_count")
            .with_progress(as_of)
            .with_completed_between(periods.quarter_start(export.plan.year, export.quarter), as_of)
            .annotate(
                listing_category=F("listings__category"),
                listing_listed_on=F("listings__listed_on"),
                listing_planned=F("listings__planned_investment"),
            )
            .order_by("name", "pk")
            .values_list(
                "name",
                "project_code",
                "owner",
                "industry__name",
                "area__name",
                "department__name",
                "leader",
                "nature",
                "listing_category",
                "listing_listed_on",
                "total_investment",
                "listing_planned",
                "period_completed_investment",
                "year_completed_investment",
                "started_on",
                "planned_completion_on",
                "completed_on",
            )
        )
        natures, categories = labels(KeyProjectNatureChoices), labels(AnnualListingCategoryChoices)
        total = planned_total = quarter_total = year_total = ZERO
        count = 0
        for row in records.iterator(chunk_size=CHUNK):
            (name, code, owner, industry, area, department, leader, nature, category, listed_on) = row[:10]
            investment, planned, quarter_done, year_done, started, planned_completion, completed = row[10:]
            started, completed = known(started, as_of), known(completed, as_of)
            progress = "已竣工" if completed else ("在建" if started else "未开工")
            count += 1
            total += investment or ZERO
            planned_total += planned or ZERO
            quarter_total += quarter_done
            year_total += year_done
            yield [
                count,
                name,
                code,
                owner,
                industry,
                area,
                department,
                leader,
                natures.get(nature, nature),
                categories.get(category, category),
                listed_on,
                investment,
                planned,
                quarter_done,
                year_done,
                started,
                planned_completion,
                completed,
                progress,
            ]
        yield [None, total_label(count), *[None] * 9, total, planned_total, quarter_total, year_total, *[None] * 4]


class BondReserveSheet:
    """``专项债储备``: the year's reserves in the pool on the as-of day, with their status on
    that day and their coverage ratio; totals of the amounts."""

    name = "专项债储备"
    columns = (
        Column("序号", Kind.INTEGER, width=6),
        Column("项目名称", width=32),
        Column("投资项目统一代码", width=28),
        Column("领域", width=16),
        Column("项目单位", width=24),
        Column("责任单位", width=20),
        Column("所在区域"),
        Column("总投资（万元）", Kind.AMOUNT),
        Column("申请债券资金（万元）", Kind.AMOUNT),
        Column("用作资本金（万元）", Kind.AMOUNT),
        Column("预期收益（万元）", Kind.AMOUNT),
        Column("债券本息（万元）", Kind.AMOUNT),
        Column("本息覆盖倍数", Kind.MULTIPLE),
        Column("入库日期", Kind.DATE),
        Column("截至日状态"),
    )

    def sheet(self, export: QuarterlyExporter) -> Sheet:
        return Sheet(self.name, self.columns, self.rows(export))

    def rows(self, export: QuarterlyExporter) -> Iterator[list[Any]]:
        records = (
            quotas.records(export.plan, export.as_of, "bond_reserve_count")
            .with_status(export.as_of)
            .select_related("sector", "department", "area")
            .order_by("name", "pk")
        )
        statuses = labels(BondReserveStatusChoices)
        sums = [ZERO] * 5
        count = 0
        for reserve in records.iterator(chunk_size=CHUNK):
            amounts = [
                reserve.total_investment,
                reserve.bond_demand,
                reserve.capital_portion,
                reserve.expected_income,
                reserve.principal_and_interest,
            ]
            sums = [total + (amount or ZERO) for total, amount in zip(sums, amounts, strict=True)]
            count += 1
            yield [
                count,
                reserve.name,
                reserve.project_code,
                reserve.sector.name,
                reserve.owner,
                reserve.department.name,
                reserve.area.name,
                *amounts,
                reserve.coverage_ratio,
                reserve.reserved_on,
                statuses.get(reserve.status_as_of, reserve.status_as_of),
            ]
        yield [None, total_label(count), None, None, None, None, None, *sums, None, None, None]


class AttractionProjectSheet:
    """``招商引资项目``: the year's attraction projects signed by the as-of day, with the flags
    that decide each share on that day (是否亿元以上项目, 是否重点产业, 是否开工); the totals row
    sums the amounts and counts each flag's 是 (the report's numerators)."""

    name = "招商引资项目"
    columns = (
        Column("序号", Kind.INTEGER, width=8),
        Column("项目名称", width=32),
        Column("投资项目统一代码", width=28),
        Column("投资方", width=24),
        Column("投资方来源"),
        Column("产业", width=16),
        Column("所在区域"),
        Column("责任单位", width=20),
        Column("县级责任领导"),
        Column("签约金额（万元）", Kind.AMOUNT),
        Column("固定资产投资（万元）", Kind.AMOUNT),
        Column("到位资金（万元）", Kind.AMOUNT),
        Column("签约日期", Kind.DATE),
        Column("开工日期", Kind.DATE),
        Column("投产日期", Kind.DATE),
        Column("截至日阶段"),
        Column("是否亿元以上项目", width=12),
        Column("是否重点产业", width=10),
        Column("是否开工", width=10),
    )

    def sheet(self, export: QuarterlyExporter) -> Sheet:
        return Sheet(self.name, self.columns, self.rows(export))

    def rows(self, export: QuarterlyExporter) -> Iterator[list[Any]]:
        as_of = export.as_of
        records = (
            quotas.with_share_flags(quotas.records(export.plan, as_of, "attraction_count"), export.plan, as_of)
            .with_stage(as_of)
            .order_by("name", "pk")
            .values_list(
                "name",
                "project_code",
                "investor",
                "investor_origin",
                "industry__name",
                "area__name",
                "department__name",
                "leader",
                "contract_amount",
                "fixed_asset_investment",
                "funds_in_place",
                "signed_on",
                "started_on",
                "in_production_on",
                "stage_as_of",
                "share_big_project",
                "share_key_industry",
                "share_started",
            )
        )
        origins, stages = labels(AttractionProjectInvestorOriginChoices), labels(AttractionProjectStageChoices)
        yes_no = {True: "是", False: "否"}
        contract_total = fixed_total = funds_total = ZERO
        count = big = key_industry = started_count = 0
        for row in records.iterator(chunk_size=CHUNK):
            (name, code, investor, origin, industry, area, department, leader, contract, fixed, funds) = row[:11]
            signed, started, in_production, stage, is_big, is_key, is_started = row[11:]
            count += 1
            contract_total += contract or ZERO
            fixed_total += fixed or ZERO
            funds_total += funds or ZERO
            big += is_big
            key_industry += is_key
            started_count += is_started
            yield [
                count,
                name,
                code,
                investor,
                origins.get(origin, origin),
                industry,
                area,
                department,
                leader,
                contract,
                fixed,
                funds,
                signed,
                known(started, as_of),
                known(in_production, as_of),
                stages.get(stage, stage),
                yes_no[bool(is_big)],
                yes_no[bool(is_key)],
                yes_no[bool(is_started)],
            ]
        yield [
            None,
            total_label(count),
            *[None] * 7,
            contract_total,
            fixed_total,
            funds_total,
            None,
            None,
            None,
            None,
            Cell(big, Kind.INTEGER),
            Cell(key_industry, Kind.INTEGER),
            Cell(started_count, Kind.INTEGER),
        ]


class QuarterlyExporter(BaseExporter):
    """The compliance export of ``plan``'s year for ``quarter`` (1–4), as of the quarter's last
    day, in ``format``. ``for_quarter(year, quarter, format)`` finds the plan: a year without
    one is ``NoPlan``, a quarter outside 1–4 a ValueError. Written in Simplified Chinese
    whatever the active language: a filed document must read the same for everyone."""

    identifier = "quarterly"
    verbose_name = _("Quarterly compliance export")
    sheet_classes = (SummarySheet, KeyProjectSheet, BondReserveSheet, AttractionProjectSheet)

    def __init__(
        self,
        plan: YearPlan,
        quarter: int,
        *,
        format: Format | str = Format.XLSX,
        generated_at: datetime.datetime | None = None,
        county: str | None = None,
    ):
        super().__init__(format=format, generated_at=generated_at)
        self.plan = plan
        self.quarter = quarter
        self.as_of = periods.quarter_end(plan.year, quarter)
        self.county = county or settings.COUNTY_NAME

    @classmethod
    def for_quarter(cls, year: int, quarter: int, format: Format | str = Format.XLSX, **kwargs) -> QuarterlyExporter:
        periods.quarter_end(year, quarter)  # a bad quarter is a ValueError before any query
        plan = YearPlan.objects.filter(year=year).first()
        if plan is None:
            raise NoPlan(gettext("There is no year plan for %(year)s.") % {"year": year})
        return cls(plan, quarter, format=format, **kwargs)

    @property
    def year(self) -> int:
        return self.plan.year

    @property
    def fixed_time(self) -> datetime.datetime:
        return datetime.datetime.combine(self.as_of, datetime.time())

    @property
    def filename(self) -> str:
        """``郏县-2023-Q2.xlsx`` (the CSV zip: ``郏县-2023-Q2.csv.zip``)."""
        extension = "xlsx" if self.format == Format.XLSX else "csv.zip"
        return f"{self.county}-{self.year}-Q{self.quarter}.{extension}"

    def sheets(self) -> Iterator[Sheet]:
        for sheet_class in self.sheet_classes:
            yield sheet_class().sheet(self)

    def write(self, target) -> int:
        with translation.override("zh-hans"):
            return super().write(target)
