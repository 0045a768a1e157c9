"""``manage.py build_weekly_rollup [--week-ending YYYY-MM-DD]``: build the provincial roll-up by hand.

Calls the same service as the scheduled job and prints one line per file written: its path and its
row count (one row per district).
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports import weeks
from reports.models import RollupReason
from reports.services.rollups import rollup_build


class Command(BaseCommand):
    help = "Build a new revision of the weekly provincial roll-up (default: the latest week past its deadline)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--week-ending", help="The Friday that names the week, YYYY-MM-DD.")

    def handle(self, *args, **options) -> None:
        raw = options.get("week_ending")
        if raw:
            try:
                week = date.fromisoformat(raw)
            except ValueError:
                raise CommandError(f"--week-ending must be a date like 2021-11-05, got {raw!r}") from None
            if not weeks.is_week_ending(week):
                raise CommandError(f"{week} is a {week:%A}; a reporting week is named by its Friday.")
        else:
            week = weeks.last_due_week()
        outcome = rollup_build(week_ending=week, reason=RollupReason.MANUAL, force=True)
        self.stdout.write(f"{outcome.path} {outcome.rollup.rows}")
