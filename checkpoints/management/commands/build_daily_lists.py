"""Build the daily per-district arrival lists by hand: the same code the 06:30 beat job runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from checkpoints.services.daily_lists import daily_lists_run, home_districts


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must look like 2021-11-02, got {value!r}") from None


class Command(BaseCommand):
    help = (
        "Build the arrival list of each district for a local day (default: yesterday and any day missed). "
        "Prints one line per file: its path and row count."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", type=_day, help="Local day YYYY-MM-DD; its lists are rebuilt as new revisions.")
        parser.add_argument("--district", type=int, help="GSO code of one district of the home province.")
        parser.add_argument("--no-email", action="store_true", help="Do not e-mail the focal officers.")

    def handle(self, *args, **options) -> None:
        district = options["district"]
        if district is not None and not home_districts().filter(pk=district).exists():
            raise CommandError(f"{district} is not the code of a district of the home province")
        built = daily_lists_run(day=options["date"], district=district, notify=not options["no_email"])
        root = Path(settings.PRIVATE_FILES_ROOT)
        for daily_list in built:
            self.stdout.write(f"{root / daily_list.file} {daily_list.rows}")
