"""A filing records the day its reviewed figures are known on (the monthly progress counts the
reports approved by its end): for the filings made before, the day they were filed, in the
county's time zone."""

import zoneinfo

from django.conf import settings
from django.db import migrations, models


def filed_day(apps, schema_editor):
    Filing = apps.get_model("investment", "Filing")
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for pk, filed_at in Filing.objects.values_list("pk", "filed_at"):
        # A queryset's update: the historical model has no immutability rule (few rows).
        Filing.objects.filter(pk=pk).update(known_on=filed_at.astimezone(zone).date())


class Migration(migrations.Migration):
    dependencies = [("investment", "0008_supervision_order_groups")]

    operations = [
        migrations.AddField(
            model_name="filing",
            name="known_on",
            field=models.DateField(editable=False, null=True, verbose_name="figures known on"),
        ),
        migrations.RunPython(filed_day, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="filing",
            name="known_on",
            field=models.DateField(editable=False, verbose_name="figures known on"),
        ),
    ]
