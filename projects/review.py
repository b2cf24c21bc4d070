"""The review of monthly reports (填报、审核): the one place that says who may submit, approve
and return a report, and what each door's entry becomes. The admin, the API, the monthly entry
page and the import ask it; none decides on its own. A report is any ``ReviewedMonth`` record:
a key project's monthly progress (``ProgressReport``) or a plan indicator's monthly value
(``IndicatorValue``), each with its own trail and its own review permission; the rules are
the same for both.

- A **department clerk** enters their projects' months (the department rule of
  ``projects.access``) as drafts, then **submits** them (提交). They may change a draft, a
  submitted or a returned report, never an approved one: an approved report is locked for them.
- **Bureau staff** (``projects.review_progressreport``, ``projects.review_indicatorvalue``)
  **approve** (审核通过) a submitted report, or **return** (退回) a submitted or an approved
  one with a reason the department sees; what they enter themselves is approved as it saves.
- Each event sets its time on the report (the stage is the latest of them,
  ``ProgressReport.REVIEW``) and is kept in the trail (``ProgressReview``); an approval keeps the
  amount it approved, which the figures count (``ProgressReport.counted_investment``).

Every action raises the version of each report it changes and writes its history entry, in
bulk, so that a month of a hundred reports costs the same few queries as one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.utils import bulk_update_with_history

from jiaxian import versions

from . import access
from .choices import ReviewActionChoices as Action, ReviewStageChoices as Stage
from .models import ProgressReport
from .models.reviewed import ReviewedMonth, ReviewEvent

REVIEW_PERMISSION = ProgressReport.REVIEW_PERMISSION


def action_fields(model: type[ReviewedMonth], action: str) -> list[str]:
    """The fields an action writes on a ``model`` record, besides the version and the time of
    the change."""
    return {
        Action.SUBMITTED: ["submitted_at"],
        Action.APPROVED: ["approved_at", model.APPROVED_AMOUNT],
        Action.RETURNED: ["returned_at", "return_reason"],
    }[Action(action)]


def entry_fields(model: type[ReviewedMonth]) -> list[str]:
    """The fields an entry by bureau staff writes on a ``model`` record (``entry_values``)."""
    return ["submitted_at", "approved_at", model.APPROVED_AMOUNT]


# A progress report's (the monthly entry page writes them in bulk).
ENTRY_FIELDS = entry_fields(ProgressReport)
# The stages each action may start from.
FROM_STAGES = {
    Action.SUBMITTED: {Stage.DRAFT, Stage.RETURNED},
    Action.APPROVED: {Stage.SUBMITTED},
    Action.RETURNED: {Stage.SUBMITTED, Stage.APPROVED},
}


def reviews(user, model: type[ReviewedMonth] = ProgressReport) -> bool:
    """Whether ``user`` approves and returns ``model``'s reports (bureau staff, superusers)."""
    return bool(user is not None and user.is_active and user.has_perm(model.REVIEW_PERMISSION))


def entry_refusal(user, report: ReviewedMonth) -> str | None:
    """Why ``user`` may not change or delete ``report`` as stored (None: they may): an approved
    report is locked for all but bureau staff. The department rule is asked apart, before."""
    if report.pk is None or reviews(user, type(report)) or report.stage != Stage.APPROVED:
        return None
    return gettext("%(report)s is approved and locked: ask bureau staff to return it if it must change.") % {
        "report": report
    }


def entry_values(user, amount, now=None, model: type[ReviewedMonth] = ProgressReport) -> dict:
    """The review fields a door's save writes for an entry of ``amount`` by ``user``: bureau
    staff's entry is approved as it saves (submitted and approved now, at that amount); a
    department clerk's writes none (a new report is a draft, a changed one keeps its stage until
    they submit it). ``stamp_entry`` sets them on a report."""
    if not reviews(user, model):
        return {}
    now = now or timezone.now()
    return {"submitted_at": now, "approved_at": now, model.APPROVED_AMOUNT: amount}


def entry_event(report: ReviewedMonth, user) -> ReviewEvent | None:
    """The trail's event of a report just entered with ``entry_values`` (its approval), None
    for a clerk's entry; ``write_trail`` writes it once the report has its id."""
    model = type(report)
    if not reviews(user, model):
        return None
    return model.trail_model()(
        report=report,
        action=Action.APPROVED,
        at=report.approved_at,
        by=user,
        amount=getattr(report, model.APPROVED_AMOUNT),
    )


