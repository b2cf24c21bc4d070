"""Who may decide on a reply to a supervision order: the one rule the admin and the API ask.

A department's clerks reply to the orders addressed to their departments (the department rule
of ``projects.access``, through ``OrderReply.owner_department``); accepting or returning a reply
is the issuers' (``investment.decide_orderreply``: bureau staff and county leaders). A clerk
without it may neither set nor change a decision, nor change a reply once it is decided.
"""

from __future__ import annotations

from django.utils.translation import gettext

DECIDE_PERMISSION = "investment.decide_orderreply"
DECISION_FIELDS = ("decision", "decided_on", "comment")


def may_decide(user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(DECIDE_PERMISSION))


def reply_refusal(user, stored, changed: list[str]) -> dict[str, str]:
    """The fields of a reply that ``user`` may not write, each with the reason: ``stored`` is
    the reply as it is (None for a new one), ``changed`` the fields whose value the write
    changes (a new reply's: those not left blank)."""
    if may_decide(user):
        return {}
    refused = {
        name: gettext("Only the issuer or bureau staff accept or return a reply.")
        for name in changed
        if name in DECISION_FIELDS
    }
    if stored is not None and stored.decision:
        for name in changed:
            refused.setdefault(name, gettext("The reply is decided: it can no longer be changed."))
    return refused
