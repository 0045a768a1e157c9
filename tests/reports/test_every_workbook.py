"""Every workbook the product writes keeps hostile text as text: no formula, no crash on control characters.

An agency, a venue, people and a district's comment are named ``=HYPERLINK("x","y")``, ``+1``, ``-1``,
``@A1`` and ``Nguyễn\\x01 Văn``; each workbook is built and its XML read back. The only formulas allowed are
the product's own (the weekly template's difference column).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse

from checkpoints.services.daily_lists import checkpoint_list_export, daily_list_build
from reports.figures import district_week_figures
from reports.services.rollups import rollup_build
from reports.template_xlsx import template_build
from rollout.models import FocalOfficer
from tests.factories import AgencyFactory, ArrivalFactory, CheckInFactory, VenueFactory
from tests.reports.conftest import LAST_WEEK, local
from tracing.models import Candidate, TracingSearch
from tracing.services.lists import send_district_lists
from tracing.services.workbook import candidates_workbook
from venues.models import CheckIn
from venues.services.visitor_log import visitor_log_workbook

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("x","y")', "+1", "-1", "@A1", "Nguyễn\x01 Văn"]
OWN_FORMULA = re.compile(r'^IF\(B\d+="","",B\d+-C\d+\)$')


def _formulas_and_text(content: bytes) -> tuple[list[str], str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        # Cell formulas live in the sheets (a chart's series references are not cells: left out).
        names = [n for n in archive.namelist() if n.startswith(("xl/worksheets/", "xl/sharedStrings"))]
        xml = "".join(archive.read(name).decode() for name in names)
    formulas = [re.sub(r"&quot;", '"', f) for f in re.findall(r"<f>(.*?)</f>", xml)]
    return formulas, xml


def _assert_safe(content: bytes, label: str) -> None:
    formulas, xml = _formulas_and_text(content)
    assert all(OWN_FORMULA.match(f) for f in formulas), (label, formulas)
    assert "HYPERLINK" in xml, label  # kept, as text
    assert "\x01" not in xml, label


def test_every_workbook_keeps_hostile_text_as_text(
    send, district_officer, province_admin, checkpoint_staff, checkpoint, bat_xat, client_for, clock, tmp_path,
    settings,
):  # fmt: skip
    settings.PRIVATE_FILES_ROOT = tmp_path
    agency = AgencyFactory(district=bat_xat, name=HOSTILE[0])
    venue = VenueFactory(district=bat_xat, agency=agency, name=HOSTILE[0])
    FocalOfficer.objects.create(full_name=HOSTILE[4], phone="0912345678", email="f@laocai.gov.vn", district=bat_xat)
    day = LAST_WEEK - timedelta(days=1)
    for name in HOSTILE:
        CheckInFactory(venue=venue, full_name=name, checked_in_at=local(day, "10:00"))
        ArrivalFactory(checkpoint=checkpoint, destination_district=bat_xat, arrived_at=local(day, "11:00"),
                       full_name=name, notes=name)  # fmt: skip
    send(district_officer, bat_xat, LAST_WEEK, at=local(LAST_WEEK, "15:00"), difficulties=HOSTILE[0], proposals="+1")

    workbooks: dict[str, bytes] = {}
    daily_list = daily_list_build(district=bat_xat, day=day, notify=False)
    workbooks["daily list"] = (tmp_path / daily_list.file).read_bytes()
    output, _name = checkpoint_list_export(by=checkpoint_staff, checkpoint=checkpoint, day=day)
    workbooks["checkpoint list"] = output.read()
    workbooks["visitor log"], _rows = visitor_log_workbook(
        CheckIn.objects.filter(venue=venue), scope_label=HOSTILE[0], first=day, last=day
    )
    rollup = rollup_build(week_ending=LAST_WEEK, force=True).rollup
    workbooks["roll-up"] = (tmp_path / rollup.file_path).read_bytes()
    workbooks["report template"] = template_build(
        district=bat_xat, week_ending=LAST_WEEK, values={"difficulties": HOSTILE[0], "proposals": HOSTILE[4]},
        system=district_week_figures(LAST_WEEK, [bat_xat.pk])[bat_xat.pk],
        officer=FocalOfficer.objects.get(district=bat_xat),
    ).content  # fmt: skip
    search = TracingSearch.objects.create(reason_kind="other", reason=HOSTILE[0], start=day, end=day)
    met = local(day, "10:00")
    for rank, name in enumerate(HOSTILE, start=1):
        Candidate.objects.create(
            search=search, rank=rank, full_name=name, phone="0912000001", id_number="001090000001", district=bat_xat,
            source="venue", place=name, first_contact_at=met, note=name,
            reasons=[{"kind": "venue", "place": name, "from": met.isoformat(), "to": None, "minutes": 0}],
        )  # fmt: skip
    workbooks["tracing candidates"], _rows = candidates_workbook(search, search.candidates.order_by("rank"))
    [tracing_list] = send_district_lists(search, by=province_admin).written
    workbooks["tracing list"] = (tmp_path / tracing_list.file).read_bytes()
    admin = client_for(province_admin)
    workbooks["adoption template"] = admin.get(reverse("platforms:adoption-template")).content
    workbooks["account template"] = admin.get(reverse("accounts:user-import-template")).content
    workbooks["arrival import template"] = (
        client_for(checkpoint_staff).get(reverse("checkpoints:arrival-import-template")).content
    )

    for label, content in workbooks.items():
        if label in {"daily list", "checkpoint list", "visitor log", "roll-up", "report template", "adoption template",
                     "account template", "tracing candidates", "tracing list"}:  # fmt: skip
            _assert_safe(content, label)
        else:  # a template with no user text in it: still no formula
            assert not _formulas_and_text(content)[0], label
    assert len(workbooks) == 10
