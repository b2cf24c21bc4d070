"""The supervision orders' permissions for the three groups of ``projects``' migration
``0005_department_groups`` (found by name):

- 县领导 (county leaders): issue orders (view, add, change) and decide on replies (accept or
  return); view the replies.
- 招商局、发改委工作人员 (bureau staff): every permission on orders and replies, deciding too.
- 部门工作人员 (department staff): view orders; reply (view, add, change replies) — to the orders
  addressed to their own departments only (``projects.access``, ``OrderReply.owner_department``).

The lists are data here, not imported (a migration must not change with the code).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

LEADERS = "县领导"
BUREAU_STAFF = "招商局、发改委工作人员"
DEPARTMENT_STAFF = "部门工作人员"

ORDER, REPLY = "supervisionorder", "orderreply"
DECIDE = (REPLY, "decide_orderreply")

GROUPS = {
    LEADERS: [
        *[(ORDER, f"{action}_{ORDER}") for action in ("view", "add", "change")],
        (REPLY, f"view_{REPLY}"),
        DECIDE,
    ],
    BUREAU_STAFF: [
        *[(model, f"{action}_{model}") for model in (ORDER, REPLY) for action in ("view", "add", "change", "delete")],
        DECIDE,
    ],
    DEPARTMENT_STAFF: [
        (ORDER, f"view_{ORDER}"),
        *[(REPLY, f"{action}_{REPLY}") for action in ("view", "add", "change")],
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
    dependencies = [("investment", "0007_supervision_orders")]

    operations = [migrations.RunPython(grant, revoke)]
