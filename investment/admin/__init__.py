"""The investment app's ledgers in the Django admin, one module per subject:

- ``attraction``: the attraction ledger and its filters, with ``QuotaFilter`` (the projects
  behind a figure of the year's report);
- ``filings``: the filed quarterly exports and monthly circulars, listed and downloadable, never changed;
- ``chains``: the industrial chains with their six lists, and the signing of a target
  enterprise;
- ``dispatch``: the supervision orders and their replies;
- ``meetings``: the dispatch meetings and their decisions, and 转督办;
- ``rankings``: the weights of the rankings' indicators;
- ``notifications``: what was sent of the reminders (read only);
- ``pages``: the dispatch blocks on a key project's and an attraction project's page.

Importing this package registers every ledger (Django's autodiscovery imports it); import the
names from here: ``from investment.admin import QuotaFilter``. The modules build on
``jiaxian.admin`` and ``projects`` (never the reverse) and never on each other or on this package.

Columns, filters, history, and the signing of a target enterprise. The stage, the
100-million flag and a link's coverage come from the querysets, the same rules the reports use.
"""

from . import pages  # noqa: F401  (registers the blocks)
from .attraction import AttractionProjectAdmin, BigProjectFilter, QuotaFilter, StageFilter
from .chains import (
    CarrierAdmin,
    ChainLinkAdmin,
    ChainLinkInline,
    CoverageFilter,
    IndustrialChainAdmin,
    LinkFilter,
    LocalEnterpriseAdmin,
    LocalEnterpriseInline,
    PolicyAdmin,
    ResponsibilityAdmin,
    ResponsibilityForm,
    SignForm,
    TargetEnterpriseAdmin,
    TargetEnterpriseInline,
    TargetStageFilter,
    ValidOnFilter,
    coverage_badge,
)
from .dispatch import OrderReplyAdmin, OrderStageFilter, OverdueFilter, SupervisionOrderAdmin
from .filings import IMMUTABLE_MESSAGE, CircularFilingAdmin, FiledExportAdmin, FilingAdmin
from .meetings import DecisionInline, DispatchMeetingAdmin, MeetingDecisionAdmin, TurnedFilter
from .notifications import ReminderDeliveryAdmin
from .rankings import RankingWeightAdmin

__all__ = [
    "IMMUTABLE_MESSAGE",
    "AttractionProjectAdmin",
    "BigProjectFilter",
    "CarrierAdmin",
    "ChainLinkAdmin",
    "ChainLinkInline",
    "CoverageFilter",
    "DecisionInline",
    "DispatchMeetingAdmin",
    "CircularFilingAdmin",
    "FiledExportAdmin",
    "FilingAdmin",
    "IndustrialChainAdmin",
    "LinkFilter",
    "LocalEnterpriseAdmin",
    "LocalEnterpriseInline",
    "MeetingDecisionAdmin",
    "OrderReplyAdmin",
    "OrderStageFilter",
    "OverdueFilter",
    "PolicyAdmin",
    "QuotaFilter",
    "RankingWeightAdmin",
    "ReminderDeliveryAdmin",
    "ResponsibilityAdmin",
    "ResponsibilityForm",
    "SignForm",
    "StageFilter",
    "SupervisionOrderAdmin",
    "TargetEnterpriseAdmin",
    "TargetEnterpriseInline",
    "TargetStageFilter",
    "TurnedFilter",
    "ValidOnFilter",
    "coverage_badge",
]
