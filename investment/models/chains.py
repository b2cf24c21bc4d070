"""Industrial chains (产业链) and the “one chain, one map, six lists” (一链一图六清单).

A chain has its links (环节) upstream, midstream and downstream; around them the six lists:
target enterprises to attract, local enterprises already on the chain, carriers on offer
(land parcels and standard factory buildings), policies, responsibilities, and the chain's
attraction projects (``AttractionProject.link``).

Derived, never stored: a link's coverage (covered / pursued / gap, ``ChainLink.coverage_on``)
and a target enterprise's stage in the lead pipeline (``TargetEnterprise.stage_on``), both
from the records and their dates, so that they can be asked as of a past day.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.lookups import Exact
from django.utils.translation import gettext, gettext_lazy as _

from jiaxian import periods
from jiaxian.models import TrackedModel, amount_field, non_negative, unique_errors
from projects import validation
from projects.models import Area, Industry, department_field

from ..choices import (
    CarrierAvailabilityChoices,
    CarrierKindChoices,
    CarrierPriceUnitChoices,
    CarrierSizeUnitChoices,
    ChainLinkPositionChoices,
    TargetEnterpriseSizeChoices,
)
from ..querysets import (
    ChainLinkQuerySet,
    TargetEnterpriseQuerySet,
    coverage_from_counts,
)


class IndustrialChain(TrackedModel):
    """A key industrial chain (产业链) the county promotes: its industries, the county leader
    who leads it (链长) and its chain-master enterprise (链主)."""

    name = models.CharField(_("chain name"), max_length=100, unique=True)
    industries = models.ManyToManyField(
        Industry, blank=True, verbose_name=_("industries"), related_name="industrial_chains"
    )
    lead_leader = models.CharField(
        _("lead county leader"), max_length=50, blank=True, help_text=_("The county leader who leads the chain (链长).")
    )
    chain_master = models.CharField(
        _("chain-master enterprise"),
        max_length=200,
        blank=True,
        help_text=_("The leading enterprise the chain is organised around (链主)."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("industrial chain")
        verbose_name_plural = _("industrial chains")

    def __str__(self) -> str:
        return self.name


# A lookup rather than a Q in each When: Meta.ordering is followed through relations (a
# target's ``link``), and Django can prefix the references of expressions, not of a Q.
POSITION_RANK = models.Case(
    *(
        models.When(Exact(models.F("position"), models.Value(value)), then=models.Value(rank))
        for rank, value in enumerate(ChainLinkPositionChoices.values)
    ),
    default=models.Value(len(ChainLinkPositionChoices.values)),
    output_field=models.IntegerField(),
)


class ChainLink(TrackedModel):
    """A link (环节) of an industrial chain: its position (upstream, midstream, downstream)
    and its order within the position, unique per chain and position; its name, unique per
    chain.

    Its coverage is derived: ``coverage_on(as_of)``, or ``ChainLink.objects.with_coverage``
    for a list."""

    chain = models.ForeignKey(IndustrialChain, models.CASCADE, verbose_name=_("industrial chain"), related_name="links")
    position = models.CharField(_("position"), max_length=20, choices=ChainLinkPositionChoices.choices)
    name = models.CharField(_("link name"), max_length=100)
    order = models.PositiveSmallIntegerField(
        _("order"), default=1, validators=[MinValueValidator(1)], help_text=_("Its place within the position, from 1.")
    )
    description = models.TextField(_("description"), blank=True)

    objects = ChainLinkQuerySet.as_manager()

    class Meta:
        # Upstream first, as the map draws them (the values' alphabetical order would put
        # downstream first).
        ordering = ["chain", POSITION_RANK.asc(), "order"]
        verbose_name = _("chain link")
        verbose_name_plural = _("chain links")
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "position", "order"],
                name="%(app_label)s_%(class)s_unique_order",
                violation_error_message=_("The chain already has a link at this position and order."),
            ),
            models.UniqueConstraint(
                fields=["chain", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("The chain already has a link of this name."),
            ),
            models.CheckConstraint(
                condition=Q(order__gte=1),
                name="%(app_label)s_%(class)s_order_from_one",
                violation_error_message=_("The order starts at 1."),
            ),
        ]

    def __str__(self) -> str:
        if self.chain_id is None:
            return self.name
        return f"{self.chain} · {self.name}"

    def coverage_counts(self, as_of: datetime.date) -> tuple[int, int, int]:
        """``(local enterprises, targets being courted on as_of, targets signed by as_of)``.
        Counted in Python over ``local_enterprises.all()`` and ``target_enterprises.all()``,
        so that a prefetched list costs no query."""
        targets = list(self.target_enterprises.all())
        return (
            len(self.local_enterprises.all()),
            sum(1 for target in targets if target.is_courted_on(as_of)),
            sum(1 for target in targets if target.is_signed_on(as_of)),
        )

    def coverage_on(self, as_of: datetime.date) -> str:
        """The link's coverage on ``as_of``: ``covered`` with at least one local enterprise
        (local enterprises are not dated: the list as it is now); else ``pursued`` with at
        least one target enterprise contacted by ``as_of`` — being courted, or signed (a
        signed enterprise keeps the link pursued until it is recorded among the local
        enterprises); else ``gap``. Same answer as ``ChainLink.objects.with_coverage``."""
        return coverage_from_counts(*self.coverage_counts(as_of))

    @property
    def coverage(self) -> str:
        """The coverage today; the queryset's ``coverage_as_of`` when annotated."""
        annotated = getattr(self, "coverage_as_of", None)
        return annotated if annotated is not None else self.coverage_on(periods.today())

    def clean(self):
        errors = {}
        if self.chain_id is not None:
            errors = validation.merge(
                unique_errors(
                    self,
                    "order",
                    gettext("The chain already has a link at this position and order."),
                    chain_id=self.chain_id,
                    position=self.position,
                    order=self.order,
                ),
                unique_errors(
                    self,
                    "name",
                    gettext("The chain already has a link named %(name)s.") % {"name": self.name},
                    chain_id=self.chain_id,
                    name=self.name,
                ),
            )
        if errors:
            raise ValidationError(errors)


