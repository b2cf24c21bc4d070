"""The dispatch meetings' permissions for the three groups of ``projects``' migration
``0005_department_groups`` (found by name):

- 县领导 (county leaders): read the meetings and their decisions; turning a decision into an
  order needs only the orders' add permission, which they have (``0008``).
- 招商局、发改委工作人员 (bureau staff): every permission on meetings and decisions (they keep
  the minutes).
- 部门工作人员 (department staff): read the meetings and their decisions.

The lists are data here, not imported (a migration must not change with the code).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LEADERS = "县领导"
BUREAU_STAFF = "招商局、发改委工作人员"
DEPARTMENT_STAFF = "部门工作人员"

MODELS = ("dispatchmeeting", "meetingdecision")
READ = [(model, f"view_{model}") for model in MODELS]

GROUPS = {
    LEADERS: READ,
    BUREAU_STAFF: [(model, f"{action}_{model}") for model in MODELS for action in ("view", "add", "change", "delete")],
    DEPARTMENT_STAFF: READ,
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
    dependencies = [("investment", "0010_dispatch_meetings")]

    operations = [migrations.RunPython(grant, revoke)]
