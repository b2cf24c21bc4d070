"""The rankings' two indicators of the year plan's indicators (issue 20), with equal weights (1)
for every existing plan, as ``0012_ranking_weights`` gave the first nine (a plan saved later is
seeded by ``investment.signals``). The indicators are data here, not imported."""

from decimal import Decimal

from django.db import migrations, models

INDICATORS = ("plan_indicators_on_track", "late_indicator_values")


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
        ('investment', '0014_circular_filings'),
        ('projects', '0016_plan_indicator_groups'),
    ]

    operations = [
        migrations.AlterField(
            model_name='rankingweight',
            name='indicator',
            field=models.CharField(choices=[('investment_progress', 'Key projects: completion rate minus time progress'), ('red_light_share', 'Share of key projects on red light'), ('overdue_orders', 'Overdue supervision orders'), ('overdue_problems', 'Overdue problems'), ('late_reports', 'Monthly reports not submitted by the due day'), ('attraction_signed', 'Attraction projects signed'), ('attraction_big_share', 'Signed: share of 100-million-yuan projects'), ('attraction_key_industry_share', 'Signed: share in key industries'), ('attraction_started_share', 'Signed: share started'), ('plan_indicators_on_track', 'Plan indicators: share met or on a green light'), ('late_indicator_values', 'Plan indicator values not submitted by the due day')], max_length=40, verbose_name='indicator'),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
