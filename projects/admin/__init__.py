"""The clerks' ledgers of the projects app in the Django admin, one module per subject, on the
base that every ledger of both apps builds on (``jiaxian.admin``: ``LedgerAdmin``,
``VersionedModelForm``, the column helpers, ``YearFilter``, ``RecordsFilter``, the import page):

- ``reference``: industries, areas, departments, bond sectors, the year plan, and the user's
  departments on the user's page;
- ``key_projects``: key projects, their inlines and filters, the warning light's badge;
- ``bonds``: special-bond reserves and their filters;
- ``progress``: the review list of monthly progress reports (submit, approve, return), on
  ``ReviewedAdmin``, the review list of any reviewed record;
- ``indicators``: the year plan's indicators (inline on the plan's page and their own list) and
  their monthly values' review list;
- ``attachments``: the attachments block on every record's page, the upload page, the downloads.

Importing this package registers every ledger (Django's autodiscovery imports it); import the
names from here: ``from projects.admin import KeyProjectAdmin``. The modules build on
``jiaxian.admin`` and never on this package (``indicators`` reuses ``progress``' review list,
``reference`` the indicators' inline).

Thin: columns, filters and inlines. Every derived value (status, coverage ratio) comes from
the model or its queryset; every list declares the related rows it needs so that a page
of 100 rows costs the same few queries as a page of 10. ``RecordsFilter`` and its two
subclasses (``ListedForFilter``, ``PoolFilter``) list the records behind a figure of the
year's report, where the dashboard's links lead (the app that draws the dashboard names it and
adds its own filters; this app never imports it).
"""

from .attachments import AttachmentAdmin, attachments_block
from .bonds import BondReserveAdmin, BondStatusFilter, PoolFilter
from .indicators import IndicatorValueAdmin, PlanIndicatorAdmin, PlanIndicatorInline
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
from .progress import ProgressReportAdmin, ReviewedAdmin, ReviewStageFilter
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
    "AttachmentAdmin",
    "AnnualListingInline",
    "AreaAdmin",
    "BondReserveAdmin",
    "BondStatusFilter",
    "DepartmentAdmin",
    "DepartmentMembershipInline",
    "IndicatorValueAdmin",
    "IndustryAdmin",
    "KeyProjectAdmin",
    "KeyProjectInline",
    "ListedForFilter",
    "ListingCategoryFilter",
    "ListingYearFilter",
    "MilestoneInline",
    "PlanIndicatorAdmin",
    "PlanIndicatorInline",
    "PoolFilter",
    "ProblemInline",
    "ProblemsFilter",
    "ProgressReportAdmin",
    "ProgressReportInline",
    "ReviewStageFilter",
    "ReviewedAdmin",
    "SectorAdmin",
    "UserWithDepartmentsAdmin",
    "WarningFilter",
    "YearPlanAdmin",
    "attachments_block",
    "warning_badge",
    "warning_plan",
]
