"""Search a confirmed case's F1 candidates from the command line (SPEC §8, §12).

Runs as the system, not as a user; the search is stored and audited like any other.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from rollout.errors import ApplicationError
from rollout.timeutils import local_tz
from tracing.models import ReasonKind
from tracing.services.search import tracing_search


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Find the F1 candidates of a confirmed case: one line per candidate, then the count."

    def add_arguments(self, parser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--phone")
        who.add_argument("--id-number")
        who.add_argument("--name", help="Full name (accents optional).")
        parser.add_argument("--from", dest="start", type=_day, help="First local day (default: 14 days ago).")
        parser.add_argument("--to", dest="end", type=_day, help="Last local day (default: today).")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--reason-kind", choices=ReasonKind.values, default=ReasonKind.CONFIRMED_CASE)

    def handle(self, *args, **opts) -> None:
        try:
            search = tracing_search(
                by=None,
                as_system=True,
                phone=opts["phone"] or "",
                id_number=opts["id_number"] or "",
                full_name=opts["name"] or "",
                start=opts["start"],
                end=opts["end"],
                reason=opts["reason"],
                reason_kind=opts["reason_kind"],
            )
        except ApplicationError as error:
            people = error.extra.get("people")
            for p in people or []:
                self.stdout.write(f"{p['full_name']}\t{p['phone']}\t{p['id_number']}\t{p['records']} records")
            raise CommandError(error.message) from None
        tz = local_tz()
        for c in search.candidates.order_by("rank"):
            self.stdout.write(
                f"{c.rank}\t{c.full_name}\t{c.phone}\t{c.id_number}\t{c.source}\t{c.place}\t"
                f"{c.first_contact_at.astimezone(tz):%d/%m/%Y %H:%M}\t{c.exposure_minutes} min"
            )
        self.stdout.write(f"candidates: {search.candidate_count} (search #{search.pk})")
