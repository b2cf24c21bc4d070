"""The Chinese column headers of the attraction ledger (招商引资项目), as the quarterly export
writes them and the import reads them back (``exporters.py`` writes them, ``resources.py`` reads
them): one home for each string, so that an exported sheet can be edited and imported again.

The columns the ledgers share, the key projects' and bond reserves' and the sheet's frame are
``projects.headers`` (and ``jiaxian.headers``), handed on here with everything else of that
module: the export writes all three ledgers and reads one module. Not translated, as none of the
ledgers' headers are (``jiaxian.headers`` says why).
"""

from __future__ import annotations

from projects.headers import *  # noqa: F403 (handed on, see above)

# The sheet of the quarterly export; the import takes the sheet so named.
ATTRACTION_SHEET = "招商引资项目"

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
