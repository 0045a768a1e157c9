"""Daily per-district arrival lists (SPEC §5) and checkpoint exports.

The workbook itself is ``arrival_workbook``'s. Files are written to a temporary name and renamed; one
build per district and day runs at a time (a PostgreSQL advisory lock), so a retried or concurrent run
never mixes two files.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from checkpoints.models import Arrival, DailyList
from checkpoints.services.arrival_workbook import CHECKPOINT_LIST, DISTRICT_LIST, write_arrivals_workbook
from rollout import outbox
from rollout.dbrouter import reading_from_replica
from rollout.figures import num
from rollout.models import Checkpoint, District, FocalOfficer, Role, User
from rollout.services.audit import Action, audit_record
from rollout.services.jobs import job_run
from rollout.services.mail import email_send
from rollout.services.notifications import notifications_send
from rollout.timeutils import day_bounds, local_today
from rollout.workbooks import atomic_path

logger = logging.getLogger(__name__)

JOB = "daily_lists_build"
REFRESH_JOB = "daily_list_refresh"


# --- Daily lists ------------------------------------------------------------------------------


def daily_list_path(district: District, day: date) -> str:
    """Where a district's list for a day lives, relative to PRIVATE_FILES_ROOT."""
    return f"daily-lists/{day:%Y}/{day:%Y-%m-%d}/{district.pk}-{district.codename.replace('_', '-')}.xlsx"


def daily_list_filename(daily_list: DailyList) -> str:
    return f"danh-sach-nguoi-den-{daily_list.district.codename.replace('_', '-')}-{daily_list.day:%Y-%m-%d}.xlsx"


@contextmanager
def _build_lock(district_id: int, day: date) -> Iterator[None]:
    """One build of a district's day at a time (PostgreSQL session advisory lock; SQLite has one writer)."""
    if connection.vendor != "postgresql":
        yield
        return
    key = (0x4449 << 40) | (district_id << 20) | (day.toordinal() & 0xFFFFF)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return path.stat().st_size, sha.hexdigest()


def daily_list_build(*, district: District, day: date, notify: bool = True) -> DailyList:
    """Write the district's list for the local ``day`` and record it as a new revision.

    The file is replaced whole (temporary name, then rename); the row is updated in one short
    transaction afterwards; the focal officer's e-mail is queued after that commits.
    """
    relative = daily_list_path(district, day)
    final = Path(settings.PRIVATE_FILES_ROOT) / relative
    start, end = day_bounds(day)
    arrivals = Arrival.objects.filter(destination_district=district).between(start, end)  # that day's partition
    with _build_lock(district.pk, day):
        # A worker killed mid-write leaves its temporary file; nobody else writes this one now.
        for orphan in final.parent.glob(f".{final.name}.*.part"):
            orphan.unlink(missing_ok=True)
        generated = timezone.now()
        with translation.override("vi"):
            facts = [(_("District"), district.name), (_("Day"), day), (_("Generated at"), generated)]
            heading = _("List of people arriving in %(district)s") % {"district": district.name}
            empty = _("No arrivals bound for this district on this day.")
        with atomic_path(final) as tmp, reading_from_replica():
            rows = write_arrivals_workbook(
                tmp, arrivals, heading=heading, facts=facts, columns=DISTRICT_LIST, empty_message=empty
            )
        size, checksum = _digest(final)
        with transaction.atomic():
            daily_list = DailyList.objects.select_for_update().filter(district=district, day=day).first()
            if daily_list is None:
                daily_list = DailyList(district=district, day=day, revision=0)
            daily_list.revision += 1
            daily_list.rows, daily_list.size, daily_list.checksum = rows, size, checksum
            daily_list.file, daily_list.generated_at = relative, generated
            daily_list.save()
            if notify:
                outbox.enqueue("checkpoints.tasks.daily_list_notify_task", daily_list_id=daily_list.pk)
    logger.debug("daily list district=%s day=%s revision=%s rows=%s", district.pk, day, daily_list.revision, rows)
    return daily_list


def home_districts() -> QuerySet[District]:
    return District.objects.filter(province_id=settings.HOME_PROVINCE_CODE).order_by("code")


