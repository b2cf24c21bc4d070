"""Existing monthly reports are approved, on their last change, at the amount they hold, so that
no figure of an existing database moves when only approved reports count: each gets its
approval on the row and in the trail. Bureau staff (招商局、发改委工作人员, the group of
``0005_department_groups``, found by name) get the permission to approve and return reports.

The names are data here, not imported (a migration must not change with the code)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import F

BUREAU_STAFF = "招商局、发改委工作人员"
REVIEW = "review_progressreport"


def approve(apps, schema_editor):
    ProgressReport = apps.get_model("projects", "ProgressReport")
    ProgressReport.objects.filter(approved_at__isnull=True).update(
        submitted_at=F("updated_at"), approved_at=F("updated_at"), approved_investment=F("completed_investment")
    )
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    # One statement for every report (a city holds a million): the trail's approval of each.
    schema_editor.execute(
        f"INSERT INTO {quote('projects_progressreview')} "  # noqa: S608 - fixed names
        f"({quote('report_id')}, {quote('action')}, {quote('at')}, {quote('amount')}, {quote('reason')}) "
        f"SELECT {quote('id')}, 'approved', {quote('approved_at')}, {quote('approved_investment')}, '' "
        f"FROM {quote('projects_progressreport')} r WHERE NOT EXISTS "
        f"(SELECT 1 FROM {quote('projects_progressreview')} t WHERE t.{quote('report_id')} = r.{quote('id')})"
    )


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="projects", codename=REVIEW)
    group, _ = Group.objects.get_or_create(name=BUREAU_STAFF)
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=BUREAU_STAFF):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="projects", codename=REVIEW))


def forwards(apps, schema_editor):
    approve(apps, schema_editor)
    grant(apps, schema_editor)


def backwards(apps, schema_editor):
    revoke(apps, schema_editor)  # the columns and the trail go with the schema's reversal


class Migration(migrations.Migration):
    dependencies = [("projects", "0010_progress_review"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, backwards)]
