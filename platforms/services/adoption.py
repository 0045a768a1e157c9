"""Adoption figures of agencies (directive 1, 5): recorded by form, API or XLSX; every update kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from platforms.models import AdoptionUpdate
from rollout import scoping, tabular
from rollout.errors import ApplicationError
from rollout.figures import num
from rollout.hooks import district_day_changed
from rollout.models import Agency, User
from rollout.timeutils import local_today, oldest_kept_day
from rollout.uploads import max_rows

# Figures for a day before the directive (02/11/2021) minus a margin are surely a typing error.
EARLIEST = date(2021, 1, 1)
FIGURES = ("staff_headcount", "pc_covid", "health_book", "vneid")


@dataclass
class AdoptionInput:
    reported_on: date
    staff_headcount: int
    pc_covid: int
    health_book: int
    vneid: int

    def as_fields(self) -> dict[str, Any]:
        return {"reported_on": self.reported_on, **{name: getattr(self, name) for name in FIGURES}}


def adoption_errors(data: AdoptionInput) -> dict[str, str]:
    """Field -> problem; empty when the figures make sense."""
    errors: dict[str, str] = {}
    if data.reported_on > local_today():
        errors["reported_on"] = _("The date is in the future.")
    elif data.reported_on < EARLIEST:
        errors["reported_on"] = _("The date is too far in the past.")
    for name in FIGURES:
        if getattr(data, name) < 0:
            errors[name] = _("Must not be negative.")
    for name in FIGURES[1:]:
        if name not in errors and getattr(data, name) > data.staff_headcount:
            errors[name] = _("Installs (%(n)s) must not exceed the staff headcount (%(headcount)s).") % {
                "n": num(getattr(data, name)),
                "headcount": num(data.staff_headcount),
            }
    return errors


def _may_change(by: User, agency: Agency) -> bool:
    return scoping.agencies_for(by, for_change=True).filter(pk=agency.pk).exists()


def adoption_update_record(*, by: User, agency: Agency, data: AdoptionInput) -> AdoptionUpdate:
    """Add an update (never replaces one: the history shows the trend). The agency's headcount
    follows its latest figures."""
    if not _may_change(by, agency):
        raise PermissionDenied
    errors = adoption_errors(data)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    with transaction.atomic():
        update = AdoptionUpdate.objects.create(agency=agency, recorded_by=by, **data.as_fields())
        _sync_headcount(agency)
    _bump_after(agency.district_id, data.reported_on)
    return update


def _sync_headcount(agency: Agency) -> None:
    latest = agency.adoption_updates.order_by("-reported_on", "-created_at", "-id").first()
    if latest is not None and agency.staff_headcount != latest.staff_headcount:
        Agency.objects.filter(pk=agency.pk).update(staff_headcount=latest.staff_headcount)


def _bump_after(district_id: int, reported_on: date) -> None:
    """The district's adoption figures change from ``reported_on`` on: rebuild those days (within
    the retention; older days keep the figures known then)."""
    today = local_today()
    first = max(reported_on, oldest_kept_day(today))
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    for day in days:
        district_day_changed(day=day, district_id=district_id)


# --- Import from XLSX/CSV: upload, preview every row, confirm --------------------------------


def _figure(key: str, header: str, width: int) -> tabular.Column:
    return tabular.Column(key, capfirst(header), tabular.integer(0, 10**6), width=width)


def import_columns() -> list[tabular.Column]:
    return [
        tabular.Column(
            "agency", gettext_lazy("Agency code"), tabular.integer(1, 10**12), width=14, example=1,
            help=gettext_lazy("The code from the Agencies sheet (or the agency's page)."),
        ),
        tabular.Column(
            "agency_name", gettext_lazy("Agency name"), tabular.text(300), required=False, width=40,
            help=gettext_lazy("For your reading only; the code decides."),
        ),
        tabular.Column(
            "reported_on", gettext_lazy("As of"), tabular.day, required=False, width=14,
            help=gettext_lazy("dd/mm/yyyy; empty means today."),
        ),
        _figure("staff_headcount", gettext_lazy("Staff headcount"), 14),
        _figure("pc_covid", gettext_lazy("PC-Covid installs"), 14),
        _figure("health_book", gettext_lazy("Electronic Health Book installs"), 16),
        _figure("vneid", gettext_lazy("VNEID installs"), 14),
    ]  # fmt: skip


def adoption_import_read(
    *, by: User, upload: IO[bytes], progress: Callable[[int], None] | None = None
) -> tabular.Table:
    """Parse and fully check a sheet of adoption figures; store nothing.

    Each valid row gets ``values["unchanged"]``: True when the same figures are already recorded for
    that agency and day (confirming skips it, so uploading a file twice adds nothing).
    """
    columns = import_columns()
    table = tabular.read_table(upload, columns, max_rows=max_rows("adoption"))
    letters = {c.key: chr(ord("A") + i) for i, c in enumerate(columns)}
    headers = {c.key: str(c.header) for c in columns}
    allowed = {a.pk: a for a in scoping.agencies_for(by, for_change=True).filter(pk__in=_codes(table))}
    seen: dict[tuple[int, date], int] = {}
    today = local_today()
    for done, row in enumerate(table.rows, start=1):
        if progress:
            progress(done)
        # Every error of the row at once: the rules run on whatever could be read, and a cell already
        # named (unreadable) is not named twice.
        named = {e.cell for e in row.errors}

        def error(key: str, message: str, row=row, named=named) -> None:
            ref = f"{letters[key]}{row.number}"
            if ref not in named:
                named.add(ref)
                row.errors.append(tabular.CellError(ref, headers[key], message))

        agency = allowed.get(row.values.get("agency"))
        if agency is None:
            error("agency", _("No agency with this code that you may update."))
        row.values["reported_on"] = row.values.get("reported_on") or today
        if all(name in row.values for name in FIGURES):
            data = _input(row.values)
            for key, message in adoption_errors(data).items():
                error(key, message)
            if agency is not None:
                key = (agency.pk, data.reported_on)
                if key in seen:
                    error("agency", _("Same agency and date as row %(n)s.") % {"n": seen[key]})
                seen.setdefault(key, row.number)
        if agency is not None:
            row.values["agency_name"] = agency.name
    _mark_unchanged(table)
    return table


def _codes(table: tabular.Table) -> list[int]:
    return [r.values["agency"] for r in table.rows if isinstance(r.values.get("agency"), int)]


def _input(values: dict[str, Any]) -> AdoptionInput:
    return AdoptionInput(
        reported_on=values["reported_on"], **{name: values[name] for name in FIGURES}
    )  # fmt: skip


def _mark_unchanged(table: tabular.Table) -> None:
    valid = table.valid
    existing = set(
        AdoptionUpdate.objects.filter(agency_id__in=[r.values["agency"] for r in valid]).values_list(
            "agency_id", "reported_on", *FIGURES
        )
    )
    for row in valid:
        v = row.values
        row.values["unchanged"] = (v["agency"], v["reported_on"], *(v[name] for name in FIGURES)) in existing


def adoption_import_commit(*, by: User, rows: list[dict[str, Any]]) -> int:
    """Store every new row or none (one transaction). Returns how many updates were added."""
    agencies = {a.pk: a for a in scoping.agencies_for(by, for_change=True).filter(pk__in=[r["agency"] for r in rows])}
    created = []
    with transaction.atomic():
        for values in rows:
            agency = agencies.get(values["agency"])
            if agency is None:
                raise ApplicationError(_("You may no longer update agency %(code)s.") % {"code": values["agency"]})
            data = AdoptionInput(
                reported_on=date.fromisoformat(values["reported_on"]), **{n: values[n] for n in FIGURES}
            )
            if errors := adoption_errors(data):
                raise ApplicationError(
                    _("Agency %(code)s: %(reason)s") % {"code": agency.pk, "reason": "; ".join(errors.values())}
                )
            if AdoptionUpdate.objects.filter(agency=agency, **data.as_fields()).exists():
                continue  # the same figures are already there (file uploaded twice)
            created.append(AdoptionUpdate(agency=agency, recorded_by=by, **data.as_fields()))
        AdoptionUpdate.objects.bulk_create(created)
        for agency in {u.agency for u in created}:
            _sync_headcount(agency)
    for district_id in {u.agency.district_id for u in created}:
        _bump_after(district_id, min(u.reported_on for u in created if u.agency.district_id == district_id))
    return len(created)


# --- The import job (rollout.services.imports): check, then store on confirmation -----------------


def adoption_import_check(job, upload: IO[bytes], progress: Callable[[int], None]) -> dict[str, Any]:
    """Check a sheet of figures for its import job: every row shown; the new figures kept only when no
    row has a problem (saved together or not at all)."""
    table = adoption_import_read(by=job.user, upload=upload, progress=progress)
    keys = ("agency", "agency_name", "reported_on", *FIGURES, "unchanged")
    rows = tabular.preview_rows(table.rows, keys)
    kept = [
        {
            "agency": r.values["agency"],
            "reported_on": r.values["reported_on"].isoformat(),
            **{name: r.values[name] for name in FIGURES},
        }
        for r in table.rows
        if r.ok and not r.values["unchanged"]
    ] if not table.invalid else []  # fmt: skip
    return {
        "rows": rows,
        "errors": [r for r in rows if r["errors"]],
        "invalid": len(table.invalid),
        "kept": kept,
        "can_store": bool(kept),
    }


def adoption_import_store(job, request=None) -> tuple[str, str]:
    created = adoption_import_commit(by=job.user, rows=job.result["kept"])
    return _("%(n)s updates saved.") % {"n": created}, reverse("platforms:adoption-list")
