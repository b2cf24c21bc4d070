"""The base of every ledger's viewset in both apps: ``jiaxian.api.LedgerViewSet`` (validated,
versioned, atomic writes) with the domain's access rule (``access``: the department rule that the
setting ``LEDGER_ACCESS_RULE`` names) added to the model permissions."""

from __future__ import annotations

from rest_framework import permissions

from jiaxian import access, api


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


class LedgerViewSet(api.LedgerViewSet):
    permission_classes = [*api.LedgerViewSet.permission_classes, DepartmentRule]
