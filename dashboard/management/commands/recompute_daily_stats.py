"""Rebuild the daily figures behind the dashboards from the raw rows, for a range of days."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dashboard.services.stats import daily_stats_recompute
from rollout.errors import ApplicationError
from rollout.services.jobs import job_run
from rollout.timeutils import local_today


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Rebuild the daily figures (DistrictDay, VenueDay, ArrivalDay) of a range of days from the raw rows. "
        "Days older than PERSONAL_DATA_RETENTION_DAYS are refused unless --force: their raw rows may be purged, "
        "and their kept figures would be replaced by zeros."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="first", help="First day, YYYY-MM-DD (default: the --to day)")
        parser.add_argument("--to", dest="last", help="Last day, YYYY-MM-DD (default: today)")
        parser.add_argument("--days", type=int, help="Instead of --from: this many days ending with --to")
        parser.add_argument("--district", type=int, action="append", help="District code (repeatable); default all")
        parser.add_argument("--force", action="store_true", help="Also rebuild days older than the retention")

    def handle(self, *args, **options) -> None:
        last = _day(options["last"]) if options["last"] else local_today()
        if options["days"]:
            if options["first"]:
                raise CommandError("give --from or --days, not both")
            first = last - timedelta(days=options["days"] - 1)
        else:
            first = _day(options["first"]) if options["first"] else last
        try:
            with job_run("daily_stats_recompute", first=first, last=last, district=options["district"]) as run:
                totals = daily_stats_recompute(
                    first=first, last=last, district_ids=options["district"], force=options["force"]
                )
                run.result = _("%(days)s days rebuilt by hand") % {"days": len(totals)}
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        for t in totals:
            self.stdout.write(str(t))
