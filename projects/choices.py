"""Fixed lists of the projects app. Labels are translatable; the stored values are stable
English words that the API and imports use."""

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class AreaKindChoices(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    TOWN = "town", _("Town")
    TOWNSHIP = "township", _("Township")
    DEVELOPMENT_ZONE = "development_zone", _("Economic development zone")
    PARK = "park", _("Industrial park")


class KeyProjectNatureChoices(models.TextChoices):
    NEW = "new", _("New construction")
    EXPANSION = "expansion", _("Expansion")
    RENOVATION = "renovation", _("Renovation")
    SECOND_PHASE = "second_phase", _("Second phase")


class AnnualListingCategoryChoices(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary work")
    NEW_START = "new_start", _("New start")
    CONTINUING = "continuing", _("Continuing")
    COMPLETION = "completion", _("Completion and production")


class BondReserveStatusChoices(models.TextChoices):
    """Steps of a reserve, in order; each is reached on the date of the same name."""

    RESERVED = "reserved", _("Reserved")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")


class MilestoneKindChoices(models.TextChoices):
    """The standard milestones (节点) of a construction project, in the order they come;
    ``CUSTOM`` is a milestone the clerk names."""

    APPROVAL = "approval", _("Project approval")
    LAND = "land", _("Land use")
    ENVIRONMENTAL_ASSESSMENT = "environmental_assessment", _("Environmental impact assessment")
    CONSTRUCTION_PERMIT = "construction_permit", _("Construction permit")
    START = "start", _("Construction start")
    MAIN_STRUCTURE = "main_structure", _("Main structure topped out")
    COMPLETION = "completion", _("Completion")
    PRODUCTION = "production", _("Production")
    CUSTOM = "custom", _("Other (named)")


class KeyProjectStageChoices(models.TextChoices):
    """Where a key project is on a date (``KeyProjectQuerySet.STAGES``), from its dates: approved
    once its approval milestone is done, started, completed, in production once its production
    milestone is done; identified before any of them."""

    IDENTIFIED = "identified", pgettext_lazy("key project stage", "Identified")
    APPROVED = "approved", pgettext_lazy("key project stage", "Approved")
    STARTED = "started", pgettext_lazy("key project stage", "Under construction")
    COMPLETED = "completed", pgettext_lazy("key project stage", "Completed")
    IN_PRODUCTION = "in_production", pgettext_lazy("key project stage", "In production")


class KeyProjectWarningChoices(models.TextChoices):
    """The warning light (红黄绿灯) of a key project on a date, best first."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class ReviewStageChoices(models.TextChoices):
    """Where a monthly progress report is in its review (审核): the latest of its dated events
    (``ProgressReport.REVIEW``)."""

    DRAFT = "draft", pgettext_lazy("review stage", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("review stage", "Submitted, awaiting review")
    APPROVED = "approved", pgettext_lazy("review stage", "Approved")
    RETURNED = "returned", pgettext_lazy("review stage", "Returned")


class ReviewActionChoices(models.TextChoices):
    """The events of a report's review trail (``ProgressReview``)."""

    SUBMITTED = "submitted", pgettext_lazy("review event", "Submitted")
    APPROVED = "approved", pgettext_lazy("review event", "Approved")
    RETURNED = "returned", pgettext_lazy("review event", "Returned")


class AttachmentKindChoices(models.TextChoices):
    """What an attached file is to its record: a site photo, one of a bond reserve's "one plan,
    two reports" (``BOND_RESERVE_DOCUMENTS``), a contract, an approval, or something else."""

    SITE_PHOTO = "site_photo", _("Site photo")
    IMPLEMENTATION_PLAN = "implementation_plan", _("Implementation plan")
    FINANCIAL_EVALUATION = "financial_evaluation", _("Financial evaluation report")
    LEGAL_OPINION = "legal_opinion", _("Legal opinion")
    CONTRACT = "contract", _("Contract")
    APPROVAL = "approval", _("Approval document")
    OTHER = "other", _("Other")


# The three documents a bond reserve is judged on (一案两报), in the order they are listed.
BOND_RESERVE_DOCUMENTS = (
    AttachmentKindChoices.IMPLEMENTATION_PLAN,
    AttachmentKindChoices.FINANCIAL_EVALUATION,
    AttachmentKindChoices.LEGAL_OPINION,
)


class IndicatorAreaChoices(models.TextChoices):
    """The areas of work a plan indicator (年度目标指标) belongs to, in the order the plan lists them."""

    INNOVATION = "innovation", _("Science and technology innovation")
    CARRIERS = "carriers", _("Carriers and platforms")
    INDUSTRY = "industry", _("Industrial development")
    MAJOR_PROJECTS = "major_projects", _("Major projects")
    MARKET_ENTITIES = "market_entities", _("Market entities")
    BUSINESS_ENVIRONMENT = "business_environment", _("Business environment")
    URBAN_RURAL = "urban_rural", _("Urban and rural construction")
    REFORM = "reform", _("Reform")
    RURAL_REVITALISATION = "rural_revitalisation", _("Rural revitalisation")
    RISK = "risk", _("Risk prevention")


class IndicatorComparisonChoices(models.TextChoices):
    """How a plan indicator's figure is held against its target."""

    AT_LEAST = "at_least", _("At least the target")
    AT_MOST = "at_most", _("At most the target")
    EQUAL = "equal", _("Equal to the target")


class IndicatorAccumulationChoices(models.TextChoices):
    """Whether an indicator's monthly values add up over the year (new enterprises each month)
    or each is the level reached by then (a share, a count of villages)."""

    CUMULATIVE = "cumulative", _("Cumulative over the year")
    LEVEL = "level", _("Level reached")


class IndicatorFrequencyChoices(models.TextChoices):
    """How often an indicator's figure is known: a value for each month, for each quarter's last
    month, or for December only."""

    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class IndicatorStatusChoices(models.TextChoices):
    """Where an indicator's figure stands against its target on a day."""

    MET = "met", _("Target met")
    NOT_YET = "not_yet", _("Not yet met")
    NO_FIGURE = "no_figure", _("No figure yet")