def daily_lists_due(today: date | None = None) -> dict[date, list[int]]:
    """District codes whose list is missing, by day: yesterday, and days missed while the system was down.

    Catch-up looks back ``DAILY_LISTS_CATCH_UP_DAYS`` days, but never before the first list ever built
    (a new installation does not back-fill).
    """
    today = today or local_today()
    yesterday = today - timedelta(days=1)
    earliest = DailyList.objects.aggregate(first=Min("day"))["first"]
    first = yesterday
    if earliest is not None:
        first = min(yesterday, max(earliest, yesterday - timedelta(days=settings.DAILY_LISTS_CATCH_UP_DAYS)))
    built = set(DailyList.objects.filter(day__gte=first, day__lte=yesterday).values_list("day", "district_id"))
    codes = list(home_districts().values_list("code", flat=True))
    due: dict[date, list[int]] = {}
    day = first
    while day <= yesterday:
        missing = [code for code in codes if (day, code) not in built]
        if missing:
            due[day] = missing
        day += timedelta(days=1)
    return due


def daily_lists_run(*, day: date | None = None, district: int | None = None, notify: bool = True) -> list[DailyList]:
    """What the beat task and ``build_daily_lists`` do.

    Without ``day``: every list that is due (yesterday's and missed days'); lists already built are
    left alone, so a run retried after a crash finishes only what is missing. With ``day``: that
    day's lists are built again (new revisions).
    """
    with job_run(JOB, day=day.isoformat() if day else "due", district=district) as run:
        districts = {d.pk: d for d in home_districts()}
        if district is not None and district not in districts:
            raise ValueError(f"{district} is not a district of the home province")
        if day is None:
            plan = daily_lists_due()
            if district is not None:
                plan = {d: [c for c in codes if c == district] for d, codes in plan.items()}
        else:
            plan = {day: [district] if district is not None else list(districts)}
        built = []
        for list_day, codes in sorted(plan.items()):
            for code in codes:
                built.append(daily_list_build(district=districts[code], day=list_day, notify=notify))
        days = sorted({b.day for b in built})
        run.result = _("%(lists)s lists, %(rows)s people") % {
            "lists": num(len(built)),
            "rows": num(sum(b.rows for b in built)),
        }
        if days:
            run.result += " (" + " – ".join(sorted({f"{days[0]:%d/%m/%Y}", f"{days[-1]:%d/%m/%Y}"})) + ")"
        run.output_url = reverse("checkpoints:daily-list-list") + (f"?date={days[-1]:%Y-%m-%d}" if days else "")
    return built


# --- Late arrivals: regenerate a past day's list ------------------------------------------------


def daily_lists_refresh_queue(pairs: set[tuple[int, date]]) -> int:
    """Record a rebuild of each already built list among (district, day) pairs of past days, due in
    ``DAILY_LISTS_REFRESH_DELAY`` seconds; while one waits, more late arrivals record nothing more."""
    today = local_today()
    pairs = {(d, day) for d, day in pairs if day < today}
    if not pairs:
        return 0
    match = Q()
    for district_id, day in pairs:
        match |= Q(district_id=district_id, day=day)
    queued = 0
    for district_id, day in DailyList.objects.filter(match).values_list("district_id", "day"):
        queued += bool(
            outbox.enqueue(
                "checkpoints.tasks.daily_list_refresh_task",
                key=f"daily-list-refresh:{district_id}:{day:%Y-%m-%d}",
                delay=settings.DAILY_LISTS_REFRESH_DELAY,
                district=district_id,
                day=day.isoformat(),
            )
        )
    return queued


def daily_list_refresh(*, district: int, day: date) -> DailyList | None:
    """Rebuild one list after late arrivals (no new e-mail: the officer was told when it was built)."""
    target = home_districts().filter(pk=district).first()
    if target is None:
        return None
    with job_run(REFRESH_JOB, day=day.isoformat(), district=district) as run:
        daily_list = daily_list_build(district=target, day=day, notify=False)
        run.result = _("%(district)s, %(day)s: revision %(revision)s, %(rows)s people") % {
            "district": target.name,
            "day": f"{day:%d/%m/%Y}",
            "revision": daily_list.revision,
            "rows": num(daily_list.rows),
        }
    return daily_list


