"""Who may edit which record: the department rule (issue 7), in one place for the admin, the
API, the monthly entry and the import. The plumbing beneath the apps asks it through
``jiaxian.access`` (the setting ``LEDGER_ACCESS_RULE`` names this module): its functions
``owner_path``, ``edits_all_departments``, ``may_edit_department``, ``may_edit`` and ``refusal``
are that module's ``AccessRule``.

Django's model permissions (``add_``/``change_``/``delete_``/``view_<model>``) stay the first
gate. This rule is a second, object-level gate for writes only; viewing is never restricted
by department.

- A user who *edits all departments* — a superuser, or a holder of
  ``projects.edit_all_departments`` (the bureau staff of the investment-promotion bureau and the
  development-and-reform commission) — may edit every record.
- Anyone else may edit a record only when its owning department is one of theirs
  (``Department.members``; ``user.departments``).
- A model says which department owns its records with a class attribute
  ``owner_department``: a path to a ``Department`` foreign key, ``"department"`` (key projects,
  bond reserves, and the ledgers of the apps above this one) or ``"project__department"``
  (annual listings, milestones, progress reports, problems belong to their key project's
  department, whatever department they name themselves).
- A record without an owning department (its department is blank, or its model has no
  ``owner_department``: reference data, year plans) may be edited only by those who edit all
  departments.

A user's department ids are read once and kept on the user object (one query per request,
whatever the number of records checked).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext

from .models import Department

EDIT_ALL_PERMISSION = "projects.edit_all_departments"

# The three groups that the data migrations (projects 0005, and investment's) create; their
# permissions are listed in those migrations. Names are data: the clerks see them as they are.
LEADERS_GROUP = "县领导"
BUREAU_STAFF_GROUP = "招商局、发改委工作人员"
DEPARTMENT_STAFF_GROUP = "部门工作人员"

_CACHE = "_department_ids_cache"


def edits_all_departments(user) -> bool:
    """True for an active superuser or an active holder of ``projects.edit_all_departments``;
    False for anonymous and inactive users."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm(EDIT_ALL_PERMISSION)


def department_ids(user) -> frozenset[int]:
    """The ids of the user's departments (empty for anonymous), read once per user object:
    one query, then none."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = frozenset(
            Department.members.through.objects.filter(user_id=user.pk).values_list("department_id", flat=True)
        )
        setattr(user, _CACHE, cached)
    return cached


def may_edit_department(user, department) -> bool:
    """Whether ``user`` may edit a record owned by ``department`` (a ``Department``, its id, or
    None): always when they edit all departments; otherwise only when it is one of theirs.
    A record without a department (None) only those who edit all may edit."""
    if edits_all_departments(user):
        return True
    if department is None:
        return False
    department_id = department.pk if isinstance(department, Department) else department
    return department_id in department_ids(user)


def owner_path(model: type[models.Model]) -> str | None:
    """The model's ``owner_department`` path (``"department"``, ``"project__department"``), or
    None when its records have no owning department."""
    return getattr(model, "owner_department", None)


def owning_department_id(record: models.Model) -> int | None:
    """The id of the department that owns ``record`` as it stands in memory (so that a record
    being moved answers for where it goes); None when its model has no owner or the department
    (or the record it goes through, such as its project) is not set. Following a path costs a
    query when the intermediate record is not loaded yet."""
    path = owner_path(type(record))
    if path is None:
        return None
    *through, last = path.split("__")
    current = record
    for name in through:
        if getattr(current, f"{name}_id", None) is None:
            return None
        current = getattr(current, name)
    return getattr(current, f"{last}_id", None)


def may_edit(user, record: models.Model) -> bool:
    """Whether ``user`` may edit (change, delete, or create as it stands) ``record``, by the
    department that owns it (``owning_department_id``). Model permissions are checked
    elsewhere, before this."""
    if edits_all_departments(user):
        return True
    return may_edit_department(user, owning_department_id(record))


def refusal(user, record: models.Model) -> str | None:
    """None when ``user`` may edit ``record``; otherwise the reason, for the clerk, naming the
    department (the admin's form error and the API's 403 ``detail``)."""
    if may_edit(user, record):
        return None
    model = type(record)
    if owner_path(model) is None:
        return gettext("Only staff who edit every department's records may change %(records)s.") % {
            "records": model._meta.verbose_name_plural
        }
    department_id = owning_department_id(record)
    if department_id is None:
        return gettext(
            "A %(record)s without a responsible unit may only be edited by staff who edit every department's records."
        ) % {"record": model._meta.verbose_name}
    department = Department.objects.filter(pk=department_id).first()
    return gettext(
        "You may edit only the records of your own departments; this %(record)s belongs to %(department)s."
    ) % {"record": model._meta.verbose_name, "department": department or department_id}
