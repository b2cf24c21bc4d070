"""The weights of the rankings' indicators, per year plan, and equal weights (1) for every
existing plan; the groups of ``projects``' migration ``0005_department_groups`` (found by name)
read them, and bureau staff (招商局、发改委工作人员) change them. The indicators and the lists are
data here, not imported (a migration must not change with the code)."""

import django.db.models.deletion
from decimal import Decimal
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUPS = {
    "县领导": ["view_rankingweight"],
    "招商局、发改委工作人员": ["view_rankingweight", "change_rankingweight"],
    "部门工作人员": ["view_rankingweight"],
}

INDICATORS = (
    "investment_progress",
    "red_light_share",
    "overdue_orders",
    "overdue_problems",
    "late_reports",
    "attraction_signed",
    "attraction_big_share",
    "attraction_key_industry_share",
    "attraction_started_share",
)


def permissions_of(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return [
        Permission.objects.get(content_type__app_label="investment", content_type__model="rankingweight", codename=c)
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


def seed(apps, schema_editor):
    YearPlan = apps.get_model("projects", "YearPlan")
    RankingWeight = apps.get_model("investment", "RankingWeight")
    RankingWeight.objects.bulk_create(
        [
            RankingWeight(plan=plan, indicator=indicator, weight=Decimal("1.00"))
            for plan in YearPlan.objects.all()
            for indicator in INDICATORS
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('investment', '0011_dispatch_meeting_groups'),
        ('projects', '0013_department_webhook'),
    ]

    operations = [
        migrations.CreateModel(
            name='RankingWeight',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('indicator', models.CharField(choices=[('investment_progress', 'Key projects: completion rate minus time progress'), ('red_light_share', 'Share of key projects on red light'), ('overdue_orders', 'Overdue supervision orders'), ('overdue_problems', 'Overdue problems'), ('late_reports', 'Monthly reports not submitted by the due day'), ('attraction_signed', 'Attraction projects signed'), ('attraction_big_share', 'Signed: share of 100-million-yuan projects'), ('attraction_key_industry_share', 'Signed: share in key industries'), ('attraction_started_share', 'Signed: share started')], max_length=40, verbose_name='indicator')),
                ('weight', models.DecimalField(decimal_places=2, default=Decimal('1.00'), help_text='Relative weight in the composite score; 0 leaves the indicator out of it.', max_digits=6, verbose_name='weight')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ranking_weights', to='projects.yearplan', verbose_name='year plan')),
            ],
            options={
                'verbose_name': 'ranking weight',
                'verbose_name_plural': 'ranking weights',
                'ordering': ['plan', 'indicator'],
                'constraints': [models.UniqueConstraint(fields=('plan', 'indicator'), name='investment_rankingweight_unique_per_plan', violation_error_message='This plan already has a weight for this indicator.'), models.CheckConstraint(condition=models.Q(('weight__gte', 0)), name='investment_rankingweight_weight_non_negative', violation_error_message='A weight cannot be negative.')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
