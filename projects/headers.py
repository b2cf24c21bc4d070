"""The Chinese column headers of the three ledgers, as the quarterly export writes them and the
import reads them back: one home for each string, so that an exported sheet can be edited and
imported again (``investment/exporters.py`` writes them, ``projects/resources.py`` and
``investment/resources.py`` read them). They live here, in the projects app, because the
key-project and bond-reserve import resources are in this app and ``projects`` never imports
``investment``.

These are the headers of a document in Chinese, not labels of the interface: they are not
translated (a filed export must read the same for everyone, and an import must recognise it
whatever the clerk's language).
"""

from __future__ import annotations

# Sheet names of the quarterly export; the import takes the sheet named for its ledger.
SUMMARY_SHEET = "汇总"
KEY_PROJECT_SHEET = "重点项目"
BOND_RESERVE_SHEET = "专项债储备"
ATTRACTION_SHEET = "招商引资项目"

# The summary's line that gives the year (an import of the whole workbook reads it).
YEAR = "年度"

# Shared by the ledgers.
SERIAL = "序号"
NAME = "项目名称"
PROJECT_CODE = "投资项目统一代码"
OWNER = "项目单位"
INDUSTRY = "产业"
AREA = "所在区域"
DEPARTMENT = "责任单位"
LEADER = "县级责任领导"
TOTAL_INVESTMENT = "总投资（万元）"
STARTED_ON = "开工日期"

# Key projects (重点项目) and their listing of the year.
NATURE = "建设性质"
LISTING_CATEGORY = "年度类别"
LISTED_ON = "列入日期"
PLANNED_INVESTMENT = "年度计划投资（万元）"
QUARTER_COMPLETED = "本季度完成投资（万元）"
YEAR_COMPLETED = "年度累计完成投资（万元）"
PLANNED_COMPLETION_ON = "计划竣工日期"
COMPLETED_ON = "竣工日期"
PROGRESS = "截至日进展"

# Special-bond reserves (专项债储备).
SECTOR = "领域"
BOND_DEMAND = "申请债券资金（万元）"
CAPITAL_PORTION = "用作资本金（万元）"
EXPECTED_INCOME = "预期收益（万元）"
PRINCIPAL_AND_INTEREST = "债券本息（万元）"
COVERAGE_RATIO = "本息覆盖倍数"
RESERVED_ON = "入库日期"
STATUS = "截至日状态"

# Attraction projects (招商引资项目).
INVESTOR = "投资方"
INVESTOR_ORIGIN = "投资方来源"
CONTRACT_AMOUNT = "签约金额（万元）"
FIXED_ASSET_INVESTMENT = "固定资产投资（万元）"
FUNDS_IN_PLACE = "到位资金（万元）"
SIGNED_ON = "签约日期"
IN_PRODUCTION_ON = "投产日期"
STAGE = "截至日阶段"
IS_BIG_PROJECT = "是否亿元以上项目"
IS_KEY_INDUSTRY = "是否重点产业"
IS_STARTED = "是否开工"

# The totals row that ends each ledger sheet; the import skips a row whose name starts so.
TOTAL_PREFIX = "合计"


def total_label(count: int) -> str:
    """The name cell of a ledger sheet's totals row: ``合计（12个项目）``."""
    return f"{TOTAL_PREFIX}（{count}个项目）"
