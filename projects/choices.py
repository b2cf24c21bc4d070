"""Fixed lists of the projects app. Labels are translatable; the stored values are stable
English words that the API and imports use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
