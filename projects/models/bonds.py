"""Special-bond reserve projects (专项债储备项目): status derived from dates, coverage ratio
derived from income and principal plus interest."""

from __future__ import annotations

import datetime
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.models import (
    RATIO_PLACES,
    TrackedModel,
    amount_field,
    non_negative,
    not_more_than,
    ratio,
    unique_name_per_year,
    year_field,
)

from .. import validation
from ..querysets import BondReserveQuerySet
from .attachments import attachments_relation
from .base import ProjectCodeMixin
from .reference import Area, Sector, YearPlan, department_field


class BondReserve(ProjectCodeMixin, TrackedModel):
    """A special-bond reserve project (专项债储备项目) of one year's pool.

    Status is not stored: it is the latest step reached by a date (``status_on``), from
    ``reserved_on`` through ``submitted_on``, ``approved_on`` and ``issued_on``, or
    ``rejected_on``. The coverage ratio (本息覆盖倍数) is derived from expected income and
    principal plus interest; a ratio below the year plan's refusal threshold is refused.
    """

    year = year_field()
    name = models.CharField(_("project name"), max_length=200)
    department = department_field("bond_reserves")
    owner = models.CharField(_("project owner"), max_length=200)
    area = models.ForeignKey(Area, models.PROTECT, verbose_name=_("area"), related_name="bond_reserves")
    sector = models.ForeignKey(Sector, models.PROTECT, verbose_name=_("sector"), related_name="bond_reserves")
    total_investment = amount_field(_("total investment (万元)"))
    bond_demand = amount_field(_("bond demand (万元)"))
    capital_portion = amount_field(
        _("used as project capital (万元)"),
        default=Decimal("0"),
        help_text=_("The part of the bond funds used as the project's capital."),
    )
    expected_income = amount_field(_("expected project income (万元)"))
    principal_and_interest = amount_field(
        _("bond principal and interest (万元)"), validators=[MinValueValidator(Decimal("0.01"))]
    )
    reserved_on = models.DateField(_("reserved on"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    rejected_on = models.DateField(_("rejected on"), null=True, blank=True)
    issued_amount = amount_field(_("issued amount (万元)"), null=True, blank=True)

    objects = BondReserveQuerySet.as_manager()

    # Who may edit it besides those who edit every department's records (projects.access).
    owner_department = "department"
    # Its photos and documents (projects.models.attachments).
    attachment_record_type = "bond-reserve"
    attachments = attachments_relation()

    # Its steps and their dates, declared once with the queryset that asks them in the database.
    STEPS = BondReserveQuerySet.STEPS

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("special-bond reserve")
        verbose_name_plural = _("special-bond reserves")
        constraints = [
            *non_negative("total_investment", "bond_demand", "capital_portion", "expected_income", "issued_amount"),
            models.CheckConstraint(
                condition=Q(principal_and_interest__gt=0),
                name="%(app_label)s_%(class)s_principal_and_interest_positive",
                violation_error_message=_("Principal and interest must be above zero."),
            ),
            not_more_than(
                "bond_demand",
                "total_investment",
                "demand_within_total",
                _("Bond demand cannot exceed total investment."),
            ),
            not_more_than(
                "capital_portion",
                "bond_demand",
                "capital_within_demand",
                _("The capital portion cannot exceed the bond demand."),
            ),
            unique_name_per_year(_("A reserve of this name already exists for that year.")),
        ]
        # The quota report's "in the pool on D" for year Y, answered from the index alone: it
        # also holds every column the report reads (id for the count).
        indexes = [
            models.Index(
                fields=["year", "reserved_on", "rejected_on", "bond_demand", "id"], name="projects_bond_reserved_cover"
            ),
            # The lists' order (latest year first, then by name): the unique (year, name) index
            # runs one way only, so a page sorted the default way would sort the whole table.
            models.Index(fields=["-year", "name"], name="projects_bond_list_order"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def coverage_ratio(self) -> Decimal | None:
        """Expected income ÷ principal and interest, four places, half-up; None when either
        is missing or principal and interest is zero (``coverage_of``)."""
        return self.coverage_of(self.expected_income, self.principal_and_interest)

    @staticmethod
    def coverage_of(expected_income: Decimal | None, principal_and_interest: Decimal | None) -> Decimal | None:
        """The rule of the coverage ratio, for a reserve or for the two amounts read without
        one (the export reads its rows as tuples, not instances)."""
        return ratio(expected_income, principal_and_interest)

    def coverage_warning(self, plan: YearPlan | None = None) -> bool:
        """True when the ratio is known and below the plan's warning threshold (1.2 by
        default). Compared exactly, not after rounding: 1.19999 warns although it shows as 1.2000.
        The rule of ``BondReserveQuerySet.with_coverage_warning``, which lists use, for one reserve."""
        plan = plan or YearPlan.for_year(self.year)
        if self.expected_income is None or not self.principal_and_interest:
            return False
        return self.expected_income < plan.coverage_warning_ratio * self.principal_and_interest

    def status_on(self, as_of: datetime.date) -> str | None:
        """The status on ``as_of``: the latest step reached by then (rejected beats all), or
        None before the reserve entered the pool. Same answer as ``with_status``."""
        return self.STEPS.step_on(self, as_of)

    @property
    def status(self) -> str | None:
        """The status today."""
        return self.status_on(periods.today())

    def clean(self):
        errors = validation.merge(
            validation.not_more_than_errors(self, "bond_demand", "total_investment"),
            validation.not_more_than_errors(self, "capital_portion", "bond_demand"),
            validation.not_more_than_errors(self, "issued_amount", "bond_demand"),
            validation.date_order_errors(self, list(self.STEPS.fields)),
            validation.date_order_errors(self, ["reserved_on", "submitted_on", "rejected_on"]),
            validation.future_date_errors(self, self.STEPS.date_fields),
        )
        if self.rejected_on is not None and (self.approved_on is not None or self.issued_on is not None):
            validation.add_error(
                errors, "rejected_on", gettext("A reserve that was approved or issued cannot also be rejected.")
            )
        if self.issued_amount is not None and self.issued_on is None:
            validation.add_error(errors, "issued_on", gettext("An issued amount needs the date it was issued."))
        batch = validation.batch_of(self)
        if self.year is not None and self.expected_income is not None and self.principal_and_interest:
            plan = batch.plan(self.year, YearPlan) if batch is not None else YearPlan.for_year(self.year)
            if self.expected_income < plan.coverage_refusal_ratio * self.principal_and_interest:
                validation.add_error(
                    errors,
                    "expected_income",
                    gettext(
                        "The coverage ratio %(ratio)s is below %(threshold)s: expected income must cover "
                        "bond principal and interest at least %(threshold)s times."
                    )
                    # Rounded down for the message, so that a refused ratio never reads as the threshold.
                    % {
                        "ratio": (self.expected_income / self.principal_and_interest).quantize(
                            RATIO_PLACES, rounding=ROUND_FLOOR
                        ),
                        "threshold": f"{plan.coverage_refusal_ratio.normalize():f}",
                    },
                )
        errors = validation.merge(
            errors,
            validation.name_per_year_errors(self, gettext("A reserve named %(name)s already exists for %(year)s.")),
        )
        if errors:
            raise ValidationError(errors)
