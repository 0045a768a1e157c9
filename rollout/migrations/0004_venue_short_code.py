"""Venues get a short code to type when a phone cannot scan. Existing venues get one each (a unique column
with a callable default cannot be added in one step: the default would be computed once for every row)."""

from django.db import migrations, models

import rollout.qr


def _fill(apps, schema_editor) -> None:
    Venue = apps.get_model("rollout", "Venue")
    used: set[str] = set()
    for venue in Venue.objects.filter(short_code__isnull=True).only("pk"):
        code = rollout.qr.new_short_code()
        while code in used:
            code = rollout.qr.new_short_code()
        used.add(code)
        Venue.objects.filter(pk=venue.pk).update(short_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("rollout", "0003_import_job"),
    ]

    operations = [
        migrations.AddField(
            model_name="venue",
            name="short_code",
            field=models.CharField(editable=False, max_length=8, null=True, verbose_name="short code"),
        ),
        migrations.RunPython(_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="venue",
            name="short_code",
            field=models.CharField(
                default=rollout.qr.new_short_code, editable=False, max_length=8, unique=True, verbose_name="short code"
            ),
        ),
    ]
