"""Restore a backup (``manage.py backup``) into a database and a files folder: the restore drill's command."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rollout.errors import ApplicationError
from rollout.services.backups import backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the database at --database-url (which must be empty, unless --force) and "
        "its files into --files-dir (default PRIVATE_FILES_ROOT; must be empty, unless --force). Checksums are "
        "checked before anything is written; the database is restored in one transaction. Afterwards run "
        "`manage.py purge_personal_data` against it: an older backup holds days the retention has since deleted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("backup", type=Path, help="The backup folder (BACKUP_DIR/backup-<UTC time>).")
        parser.add_argument(
            "--database-url", required=True, help="e.g. postgres://rollout:…@host:5432/rollout_restored"
        )
        parser.add_argument("--files-dir", type=Path, help="Where the files go (default PRIVATE_FILES_ROOT).")
        parser.add_argument("--force", action="store_true", help="Restore over a database or folder in use.")

    def handle(self, *args, **options) -> None:
        files_dir = options["files_dir"] or Path(settings.PRIVATE_FILES_ROOT)
        try:
            result = backup_restore(
                options["backup"], database_url=options["database_url"], files_dir=files_dir, force=options["force"]
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"restored the {result['engine']} backup of {result['created_at']} and {result['files']} files "
            f"into {files_dir}"
        )
