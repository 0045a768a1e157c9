"""Every workbook the product writes, built in one go for the tests that look at all of them (hostile text,
printing). A new workbook is added here, so each of those tests covers it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.urls import reverse

from checkpoints.services.daily_lists import checkpoint_list_export, daily_list_build
from reports.figures import district_week_figures
from reports.services.rollups import rollup_build
from reports.template_xlsx import template_build
from rollout.models import FocalOfficer
from rollout.selectors.audit import AuditFilters
from rollout.services.audit_export import audit_log_workbook
from tests.factories import AgencyFactory, ArrivalFactory, CheckInFactory, VenueFactory
from tests.reports.conftest import LAST_WEEK, local
from tracing.models import Candidate, TracingSearch
from tracing.services.lists import send_district_lists
from tracing.services.workbook import candidates_workbook
from venues.models import CheckIn
from venues.services.visitor_log import visitor_log_workbook

# The day of the lists and the visitor log: in the week of the roll-up.
LIST_DAY = LAST_WEEK - timedelta(days=1)


def every_workbook(request, *, names: list[str], root: Path, arrivals: bool = True) -> dict[str, bytes]:
    """{label: XLSX bytes}. An agency, a venue, people (check-ins; arrivals too with ``arrivals``), a
    focal officer and a district's report carry ``names`` (five texts); files are stored under ``root``."""
    fixture = request.getfixturevalue
    bat_xat, checkpoint, checkpoint_staff = fixture("bat_xat"), fixture("checkpoint"), fixture("checkpoint_staff")
    send, client_for = fixture("send"), fixture("client_for")
    fixture("settings").PRIVATE_FILES_ROOT = root
    agency = AgencyFactory(district=bat_xat, name=names[0])
    venue = VenueFactory(district=bat_xat, agency=agency, name=names[0])
    FocalOfficer.objects.create(full_name=names[4], phone="0912345678", email="f@laocai.gov.vn", district=bat_xat)
    day: date = LIST_DAY
    for name in names:
        CheckInFactory(venue=venue, full_name=name, checked_in_at=local(day, "10:00"))
        if arrivals:
            ArrivalFactory(checkpoint=checkpoint, destination_district=bat_xat, arrived_at=local(day, "11:00"),
                           full_name=name, notes=name)  # fmt: skip
    send(fixture("district_officer"), bat_xat, LAST_WEEK, at=local(LAST_WEEK, "15:00"), difficulties=names[0],
         proposals=names[1])  # fmt: skip

    workbooks: dict[str, bytes] = {}
    daily_list = daily_list_build(district=bat_xat, day=day, notify=False)
    workbooks["daily list"] = (root / daily_list.file).read_bytes()
    output, _name = checkpoint_list_export(by=checkpoint_staff, checkpoint=checkpoint, day=day)
    workbooks["checkpoint list"] = output.read()
    workbooks["visitor log"], _rows = visitor_log_workbook(
        CheckIn.objects.filter(venue=venue), scope_label=names[0], first=day, last=day
    )
    rollup = rollup_build(week_ending=LAST_WEEK, force=True).rollup
    workbooks["roll-up"] = (root / rollup.file_path).read_bytes()
    workbooks["report template"] = template_build(
        district=bat_xat, week_ending=LAST_WEEK, values={"difficulties": names[0], "proposals": names[4]},
        system=district_week_figures(LAST_WEEK, [bat_xat.pk])[bat_xat.pk],
        officer=FocalOfficer.objects.get(district=bat_xat),
    ).content  # fmt: skip
    search = TracingSearch.objects.create(reason_kind="other", reason=names[0], start=day, end=day)
    met = local(day, "10:00")
    for rank, name in enumerate(names, start=1):
        Candidate.objects.create(
            search=search, rank=rank, full_name=name, phone="0912000001", id_number="001090000001", district=bat_xat,
            source="venue", place=name, first_contact_at=met, note=name,
            reasons=[{"kind": "venue", "place": name, "from": met.isoformat(), "to": None, "minutes": 0}],
        )  # fmt: skip
    workbooks["tracing candidates"], _rows = candidates_workbook(search, search.candidates.order_by("rank"))
    [tracing_list] = send_district_lists(search, by=fixture("province_admin")).written
    workbooks["tracing list"] = (root / tracing_list.file).read_bytes()
    workbooks["audit log"], _rows = audit_log_workbook(AuditFilters())
    admin = client_for(fixture("province_admin"))
    workbooks["adoption template"] = admin.get(reverse("platforms:adoption-template")).content
    workbooks["account template"] = admin.get(reverse("accounts:user-import-template")).content
    workbooks["directive scorecard"] = admin.get(
        reverse("reports:scorecard-xlsx"), {"week": LAST_WEEK.isoformat()}
    ).content
    workbooks["arrival import template"] = (
        client_for(checkpoint_staff).get(reverse("checkpoints:arrival-import-template")).content
    )
    return workbooks
