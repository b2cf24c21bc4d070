"""The lead pipeline's one action: signing a target enterprise (签约).

``sign(target, signed_on=…, user=…, **project_fields)`` turns a target in negotiation into an
attraction project, in one transaction: it creates the ``AttractionProject`` with what the
target already says (the company as investor, the link, the chain's industry and lead leader,
the responsible unit of the chain's responsibility for the target), links the two both ways
and dates the target's signing. Nothing is written unless everything is: an error leaves
neither a project nor a signed target behind.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from jiaxian import versions
from projects import validation

from .models import AttractionProject, TargetEnterprise


class AlreadySigned(Exception):
    """The target is signed already (with the attraction project ``project``): signing twice
    would make a second project for one contract."""

    def __init__(self, target: TargetEnterprise):
        self.target = target
        self.project = target.attraction_project
        super().__init__(
            gettext("%(company)s was signed on %(date)s already (attraction project: %(project)s).")
            % {
                "company": target.company,
                "date": target.signed_on.isoformat() if target.signed_on else "?",
                "project": self.project or "?",
            }
        )


# The project fields a clerk gives at signing (the admin's form and the API's body, in the
# order of the attraction project's form); everything else comes from the target.
PROJECT_FIELDS = (
    "name",
    "project_code",
    "investor_origin",
    "industry",
    "area",
    "department",
    "leader",
    "contract_amount",
    "fixed_asset_investment",
    "funds_in_place",
    "notes",
)


def project_defaults(target: TargetEnterprise) -> dict:
    """What a signing of ``target`` carries over to its attraction project, before the clerk's
    own fields: the company as investor, a project name from the company and the link, the
    link, the chain's industry when it has exactly one, the chain's lead leader, and the
    responsible unit when exactly one responsibility for the target names one. One or two
    queries (the chain's industries, the responsibilities)."""
    chain = target.link.chain
    industries = list(chain.industries.all()[:2])
    departments = (
        {r.department for r in target.responsibilities.select_related("department") if r.department_id is not None}
        if target.pk
        else set()
    )
    defaults = {
        "name": gettext("%(company)s %(link)s project") % {"company": target.company, "link": target.link.name},
        "investor": target.company,
        "link": target.link,
        "leader": chain.lead_leader,
    }
    if len(industries) == 1:
        defaults["industry"] = industries[0]
    if len(departments) == 1:
        defaults["department"] = departments.pop()
    return defaults


def sign(
    target: TargetEnterprise,
    *,
    signed_on: datetime.date,
    user=None,
    expected_version: int | None = None,
    **project_fields,
) -> AttractionProject:
    """Sign ``target`` on ``signed_on`` and return the attraction project this creates.

    The project is of ``signed_on``'s year, signed that day, with the carried-over fields of
    ``project_defaults`` overridden by ``project_fields`` (any of ``PROJECT_FIELDS``; the
    contract amount and the fixed-asset investment have no default). It is validated like a
    clerk's entry (``full_clean``); the target gets ``signed_on`` and ``attraction_project``.
    ``user`` is recorded in both histories.

    Refused, with nothing written:
    - ``AlreadySigned`` when the target is signed already (checked on the row locked for this
      transaction, so two clerks signing at once make one project, and the second is refused);
    - ``StaleVersion`` when the target is no longer at ``expected_version`` (the version the
      clerk or the client read; by default ``target``'s own): claimed with
      ``jiaxian.versions.claim``, which also takes the row's lock;
    - ``ValidationError`` naming each bad field: the project's (``contract_amount``, ``name``
      taken this year, …) and the target's ``signed_on`` (before the negotiation began, with
      an earlier step missing, in the future); an unknown field is a ``TypeError``.
    """
    unknown = sorted(set(project_fields) - set(PROJECT_FIELDS))
    if unknown:
        raise TypeError(f"sign() got unknown project fields: {', '.join(unknown)}")
    with transaction.atomic():
        # The claim's UPDATE locks the target's row only (not its link and chain, whose other
        # targets may be signed meanwhile); the row is then read again as it stands.
        try:
            versions.claim(target, target.version if expected_version is None else expected_version)
        except versions.StaleVersion as stale:
            changed = stale
        else:
            changed = None
        stored = TargetEnterprise.objects.select_related("link__chain").filter(pk=target.pk).first()
        # Signed since it was read: say so, as reloading would not help.
        if stored is not None and (stored.signed_on is not None or stored.attraction_project_id is not None):
            raise AlreadySigned(stored)
        if changed is not None:
            raise changed
        target = stored
        project = AttractionProject(
            year=signed_on.year if signed_on else None,
            signed_on=signed_on,
            **{**project_defaults(target), **project_fields},
        )
        target.signed_on = signed_on
        errors = validation.merge(
            _errors_of(project.full_clean),
            target.date_errors(),
        )
        if signed_on is None:
            validation.add_error(errors, "signed_on", gettext("Say on which day the contract was signed."))
        if errors:
            raise ValidationError(
                {field: sorted(set(messages), key=messages.index) for field, messages in errors.items()}
            )
        if user is not None:
            project._history_user = user
            target._history_user = user
        project.save()
        target.attraction_project = project
        target.full_clean()
        target.save()
    return project


def _errors_of(clean) -> dict[str, list]:
    """The errors ``clean()`` raises, by field, or none."""
    try:
        clean()
    except ValidationError as exc:
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {}
