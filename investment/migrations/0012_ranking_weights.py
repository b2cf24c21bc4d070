"""The weights of the rankings' indicators, per year plan, and equal weights (1) for every
existing plan. The indicators are data here, not imported (a migration must not change with the
code)."""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models

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
    ]
