"""Bulk import of arrivals from the published XLSX/CSV template (SPEC §4).

Read -> every row checked (per cell, then across cells with the same rules as the form) -> preview ->
the user confirms -> valid new rows stored in one transaction. Each row carries an ``import_key``
(a hash of what identifies it), so importing the same file again stores nothing twice, and two
confirmations racing each other cannot either (the key is unique in the database).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from checkpoints.bulk import insert_rows
from checkpoints.models import Arrival, TestKind, TestResult, Vehicle
from checkpoints.scoping import checkpoints_for_arrivals
from checkpoints.services.arrivals import DUPLICATE_WINDOW, ArrivalInput, arrival_clean, arrivals_follow_up
from checkpoints.services.travel import unit_from_text
from checkpoints.units import unit_index
from rollout import tabular
from rollout.errors import ApplicationError
from rollout.models import Checkpoint, User
from rollout.services.audit import Action, audit_record
from rollout.services.imports import job_file
from rollout.timeutils import local_date, local_datetime
from rollout.uploads import max_rows
from rollout.validators import normalize_id_number, normalize_phone


def moment(value: Any) -> datetime | None:
    """A local date and time: an Excel date-time cell, or text like 02/11/2021 23:59.

    Both sheet readers give a date-only cell as a datetime at midnight, as Excel stores it: it cannot be
    told from a time of 00:00, so it is taken as that. Date-only text is refused below."""
    if value is None or str(value).strip() == "":
        return None
    if isinstance(value, datetime):
        return local_datetime(value.date(), value.time().replace(microsecond=0))
    raw = " ".join(str(value).split())
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"):
        try:
            parsed = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return local_datetime(parsed.date(), parsed.time())
    raise ValueError(_("Enter a date and time as dd/mm/yyyy hh:mm."))


def _choice(options: dict[str, Any]) -> tabular.Parser:
    """``tabular.choice`` remembering each distinct cell text (a column repeats a handful of values)."""
    return lru_cache(maxsize=256)(tabular.choice(options))


def _labels(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """Accept a value by its code, its Vietnamese label or its English label."""
    options: dict[str, str] = {}
    for language in ("en", "vi"):
        with translation.override(language):
            options |= {str(label): code for code, label in choices if code}
    return options | {code: code for code, _label in choices if code}


def import_columns() -> list[tabular.Column]:
    """The template's columns. Headers are the published Vietnamese ones, whatever the page language."""
    with translation.override("vi"):
        vehicles = tuple(str(label) for code, label in Vehicle.choices if code)
        tests = tuple(str(label) for code, label in TestKind.choices if code != TestKind.NONE)
        results = tuple(str(label) for code, label in TestResult.choices if code)
    C = tabular.Column
    return [
        C("arrived_at", "Thời điểm đến", moment, width=18, example="02/11/2021 08:15",
          help="Ngày giờ đến chốt, dạng dd/mm/yyyy hh:mm."),
        C("full_name", "Họ và tên", tabular.text(200), width=26, example="Nguyễn Văn An"),
        C("birth_year", "Năm sinh", tabular.integer(1900, 2100), required=False, width=10, example=1985),
        C("id_number", "Số CMND/CCCD", tabular.from_validator(normalize_id_number), required=False, width=16,
          example="010203004567", help="9 hoặc 12 chữ số. Cần số CMND/CCCD hoặc số điện thoại.", as_text=True),
        C("phone", "Số điện thoại", tabular.from_validator(normalize_phone), required=False, width=14,
          example="0912345678", as_text=True),
        C("origin_province", "Tỉnh/thành phố đi", tabular.text(100), required=False, width=20, example="Hà Nội",
          help="Tên hoặc mã tỉnh/thành phố nơi đi."),
        C("origin_district", "Quận/huyện đi", tabular.text(100), required=False, width=20, example="Quận Ba Đình"),
        C("origin_commune", "Xã/phường đi", tabular.text(100), required=False, width=20, example="Phường Kim Mã"),
        C("destination_district", "Huyện đến", tabular.text(100), width=20, example="Huyện Bát Xát",
          help="Tên hoặc mã huyện trong tỉnh (xem trang Huyện đến)."),
        C("destination_commune", "Xã đến", tabular.text(100), required=False, width=20, example="Thị trấn Bát Xát"),
        C("destination_address", "Địa chỉ nơi đến", tabular.text(300), required=False, width=30,
          example="Tổ 3, thị trấn Bát Xát"),
        C("vehicle", "Phương tiện", _choice(_labels(Vehicle.choices)), required=False, width=14,
          example=vehicles[0], choices=vehicles),
        C("plate", "Biển số", tabular.text(20), required=False, width=12, example="29A-123.45"),
        C("purpose", "Mục đích", tabular.text(300), required=False, width=20, example="Công tác"),
        C("vaccine_doses", "Số mũi vắc xin", tabular.integer(0, 5), required=False, width=10, example=2),
        C("temperature", "Nhiệt độ (°C)", tabular.text(10), required=False, width=10, example="36.5"),
        C("test_at_checkpoint", "Xét nghiệm tại chốt", _choice(_labels(TestKind.choices)), required=False,
          width=22, example=tests[0], choices=tests),
        C("test_at_checkpoint_result", "Kết quả xét nghiệm", _choice(_labels(TestResult.choices)),
          required=False, width=16, example=results[0], choices=results),
        C("notes", "Ghi chú", tabular.text(2000), required=False, width=30, example=""),
    ]  # fmt: skip


