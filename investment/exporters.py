"""The quarterly compliance export (季度报表): one workbook per quarter.

``QuarterlyExporter`` writes, as of the quarter's last day, the sheet ``汇总`` (every target of
``quotas.report`` with its figure, threshold and whether it is met, then the informational
lines) and the ledgers behind the figures: ``重点项目``, ``专项债储备`` and ``招商引资项目``, each
ending in a totals row; then ``督办事项``, the year's supervision orders with their stage on that
day (the figures are not of it: it is the dispatch loop's account); then ``年度目标指标``, the
plan's other targets against their figures (``projects.indicators``). Each sheet is one small
class with one job; a new report is a new exporter class made of sheets.

Nothing here computes a figure: the summary is ``quotas.report``, the records are
``quotas.records``, the flags of the attraction projects are ``quotas.with_share_flags``, the
stages and statuses the querysets' annotations, a reserve's coverage ratio its model's
rule (``BondReserve.coverage_of``). Every sheet reads plain tuples (``values_list``), never model
instances: at a city's size (a quarter of 190,000 rows) instances cost more than the writing.
Totals are sums of the rows written (so they are the report's numerators and amounts). Dates
after the as-of day are left blank: they were not known on that day, and the export must read
the same whenever it is made.

Queries, whatever the number of records, all in one snapshot (``reading``; on PostgreSQL within
``BEGIN``, ``SET TRANSACTION`` and ``COMMIT``): the report's four, then one per ledger sheet,
one for the orders and one for the plan's indicators.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from jiaxian import periods
from jiaxian.exporting import EXTENSIONS, GENERATED_AT, BaseExporter, Cell, Column, Format, Kind, Sheet, reading
from projects import attachments
from projects.choices import (
    BOND_RESERVE_DOCUMENTS,
    AnnualListingCategoryChoices,
    BondReserveStatusChoices,
    IndicatorAccumulationChoices,
    IndicatorAreaChoices,
    IndicatorComparisonChoices,
    IndicatorFrequencyChoices,
    IndicatorStatusChoices,
    KeyProjectNatureChoices,
    KeyProjectWarningChoices,
)
from projects.indicators import indicators_on
from projects.models import BondReserve, YearPlan

from . import headers, quotas
from .choices import (
    AttractionProjectInvestorOriginChoices,
    AttractionProjectStageChoices,
    SupervisionOrderLevelChoices,
    SupervisionOrderStageChoices,
)
from .models import SupervisionOrder
from .models.dispatch import CONCERNING

CHUNK = 2_000
ZERO = Decimal("0")
KIND_OF = {quotas.Kind.COUNT: Kind.INTEGER, quotas.Kind.AMOUNT: Kind.AMOUNT, quotas.Kind.SHARE: Kind.RATIO}


def known(day: datetime.date | None, as_of: datetime.date) -> datetime.date | None:
    """``day`` if it was known on ``as_of`` (on or before it), else None."""
    return day if day is not None and day <= as_of else None


def labels(choices) -> dict[str, str]:
    """Stored value → label, in the active language, for writing many rows fast."""
    return {value: str(label) for value, label in choices.choices}


# Below the summary's figures on the printed page, for the filing unit to fill in and sign.
SIGNATURE = (
    (),
    ("填报单位（盖章）：", None, "负责人：", None, "填报人："),
    ("联系电话：", None, "填报日期：", None, None),
)


class SummarySheet:
    """``汇总``: the county, year, quarter, as-of day and generation time above a table of
    every target (figure, threshold, met 是/否, records counted and looked at), then the
    informational lines (no target: 不考核)."""

    name = headers.SUMMARY_SHEET
    columns = (
        Column("指标", width=36),
        Column("完成值", Kind.TEXT, width=18),
        Column("目标值", Kind.TEXT, width=18),
        Column("是否达标", width=10),
        Column("计入项目数（个）", Kind.INTEGER),
        Column("基数项目数（个）", Kind.INTEGER),
    )

    def sheet(self, export: QuarterlyExporter) -> Sheet:
        report = quotas.report(export.plan, export.as_of, export.known_on)
        preamble = [
            ["县（区）", export.county],
            [headers.YEAR, str(export.year)],
            ["季度", f"第{export.quarter}季度"],
            ["截至日期", export.as_of],
            # The day the reviewed monthly progress is known on, when the export names one (a
            # filing does); without it, what is approved when it is written.
            *([["审核数据截至", export.known_on]] if export.known_on is not None else []),
            ["生成时间", GENERATED_AT],
            ["说明", "各项指标按截至日期的台账数据计算；金额单位为万元。"],
            [],
        ]
        return Sheet(self.name, self.columns, self.rows(report), preamble, signature=SIGNATURE, one_page=True)

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

    name = headers.KEY_PROJECT_SHEET
    columns = (
        Column(headers.SERIAL, Kind.INTEGER, width=6),
        Column(headers.NAME, width=32),
        Column(headers.PROJECT_CODE, width=28),
        Column(headers.OWNER, width=24),
        Column(headers.INDUSTRY, width=16),
        Column(headers.AREA),
        Column(headers.DEPARTMENT, width=20),
        Column(headers.LEADER),
        Column(headers.NATURE),
        Column(headers.LISTING_CATEGORY),
        Column(headers.LISTED_ON, Kind.DATE),
        Column(headers.TOTAL_INVESTMENT, Kind.AMOUNT),
        Column(headers.PLANNED_INVESTMENT, Kind.AMOUNT),
        Column(headers.QUARTER_COMPLETED, Kind.AMOUNT),
        Column(headers.YEAR_COMPLETED, Kind.AMOUNT),
        Column(headers.STARTED_ON, Kind.DATE),
        Column(headers.PLANNED_COMPLETION_ON, Kind.DATE),
        Column(headers.COMPLETED_ON, Kind.DATE),
        Column(headers.PROGRESS),
    )

    def sheet(self, export: QuarterlyExporter) -> Sheet:
        return Sheet(self.name, self.columns, self.rows(export))

    def rows(self, export: QuarterlyExporter) -> Iterator[list[Any]]:
        as_of = export.as_of
        # The F()s reuse the join of the records' filter on the year's listing (one per project and year).
        records = (
            quotas.records(export.plan, as_of, "key_project_count")
            .with_progress(as_of, export.known_on)
            .with_completed_between(periods.quarter_start(export.plan.year, export.quarter), as_of, export.known_on)
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
        yield [
            None,
            headers.total_label(count),
            *[None] * 9,
            total,
            planned_total,
            quarter_total,
            year_total,
            *[None] * 4,
        ]


class BondReserveSheet:
    """``专项债储备``: the year's reserves in the pool on the as-of day, with their status on
    that day and their coverage ratio; totals of the amounts."""

    name = headers.BOND_RESERVE_SHEET
    columns = (
        Column(headers.SERIAL, Kind.INTEGER, width=6),
        Column(headers.NAME, width=32),
        Column(headers.PROJECT_CODE, width=28),
        Column(headers.SECTOR, width=16),
        Column(headers.OWNER, width=24),
        Column(headers.DEPARTMENT, width=20),
        Column(headers.AREA),
        Column(headers.TOTAL_INVESTMENT, Kind.AMOUNT),
        Column(headers.BOND_DEMAND, Kind.AMOUNT),
        Column(headers.CAPITAL_PORTION, Kind.AMOUNT),
        Column(headers.EXPECTED_INCOME, Kind.AMOUNT),
        Column(headers.PRINCIPAL_AND_INTEREST, Kind.AMOUNT),
        Column(headers.COVERAGE_RATIO, Kind.MULTIPLE),
        Column(headers.RESERVED_ON, Kind.DATE),
        Column(headers.STATUS),
        Column(headers.HAS_IMPLEMENTATION_PLAN, width=10),
        Column(headers.HAS_FINANCIAL_EVALUATION, width=10),
        Column(headers.HAS_LEGAL_OPINION, width=10),
    )

    def sheet(self, export: QuarterlyExporter) -> Sheet:
        return Sheet(self.name, self.columns, self.rows(export))

    def rows(self, export: QuarterlyExporter) -> Iterator[list[Any]]:
        records = (
            quotas.records(export.plan, export.as_of, "bond_reserve_count")
            .with_status(export.as_of)
            .annotate(**attachments.kinds_present(BondReserve, BOND_RESERVE_DOCUMENTS, export.as_of))
            .order_by("name", "pk")
            .values_list(
                "name",
                "project_code",
                "sector__name",
                "owner",
                "department__name",
                "area__name",
                "total_investment",
                "bond_demand",
                "capital_portion",
                "expected_income",
                "principal_and_interest",
                "reserved_on",
                "status_as_of",
                *(f"has_{kind}" for kind in BOND_RESERVE_DOCUMENTS),
            )
        )
        statuses = labels(BondReserveStatusChoices)
        coverage_of = BondReserve.coverage_of
        sums = [ZERO] * 5
        documents = [0] * len(BOND_RESERVE_DOCUMENTS)
        count = 0
        for row in records.iterator(chunk_size=CHUNK):
            (name, code, sector, owner, department, area) = row[:6]
            amounts = row[6:11]
            reserved_on, status = row[11:13]
            present = row[13:]
            documents = [total + bool(has) for total, has in zip(documents, present, strict=True)]
            sums = [total + (amount or ZERO) for total, amount in zip(sums, amounts, strict=True)]
            count += 1
            yield [
                count,
                name,
                code,
                sector,
                owner,
                department,
                area,
                *amounts,
                coverage_of(amounts[3], amounts[4]),
                reserved_on,
                statuses.get(status, status),
                *(bool(has) for has in present),
            ]
        # The totals row counts the reserves that have each document.
        yield [
            None,
            headers.total_label(count),
            *[None] * 5,
            *sums,
            None,
            None,
            None,
            *(Cell(number, Kind.INTEGER) for number in documents),
        ]


class AttractionProjectSheet:
    """``招商引资项目``: the year's attraction projects signed by the as-of day, with the flags
    that decide each share on that day (是否亿元以上项目, 是否重点产业, 是否开工); the totals row
    sums the amounts and counts each flag's 是 (the report's numerators)."""

    name = headers.ATTRACTION_SHEET
    columns = (
        Column(headers.SERIAL, Kind.INTEGER, width=8),
        Column(headers.NAME, width=32),
        Column(headers.PROJECT_CODE, width=28),
        Column(headers.INVESTOR, width=24),
        Column(headers.INVESTOR_ORIGIN),
        Column(headers.INDUSTRY, width=16),
        Column(headers.AREA),
        Column(headers.DEPARTMENT, width=20),
        Column(headers.LEADER),
        Column(headers.CONTRACT_AMOUNT, Kind.AMOUNT),
        Column(headers.FIXED_ASSET_INVESTMENT, Kind.AMOUNT),
        Column(headers.FUNDS_IN_PLACE, Kind.AMOUNT),
        Column(headers.SIGNED_ON, Kind.DATE),
        Column(headers.STARTED_ON, Kind.DATE),
        Column(headers.IN_PRODUCTION_ON, Kind.DATE),
        Column(headers.STAGE),
        Column(headers.IS_BIG_PROJECT, width=12),
        Column(headers.IS_KEY_INDUSTRY, width=10),
        Column(headers.IS_STARTED, width=10),
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
            headers.total_label(count),
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


class SupervisionOrderSheet:
    """``督办事项``: the supervision orders issued in the year on or before the as-of day, by
    number, each with its stage on that day and, when it is overdue then, the days past its due
    date (blank otherwise: due on the day itself, closed, or not yet due); the totals row counts
    the orders and the overdue ones (under 编号) and each stage (under 事项). Stages from the dated replies
    (``SupervisionOrderQuerySet.with_stage``), like the other sheets' stages: the figures as
    known on a day (``known_on``) concern the reviewed monthly progress only."""

    name = "督办事项"
    # Widths given, not measured: a quarter without orders prints as one with them.
    columns = (
        Column(headers.SERIAL, Kind.INTEGER, width=6),
        Column("编号", width=22),
        Column("事项", width=40),
        Column("督办级别", width=10),
        Column(headers.DEPARTMENT, width=20),
        Column("对象类别", width=14),
        Column("督办对象", width=32),
        Column("交办日期", Kind.DATE, width=12),
        Column("办结时限", Kind.DATE, width=12),
        Column(headers.STAGE, width=14),
        Column("超期天数", Kind.INTEGER, width=10),
        Column("最近反馈日期", Kind.DATE, width=14),
    )

    def sheet(self, export: QuarterlyExporter) -> Sheet:
        return Sheet(self.name, self.columns, self.rows(export))

    def rows(self, export: QuarterlyExporter) -> Iterator[list[Any]]:
        as_of = export.as_of
        records = (
            SupervisionOrder.objects.filter(issued_on__gte=periods.year_start(export.year), issued_on__lte=as_of)
            .with_stage(as_of)
            .with_last_reply(as_of)
            .order_by("number", "pk")
            .values_list(
                "year",
                "number",
                "subject",
                "level",
                "department__name",
                "key_project__name",
                "attraction_project__name",
                "problem__project__name",
                "problem__description",
                "issued_on",
                "due_on",
                "stage_as_of",
                "overdue_days_as_of",
                "last_replied_on",
            )
        )
        levels, stages = labels(SupervisionOrderLevelChoices), labels(SupervisionOrderStageChoices)
        # What an order concerns, in the words of its fields (重点项目, 招商引资项目, 问题).
        kinds = [str(SupervisionOrder._meta.get_field(name).verbose_name) for name in CONCERNING]
        reference_of = SupervisionOrder.reference_of
        by_stage = dict.fromkeys(stages, 0)
        count = overdue = 0
        for row in records.iterator(chunk_size=CHUNK):
            year, number, subject, level, department, key_project, attraction, problem_project, problem = row[:9]
            issued, due, stage, overdue_days, last_replied = row[9:]
            if problem_project is not None:
                problem = f"{problem_project}：{problem[:50]}"
            kind, concerning = next(
                ((kind, name) for kind, name in zip(kinds, (key_project, attraction, problem), strict=True) if name),
                (None, None),
            )
            count += 1
            overdue += overdue_days is not None
            by_stage[stage] += 1
            yield [
                count,
                reference_of(year, number),
                subject,
                levels.get(level, level),
                department,
                kind,
                concerning,
                issued,
                due,
                stages.get(stage, stage),
                overdue_days,
                last_replied,
            ]
        # The counts of each stage under the subject, the widest column (the stage's is narrow).
        stage_counts = "，".join(f"{label}{by_stage[stage]}件" for stage, label in stages.items())
        yield [None, f"{headers.TOTAL_PREFIX}（{count}件，超期{overdue}件）", stage_counts, *[None] * 9]


class IndicatorSheet:
    """``年度目标指标``: the year plan's other targets as of the as-of day, their values known on
    the export's ``known_on`` (``projects.indicators``, one query), each with its figure
    against its target, met or not, and its light against the time progress where it has one;
    the totals row counts the indicators and those met."""

    name = headers.INDICATOR_SHEET
    columns = (
        Column(headers.SERIAL, Kind.INTEGER, width=6),
        Column(headers.INDICATOR_AREA, width=12),
        Column(headers.INDICATOR, width=30),
        Column(headers.INDICATOR_UNIT, width=8),
        Column(headers.INDICATOR_COMPARISON, width=12),
        Column(headers.INDICATOR_TARGET, Kind.AMOUNT, width=14),
        Column(headers.INDICATOR_FIGURE, Kind.AMOUNT, width=14),
        Column(headers.INDICATOR_COMPLETION, Kind.RATIO, width=10),
        Column(headers.INDICATOR_ACCUMULATION, width=12),
        Column(headers.INDICATOR_FREQUENCY, width=10),
        Column(headers.INDICATOR_STATUS, width=10),
        Column(headers.INDICATOR_LIGHT, width=8),
        Column(headers.TIME_PROGRESS, Kind.RATIO, width=10),
        Column(headers.DEPARTMENT, width=20),
        Column(headers.LEADER, width=14),
        Column(headers.INDICATOR_SOURCE, width=24),
    )

    def sheet(self, export: QuarterlyExporter) -> Sheet:
        return Sheet(self.name, self.columns, self.rows(export))

    def rows(self, export: QuarterlyExporter) -> Iterator[list[Any]]:
        areas, comparisons = labels(IndicatorAreaChoices), labels(IndicatorComparisonChoices)
        accumulations, frequencies = labels(IndicatorAccumulationChoices), labels(IndicatorFrequencyChoices)
        statuses, lights = labels(IndicatorStatusChoices), labels(KeyProjectWarningChoices)
        count = met = 0
        for row in indicators_on(export.year, export.as_of, export.known_on):
            indicator = row.indicator
            # A count is written whole, a share or an amount with its two places.
            kind = Kind.INTEGER if indicator.decimals == 0 else Kind.AMOUNT
            count += 1
            met += row.status == IndicatorStatusChoices.MET
            yield [
                count,
                areas[indicator.area],
                indicator.name,
                indicator.unit,
                comparisons[indicator.comparison],
                Cell(indicator.target, kind),
                Cell(row.figure, kind),
                row.completion,
                accumulations[indicator.accumulation],
                frequencies[indicator.frequency],
                statuses[row.status],
                lights.get(row.light) if row.light else None,
                row.time_progress,
                indicator.department.name,
                indicator.leader,
                indicator.source,
            ]
        yield [None, headers.TOTAL_PREFIX, f"{count}项，已达标{met}项", *[None] * 13]


class QuarterlyExporter(BaseExporter):
    """The compliance export of ``plan``'s year for ``quarter`` (1–4), as of the quarter's last
    day, in ``format``. ``for_quarter(year, quarter, format)`` finds the plan: a year without
    one is ``NoPlan``, a quarter outside 1–4 a ValueError. Written in Simplified Chinese
    whatever the active language: a filed document must read the same for everyone."""

    identifier = "quarterly"
    verbose_name = _("Quarterly compliance export")
    sheet_classes = (
        SummarySheet,
        KeyProjectSheet,
        BondReserveSheet,
        AttractionProjectSheet,
        SupervisionOrderSheet,
        IndicatorSheet,
    )

    def __init__(
        self,
        plan: YearPlan,
        quarter: int,
        *,
        format: Format | str = Format.XLSX,
        generated_at: datetime.datetime | None = None,
        county: str | None = None,
        known_on: datetime.date | None = None,
    ):
        super().__init__(format=format, generated_at=generated_at)
        self.plan = plan
        self.quarter = quarter
        self.as_of = periods.quarter_end(plan.year, quarter)
        # The monthly progress counts the reports approved by the end of this day (None: now).
        self.known_on = known_on
        self.county = county or settings.COUNTY_NAME

    @classmethod
    def for_quarter(cls, year: int, quarter: int, format: Format | str = Format.XLSX, **kwargs) -> QuarterlyExporter:
        periods.quarter_end(year, quarter)  # a bad quarter is a ValueError before any query
        return cls(YearPlan.objects.saved(year), quarter, format=format, **kwargs)

    @property
    def year(self) -> int:
        return self.plan.year

    @property
    def fixed_time(self) -> datetime.datetime:
        return datetime.datetime.combine(self.as_of, datetime.time())

    @property
    def page_header(self) -> str:
        """``郏县 2023年第2季度 截至2023-06-30``, above every printed page."""
        return f"{self.county} {self.year}年第{self.quarter}季度 截至{self.as_of.isoformat()}"

    @property
    def filename(self) -> str:
        """``郏县-2023-Q2.xlsx`` (the CSV zip: ``郏县-2023-Q2.csv.zip``)."""
        return f"{self.county}-{self.year}-Q{self.quarter}.{EXTENSIONS[self.format]}"

    def sheets(self) -> Iterator[Sheet]:
        for sheet_class in self.sheet_classes:
            yield sheet_class().sheet(self)

    def write(self, target) -> int:
        # One snapshot: the summary's figures are the sums of the sheets' rows.
        with translation.override("zh-hans"), reading():
            return super().write(target)
