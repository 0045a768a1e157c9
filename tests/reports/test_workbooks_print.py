"""Every workbook the product writes prints as officials expect (LibreOffice turns each into a PDF).

A4 on every page, one page wide (every column on every page), the header row repeated, the list's name
and "Trang x / y" in the footer; the daily list of a busy day (466 people, every column filled) and the
Friday roll-up, whose summary and signatures fit one page. The pages are rendered to PNG under
test-artifacts/print/ for a person to look at.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from checkpoints.models import Arrival
from checkpoints.services.arrival_workbook import DISTRICT_LIST
from rollout.models import Commune, District, Province
from tests.factories import ArrivalFactory, first_commune
from tests.printing import page_sizes, pages_text, render, to_pdf
from tests.reports.conftest import local
from tests.reports.workbooks import LIST_DAY, every_workbook

pytestmark = [pytest.mark.django_db, pytest.mark.print]

NAMES = ["Cơ quan Kim Tân", "Nguyễn Văn An", "Lò Thị Bình", "Giàng A Páo", "Vàng Thị Mỷ"]
LIST_ROWS = 466
FOOTER_PAGE = re.compile(r"Trang (\d+) / (\d+)")


def _printed_sheets(content: bytes) -> dict[str, list[str]]:
    """{the name in a visible sheet's footer: the labels of its repeated header rows}, checking on the way
    that each sheet is set to print on A4, one page wide."""
    wb = load_workbook(io.BytesIO(content))
    sheets = {}
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        labels = []
        if ws.print_title_rows:
            first, last = (int(n.strip("$")) for n in ws.print_title_rows.split(":"))
            labels = [str(c.value) for r in range(first, last + 1) for c in ws[r] if c.value]
        sheets[ws.oddFooter.left.text.replace("&&", "&")] = labels
    return sheets


def _busy_day(checkpoint, bat_xat) -> None:
    """466 people bound for Bát Xát on the list's day, every column of the list filled."""
    origin = District.objects.get(province_id=1, short_codename="ba_dinh")
    origin_commune = first_commune(origin)
    communes = list(Commune.objects.filter(district=bat_xat).order_by("code")[:5])
    Arrival.objects.bulk_create(
        ArrivalFactory.build(
            checkpoint=checkpoint, destination_district=bat_xat,
            arrived_at=local(LIST_DAY, f"{6 + i // 60:02d}:{i % 60:02d}"),
            full_name=f"Người đến {i:03d}", birth_year=1960 + i % 50, id_number=f"{i:012d}", phone=f"09{i:08d}",
            origin_province=Province.objects.get(pk=1), origin_district=origin, origin_commune=origin_commune,
            destination_commune=communes[i % len(communes)], destination_address=f"Thôn {i % 12 + 1}, nhà số {i}",
            vehicle="coach", plate=f"24B-{i:05d}", vaccine_doses=2, test_at_checkpoint="rapid",
            test_at_checkpoint_result="negative", temperature=Decimal("36.6"), symptoms="Không",
            notes=f"Ghi chú {i}", pc_covid="installed",
        )
        for i in range(1, LIST_ROWS + 1)
    )  # fmt: skip


def test_every_workbook_prints_on_a4_one_page_wide_with_its_header_and_footer(
    request, clock, tmp_path, checkpoint, bat_xat
):
    _busy_day(checkpoint, bat_xat)
    workbooks = every_workbook(request, names=NAMES, root=tmp_path / "files", arrivals=False)
    sources = tmp_path / "xlsx"
    sources.mkdir()
    files = {}
    for label, content in workbooks.items():
        files[label] = sources / f"{label.replace(' ', '-')}.xlsx"
        files[label].write_bytes(content)
    pdfs = to_pdf(list(files.values()), tmp_path / "pdf")

    pages = {}
    for label, source in files.items():
        pdf = pdfs[source]
        sizes = page_sizes(pdf)
        texts = pages_text(pdf)
        pages[label] = texts
        assert render(pdf, source.stem), label
        assert len(sizes) == len(texts) > 0, label
        assert all(size.is_a4 for size in sizes), (label, sizes)
        for n, text in enumerate(texts, start=1):
            assert FOOTER_PAGE.search(text), (label, n, text[-300:])

    # Every page of every workbook: its sheet named in the footer, and all of that sheet's header labels
    # (so every column) on it.
    for label, texts in pages.items():
        sheets = _printed_sheets(workbooks[label])
        for n, text in enumerate(texts, start=1):
            sheet = max((name for name in sheets if name in text), key=len, default=None)
            assert sheet is not None, (label, n)
            joined = text.replace("- ", "-")  # a label wrapped after a hyphen ("PC-/Covid")
            missing = [h for h in sheets[sheet] if " ".join(h.split()) not in joined]
            assert not missing, (label, n, sheet, missing)

    with translation.override("vi"):
        headers = [capfirst(str(c.header)) for c in DISTRICT_LIST]
        list_title = _("List of people arriving in %(district)s") % {"district": bat_xat.name}
    # The busy day's list: its 20 columns (PC-Covid included) and the header row on every page, every person once.
    daily = pages["daily list"]
    assert len(headers) == 20
    assert page_sizes(pdfs[files["daily list"]])[0].landscape
    for n, text in enumerate(daily, start=1):
        missing = [h for h in headers if h not in text]
        assert not missing, (n, missing)
        assert list_title in text and f"{LIST_DAY:%d/%m/%Y}" in text, n  # the footer names the list
        assert FOOTER_PAGE.search(text).groups() == (str(n), str(len(daily))), n
    everyone = " ".join(daily)
    assert all(everyone.count(f"Người đến {i:03d}") == 1 for i in range(1, LIST_ROWS + 1))
    # One page wide: some 80 rows a page (56 pages of vertical strips before).
    assert 4 <= len(daily) <= 8, len(daily)

    # The roll-up: its summary, total row and signatures on the first page, whole; each other sheet follows.
    with translation.override("vi"):
        summary_title = _("Weekly reports of the districts on the COVID-19 technology platforms — province roll-up")
        signatures = [_("Prepared by").upper(), _("Head of the unit").upper(), _("(Signature and full name)")]
        date_line = _("%(place)s, day … month … year …") % {"place": "Lào Cai"}
        details_title = _("What the districts wrote")
        scorecard_title = _("Directive scorecard: the COVID-19 technology platforms")
    rollup = pages["roll-up"]
    first = rollup[0]
    assert summary_title in first and "Toàn tỉnh" in first and date_line in first
    assert all(text in first for text in signatures)
    assert details_title not in first and scorecard_title in rollup[1] and details_title in rollup[2]
    assert sum(summary_title in page for page in rollup) == 1
    assert len(rollup) == 6, len(rollup)  # one page a sheet (21 before)
    # The directive scorecard alone, for the People's Committee's meeting: one landscape page, signed.
    scorecard = pages["directive scorecard"]
    assert len(scorecard) == 1 and page_sizes(pdfs[files["directive scorecard"]])[0].landscape
    assert scorecard_title in scorecard[0] and all(text in scorecard[0] for text in signatures)
    assert all(f" {clause} " in scorecard[0] for clause in ("3.iii", "6.iv"))