def stamp_entry(report: ReviewedMonth, user, now=None) -> ReviewEvent | None:
    """Make ``report`` what its door creates, before it is saved: bureau staff's entry is
    approved as it saves (submitted and approved now, at the amount entered), and the trail's
    event for it is returned, to be written once the report has its id (``write_trail``); a
    department clerk's entry is left as it is (a new one is a draft, a changed one keeps its
    stage until they submit it)."""
    model = type(report)
    for name, value in entry_values(user, getattr(report, model.REVIEWED_AMOUNT), now, model).items():
        setattr(report, name, value)
    return entry_event(report, user)


def write_trail(events: Iterable[ReviewEvent | None]) -> None:
    """Write the trail's events of saved reports (``stamp_entry``'s, of one kind of report), in
    one query."""
    rows = [event for event in events if event is not None]
    for event in rows:
        event.report_id = event.report.pk  # type: ignore[attr-defined]  # given by the save that came after the stamp
    if rows:
        type(rows[0]).objects.bulk_create(rows)


@dataclass(frozen=True)
class Refusal:
    """Why an action is refused on one report: ``kind`` is ``forbidden`` (not the user's to
    take), ``stage`` (the report is not at a stage the action starts from), ``reason`` (a
    return without a reason) or ``stale`` (changed since the user read it); ``message`` says it
    in the user's words, naming the report."""

    kind: str
    message: str


class Refused(Exception):
    """An action refused on at least one report; nothing was changed."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        super().__init__("; ".join(refusal.message for refusal in refusals))

    @property
    def messages(self) -> list[str]:
        return [refusal.message for refusal in self.refusals]

    @property
    def kinds(self) -> set[str]:
        return {refusal.kind for refusal in self.refusals}


def refusal(action: str, report: ReviewedMonth, user, reason: str = "") -> Refusal | None:
    """Why ``user`` may not take ``action`` on ``report`` (None: they may)."""
    if action == Action.SUBMITTED:
        refused = access.refusal(user, report)
        if refused:
            return Refusal("forbidden", refused)
    elif not reviews(user, type(report)):
        return Refusal("forbidden", gettext("Only bureau staff approve or return monthly reports."))
    stage = report.stage
    if stage not in FROM_STAGES[Action(action)]:
        return Refusal(
            "stage",
            gettext("%(report)s is “%(stage)s”: it cannot be “%(action)s”.")
            % {"report": report, "stage": Stage(stage).label, "action": Action(action).label},
        )
    if action == Action.RETURNED and not reason.strip():
        return Refusal("reason", gettext("Say why the report is returned: the department sees the reason."))
    return None


def act(action: str, reports: Sequence[ReviewedMonth], user, reason: str = "", shown: dict | None = None) -> None:
    """Take ``action`` (submit, approve, return) on every report of ``reports`` by ``user``, or
    on none: ``Refused`` with each refusal when any is refused. ``shown`` maps a report's id to
    the version the user read (by default the one ``reports`` were read at): a report changed
    since is refused (kind ``stale``), as on every other write."""
    refusals = [refused for report in reports if (refused := refusal(action, report, user, reason))]
    if refusals:
        raise Refused(refusals)
    if not reports:
        return
    model = type(reports[0])
    trail = model.trail_model()
    shown = shown or {report.pk: report.version for report in reports}
    now = timezone.now()
    by = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        stale = versions.claim_many(model, shown)
        if stale:
            raise Refused(  # leaving the block rolls back the claims of the others
                [
                    Refusal(
                        "stale",
                        gettext("%(report)s was changed by someone else since you read it; read it again.")
                        % {"report": report},
                    )
                    for report in reports
                    if report.pk in stale
                ]
            )
        events = []
        for report in reports:
            if action == Action.SUBMITTED:
                report.submitted_at = now
            elif action == Action.APPROVED:
                report.approved_at = now
                setattr(report, model.APPROVED_AMOUNT, getattr(report, model.REVIEWED_AMOUNT))
            else:
                report.returned_at, report.return_reason = now, reason.strip()
            report.version, report.updated_at = shown[report.pk] + 1, now
            events.append(
                trail(
                    report=report,
                    action=action,
                    at=now,
                    by=by,
                    amount=getattr(report, model.REVIEWED_AMOUNT) if action == Action.APPROVED else None,
                    reason=reason.strip() if action == Action.RETURNED else "",
                )
            )
        bulk_update_with_history(
            list(reports),
            model,
            [*action_fields(model, action), "version", "updated_at"],
            default_user=by,
            default_date=now,
        )
        write_trail(events)