def import_template() -> Workbook:
    """The downloadable template: headers, an example row, drop-downs, instructions, district codes."""
    home = unit_index()
    districts = sorted(
        (code, name)
        for code, name in home.district_name.items()
        if home.district_province[code] == settings.HOME_PROVINCE_CODE
    )
    with translation.override("vi"):
        return tabular.template_workbook(
            import_columns(),
            sheet_title="Người đến",
            instructions=[
                _("One arrival per row from row 2; row 2 holds an example you may overwrite."),
                _("Give a phone number or an ID number (or both)."),
                _("Units may be written by name (with or without “Huyện”, “Xã”…) or by their code."),
                _("Importing the same rows again does not store them twice."),
            ],
            lists={"Huyện đến": [("Mã", "Tên"), *districts]},
        )


@dataclass
class ImportRow:
    number: int
    values: dict[str, Any] = field(default_factory=dict)  # model field values, once valid
    errors: list[tabular.CellError] = field(default_factory=list)
    status: str = "new"  # new | error | already (imported before) | repeat (same as an earlier row)
    same_as: int | None = None  # the earlier row a repeat copies
    duplicate_of: int | None = None  # a likely duplicate already stored (same ID/phone within an hour)
    raw_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    rows: list[ImportRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def new(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status == "new"]

    @property
    def invalid(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status == "error"]

    @property
    def flagged(self) -> list[ImportRow]:
        return [r for r in self.rows if r.status == "new" and r.duplicate_of]


def import_key(checkpoint_id: int, values: dict[str, Any]) -> str:
    """What identifies an imported row: checkpoint, minute, person and destination."""
    parts = [
        str(checkpoint_id),
        values["arrived_at"].isoformat(timespec="minutes"),
        values["full_name"].lower(),  # already trimmed, spaces collapsed
        values["id_number"],
        values["phone"],
        str(values["destination_district_id"]),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _resolve_units(
    table: tabular.Table, row: tabular.ParsedRow, errors: list[tabular.CellError], headers: dict[str, str]
) -> dict:
    """Unit names or codes -> codes; problems named by cell."""
    v = row.values
    codes: dict[str, int | None] = {}

    def resolve(key: str, kind: str, parent: int | None) -> int | None:
        text = v.get(key) or ""
        if not text:
            return None
        try:
            return unit_from_text(kind, text, parent=parent)
        except ValueError as exc:
            errors.append(tabular.CellError(table.cell_ref(key, row.number), headers[key], str(exc)))
            return None

    province = resolve("origin_province", "province", None)
    district = resolve("origin_district", "district", province) if province or v.get("origin_district") else None
    codes["origin_province"], codes["origin_district"] = province, district
    codes["origin_commune"] = resolve("origin_commune", "commune", district) if v.get("origin_commune") else None
    destination = resolve("destination_district", "district", settings.HOME_PROVINCE_CODE)
    codes["destination_district"] = destination
    codes["destination_commune"] = resolve("destination_commune", "commune", destination) if destination else None
    return codes


_columns_cache: list[tabular.Column] | None = None


def import_columns_cached() -> list[tabular.Column]:
    global _columns_cache
    if _columns_cache is None:
        _columns_cache = import_columns()
    return _columns_cache


def arrivals_import_read(
    upload: IO[bytes], *, checkpoint: Checkpoint, progress: Callable[[int], None] | None = None
) -> ImportPreview:
    """Parse and check every row; mark rows already imported and likely duplicates. Stores nothing."""
    columns = import_columns_cached()
    headers = {c.key: c.header for c in columns}
    table = tabular.read_table(upload, columns, max_rows=max_rows("arrivals"), fast=True)
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for done, parsed in enumerate(table.rows, start=1):
        if progress:
            progress(done)
        row = ImportRow(
            number=parsed.number, errors=list(parsed.errors), raw_name=str(parsed.values.get("full_name", ""))
        )
        rows.append(row)
        # Every error of the row at once, never in rounds: the cells that could not be read, the unit
        # names, then the rules on whatever was read (a cell already named is not named twice).
        v = parsed.values
        codes = _resolve_units(table, parsed, row.errors, headers)
        named = {e.cell for e in row.errors}
        data = ArrivalInput(
            checkpoint=checkpoint.pk,
            arrived_at=v.get("arrived_at"),
            full_name=v.get("full_name") or "",
            birth_year=v.get("birth_year"),
            id_number=v.get("id_number") or "",
            phone=v.get("phone") or "",
            destination_address=v.get("destination_address") or "",
            vehicle=v.get("vehicle") or "",
            plate=v.get("plate") or "",
            purpose=v.get("purpose") or "",
            vaccine_doses=v.get("vaccine_doses") or 0,
            temperature=v.get("temperature") or None,
            test_at_checkpoint=v.get("test_at_checkpoint") or TestKind.NONE,
            test_at_checkpoint_result=v.get("test_at_checkpoint_result") or "",
            notes=v.get("notes") or "",
            **codes,
        )
        try:
            values = arrival_clean(data)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                key = name if name in headers else "full_name"
                ref = table.cell_ref(key, row.number)
                if ref not in named:
                    row.errors.append(tabular.CellError(ref, headers[key], " ".join(messages)))
                    named.add(ref)
            values = None
        if row.errors:
            row.status = "error"
            continue
        row.values = values
        key = import_key(checkpoint.pk, row.values)
        row.values["import_key"] = key
        if key in seen:
            row.status, row.same_as = "repeat", seen[key]
        else:
            seen[key] = row.number
    _mark_stored(rows, checkpoint)
    return ImportPreview(rows)


def _mark_stored(rows: list[ImportRow], checkpoint: Checkpoint) -> None:
    """Rows imported before (same key) are skipped; a likely duplicate of a stored arrival (same ID or
    phone at this checkpoint within an hour) is flagged. One query over the file's time span: the
    checkpoint's arrivals there, matched in memory (thousands of keys in an IN list cost more)."""
    new = [r for r in rows if r.status == "new"]
    if not new:
        return
    times = [r.values["arrived_at"] for r in new]
    stored = (
        Arrival.objects.filter(
            checkpoint=checkpoint,
            arrived_at__gte=min(times) - DUPLICATE_WINDOW,
            arrived_at__lte=max(times) + DUPLICATE_WINDOW,
        )
        .on_days_of(min(times) - DUPLICATE_WINDOW, max(times) + DUPLICATE_WINDOW)
        .values_list("pk", "arrived_at", "id_number", "phone", "import_key")
    )
    keys: set[str] = set()
    by_person: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for pk, arrived, id_number, phone, key in stored.iterator(chunk_size=5000):
        if key:
            keys.add(key)
        if id_number:
            by_person[f"id:{id_number}"].append((arrived, pk))
        if phone:
            by_person[f"ph:{phone}"].append((arrived, pk))
    for row in new:
        if row.values["import_key"] in keys:
            row.status = "already"
            continue
        for person in (f"id:{row.values['id_number']}", f"ph:{row.values['phone']}"):
            match = next(
                (
                    pk
                    for arrived, pk in by_person.get(person, ())
                    if abs(arrived - row.values["arrived_at"]) <= DUPLICATE_WINDOW
                ),
                None,
            )
            if match:
                row.duplicate_of = match
                break


@dataclass
class ImportResult:
    created: int
    already: int  # imported before
    repeated: int  # the same as an earlier row of the file
    invalid: int
    flagged: int
    last_day: date | None  # the local day of the latest arrival stored, where the list shows them


def arrivals_import_commit(
    *, by: User, checkpoint: Checkpoint, upload: IO[bytes], request=None
) -> tuple[ImportResult, ImportPreview]:
    """Check the file again and store its valid new rows in one transaction (never twice)."""
    if not checkpoints_for_arrivals(by).filter(pk=checkpoint.pk).exists():
        raise PermissionDenied
    preview = arrivals_import_read(upload, checkpoint=checkpoint)
    objects = [r.values | {"recorded_by_id": by.pk, "possible_duplicate_of_id": r.duplicate_of} for r in preview.new]
    already, repeated = preview.count("already"), preview.count("repeat")
    with transaction.atomic():
        # The unique import key makes a racing second confirmation store nothing: count what went in.
        created = insert_rows(Arrival, objects, ignore_conflicts=True)
        already += len(objects) - created
        audit_record(
            Action.ARRIVAL_IMPORT,
            request=request,
            actor=by,
            obj=checkpoint,
            detail={"created": created, "skipped": already + repeated},
        )
        arrivals_follow_up((o["destination_district_id"], o["arrived_at"]) for o in objects)
    result = ImportResult(
        created=created,
        already=already,
        repeated=repeated,
        invalid=len(preview.invalid),
        flagged=len(preview.flagged),
        last_day=local_date(max(o["arrived_at"] for o in objects)) if created else None,
    )
    return result, preview


# --- The import job (rollout.services.imports): check, then store on confirmation -----------------

# Rows with problems kept for the page: the first ones are enough to correct the file.
PROBLEMS_SHOWN = 500


def _job_checkpoint(job) -> Checkpoint:
    checkpoint = checkpoints_for_arrivals(job.user).filter(pk=job.params.get("checkpoint")).first()
    if checkpoint is None:
        raise ApplicationError(_("You may no longer record arrivals at this checkpoint."))
    return checkpoint


def arrivals_import_check(job, upload: IO[bytes], progress: Callable[[int], None]) -> dict[str, Any]:
    """Check an arrivals file for its import job: the counts, the first rows with problems and the first
    valid rows. The file itself waits for the confirmation (storing checks it again)."""
    preview = arrivals_import_read(upload, checkpoint=_job_checkpoint(job), progress=progress)
    problems = [
        {
            "number": r.number,
            "name": r.raw_name,
            "errors": [{"cell": e.cell, "header": e.header, "message": e.message} for e in r.errors],
        }
        for r in preview.invalid[:PROBLEMS_SHOWN]
    ]
    sample = [
        {
            "number": r.number,
            "arrived_at": timezone.localtime(r.values["arrived_at"]).strftime("%d/%m/%Y %H:%M"),
            "full_name": r.values["full_name"],
            "id_number": r.values["id_number"],
            "phone": r.values["phone"],
            "duplicate": bool(r.duplicate_of),
        }
        for r in preview.new[:20]
    ]
    counts = {s: preview.count(s) for s in ("new", "error", "already", "repeat")}
    return {
        "errors": problems,
        "rows": len(preview.rows),
        "counts": counts,
        "flagged": len(preview.flagged),
        "sample": sample,
        "can_store": counts["new"] > 0,
    }


def arrivals_import_store(job, request=None) -> tuple[str, str]:
    """Store the valid new rows of a confirmed job's file (checked again: never twice)."""
    checkpoint = _job_checkpoint(job)
    try:
        with job_file(job) as upload:
            result, _preview = arrivals_import_commit(
                by=job.user, checkpoint=checkpoint, upload=upload, request=request
            )
    except FileNotFoundError:
        raise ApplicationError(_("The uploaded file is no longer available: upload it again.")) from None
    message = _(
        "%(created)s arrivals stored; %(already)s already imported before; %(repeated)s repeating an earlier "
        "row of the file; %(invalid)s rows with errors left out."
    ) % vars(result)
    # Show the list of the day the (latest) imported arrivals are on, not today's.
    day = f"&date={result.last_day.isoformat()}" if result.last_day else ""
    return message, reverse("checkpoints:arrival-list") + f"?checkpoint={checkpoint.pk}{day}"
