"""The clerks' ledgers of the projects app in the Django admin, one module per subject:

- ``base``: what every ledger builds on, in both apps (``LedgerAdmin``, ``VersionedModelForm``,
  ``LedgerChangeList``, the column helpers ``wan`` and ``lineage``, ``YearFilter``), and
  ``RecordsFilter`` with the parsers of its parameters;
- ``reference``: industries, areas, departments, bond sectors, the year plan, and the user's
  departments on the user's page;
- ``key_projects``: key projects, their inlines and filters, the warning light's badge;
- ``bonds``: special-bond reserves and their filters.

Importing this package registers every ledger (Django's autodiscovery imports it); import the
names from here: ``from projects.admin import LedgerAdmin``. The modules build on ``base`` and
never on each other or on this package.

Thin: columns, filters and inlines. Every derived value (status, coverage ratio) comes from
the model or its queryset; every list declares the related rows it needs so that a page
of 100 rows costs the same few queries as a page of 10. ``RecordsFilter`` and its two
subclasses (``ListedForFilter``, ``PoolFilter``) list the records behind a figure of the
year's report, where the dashboard's links lead (the investment app adds its own; this app
never imports it).
"""

from .base import (
    LedgerAdmin,
    LedgerChangeList,
    RecordsFilter,
    VersionedModelForm,
    YearFilter,
    dashboard_url,
    lineage,
    wan,
)
from .bonds import BondReserveAdmin, BondStatusFilter, PoolFilter
from .key_projects import (
    AnnualListingInline,
    KeyProjectAdmin,
    KeyProjectInline,
    ListedForFilter,
    ListingCategoryFilter,
    ListingYearFilter,
    MilestoneInline,
    ProblemInline,
    ProblemsFilter,
    ProgressReportInline,
    WarningFilter,
    warning_badge,
    warning_plan,
)
from .reference import (
    AreaAdmin,
    DepartmentAdmin,
    DepartmentMembershipInline,
    IndustryAdmin,
    SectorAdmin,
    UserWithDepartmentsAdmin,
    YearPlanAdmin,
)

__all__ = [
    "AnnualListingInline",
    "AreaAdmin",
    "BondReserveAdmin",
    "BondStatusFilter",
    "DepartmentAdmin",
    "DepartmentMembershipInline",
    "IndustryAdmin",
    "KeyProjectAdmin",
    "KeyProjectInline",
    "LedgerAdmin",
    "LedgerChangeList",
    "ListedForFilter",
    "ListingCategoryFilter",
    "ListingYearFilter",
    "MilestoneInline",
    "PoolFilter",
    "ProblemInline",
    "ProblemsFilter",
    "ProgressReportInline",
    "RecordsFilter",
    "SectorAdmin",
    "UserWithDepartmentsAdmin",
    "VersionedModelForm",
    "WarningFilter",
    "YearFilter",
    "YearPlanAdmin",
    "dashboard_url",
    "lineage",
    "wan",
    "warning_badge",
    "warning_plan",
]
