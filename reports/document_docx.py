"""The weekly report as a Word document laid out as Decree 30/2020/NĐ-CP asks of administrative documents.

A4 portrait, margins 20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman 13–14 pt. At the
top, side by side: the issuing body (the province's People's Committee over Sở TT&TT, the latter bold,
a short rule under it) and the national title (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM, Độc lập - Tự do -
Hạnh phúc, a rule under it); under them the number and symbol (Số: …/BC-STTTT) and the place and date
in italics. Then the title (BÁO CÁO and what it is about), "Kính gửi", the body, and at the bottom,
side by side, the recipients ("Nơi nhận:") and the signer block.

Every word comes through the translation catalogue (the official language is set by the caller) or from
the data (the province's and districts' names); nothing names a province here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from reports import weeks
from reports.scorecard import ClauseRow, Scorecard
from rollout.figures import num, pct
from rollout.text import strip_control_characters, unit_in_sentence, without_unit_title

FONT = "Times New Roman"
SYMBOL = "BC-STTTT"


@dataclass
class DistrictText:
    name: str
    difficulties: str
    proposals: str


@dataclass
class DocumentContent:
    """What the document says: the free text of a revision, and what the data gives."""

    week_ending: date
    issued_on: date
    doc_number: str
    intro: str
    assessment: str
    proposals: str
    recipients: str
    signer_title: str
    signer_name: str
    scorecard: Scorecard
    districts: list[DistrictText]
    missing: list[str]  # districts that sent no report
    appendix: str  # the roll-up named as the appendix, in words


def _text(value: str) -> str:
    return strip_control_characters(value or "")


def _run(paragraph, text: str, *, size: float = 13, bold: bool = False, italic: bool = False, underline=False):
    run = paragraph.add_run(_text(text))
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline
    # East Asian fallback font too, so Word never swaps in another face for the Vietnamese letters.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    return run


def _paragraph(container, text: str = "", *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False,
               after: float = 6, **style):  # fmt: skip
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(after), 1.15
    if indent:
        fmt.first_line_indent = Cm(1.27)
    if text:
        _run(p, text, **style)
    return p


def _rule(container, width_cm: float, container_cm: float) -> None:
    """The short line Decree 30 draws under the body's name, the motto and the title: a centred border."""
    p = container.add_paragraph()
    side = max((container_cm - width_cm) / 2, 0)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(side)
    p.paragraph_format.space_after = Pt(4)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.line_spacing = Pt(2)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _two_columns(document, left_cm: float, right_cm: float, rows: int = 1):
    table = document.add_table(rows=rows, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Cm(left_cm), Cm(right_cm)
    for column, width in zip(table.columns, (left_cm, right_cm), strict=True):
        column.width = Cm(width)
    return table


def _first(cell, text: str, **style):
    """Write into the cell's own first paragraph (a new cell holds one, empty)."""
    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    _run(p, text, **style)
    return p


def _line(cell, text: str, *, align=WD_ALIGN_PARAGRAPH.CENTER, after: float = 0, **style):
    return _paragraph(cell, text, align=align, after=after, **style)


TEXT_CM = 16.5  # the text width of A4 with the margins below
LEFT_CM, RIGHT_CM = 6.3, 10.2


def _header(document, content: DocumentContent) -> None:
    province = content.scorecard.province.name
    table = _two_columns(document, LEFT_CM, RIGHT_CM, rows=2)
    left, right = table.rows[0].cells
    _first(left, (_("People's Committee of %(province)s") % {"province": province}).upper(), size=13)
    _line(left, _("DEPARTMENT OF INFORMATION AND COMMUNICATIONS"), size=13, bold=True)
    _rule(left, 2.6, LEFT_CM)
    _first(right, _("SOCIALIST REPUBLIC OF VIET NAM"), size=12.5, bold=True)
    _line(right, _("Independence - Freedom - Happiness"), size=13.5, bold=True)
    _rule(right, 5.6, RIGHT_CM)
    left, right = table.rows[1].cells
    number = content.doc_number.strip() or "      "
    _first(left, _("No.: %(number)s/%(symbol)s") % {"number": number, "symbol": SYMBOL}, size=13)
    day = content.issued_on
    _first(
        right,
        _("%(place)s, day %(day)s month %(month)s year %(year)s")
        % {"place": without_unit_title(province), "day": f"{day:%d}", "month": f"{day:%m}", "year": day.year},
        size=13.5,
        italic=True,
    )


def _title(document, content: DocumentContent) -> None:
    province = unit_in_sentence(content.scorecard.province.name)
    _paragraph(document, "", after=6)
    _paragraph(document, _("REPORT"), align=WD_ALIGN_PARAGRAPH.CENTER, after=0, size=14, bold=True)
    _paragraph(
        document,
        _("The rollout of the COVID-19 technology platforms in %(province)s") % {"province": province},
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
        size=14,
        bold=True,
    )
    week = content.week_ending
    _paragraph(
        document,
        _("(week from %(start)s to %(end)s)") % {"start": f"{weeks.week_start(week):%d/%m}", "end": f"{week:%d/%m/%Y}"},
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
        size=14,
        italic=True,
    )
    _rule(document, 3.5, TEXT_CM)  # the short rule under the title, as the decree draws it
    _paragraph(
        document,
        _("To: the People's Committee of %(province)s.") % {"province": province},
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=12,
        size=14,
    )


def _clause_text(row: ClauseRow, scorecard: Scorecard) -> str:
    current = row.current
    if row.note:
        return row.note
    if current.whole is None:
        return _("No figure this week (nothing was due yet).")
    if current.percent is None:
        return _("%(indicator)s: nothing to count this week.") % {"indicator": row.indicator}
    trend = "; ".join(pct(w.percent) for w in row.weeks)
    return _("%(indicator)s: %(percent)s (%(part)s of %(whole)s); target %(target)s; last four weeks: %(trend)s.") % {
        "indicator": row.indicator,
        "percent": pct(current.percent),
        "part": num(current.part),
        "whole": num(current.whole),
        "target": pct(row.threshold, 0),
        "trend": trend,
    }


def _sentence(text: str) -> str:
    """A district's text inside the report's sentence: one line, without its own closing full stop."""
    return " ".join(text.split()).rstrip(".;")


def _body(document, content: DocumentContent) -> None:
    for text in content.intro.splitlines():
        if text.strip():
            _paragraph(document, text.strip(), indent=True, size=14)
    _paragraph(document, _("I. RESULTS, CLAUSE BY CLAUSE OF THE DIRECTIVE"), size=14, bold=True, after=4)
    counts = content.scorecard.counts()
    _paragraph(
        document,
        _("Of the %(total)s clauses: %(on)s on track, %(lag)s lagging, %(none)s without data.")
        % {
            "total": len(content.scorecard.rows),
            "on": counts["on_track"],
            "lag": counts["lagging"],
            "none": counts["no_data"],
        },
        indent=True,
        size=14,
    )
    for row in content.scorecard.rows:
        p = _paragraph(document, "", indent=True)
        _run(p, _("Clause %(clause)s. ") % {"clause": row.clause}, size=14, bold=True)
        _run(p, f"{row.title} ({row.body}). ", size=14, italic=True)
        _run(p, _clause_text(row, content.scorecard), size=14)
        _run(p, " " + _("Assessment: %(status)s.") % {"status": row.status_label.lower()}, size=14, bold=True)
    _paragraph(document, _("II. DIFFICULTIES AND PROPOSALS OF THE DISTRICTS"), size=14, bold=True, after=4)
    if not content.districts:
        _paragraph(document, _("No district reported a difficulty or a proposal this week."), indent=True, size=14)
    for d in content.districts:
        p = _paragraph(document, "", indent=True)
        _run(p, f"- {d.name}: ", size=14, bold=True)
        parts = []
        if d.difficulties.strip():
            parts.append(_("difficulties: %(text)s") % {"text": _sentence(d.difficulties)})
        if d.proposals.strip():
            parts.append(_("proposals: %(text)s") % {"text": _sentence(d.proposals)})
        _run(p, "; ".join(parts) + ".", size=14)
    if content.missing:
        _paragraph(
            document,
            _("Districts that sent no report this week: %(names)s.") % {"names": ", ".join(content.missing)},
            indent=True,
            size=14,
            italic=True,
        )
    _paragraph(document, _("III. GENERAL ASSESSMENT"), size=14, bold=True, after=4)
    for text in (content.assessment or "").splitlines():
        if text.strip():
            _paragraph(document, text.strip(), indent=True, size=14)
    _paragraph(document, _("IV. PROPOSALS"), size=14, bold=True, after=4)
    for text in (content.proposals or "").splitlines():
        if text.strip():
            _paragraph(document, text.strip(), indent=True, size=14)
    _paragraph(document, content.appendix, indent=True, size=14, italic=True)
    _paragraph(
        document,
        _("The Department of Information and Communications respectfully reports to the People's Committee of "
          "%(province)s./.") % {"province": unit_in_sentence(content.scorecard.province.name)},
        indent=True,
        size=14,
    )  # fmt: skip


def _signature(document, content: DocumentContent) -> None:
    table = _two_columns(document, 8.0, 8.5)
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _run(first, _("Recipients:"), size=12, bold=True, italic=True)
    for line in content.recipients.splitlines():
        if line.strip():
            _line(left, line.strip(), align=WD_ALIGN_PARAGRAPH.LEFT, size=11)
    for i, line in enumerate(content.signer_title.splitlines() or [""]):
        if i == 0:
            _first(right, line.strip().upper(), size=14, bold=True)
        else:
            _line(right, line.strip().upper(), size=14, bold=True)
    for _blank in range(4):
        _line(right, "", size=14)
    _line(right, content.signer_name.strip(), size=14, bold=True)


def document_build_docx(content: DocumentContent):
    """The report as a python-docx ``Document`` (the caller saves it)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _header(document, content)
    _title(document, content)
    _body(document, content)
    _signature(document, content)
    document.core_properties.title = _("Weekly report %(week)s") % {"week": f"{content.week_ending:%d/%m/%Y}"}
    return document
