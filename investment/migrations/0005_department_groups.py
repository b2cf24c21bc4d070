"""The investment app's permissions for the three groups that ``projects``' migration
``0005_department_groups`` creates (found here by name; the projects app never depends on this
one).

- 县领导 (county leaders): view every ledger, and the filed quarterly reports.
- 招商局、发改委工作人员 (bureau staff): view, add, change and delete every ledger; view the
  filings and export and file the quarterly report.
- 部门工作人员 (department staff): view everything; add, change and delete attraction projects —
  only those of their own departments (``projects.access``).

The lists are copied here as data, not imported (a migration must not change with the code).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LEADERS = "县领导"
BUREAU_STAFF = "招商局、发改委工作人员"
DEPARTMENT_STAFF = "部门工作人员"

# The industrial chain and its lists have no department: only bureau staff edit them.
LEDGERS = (
    "attractionproject",
    "industrialchain",
    "chainlink",
    "targetenterprise",
    "localenterprise",
    "carrier",
    "policy",
    "responsibility",
)
DEPARTMENT_LEDGERS = ("attractionproject",)
WRITE_ACTIONS = ("add", "change", "delete")
# Filings are never changed (not even by a superuser); reading them is a permission of its own.
VIEW_FILINGS = [("filing", "view_filing")]

# (model, codename) pairs of this app per group.
GROUPS = {
    LEADERS: [*[(model, f"view_{model}") for model in LEDGERS], *VIEW_FILINGS],
    BUREAU_STAFF: [
        *[(model, f"{action}_{model}") for model in LEDGERS for action in ("view", *WRITE_ACTIONS)],
        *VIEW_FILINGS,
        ("filing", "export_quarter"),
    ],
    DEPARTMENT_STAFF: [
        *[(model, f"view_{model}") for model in LEDGERS],
        *[(model, f"{action}_{model}") for model in DEPARTMENT_LEDGERS for action in WRITE_ACTIONS],
        *VIEW_FILINGS,
    ],
}


def permissions_of(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label="investment", content_type__model=model, codename=codename)
        for model, codename in pairs
    ]


def grant(apps, schema_editor):
    # On a fresh database the permissions do not exist yet while migrate runs: make them first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, pairs in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions_of(apps, pairs))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions_of(apps, GROUPS[group.name]))


class Migration(migrations.Migration):
    dependencies = [
        ("investment", "0004_chains_and_lists"),
        ("projects", "0005_department_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
