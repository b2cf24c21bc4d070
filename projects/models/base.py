"""What every model of the app builds on: ``TrackedModel`` (times, version, history),
``CodedModel`` (reference data: a code and a name), ``ProjectCodeMixin`` (the national project
code), and the field and constraint helpers (amounts in 万元, ratios, predecessor links) that
``investment`` reuses. Money is ``Decimal`` in 万元 (ten thousand yuan) everywhere."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import validation

RATIO_PLACES = Decimal("0.0001")


def amount_field(verbose_name, **kwargs) -> models.DecimalField:
    """An amount in 万元: up to 999,999,999,999.99, two places, never negative."""
    kwargs.setdefault("validators", [MinValueValidator(Decimal("0"))])
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


def ratio_field(verbose_name, default: str, *, upper: str | None = "1") -> models.DecimalField:
    """A ratio with four places (0.7000 is 70%), never negative, by default at most 1."""
    validators = [MinValueValidator(Decimal("0"))]
    if upper is not None:
        validators.append(MaxValueValidator(Decimal(upper)))
    return models.DecimalField(
        verbose_name, max_digits=7, decimal_places=4, default=Decimal(default), validators=validators
    )


def predecessor_field() -> models.ForeignKey:
    """The project a second phase or an expansion grew from, with ``successors`` the other
    way. Deleting a predecessor clears the link and keeps its successors."""
    return models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("predecessor project"),
        related_name="successors",
        help_text=_("The project this second phase or expansion grew from."),
    )


def non_negative(*fields: str) -> list[models.CheckConstraint]:
    """One database check per amount field; null passes (it means "not known yet")."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": 0}) | Q(**{f"{field}__isnull": True}),
            name=f"%(app_label)s_%(class)s_{field}_gte_zero",
            violation_error_message=_("Amounts cannot be negative."),
        )
        for field in fields
    ]


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` rounded half-up to four places; None when the denominator
    is zero or missing."""
    if not denominator or numerator is None:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


class TrackedModel(models.Model):
    """What every record carries: when it was made and last changed, a ``version`` that
    each save raises by one (so that two clerks editing the same record can be told apart),
    and its full history of changes. Every door that writes a record someone read first claims
    the version read (``jiaxian.versions``)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)


class CodedModel(TrackedModel):
    """Reference data: a unique short code that imports and the API use, and a name."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProjectCodeMixin(models.Model):
    """The optional national investment project code (投资项目统一代码): unique when present,
    stored as null when absent so that many records may lack one."""

    project_code = models.CharField(
        _("national project code"),
        max_length=24,
        unique=True,
        null=True,
        blank=True,
        validators=[validation.validate_project_code],
        help_text=_("24 characters, NNNN-NNNNNN-NN-NN-NNNNNX; leave blank if the project has none yet."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Also for saves that skip validation: a blank code stored as "" would clash with the next.
        self.normalise_project_code()
        super().save(*args, **kwargs)

    def normalise_project_code(self) -> None:
        if self.project_code is not None:
            self.project_code = self.project_code.strip().upper() or None

    def clean_fields(self, exclude=None):
        self.normalise_project_code()
        super().clean_fields(exclude=exclude)
