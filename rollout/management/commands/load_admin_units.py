from django.core.management.base import BaseCommand

from rollout.services.units import admin_units_load


class Command(BaseCommand):
    help = "Import the 2021 administrative units (63 provinces, 696 districts, 10,051 communes). Idempotent."

    def handle(self, *args, **options) -> None:
        result = admin_units_load()
        self.stdout.write(
            f"provinces={result.provinces} districts={result.districts} communes={result.communes} "
            f"created={result.created} updated={result.updated}"
        )
