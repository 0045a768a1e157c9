# Venue QR keys (issue 3): a random key per venue inside the signed check-in token, and the keys
# retired by rotation. Existing venues get a fresh key each (a unique column cannot take one
# default value for every row, so it is added nullable, filled, then made required).

import django.db.models.deletion
from django.db import migrations, models

import rollout.qr


def fill_keys(apps, schema_editor):
    Venue = apps.get_model("rollout", "Venue")
    venues = list(Venue.objects.only("pk"))
    for venue in venues:
        venue.qr_key = rollout.qr.new_key()
    Venue.objects.bulk_update(venues, ["qr_key"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("rollout", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="venue",
            name="qr_key",
            field=models.CharField(editable=False, max_length=32, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="venue",
            name="qr_key",
            field=models.CharField(default=rollout.qr.new_key, editable=False, max_length=32, unique=True),
        ),
        migrations.CreateModel(
            name="RetiredVenueKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=32, unique=True)),
                ("retired_at", models.DateTimeField(auto_now_add=True)),
                (
                    "venue",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="retired_keys",
                        to="rollout.venue",
                    ),
                ),
            ],
            options={
                "ordering": ["-retired_at"],
            },
        ),
    ]
