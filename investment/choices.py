"""Fixed lists of the investment app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttractionProjectInvestorOriginChoices(models.TextChoices):
    LOCAL = "local", _("Local")
    IN_PROVINCE = "in_province", _("Elsewhere in Henan")
    OUT_OF_PROVINCE = "out_of_province", _("Outside Henan")
    OVERSEAS = "overseas", _("Overseas")


class AttractionProjectStageChoices(models.TextChoices):
    """Stages in order; a project's stage is derived from its dates, never stored."""

    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    STARTED = "started", _("Started")
    IN_PRODUCTION = "in_production", _("In production")


class FilingFormatChoices(models.TextChoices):
    """The formats a quarterly export is filed in (those of ``jiaxian.exporting.Format``)."""

    XLSX = "xlsx", _("Excel workbook (XLSX)")
    CSV = "csv", _("CSV files (zip)")


class ChainLinkPositionChoices(models.TextChoices):
    """Where a link sits on its industrial chain, in the order the map draws them."""

    UPSTREAM = "upstream", _("Upstream")
    MIDSTREAM = "midstream", _("Midstream")
    DOWNSTREAM = "downstream", _("Downstream")


class ChainLinkCoverageChoices(models.TextChoices):
    """A link's coverage, derived (``ChainLink.coverage_on``), never stored: covered when local
    enterprises work in it, pursued when a target enterprise for it has been contacted, a gap
    otherwise."""

    COVERED = "covered", _("Covered")
    PURSUED = "pursued", _("Pursued")
    GAP = "gap", _("Gap")


class TargetEnterpriseStageChoices(models.TextChoices):
    """The steps of the lead pipeline in order; a target's stage is the latest step it has a
    date for (``TargetEnterprise.stage_on``), never stored."""

    IDENTIFIED = "identified", _("Not contacted yet")
    CONTACTED = "contacted", _("Contacted")
    VISITED = "visited", _("Visited")
    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")


class TargetEnterpriseSizeChoices(models.TextChoices):
    """The kinds of enterprise that investment promotion sorts its targets by (the “three
    kinds of top 500”, listed companies, industry leaders, then by size)."""

    GLOBAL_500 = "global_500", _("Fortune Global 500")
    CHINA_500 = "china_500", _("China top 500")
    PRIVATE_500 = "private_500", _("China private top 500")
    LISTED = "listed", _("Listed company")
    LEADER = "leader", _("Industry leader")
    LARGE = "large", _("Large enterprise")
    SMALL_MEDIUM = "small_medium", _("Small or medium enterprise")


class CarrierKindChoices(models.TextChoices):
    """What the county offers an investor to settle on."""

    LAND = "land", _("Land parcel")
    FACTORY = "factory", _("Standard factory building")


class CarrierSizeUnitChoices(models.TextChoices):
    """The unit a carrier's area is given in: land in 亩 (1 亩 ≈ 666.7 m²), buildings in m²."""

    MU = "mu", _("亩")
    SQUARE_METRE = "m2", _("m²")


class CarrierPriceUnitChoices(models.TextChoices):
    """The unit of a carrier's price, as the offer is made: land is sold per 亩 in 万元,
    a standard factory is rented per m² and month, or sold per m², in yuan."""

    WAN_PER_MU = "wan_per_mu", _("万元/亩")
    YUAN_PER_M2_MONTH = "yuan_per_m2_month", _("元/m²/month")
    YUAN_PER_M2 = "yuan_per_m2", _("元/m²")


class CarrierAvailabilityChoices(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    TAKEN = "taken", _("Taken")


class SupervisionOrderLevelChoices(models.TextChoices):
    """How hard the county presses (督办级别)."""

    GENERAL = "general", _("一般督办")
    KEY = "key", _("重点督办")
    LISTED = "listed", _("挂牌督办")


class SupervisionOrderStageChoices(models.TextChoices):
    """Where an order stands on a day, derived from its replies' dates (``SupervisionOrder.stage_on``)."""

    OPEN = "open", _("awaiting a reply")
    REPLIED = "replied", _("replied, awaiting decision")
    CLOSED = "closed", _("closed")


class OrderReplyDecisionChoices(models.TextChoices):
    """The issuer's decision on a department's reply."""

    ACCEPTED = "accepted", _("accepted (order closed)")
    RETURNED = "returned", _("returned (reply again)")


class DispatchMeetingKindChoices(models.TextChoices):
    """The kinds of meeting at which the county presses its projects (调度会)."""

    MONTHLY = "monthly", _("月度调度会")
    SPECIAL = "special", _("专题调度会")
    ON_SITE = "on_site", _("现场推进会")


class RankingIndicatorChoices(models.TextChoices):
    """The indicators the departments and areas are ranked on (``investment.rankings``)."""

    INVESTMENT_PROGRESS = "investment_progress", _("Key projects: completion rate minus time progress")
    RED_LIGHT_SHARE = "red_light_share", _("Share of key projects on red light")
    OVERDUE_ORDERS = "overdue_orders", _("Overdue supervision orders")
    OVERDUE_PROBLEMS = "overdue_problems", _("Overdue problems")
    LATE_REPORTS = "late_reports", _("Monthly reports not submitted by the due day")
    ATTRACTION_SIGNED = "attraction_signed", _("Attraction projects signed")
    ATTRACTION_BIG_SHARE = "attraction_big_share", _("Signed: share of 100-million-yuan projects")
    ATTRACTION_KEY_INDUSTRY_SHARE = "attraction_key_industry_share", _("Signed: share in key industries")
    ATTRACTION_STARTED_SHARE = "attraction_started_share", _("Signed: share started")
    PLAN_INDICATORS_ON_TRACK = "plan_indicators_on_track", _("Plan indicators: share met or on a green light")
    LATE_INDICATOR_VALUES = "late_indicator_values", _("Plan indicator values not submitted by the due day")


class RankingUnitChoices(models.TextChoices):
    """What the rankings rank."""

    DEPARTMENT = "department", _("departments")
    AREA = "area", _("areas")


class ReminderDeliveryChannelChoices(models.TextChoices):
    """The channels a reminder is sent by outside the product (the product's own notification
    needs no record of sending: it is the record)."""

    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Group robot")
