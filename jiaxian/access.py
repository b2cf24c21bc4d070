"""Who may edit which record: a rule of the domain, which the plumbing asks without knowing it.

The setting ``LEDGER_ACCESS_RULE`` names the module that answers (``projects.access``, the
department rule: its functions are the ``AccessRule`` below). The admin (``jiaxian.admin``), the
API (``jiaxian.ledger_api``) and the import (``jiaxian.resources``) ask through the functions of
this module, so that there is one rule for all three and ``jiaxian`` never imports an app.
Without the setting, whoever has a model's permissions may edit every record of it.

A record is owned by a department (or by nobody: reference data): ``owner_path`` says through
which field, so that a refusal shows on that field of a form.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, Protocol, cast

from django.conf import settings
from django.db import models


class AccessRule(Protocol):
    """What the plumbing asks of the domain's rule (a module's functions, or an object's methods)."""

    def owner_path(self, model: type[models.Model]) -> str | None:
        """The path to the field that names a record's owning department, None when it has none."""

    def edits_all_departments(self, user: Any) -> bool:
        """Whether ``user`` may edit every record, whoever owns it."""

    def may_edit_department(self, user: Any, department: Any) -> bool:
        """Whether ``user`` may edit a record owned by ``department`` (a record or its id; None)."""

    def may_edit(self, user: Any, record: models.Model) -> bool:
        """Whether ``user`` may edit (change, delete, or create as it stands) ``record``."""

    def refusal(self, user: Any, record: models.Model) -> str | None:
        """None when ``user`` may edit ``record``, else the reason, for the clerk."""


class Unrestricted:
    """The rule without a domain's: every record may be edited by whoever has the permissions."""

    def owner_path(self, model: type[models.Model]) -> str | None:
        return None

    def edits_all_departments(self, user: Any) -> bool:
        return True

    def may_edit_department(self, user: Any, department: Any) -> bool:
        return True

    def may_edit(self, user: Any, record: models.Model) -> bool:
        return True

    def refusal(self, user: Any, record: models.Model) -> str | None:
        return None


UNRESTRICTED = Unrestricted()


def rule() -> AccessRule:
    """The rule that ``LEDGER_ACCESS_RULE`` names (read at each call, so that a test's
    ``settings`` override counts; after the first, an import is a lookup in ``sys.modules``)."""
    path = getattr(settings, "LEDGER_ACCESS_RULE", None)
    return UNRESTRICTED if path is None else cast(AccessRule, import_module(path))


def owner_path(model: type[models.Model]) -> str | None:
    return rule().owner_path(model)


def edits_all_departments(user: Any) -> bool:
    return rule().edits_all_departments(user)


def may_edit_department(user: Any, department: Any) -> bool:
    return rule().may_edit_department(user, department)


def may_edit(user: Any, record: models.Model) -> bool:
    return rule().may_edit(user, record)


def refusal(user: Any, record: models.Model) -> str | None:
    return rule().refusal(user, record)
