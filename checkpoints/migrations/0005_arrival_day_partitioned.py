"""Arrivals get their local ``day`` and, on PostgreSQL, are partitioned by it (``rollout.partitions``).

The link to a possible duplicate is no longer enforced by the database: PostgreSQL has no foreign key
into a table partitioned by a column the link does not carry."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_days(apps, schema_editor):
    from rollout.partitions import fill_days

    fill_days(schema_editor, "checkpoints_arrival", "arrived_at")


def partition(apps, schema_editor):
    from rollout.partitions import convert_to_partitioned

    convert_to_partitioned(
        schema_editor,
        "checkpoints_arrival",
        days_behind=settings.PERSONAL_DATA_RETENTION_DAYS,
        days_ahead=settings.PARTITIONS_AHEAD_DAYS,
    )


def unpartition(apps, schema_editor):
    from rollout.partitions import convert_to_plain

    convert_to_plain(schema_editor, "checkpoints_arrival")


class Migration(migrations.Migration):
    dependencies = [
        ("checkpoints", "0004_arrival_pc_covid"),
    ]

    operations = [
        migrations.AddField(
            model_name="arrival",
            name="day",
            field=models.DateField(editable=False, null=True, verbose_name="day"),
        ),
        migrations.RunPython(fill_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="arrival",
            name="day",
            field=models.DateField(editable=False, verbose_name="day"),
        ),
        migrations.AlterField(
            model_name="arrival",
            name="possible_duplicate_of",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="checkpoints.arrival",
            ),
        ),
        # PostgreSQL only (a no-op elsewhere); backwards, the table becomes one plain table again.
        migrations.RunPython(partition, unpartition),
    ]