class TargetEnterprise(TrackedModel):
    """An enterprise the county courts for a link of a chain (招商目标企业), with the dated
    steps of the lead pipeline: contacted, visited, negotiating, signed. Each step needs the
    earlier ones and is on or after them; none is after today.

    Signing is one action, ``investment.pipeline.sign``, that creates the attraction project and
    links both ways: ``signed_on`` and ``attraction_project`` go together (one without the
    other is refused). The stage is derived from the dates (``stage_on``)."""

    # Its steps and their dates, declared once with the queryset that asks them in the database.
    STEPS = TargetEnterpriseQuerySet.STEPS

    company = models.CharField(_("company"), max_length=200)
    link = models.ForeignKey(ChainLink, models.PROTECT, verbose_name=_("chain link"), related_name="target_enterprises")
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("Where the company is based, e.g. 广东深圳.")
    )
    size = models.CharField(
        _("enterprise type"), max_length=20, choices=TargetEnterpriseSizeChoices.choices, blank=True
    )
    contacted_on = models.DateField(_("contacted on"), null=True, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    negotiating_on = models.DateField(_("negotiating since"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    # PROTECT: the project a signing created is not deleted from under the target that is
    # signed because of it.
    attraction_project = models.OneToOneField(
        "investment.AttractionProject",
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("attraction project"),
        related_name="target_enterprise",
        help_text=_("The attraction project its signing created."),
    )

    objects = TargetEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["link", "company"]
        verbose_name = _("target enterprise")
        verbose_name_plural = _("target enterprises")
        constraints = [
            models.UniqueConstraint(
                fields=["link", "company"],
                name="%(app_label)s_%(class)s_unique_company_per_link",
                violation_error_message=_("This company is already a target for this link."),
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True, attraction_project__isnull=True)
                | Q(signed_on__isnull=False, attraction_project__isnull=False),
                name="%(app_label)s_%(class)s_signed_with_project",
                violation_error_message=_("A signed target needs its attraction project, and only a signed one."),
            ),
        ]
        # The stage and coverage lists ask about these dates per link.
        indexes = [models.Index(fields=["link", "contacted_on", "signed_on"], name="investment_target_pipeline")]

    def __str__(self) -> str:
        return self.company

    def stage_on(self, as_of: datetime.date) -> str:
        """The stage on ``as_of``: the latest step dated on or before it, else ``identified``
        (on the list, not contacted yet). Same answer as ``TargetEnterprise.objects.with_stage``."""
        return self.STEPS.step_on(self, as_of)

    @property
    def stage(self) -> str:
        """The stage today; the queryset's ``stage_as_of`` when annotated."""
        annotated = getattr(self, "stage_as_of", None)
        return annotated if annotated is not None else self.stage_on(periods.today())

    def is_courted_on(self, as_of: datetime.date) -> bool:
        """Contacted by ``as_of`` and not signed by then (``courted_condition``)."""
        return self.contacted_on is not None and self.contacted_on <= as_of and not self.is_signed_on(as_of)

    def is_signed_on(self, as_of: datetime.date) -> bool:
        """Signed on or before ``as_of`` (``signed_condition``)."""
        return self.signed_on is not None and self.signed_on <= as_of

    def date_errors(self) -> dict[str, list]:
        """The rules of its dates: each step on or after the one before and none missing
        before it, the last contact not before the first, none after today. ``clean()`` and the
        signing (``investment.pipeline.sign``, which dates a step ``clean()`` refuses alone)
        both check them here."""
        return validation.merge(
            validation.date_order_errors(self, list(self.STEPS.fields)),
            validation.date_order_errors(self, ["contacted_on", "last_contact_on"]),
            validation.future_date_errors(self, [*self.STEPS.fields, "last_contact_on"]),
        )

    def clean(self):
        errors = validation.merge(
            self.date_errors(),
            unique_errors(
                self,
                "company",
                gettext("%(company)s is already a target for this link.") % {"company": self.company},
                link_id=self.link_id,
                company=self.company,
            ),
        )
        if self.signed_on is not None and self.attraction_project_id is None:
            validation.add_error(
                errors,
                "signed_on",
                gettext("A target is signed with the “sign” action, which creates its attraction project."),
            )
        if self.attraction_project_id is not None and self.signed_on is None:
            validation.add_error(
                errors, "attraction_project", gettext("Only a signed target has an attraction project.")
            )
        if errors:
            raise ValidationError(errors)


class LocalEnterprise(TrackedModel):
    """An enterprise already working in a link of a chain (本地链上企业): its annual output in
    万元 and its employees, both optional (not always known). One is enough for the link to be
    covered."""

    company = models.CharField(_("company"), max_length=200)
    link = models.ForeignKey(ChainLink, models.PROTECT, verbose_name=_("chain link"), related_name="local_enterprises")
    annual_output = amount_field(_("annual output (万元)"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)

    class Meta:
        ordering = ["link", "company"]
        verbose_name = _("local enterprise")
        verbose_name_plural = _("local enterprises")
        constraints = [
            *non_negative("annual_output"),
            models.UniqueConstraint(
                fields=["link", "company"],
                name="%(app_label)s_%(class)s_unique_company_per_link",
                violation_error_message=_("This company is already listed in this link."),
            ),
        ]

    def __str__(self) -> str:
        return self.company

    def clean(self):
        errors = unique_errors(
            self,
            "company",
            gettext("%(company)s is already listed in this link.") % {"company": self.company},
            link_id=self.link_id,
            company=self.company,
        )
        if errors:
            raise ValidationError(errors)


class Carrier(TrackedModel):
    """A carrier on offer (载体): a land parcel or a standard factory building, where it is, its
    area (in 亩 or m², ``size_unit``) and its price in the unit the offer is made in
    (``price_unit``: 万元/亩 for land sold, 元/m²/month for a factory rented, 元/m² for one
    sold); no price means negotiable. Optionally earmarked for a chain."""

    kind = models.CharField(_("kind"), max_length=20, choices=CarrierKindChoices.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("E.g. the parcel's number or the building's name."))
    chain = models.ForeignKey(
        IndustrialChain,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("industrial chain"),
        related_name="carriers",
    )
    area = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, verbose_name=_("area"), related_name="carriers"
    )
    location = models.CharField(_("location"), max_length=200)
    size = models.DecimalField(
        _("area"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("In the unit beside."),
    )
    size_unit = models.CharField(_("area unit"), max_length=10, choices=CarrierSizeUnitChoices.choices)
    availability = models.CharField(
        _("availability"),
        max_length=20,
        choices=CarrierAvailabilityChoices.choices,
        default=CarrierAvailabilityChoices.AVAILABLE,
    )
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("In the price unit; leave blank when negotiable."),
    )
    price_unit = models.CharField(_("price unit"), max_length=20, choices=CarrierPriceUnitChoices.choices, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")
        constraints = [
            *non_negative("size", "price"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | ~Q(price_unit=""),
                name="%(app_label)s_%(class)s_price_has_unit",
                violation_error_message=_("A price needs its unit."),
            ),
            models.UniqueConstraint(
                fields=["kind", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("A carrier of this kind and name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = unique_errors(
            self,
            "name",
            gettext("A carrier of this kind named %(name)s already exists.") % {"name": self.name},
            kind=self.kind,
            name=self.name,
        )
        if self.price is not None and not self.price_unit:
            validation.add_error(errors, "price_unit", gettext("Say what unit the price is in."))
        if errors:
            raise ValidationError(errors)


class Policy(TrackedModel):
    """A policy the county can offer investors (政策清单): its issuing body, a summary, and the
    days it is valid (``valid_until`` blank: until further notice), for one or more chains."""

    name = models.CharField(_("policy name"), max_length=200)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Leave blank when valid until further notice.")
    )
    chains = models.ManyToManyField(
        IndustrialChain, blank=True, verbose_name=_("industrial chains"), related_name="policies"
    )

    class Meta:
        ordering = ["-valid_from", "name"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_until_after_from",
                violation_error_message=_("A policy cannot end before it begins."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, on: datetime.date) -> bool:
        """In force on ``on``: from ``valid_from`` to ``valid_until``, both days included."""
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    @staticmethod
    def valid_condition(on: datetime.date) -> Q:
        """The filter of ``is_valid_on``."""
        return Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))

    def clean(self):
        errors = validation.date_order_errors(self, ["valid_from", "valid_until"])
        if errors:
            raise ValidationError(errors)


class Responsibility(TrackedModel):
    """Who covers a chain (责任清单): a person, their unit, their duty, and the target
    enterprises they follow (which must be on the same chain: ``target_errors``)."""

    chain = models.ForeignKey(
        IndustrialChain, models.CASCADE, verbose_name=_("industrial chain"), related_name="responsibilities"
    )
    person = models.CharField(_("person"), max_length=50)
    department = department_field("chain_responsibilities", optional=True)
    duty = models.TextField(_("duty"), blank=True)
    target_enterprises = models.ManyToManyField(
        TargetEnterprise, blank=True, verbose_name=_("target enterprises"), related_name="responsibilities"
    )

    class Meta:
        ordering = ["chain", "person"]
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self) -> str:
        return f"{self.person} · {self.chain}" if self.chain_id else self.person

    def target_errors(self, targets) -> dict[str, list]:
        """Errors on ``target_enterprises`` for those of ``targets`` that are on another chain
        (a many-to-many is saved after the record, so the admin form and the serializer call
        this with the targets they are about to set)."""
        if self.chain_id is None:
            return {}
        strays = sorted(str(target) for target in targets if target.link.chain_id != self.chain_id)
        if not strays:
            return {}
        return {"target_enterprises": [gettext("Not on this chain: %(companies)s.") % {"companies": ", ".join(strays)}]}
