"""The Chinese column headers of this app's two ledgers, key projects and special-bond reserves,
as the quarterly export writes them and the import reads them back (``resources.py``): one home
for each string, so that an exported sheet can be edited and imported again. The frame every
sheet shares (the summary sheet and its year line, the name column, the totals row) is
``jiaxian.headers``, handed on from here; the columns "shared by the ledgers" are those that a
ledger of another app has too (an app above this one hands them on with its own).

Not translated, as none of the ledgers' headers are (``jiaxian.headers`` says why).
"""

from __future__ import annotations

# The frame of every ledger sheet, handed on so that a ledger's resource and the export read one
# module.
from jiaxian.headers import NAME, SUMMARY_SHEET, TOTAL_PREFIX, YEAR, total_label  # noqa: F401

# Sheet names of the quarterly export; the import takes the sheet named for its ledger.
KEY_PROJECT_SHEET = "重点项目"
BOND_RESERVE_SHEET = "专项债储备"

# Shared by the ledgers.
SERIAL = "序号"
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
# A reserve's "one plan, two reports" (一案两书) present by the as-of day (export only: the
# import leaves attachments alone).
HAS_IMPLEMENTATION_PLAN = "是否有实施方案"
HAS_FINANCIAL_EVALUATION = "是否有财务评价报告"
HAS_LEGAL_OPINION = "是否有法律意见书"

# The year plan's other targets (年度目标指标), a sheet of the quarterly export.
INDICATOR_SHEET = "年度目标指标"
INDICATOR_AREA = "领域"
INDICATOR = "指标"
INDICATOR_UNIT = "单位"
INDICATOR_COMPARISON = "比较方式"
INDICATOR_TARGET = "目标值"
INDICATOR_FIGURE = "完成值"
INDICATOR_COMPLETION = "完成率"
INDICATOR_ACCUMULATION = "统计方式"
INDICATOR_FREQUENCY = "数据频次"
INDICATOR_STATUS = "是否达标"
INDICATOR_LIGHT = "灯号"
TIME_PROGRESS = "时序进度"
INDICATOR_SOURCE = "数据来源"
