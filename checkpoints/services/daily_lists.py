"""Daily per-district arrival lists (SPEC §5) and checkpoint exports, streamed to XLSX.

Rows come from a server-side cursor (``.iterator(chunk_size=…)`` over ``values_list``) and go
straight into an openpyxl write-only workbook, so memory stays flat however long the list is. The
row count in the title block comes from the same query (a window count), so it always matches the
rows below it. Files are written to a temporary name and renamed; one build per district and day runs
at a time (a PostgreSQL advisory lock), so a retried or concurrent run never mixes two files.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Q, QuerySet, Window
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from checkpoints.models import Arrival, DailyList, TestKind, TestResult, Vehicle
from checkpoints.units import unit_index
from rollout import outbox
from rollout.figures import num
from rollout.models import Checkpoint, District, FocalOfficer, Role, User
from rollout.services.audit import Action, audit_record
from rollout.services.jobs import job_run
from rollout.services.mail import email_send
from rollout.services.notifications import notifications_send
from rollout.timeutils import day_bounds, local_today, local_tz
from rollout.workbooks import TITLE_FONT, atomic_path, cell, fast_text, header_cells, set_widths

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
JOB = "daily_lists_build"
REFRESH_JOB = "daily_list_refresh"
BOLD = Font(bold=True)
WARNING_FONT = Font(bold=True, color="B42318")
ITALIC = Font(italic=True)
LEFT = Alignment(horizontal="left")

# What each row reads from the database (ids for units: names come from the in-memory index).
ROW_FIELDS = (
    "arrived_at", "full_name", "birth_year", "id_number", "phone",
    "origin_province_id", "origin_district_id", "origin_commune_id",
    "destination_district_id", "destination_commune_id", "destination_address",
    "checkpoint_id", "vehicle", "plate", "vaccine_doses",
    "test_at_checkpoint", "test_at_checkpoint_result", "temperature", "symptoms", "notes",
)  # fmt: skip


@dataclass(frozen=True)
class ListColumn:
    key: str
    header: str
    width: int


COLUMNS = [
    ListColumn("n", gettext_lazy("No."), 6),
    ListColumn("arrived_at", gettext_lazy("Arrived at"), 17),
    ListColumn("full_name", gettext_lazy("Full name"), 26),
    ListColumn("birth_year", gettext_lazy("Year of birth"), 9),
    ListColumn("id_number", gettext_lazy("ID number"), 15),
    ListColumn("phone", gettext_lazy("Phone"), 13),
    ListColumn("origin_province", gettext_lazy("From province"), 18),
    ListColumn("origin_district", gettext_lazy("From district"), 18),
    ListColumn("origin_commune", gettext_lazy("From commune"), 18),
    ListColumn("destination_district", gettext_lazy("Destination district"), 18),
    ListColumn("destination_commune", gettext_lazy("Destination commune"), 20),
    ListColumn("destination_address", gettext_lazy("Address at destination"), 30),
    ListColumn("checkpoint", gettext_lazy("Checkpoint"), 30),
    ListColumn("vehicle", gettext_lazy("Vehicle"), 12),
    ListColumn("plate", gettext_lazy("Number plate"), 12),
    ListColumn("vaccine_doses", gettext_lazy("Vaccine doses"), 9),
    ListColumn("test", gettext_lazy("Test at the checkpoint"), 22),
    ListColumn("temperature", gettext_lazy("Temperature (°C)"), 10),
    ListColumn("symptoms", gettext_lazy("Symptoms"), 20),
    ListColumn("notes", gettext_lazy("Notes"), 30),
]
# A district's list leaves out its own name; a checkpoint's list leaves out the checkpoint.
DISTRICT_LIST = [c for c in COLUMNS if c.key != "destination_district"]
CHECKPOINT_LIST = [c for c in COLUMNS if c.key != "checkpoint"]


# --- Writing ----------------------------------------------------------------------------------


def _row_maker(ws, columns: list[ListColumn]) -> Callable[[int, tuple], list[Any]]:
    """A function turning one database row into worksheet values; lookups prepared once."""
    units = unit_index()
    provinces, districts, communes = units.province_name, units.district_name, units.commune_name
    checkpoints = dict(Checkpoint.objects.values_list("pk", "name"))
    vehicles = {k: str(v) for k, v in Vehicle.choices if k}
    # "Rapid antigen: Negative" for every (test, result), computed once.
    tested = {(t, r): f"{label}: {result}" for t, label in TestKind.choices for r, result in TestResult.choices if r}
    tested |= {(t, ""): str(label) for t, label in TestKind.choices}
    tested = {key: (None if key[0] == TestKind.NONE else value) for key, value in tested.items()}
    with_district = any(c.key == "destination_district" for c in columns)
    with_checkpoint = any(c.key == "checkpoint" for c in columns)
    text = fast_text(ws)

    # One styled date cell, given a new value per row: rows are serialised as they are appended, and
    # openpyxl never reuses a styled cell it was handed, so this saves building a cell per row.
    arrived_cell = cell(ws, timezone.now())
    tz = local_tz()

    def make(n: int, r: tuple) -> list[Any]:
        (arrived, name, born, id_number, phone, o_prov, o_dist, o_comm, d_dist, d_comm, address,
         checkpoint, vehicle, plate, doses, test, result, temperature, symptoms, notes) = r[:20]  # fmt: skip
        # PostgreSQL already sends local wall-clock time (see _stream); the ORM sends aware datetimes.
        arrived_cell.value = arrived if arrived.tzinfo is None else arrived.astimezone(tz).replace(tzinfo=None)
        row = [n, arrived_cell, text(name), born, id_number or None, phone or None,
               provinces.get(o_prov), districts.get(o_dist), communes.get(o_comm)]  # fmt: skip
        if with_district:
            row.append(districts.get(d_dist))
        row += [communes.get(d_comm), text(address)]
        if with_checkpoint:
            row.append(text(checkpoints.get(checkpoint)))
        row += [vehicles.get(vehicle), text(plate), doses, tested.get((test, result)), temperature, text(symptoms),
                text(notes)]  # fmt: skip
        return row

    return make


def _stream(rows: QuerySet) -> Iterator[tuple]:
    """The rows from a server-side cursor, ``CHUNK_SIZE`` at a time.

    On PostgreSQL the values need no conversion, so the cursor is read directly (the ORM's per-row
    machinery costs ~5 % of a list's time); elsewhere the ORM converts them (SQLite returns text dates).
    """
    if connection.vendor != "postgresql":
        yield from rows.iterator(chunk_size=CHUNK_SIZE)
        return
    sql, params = rows.query.sql_with_params()
    # The database also turns the time into local wall-clock time and the temperature into a float:
    # cheaper there than per row in Python. Columns keep ROW_FIELDS' order (attname == column here); the
    # id is only needed to keep the order stable.
    columns = [
        "q.arrived_at AT TIME ZONE %s" if name == "arrived_at" else "q.temperature::float8" if name == "temperature"
        else f"q.{connection.ops.quote_name(name)}"
        for name in (*ROW_FIELDS, "total")
    ]  # fmt: skip
    sql = f"SELECT {', '.join(columns)} FROM ({sql}) q ORDER BY q.arrived_at, q.id"  # noqa: S608 (our own names)
    params = (settings.TIME_ZONE, *params)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK_SIZE):
            yield from chunk


def write_arrivals_workbook(
    target: Path | IO[bytes],
    arrivals: QuerySet[Arrival],
    *,
    heading: str,
    facts: list[tuple[str, Any]],
    columns: list[ListColumn],
    empty_message: str,
) -> int:
    """Stream ``arrivals`` into a workbook at ``target``; returns the number of rows written.

    Layout: a title block (heading, facts, row count, personal-data warning), then the header row
    (frozen), then one row per arrival with real Excel dates. Always in Vietnamese.
    """
    with translation.override("vi"):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(str(_("Arrivals")))
        set_widths(ws, [c.width for c in columns])
        header_row = 1 + len(facts) + 1 + 1 + 1 + 1  # title, facts, row count, warning, blank, header
        ws.freeze_panes = f"A{header_row + 1}"
        rows = (
            arrivals.annotate(total=Window(Count("pk")))
            .order_by("arrived_at", "pk")
            .values_list(*ROW_FIELDS, "id", "total")
        )
        stream = _stream(rows)
        first = next(stream, None)
        total = first[-1] if first is not None else 0

        ws.append([cell(ws, heading, font=TITLE_FONT)])
        for label, value in [*facts, (_("Rows"), total)]:
            ws.append([cell(ws, str(label), font=BOLD), cell(ws, value, alignment=LEFT)])
        ws.append(
            [
                cell(
                    ws,
                    _(
                        "Contains personal data: for epidemic prevention only; do not share or publish; "
                        "delete when no longer needed."
                    ),
                    font=WARNING_FONT,
                )
            ]
        )
        ws.append([])
        ws.append(header_cells(ws, [capfirst(str(c.header)) for c in columns]))
        written = 0
        if first is None:
            ws.append([None, cell(ws, empty_message, font=ITALIC)])
        else:
            make = _row_maker(ws, columns)
            delay = settings.DAILY_LISTS_TEST_ROW_DELAY_MS / 1000
            for written, row in enumerate(chain([first], stream), start=1):
                ws.append(make(written, row))
                if delay:
                    time.sleep(delay)
        wb.save(target)
    return written


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
    arrivals = Arrival.objects.filter(destination_district=district, arrived_at__gte=start, arrived_at__lt=end)
    with _build_lock(district.pk, day):
        # A worker killed mid-write leaves its temporary file; nobody else writes this one now.
        for orphan in final.parent.glob(f".{final.name}.*.part"):
            orphan.unlink(missing_ok=True)
        generated = timezone.now()
        with translation.override("vi"):
            facts = [(_("District"), district.name), (_("Day"), day), (_("Generated at"), generated)]
            heading = _("List of people arriving in %(district)s") % {"district": district.name}
            empty = _("No arrivals bound for this district on this day.")
        with atomic_path(final) as tmp:
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
    officer = (
        FocalOfficer.objects.filter(district=daily_list.district, is_primary=True).order_by("pk").first()
        or FocalOfficer.objects.filter(district=daily_list.district).order_by("pk").first()
    )
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
    arrivals = Arrival.objects.filter(checkpoint=checkpoint, arrived_at__gte=start, arrived_at__lt=end)
    with translation.override("vi"):
        heading = _("Arrivals at %(checkpoint)s") % {"checkpoint": checkpoint.name}
        facts = [(_("Checkpoint"), checkpoint.name), (_("Day"), day), (_("Generated at"), timezone.now())]
        empty = _("No arrivals were recorded at this checkpoint on this day.")
    output = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
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
