"""The base of every ledger's viewset in both apps: ``jiaxian.api.LedgerViewSet`` (validated,
versioned, atomic writes) with the domain's access rule (``access``: the department rule that the
setting ``LEDGER_ACCESS_RULE`` names) added to the model permissions."""

from __future__ import annotations

import datetime

from django.utils.functional import cached_property
from rest_framework import permissions

from jiaxian import access, api, periods


class DepartmentRule(permissions.BasePermission):
    """Writes only: the record (as stored, and as the write would leave it) must be one the
    user may edit (``access.refusal``); otherwise a 403 whose ``detail`` names the department.
    Reads are never restricted by department."""

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        reason = access.refusal(request.user, obj)
        if reason is None:
            return True
        # DRF reads the refusal's detail from the instance it made for this request.
        self.message = reason
        return False


class AsOfMixin:
    """A viewset whose reads are as of ``?as_of=`` (a light, a stage): the date, today without
    it, a bad one a 400 naming it; a write's is today's, whatever it says. The serializers find
    it in their context (``as_of``)."""

    # Read by the view, not a filter (jiaxian.api_defaults.FilterBackend refuses the others).
    query_parameters = ("as_of",)

    @cached_property
    def as_of(self) -> datetime.date:
        if self.request.method != "GET":  # type: ignore[attr-defined]
            return periods.today()
        return api.period_parameter(self.request, "as_of", periods.parse_date, default=periods.today())  # type: ignore[attr-defined]

    def get_serializer_context(self):
        context = super().get_serializer_context()  # type: ignore[misc]
        if self.request is not None:  # type: ignore[attr-defined]
            context["as_of"] = self.as_of
        return context


class LedgerViewSet(api.LedgerViewSet):
    permission_classes = [*api.LedgerViewSet.permission_classes, DepartmentRule]
