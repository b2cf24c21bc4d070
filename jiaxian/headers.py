"""The frame every ledger sheet of the quarterly export shares, as the export writes it and the
import reads it back: the summary sheet and its year line, the name column by which the import
finds a sheet's header row, and the totals row that ends a sheet. The ledgers' own columns are
with their apps (``projects/headers.py``, ``investment/headers.py``), which hand these on.

These, and the ledgers' own headers, are the headers of a document in Chinese, not labels of the
interface: they are not translated (a filed export must read the same for everyone, and an
import must recognise it whatever the clerk's language).
"""

from __future__ import annotations

# The summary sheet of the quarterly export, and its line that gives the year (an import of the
# whole workbook reads it).
SUMMARY_SHEET = "汇总"
YEAR = "年度"

# Every ledger's name column: the import finds the header row by it.
NAME = "项目名称"

# The totals row that ends each ledger sheet; the import skips a row whose name starts so.
TOTAL_PREFIX = "合计"


def total_label(count: int) -> str:
    """The name cell of a ledger sheet's totals row: ``合计（12个项目）``."""
    return f"{TOTAL_PREFIX}（{count}个项目）"
