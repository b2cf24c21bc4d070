"""Reference data shared by both apps — industries, areas, departments (责任单位), bond
sectors — and the year plan (every target and threshold of a year)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian.models import CodedModel, TrackedModel, amount_field, not_more_than, ratio_field, year_field

from .. import validation
from ..choices import AreaKindChoices


class Industry(CodedModel):
    """An industry; ``is_key`` puts it on the county's list of key industries (重点产业),
    which decides the key-industry share of attraction projects."""

    is_key = models.BooleanField(_("key industry"), default=False)

    class Meta(CodedModel.Meta):
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


class Area(CodedModel):
    """A town, township, the economic-development zone or an industrial park of the county."""

    kind = models.CharField(_("kind"), max_length=20, choices=AreaKindChoices.choices)

    class Meta(CodedModel.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")


class Department(CodedModel):
    """A responsible unit (责任单位): a bureau, a commission, a town government.

    ``members`` are the users who work for it (``user.departments`` the other way): a clerk
    without ``projects.edit_all_departments`` edits only the records whose department is one of
    theirs (``projects.access``)."""

    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="departments", blank=True
    )
    # The unit's work-group robot (WeCom / DingTalk style), told once per reminder event
    # about the unit's projects, reports and orders (investment.reminders); optional.
    webhook_url = models.URLField(
        _("group robot webhook"),
        max_length=500,
        blank=True,
        help_text=_("The address of the unit's group robot; reminders about its work are posted there."),
    )
    webhook_secret = models.CharField(
        _("group robot secret"),
        max_length=200,
        blank=True,
        help_text=_("For robots that sign their requests (HMAC-SHA256 of a timestamp); empty if it does not."),
    )

    class Meta(CodedModel.Meta):
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        # A plain string: Django stores permission names as given, untranslated.
        permissions = [("edit_all_departments", "Can edit the records of every department")]


def department_field(related_name: str, *, optional: bool = False) -> models.ForeignKey:
    """A record's responsible unit (责任单位), ``department``: protected, so that a unit with
    records is never deleted from under them; ``optional`` for the records that may have none
    yet. Who may edit the record follows from it (``projects.access``)."""
    return models.ForeignKey(
        Department,
        models.PROTECT,
        null=optional,
        blank=optional,
        verbose_name=_("responsible unit"),
        related_name=related_name,
    )


class Sector(CodedModel):
    """A special-bond sector (领域). A list in the database, not in code, because the
    rules on what special bonds may fund change from year to year."""

    class Meta(CodedModel.Meta):
        verbose_name = _("bond sector")
        verbose_name_plural = _("bond sectors")


class NoPlan(LookupError):
    """No year plan is saved for ``year``: a report, an export or a filing of that year has
    no targets to measure against. Its message says so in the active language."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(gettext("There is no year plan for %(year)s.") % {"year": year})


class YearPlanQuerySet(models.QuerySet):
    def latest_year(self) -> int | None:
        """The latest year with a saved plan, None without any plan: the year that every page
        choosing a year opens on when none is given (the dashboard, the quarterly export, the
        monthly entry), the plan the clerks entered last. One query."""
        return self.aggregate(latest=Max("year"))["latest"]

    def saved(self, year: int) -> YearPlan:
        """The saved plan of ``year``, or ``NoPlan``: for the pages and doors that need the
        plan a clerk entered (``YearPlan.for_year`` falls back to the defaults instead)."""
        plan = self.filter(year=year).first()
        if plan is None:
            raise NoPlan(year)
        return plan


