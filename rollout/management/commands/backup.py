"""Back up the database and the private files by hand: the same code the nightly beat job runs."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rollout.errors import ApplicationError
from rollout.services.backups import backup_create, backups_list


class Command(BaseCommand):
    help = (
        "Write a backup of the database (pg_dump custom format; SQLite: a copy) and of the files under "
        "PRIVATE_FILES_ROOT into BACKUP_DIR, in a folder named by the UTC time with a checksum manifest; then "
        "delete the backups older than PERSONAL_DATA_RETENTION_DAYS. Prints the new backup's folder."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", type=Path, help=f"Where to write (default BACKUP_DIR, {settings.BACKUP_DIR}).")
        parser.add_argument("--list", action="store_true", help="Only list the backups kept, oldest first.")

    def handle(self, *args, **options) -> None:
        directory = options["dir"] or Path(settings.BACKUP_DIR)
        if options["list"]:
            for backup in backups_list(directory):
                self.stdout.write(f"{backup.path} {backup.created_at:%Y-%m-%d %H:%M:%S}Z {backup.size}")
            return
        try:
            backup = backup_create(directory=directory)
        except ApplicationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(backup.path))
