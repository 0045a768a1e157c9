"""Delete personal data older than the retention by hand: the same code the nightly beat job runs."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from rollout.services.retention import personal_data_purge


class Command(BaseCommand):
    help = (
        "Delete check-ins, arrivals, declarations and daily arrival lists of the days before the last "
        "PERSONAL_DATA_RETENTION_DAYS days (SPEC §9); the daily figures are kept. Prints one line per list "
        "file deleted (path and row count), then the counts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, **options) -> None:
        result = personal_data_purge(dry_run=options["dry_run"])
        root = Path(settings.PRIVATE_FILES_ROOT)
        for name, rows in result.files:
            self.stdout.write(f"{root / name} {rows}")
        self.stdout.write(str(result))