class YearPlan(TrackedModel):
    """A year's targets and thresholds: the figures of the county's plan and the settings of
    the warning lights and bond coverage. Defaults are the figures of Jiaxian's plan;
    another county, or another year, edits them. ``YearPlan.for_year`` gives a year with no
    saved plan these defaults."""

    year = year_field(unique=True)
    key_project_count_target = models.PositiveIntegerField(_("key projects: count target"), default=60)
    key_project_investment_target = amount_field(
        _("key projects: total investment target (万元)"), default=Decimal("3000000")
    )
    bond_reserve_count_target = models.PositiveIntegerField(_("bond reserves: count target"), default=80)
    bond_reserve_demand_target = amount_field(_("bond reserves: bond demand target (万元)"), default=Decimal("700000"))
    attraction_count_target = models.PositiveIntegerField(_("attraction projects: count target"), default=60)
    big_project_contract_min = amount_field(
        _("100-million project: minimum contract amount (万元)"), default=Decimal("10000")
    )
    big_project_fixed_asset_min = amount_field(
        _("100-million project: minimum fixed-asset investment (万元)"), default=Decimal("8000")
    )
    attraction_big_share_target = ratio_field(_("share of 100-million projects: target"), "0.7000")
    attraction_key_industry_share_target = ratio_field(_("share in key industries: target"), "0.8000")
    attraction_started_share_target = ratio_field(_("share started: target"), "0.8000")
    milestone_yellow_max_days = models.PositiveIntegerField(
        _("milestone light: yellow up to days late"),
        default=30,
        help_text=_("A milestone late by 1 to this many days turns the light yellow; later turns it red."),
    )
    investment_yellow_gap = ratio_field(_("investment light: yellow from points behind"), "0.1000")
    investment_red_gap = ratio_field(_("investment light: red from points behind"), "0.3000")
    coverage_warning_ratio = ratio_field(_("coverage ratio: warning below"), "1.2000", upper=None)
    coverage_refusal_ratio = ratio_field(_("coverage ratio: refused below"), "1.0000", upper=None)
    # At most the 28th, so that every month has the day (February too).
    progress_due_day = models.PositiveSmallIntegerField(
        _("monthly report due day"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "A month's progress reports are due by this day of the following month (1 to 28); a "
            "department that has not submitted them all by then is late."
        ),
    )

    objects = YearPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("year plan")
        verbose_name_plural = _("year plans")
        constraints = [
            not_more_than(
                "investment_yellow_gap",
                "investment_red_gap",
                "investment_gaps_ordered",
                _("The red gap cannot be smaller than the yellow gap."),
            ),
            not_more_than(
                "coverage_refusal_ratio",
                "coverage_warning_ratio",
                "coverage_thresholds_ordered",
                _("The refusal ratio cannot be above the warning ratio."),
            ),
            models.CheckConstraint(
                condition=models.Q(progress_due_day__gte=1, progress_due_day__lte=28),
                name="%(app_label)s_%(class)s_progress_due_day_range",
                violation_error_message=_("The monthly report due day is a day from 1 to 28."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(year)s plan") % {"year": self.year}

    @classmethod
    def for_year(cls, year: int) -> YearPlan:
        """The saved plan of ``year``, or an unsaved one with the default thresholds."""
        return cls.objects.filter(year=year).first() or cls(year=year)

    def progress_due_on(self, month: datetime.date) -> datetime.date:
        """The day the progress reports of ``month`` (any day of it) are due: day
        ``progress_due_day`` of the following month (of January next year for December)."""
        following = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return following.replace(day=self.progress_due_day)

    def clean(self):
        errors = validation.merge(
            validation.not_more_than_errors(
                self,
                "investment_yellow_gap",
                "investment_red_gap",
                gettext("The red gap cannot be smaller than the yellow gap."),
                on="investment_red_gap",
            ),
            validation.not_more_than_errors(
                self,
                "coverage_refusal_ratio",
                "coverage_warning_ratio",
                gettext("The refusal ratio cannot be above the warning ratio."),
            ),
        )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def setting_of_each_year(cls, field: str, year: str = "year") -> Coalesce:
        """The setting ``field`` of the plan of each row's own ``year``, in the database: the
        saved plan's value, else the default (the value ``for_year`` gives a year with no saved
        plan). For lists that span years, whose every row follows its own year's plan."""
        return cls._setting(field, OuterRef(year))

    @classmethod
    def setting_of(cls, field: str, year: int) -> Coalesce:
        """The setting ``field`` of ``year``'s plan, in the database (the saved plan's value, else
        the default): what ``for_year(year)`` would give, inside another query instead of one of
        its own."""
        return cls._setting(field, year)

    @classmethod
    def _setting(cls, field: str, year) -> Coalesce:
        model_field = cls._meta.get_field(field)
        saved = cls.objects.filter(year=year).values(field)[:1]
        return Coalesce(
            Subquery(saved, output_field=model_field), Value(model_field.get_default()), output_field=model_field
        )

    def is_big_project(self, contract_amount: Decimal | None, fixed_asset_investment: Decimal | None) -> bool:
        """The 100-million-yuan rule of this plan: both minimums reached (equal counts)."""
        return (
            contract_amount is not None
            and fixed_asset_investment is not None
            and contract_amount >= self.big_project_contract_min
            and fixed_asset_investment >= self.big_project_fixed_asset_min
        )
