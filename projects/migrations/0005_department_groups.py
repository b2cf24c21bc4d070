"""The three groups of issue 7 and their permissions on the projects app's models.

- 县领导 (county leaders): view every ledger and every reference model.
- 招商局、发改委工作人员 (staff of the investment-promotion bureau and the development-and-reform
  commission): view, add, change and delete every ledger and reference model, and
  ``edit_all_departments``.
- 部门工作人员 (department staff): view everything; add, change and delete key projects and
  their listings, milestones, progress reports and problems, and bond reserves — only those
  of their own departments (``projects.access``).

The lists are copied here as data, not imported: a migration must keep doing what it did
when the code it would import has changed. ``investment``'s ``0005_department_groups`` grants
the investment models' permissions to the same groups, found by name; the names must match
``projects.access`` (a test checks all three places agree).

On a fresh database the permissions do not exist yet while ``migrate`` runs (Django makes
them after the last migration), so they are made first, as ``migrate`` would.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LEADERS = "县领导"
BUREAU_STAFF = "招商局、发改委工作人员"
DEPARTMENT_STAFF = "部门工作人员"

REFERENCE_MODELS = ("industry", "area", "department", "sector", "yearplan")
# Every ledger of this app belongs to a department (its own, or its key project's).
DEPARTMENT_LEDGERS = ("keyproject", "annuallisting", "milestone", "progressreport", "problem", "bondreserve")
ALL_MODELS = REFERENCE_MODELS + DEPARTMENT_LEDGERS
WRITE_ACTIONS = ("add", "change", "delete")

# (model, codename) pairs of this app per group.
GROUPS = {
    LEADERS: [(model, f"view_{model}") for model in ALL_MODELS],
    BUREAU_STAFF: [
        *[(model, f"{action}_{model}") for model in ALL_MODELS for action in ("view", *WRITE_ACTIONS)],
        ("department", "edit_all_departments"),
    ],
    DEPARTMENT_STAFF: [
        *[(model, f"view_{model}") for model in ALL_MODELS],
        *[(model, f"{action}_{model}") for model in DEPARTMENT_LEDGERS for action in WRITE_ACTIONS],
    ],
}


def make_permissions(apps):
    """Create the content types and permissions of every app, as ``migrate`` does at its end."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_groups(apps, schema_editor):
    make_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, pairs in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for model, codename in pairs:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="projects", content_type__model=model, codename=codename)
            )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_department_members"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