# --- Telling the district ---------------------------------------------------------------------


def daily_list_notify(*, daily_list_id: int) -> bool:
    """E-mail the district's primary focal officer a link to the list (once per revision), and tell
    the district's officers in the app. Runs in a worker, outside any transaction."""
    daily_list = DailyList.objects.select_related("district").filter(pk=daily_list_id).first()
    if daily_list is None:
        return False
    officer = FocalOfficer.of_district(daily_list.district)
    revision, previous = daily_list.revision, daily_list.emailed_revision
    # Claim first: a duplicate task finds nothing to do.
    if not DailyList.objects.filter(pk=daily_list.pk, emailed_revision__lt=revision).update(emailed_revision=revision):
        return False
    link = settings.SITE_URL + reverse("checkpoints:daily-list-download", kwargs={"pk": daily_list.pk})
    page = settings.SITE_URL + reverse("checkpoints:daily-list-list") + f"?date={daily_list.day:%Y-%m-%d}"
    if officer is not None:
        try:
            with translation.override("vi"):
                email_send(
                    "daily_list_ready",
                    to=[officer.email],
                    context={"daily_list": daily_list, "officer": officer, "link": link, "page": page},
                )
        except Exception:
            # Give the claim back so the retry sends it.
            DailyList.objects.filter(pk=daily_list.pk, emailed_revision=revision).update(emailed_revision=previous)
            raise
        DailyList.objects.filter(pk=daily_list.pk).update(emailed_at=timezone.now(), emailed_to=officer.email)
    with translation.override("vi"):
        message = _("The list of arrivals for %(district)s on %(day)s is ready (%(rows)s people).") % {
            "district": daily_list.district.name,
            "day": f"{daily_list.day:%d/%m/%Y}",
            "rows": daily_list.rows,
        }
    officers = User.objects.filter(
        is_active=True, role_assignments__role=Role.DISTRICT_OFFICER, role_assignments__district=daily_list.district
    ).distinct()
    notifications_send(officers, message=message, url=page)
    return officer is not None


# --- Checkpoint exports and retention ---------------------------------------------------------


def checkpoint_list_export(*, by: User, checkpoint: Checkpoint, day: date, request=None) -> tuple[IO[bytes], str]:
    """A checkpoint's whole list (every destination) for a local day, as an open temporary file.

    The caller checked ``checkpoint_lists_for``. The export is audit-logged.
    """
    start, end = day_bounds(day)
    arrivals = Arrival.objects.filter(checkpoint=checkpoint).between(start, end)
    with translation.override("vi"):
        heading = _("Arrivals at %(checkpoint)s") % {"checkpoint": checkpoint.name}
        facts = [(_("Checkpoint"), checkpoint.name), (_("Day"), day), (_("Generated at"), timezone.now())]
        empty = _("No arrivals were recorded at this checkpoint on this day.")
    output = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    with reading_from_replica():
        rows = write_arrivals_workbook(
            output, arrivals, heading=heading, facts=facts, columns=CHECKPOINT_LIST, empty_message=empty
        )
    output.seek(0)
    audit_record(
        Action.EXPORT,
        request=request,
        actor=by,
        obj=checkpoint,
        detail={"list": "checkpoint_arrivals", "day": day.isoformat(), "rows": rows},
    )
    return output, f"nguoi-den-chot-{checkpoint.pk}-{day:%Y-%m-%d}.xlsx"


def daily_lists_purge(before: date, dry_run: bool = False) -> tuple[int, list[tuple[str, int]]]:
    """Delete lists (files and rows) of days before ``before``: they hold personal data (SPEC §9).
    Returns how many, and each file with its row count (only counted with ``dry_run``)."""
    old = list(DailyList.objects.filter(day__lt=before).order_by("day", "district"))
    files = [(d.file, d.rows) for d in old]
    if dry_run:
        return len(old), files
    for daily_list in old:
        (Path(settings.PRIVATE_FILES_ROOT) / daily_list.file).unlink(missing_ok=True)
    DailyList.objects.filter(pk__in=[d.pk for d in old]).delete()
    return len(old), files
