"""Investment-attraction projects (招商引资项目).

A project's stage is derived from its dates — negotiating until ``signed_on``, then signed,
started from ``started_on``, in production from ``in_production_on`` — so that the shares
of the year plan can be recomputed as of any past day.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.models import (
    TrackedModel,
    amount_field,
    non_negative,
    not_more_than,
    predecessor_field,
    unique_name_per_year,
    year_field,
)
from projects import validation
from projects.models import (
    Area,
    Industry,
    KeyProject,
    ProjectCodeMixin,
    YearPlan,
    attachments_relation,
    department_field,
)

from ..choices import (
    AttractionProjectInvestorOriginChoices,
)
from ..querysets import AttractionProjectQuerySet


class AttractionProject(ProjectCodeMixin, TrackedModel):
    """An outside investment the county negotiates or has signed, counted towards the
    attraction targets of ``year``'s plan.

    ``contract_amount`` and ``fixed_asset_investment`` decide the 100-million-yuan rule
    (``is_big_project``); the industry's ``is_key`` decides the key-industry share;
    ``key_project`` is the key project it became, if any; ``predecessor`` the project that
    this second phase or expansion grew from.
    """

    # Its stages and their dates, declared once with the queryset that asks them in the database.
    STAGES = AttractionProjectQuerySet.STAGES

    year = year_field()
    name = models.CharField(_("project name"), max_length=200)
    investor = models.CharField(_("investor"), max_length=200)
    investor_origin = models.CharField(
        _("investor origin"),
        max_length=20,
        choices=AttractionProjectInvestorOriginChoices.choices,
        default=AttractionProjectInvestorOriginChoices.OUT_OF_PROVINCE,
    )
    industry = models.ForeignKey(
        Industry, models.PROTECT, verbose_name=_("industry"), related_name="attraction_projects"
    )
    area = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, verbose_name=_("area"), related_name="attraction_projects"
    )
    department = department_field("attraction_projects", optional=True)
    leader = models.CharField(_("responsible county leader"), max_length=50, blank=True)
    contract_amount = amount_field(_("contract amount (万元)"))
    fixed_asset_investment = amount_field(_("fixed-asset investment (万元)"))
    funds_in_place = amount_field(_("funds in place (万元)"), default=Decimal("0"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    in_production_on = models.DateField(_("in production on"), null=True, blank=True)
    key_project = models.ForeignKey(
        KeyProject,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("became key project"),
        related_name="attraction_projects",
    )
    predecessor = predecessor_field()
    # PROTECT: a link with attraction projects is not deleted from under them (the chain's
    # conversion figures count them); the API answers 409.
    link = models.ForeignKey(
        "investment.ChainLink",
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("chain link"),
        related_name="attraction_projects",
        help_text=_("The link of an industrial chain this project fills, if any."),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = AttractionProjectQuerySet.as_manager()

    # Who may edit it besides those who edit every department's records (projects.access);
    # one without a department only they may edit.
    owner_department = "department"
    # Its photos and documents (projects.models.attachments).
    attachment_record_type = "attraction-project"
    attachments = attachments_relation()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("attraction project")
        verbose_name_plural = _("attraction projects")
        constraints = [
            *non_negative("contract_amount", "fixed_asset_investment", "funds_in_place"),
            not_more_than(
                "fixed_asset_investment",
                "contract_amount",
                "fixed_assets_within_contract",
                _("Fixed-asset investment cannot exceed the contract amount."),
            ),
            unique_name_per_year(_("A project of this name already exists for that year.")),
        ]
        # The quota report asks "signed by D" and "started by D" within one year. The first index
        # also holds every other column the report's aggregate reads (id for the counts), so that
        # the report is answered from the index alone (see bench_quotas); keep them in step.
        indexes = [
            models.Index(
                fields=[
                    "year",
                    "signed_on",
                    "industry",
                    "contract_amount",
                    "fixed_asset_investment",
                    "started_on",
                    "in_production_on",
                    "funds_in_place",
                    "id",
                ],
                name="investment_attr_signed_cover",
            ),
            models.Index(fields=["year", "started_on"], name="investment_attr_year_started"),
            # The lists' order (latest year first, then by name): the unique (year, name) index
            # runs one way only, so a page sorted the default way would sort the whole table.
            models.Index(fields=["-year", "name"], name="investment_attr_list_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def stage_on(self, as_of: datetime.date) -> str:
        """The stage on ``as_of``: the latest stage whose date is on or before it, else
        negotiating. Same answer as ``AttractionProject.objects.with_stage``."""
        return self.STAGES.step_on(self, as_of)

    @property
    def stage(self) -> str:
        """The stage today."""
        return self.stage_on(periods.today())

    def is_big_project(self, plan: YearPlan | None = None) -> bool:
        """True when the project meets the 100-million-yuan rule of ``plan`` (by default
        the plan of its year): contract and fixed-asset investment both at least the minimums.
        The rule of ``investment.quotas.big_project_condition``, for one project."""
        plan = plan or YearPlan.for_year(self.year)
        return plan.is_big_project(self.contract_amount, self.fixed_asset_investment)

    @property
    def is_key_industry(self) -> bool:
        return bool(self.industry_id) and self.industry.is_key

    def clean(self):
        errors = validation.merge(
            validation.not_more_than_errors(self, "fixed_asset_investment", "contract_amount"),
            validation.date_order_errors(self, list(self.STAGES.fields)),
            validation.future_date_errors(self, self.STAGES.fields),
            validation.lineage_errors(self),
            validation.name_per_year_errors(self, gettext("A project named %(name)s already exists for %(year)s.")),
        )
        if errors:
            raise ValidationError(errors)
