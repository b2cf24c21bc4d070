"""The investment app's models: attraction projects (``attraction``), the filed quarterly
exports (``filings``), the industrial chains with their six lists (``chains``), and the
supervision orders with their replies (``dispatch``), the dispatch meetings with their
decisions (``meetings``), the weights of the rankings (``rankings``), the notifications and
what was sent of the reminders (``notifications``). Import them
from here: ``from investment.models import AttractionProject``."""

from .attraction import AttractionProject
from .chains import Carrier, ChainLink, IndustrialChain, LocalEnterprise, Policy, Responsibility, TargetEnterprise
from .dispatch import OrderReply, SupervisionOrder
from .filings import CircularFiling, FiledExport, Filing, FilingImmutable, FilingQuerySet
from .meetings import DispatchMeeting, MeetingDecision
from .notifications import Notification, NotificationSetting, ReminderDelivery
from .rankings import RankingWeight

__all__ = [
    "AttractionProject",
    "Carrier",
    "DispatchMeeting",
    "ChainLink",
    "CircularFiling",
    "FiledExport",
    "Filing",
    "FilingImmutable",
    "FilingQuerySet",
    "IndustrialChain",
    "LocalEnterprise",
    "MeetingDecision",
    "Notification",
    "NotificationSetting",
    "OrderReply",
    "Policy",
    "RankingWeight",
    "ReminderDelivery",
    "Responsibility",
    "SupervisionOrder",
    "TargetEnterprise",
]
