"""The projects app's models, one module per subject:

- ``base``: ``ProjectCodeMixin`` (the national project code) and ``KeyProjectPart`` (the base of
  a key project's listings, milestones, monthly reports and problems); what every model builds on
  (``TrackedModel``, ``CodedModel``, the field, constraint and ratio helpers) is domain-free
  and lives in ``jiaxian.models``;
- ``reference``: industries, areas, departments, bond sectors, the year plan;
- ``key_projects``: key projects, their annual listings, the warning light;
- ``progress``: milestones, monthly progress reports, problems;
- ``bonds``: special-bond reserves;
- ``reviewed``: what a reviewed monthly record shares (progress reports, indicator values);
- ``indicators``: the year plan's other targets (plan indicators) and their monthly values;
- ``attachments``: the photos and documents attached to records of either app;
- ``uploads``: a file uploaded to the admin's import page, kept until it is confirmed.

Import them from here: ``from projects.models import KeyProject``. The modules import one way
(``base`` ← ``reference`` ← ``progress`` ← ``key_projects``; ``bonds`` on ``base`` and
``reference``), never in a circle.

Money is ``Decimal`` in 万元 (ten thousand yuan) everywhere. Status that follows from dates
(a reserve's status) is derived from the dates, never stored, so that any figure can be
recomputed as of a past day. Rules about one record live in its ``clean()``, which the
admin, the API and the import all run; the database constraints repeat the simplest of them
as a last guard.
"""

from jiaxian.versions import StaleVersion

from .attachments import Attachment, attachments_relation
from .base import ProjectCodeMixin
from .bonds import BondReserve
from .indicators import IndicatorValue, IndicatorValueReview, PlanIndicator
from .key_projects import AnnualListing, KeyProject, warning_light
from .progress import Milestone, Problem, ProgressReport, ProgressReview
from .reference import Area, Department, Industry, NoPlan, Sector, YearPlan, department_field
from .uploads import ImportUpload

__all__ = [
    "AnnualListing",
    "Attachment",
    "Area",
    "BondReserve",
    "Department",
    "ImportUpload",
    "IndicatorValue",
    "IndicatorValueReview",
    "Industry",
    "KeyProject",
    "Milestone",
    "NoPlan",
    "PlanIndicator",
    "Problem",
    "ProgressReport",
    "ProgressReview",
    "ProjectCodeMixin",
    "Sector",
    "StaleVersion",
    "YearPlan",
    "attachments_relation",
    "department_field",
    "warning_light",
]
