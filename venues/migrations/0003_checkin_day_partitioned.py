"""Check-ins get their local ``day`` and, on PostgreSQL, are partitioned by it (``rollout.partitions``)."""

from django.conf import settings
from django.db import migrations, models


def fill_days(apps, schema_editor):
    from rollout.partitions import fill_days

    fill_days(schema_editor, "venues_checkin", "checked_in_at")


def partition(apps, schema_editor):
    from rollout.partitions import convert_to_partitioned

    convert_to_partitioned(
        schema_editor,
        "venues_checkin",
        days_behind=settings.PERSONAL_DATA_RETENTION_DAYS,
        days_ahead=settings.PARTITIONS_AHEAD_DAYS,
    )


def unpartition(apps, schema_editor):
    from rollout.partitions import convert_to_plain

    convert_to_plain(schema_editor, "venues_checkin")


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0002_name_folded"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="day",
            field=models.DateField(editable=False, null=True, verbose_name="day"),
        ),
        migrations.RunPython(fill_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="checkin",
            name="day",
            field=models.DateField(editable=False, verbose_name="day"),
        ),
        # PostgreSQL only (a no-op elsewhere); backwards, the table becomes one plain table again.
        migrations.RunPython(partition, unpartition),
    ]
