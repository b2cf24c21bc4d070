"""The three groups' permissions on plan indicators (年度目标指标) and their monthly values:
county leaders view them; bureau staff view, add, change and delete them, and approve and
return the values; department staff view them and edit those of their own units
(``projects.access``: an indicator's unit owns it and its values). The review trail is written
by the review alone: everyone views it. The groups are ``0005_department_groups``', found by
name.

The names are data here, not imported (a migration must not change with the code)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LEADERS = "县领导"
BUREAU_STAFF = "招商局、发改委工作人员"
DEPARTMENT_STAFF = "部门工作人员"
CRUD = ("view", "add", "change", "delete")
MODELS = ("planindicator", "indicatorvalue")

GROUPS = {
    LEADERS: [f"view_{model}" for model in MODELS],
    BUREAU_STAFF: [f"{action}_{model}" for model in MODELS for action in CRUD] + ["review_indicatorvalue"],
    DEPARTMENT_STAFF: [f"{action}_{model}" for model in MODELS for action in CRUD],  # their units' only
}


def permissions_of(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return [Permission.objects.get(content_type__app_label="projects", codename=c) for c in codenames]


def grant(apps, schema_editor):
    # On a fresh database the permissions do not exist yet while migrate runs: make them first.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions_of(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions_of(apps, GROUPS[group.name]))


class Migration(migrations.Migration):
    dependencies = [("projects", "0015_plan_indicators"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(grant, revoke)]
