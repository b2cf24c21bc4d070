"""The investment app's models: attraction projects (``attraction``), the filed quarterly
exports (``filings``), and the industrial chains with their six lists (``chains``). Import them
from here: ``from investment.models import AttractionProject``."""

from .attraction import AttractionProject
from .chains import Carrier, ChainLink, IndustrialChain, LocalEnterprise, Policy, Responsibility, TargetEnterprise
from .filings import Filing, FilingImmutable, FilingQuerySet

__all__ = [
    "AttractionProject",
    "Carrier",
    "ChainLink",
    "Filing",
    "FilingImmutable",
    "FilingQuerySet",
    "IndustrialChain",
    "LocalEnterprise",
    "Policy",
    "Responsibility",
    "TargetEnterprise",
]
