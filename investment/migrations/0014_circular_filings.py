"""The filed monthly circulars (``CircularFiling``), and their permissions for the groups of
``projects``' migration ``0005_department_groups`` (found by name), as the quarterly filings'
(``0005``): every group reads them; bureau staff (招商局、发改委工作人员), who export and file
the quarterly report, file them. Filings are never changed, so no group changes or deletes one.
The lists are data here, not imported (a migration must not change with the code)."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


GROUPS = {
    "县领导": ["view_circularfiling"],
    "招商局、发改委工作人员": ["view_circularfiling", "file_circular"],
    "部门工作人员": ["view_circularfiling"],
}


def permissions_of(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label="investment", content_type__model="circularfiling", codename=c)
        for c in codenames
    ]


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

    dependencies = [
        ('investment', '0013_notifications'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CircularFiling',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('format', models.CharField(choices=[('xlsx', 'Excel workbook (XLSX)'), ('csv', 'CSV files (zip)')], max_length=10, verbose_name='format')),
                ('version', models.PositiveIntegerField(editable=False, verbose_name='filing version')),
                ('content', models.BinaryField(verbose_name='content')),
                ('sha256', models.CharField(editable=False, max_length=64, verbose_name='SHA-256')),
                ('size', models.PositiveBigIntegerField(editable=False, verbose_name='size (bytes)')),
                ('filed_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='filed at')),
                ('known_on', models.DateField(editable=False, verbose_name='figures known on')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name='year')),
                ('month', models.PositiveSmallIntegerField(choices=[(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7), (8, 8), (9, 9), (10, 10), (11, 11), (12, 12)], validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(12)], verbose_name='month')),
                ('filed_by', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='%(class)s_filings', to=settings.AUTH_USER_MODEL, verbose_name='filed by')),
            ],
            options={
                'verbose_name': 'filed circular',
                'verbose_name_plural': 'filed circulars',
                'ordering': ['-year', '-month', 'format', '-version'],
                'permissions': [('file_circular', 'Can file the monthly rankings circular')],
                'constraints': [models.UniqueConstraint(fields=('year', 'month', 'format', 'version'), name='investment_circularfiling_one_per_version', violation_error_message="This version of the month's filed circular already exists.")],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
