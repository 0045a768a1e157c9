"""The official weekly report template (XLSX): writing it pre-filled, and reading it back.

Layout (the report sheet, first in the workbook; row numbers are fixed and checked on upload):
- B3 district code, B4 week ending (Friday) — the upload is refused if they are not the ones expected;
- rows 8–17: one figure per row: A label, B the district's figure (the only cells to fill, besides
  the texts), C the system's figure, D the difference, E notes; hidden column G holds the field key;
- B19 difficulties, B20 proposals, B22 the focal officer confirmation (Có / Không).
A hidden ``_meta`` sheet marks the workbook as this template. The sheets are protected without a
password, so nobody moves a row by accident; the input cells are unlocked.

Reading never trusts the file: size, zip structure and XML are checked by ``rollout.xlsx``; every
problem is reported with its sheet, cell and what is wrong; nothing is stored here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from reports import fields, weeks
from reports.figures import SystemFigures
from rollout import tabular
from rollout.errors import ApplicationError
from rollout.models import District, FocalOfficer
from rollout.text import fold
from rollout.uploads import check_upload
from rollout.workbooks import (
    BOLD,
    HEADER_FILL,
    HEADER_FONT,
    TITLE_FONT,
    WRAP,
    formula,
    open_uploaded_workbook,
    print_setup,
    put,
    signer_block,
    unreadable,
    workbook_bytes,
)

TEMPLATE_MARK = "rollout.weekly_report"
LAYOUT_VERSION = 1
META_SHEET = "_meta"
DISTRICT_CELL = "B3"
WEEK_CELL = "B4"
FIRST_NUMBER_ROW = 8
TEXT_ROWS = {"difficulties": 19, "proposals": 20}
OFFICER_ROW = 21
CONFIRM_ROW = 22
KEY_COLUMN = "G"
LAST_ROW = CONFIRM_ROW
MAX_ROWS = 200  # rows with a value in the report sheet an upload may have (the template fills ~20)
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
YES, NO = "Có", "Không"


def number_row(index: int) -> int:
    return FIRST_NUMBER_ROW + index


def _filename(district: District, week_ending: date) -> str:
    return f"bao-cao-tuan-{fold(district.name).replace(' ', '-')}-{week_ending:%Y-%m-%d}.xlsx"


@dataclass
class TemplateFile:
    content: bytes
    filename: str


def template_build(
    *,
    district: District,
    week_ending: date,
    values: dict[str, Any] | None,
    system: SystemFigures,
    officer: FocalOfficer | None,
) -> TemplateFile:
    """The template for one district and week, pre-filled with ``values`` (or the system's figures)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Weekly report")[:31]
    _report_sheet(ws, district, week_ending, values, system, officer)
    _instructions_sheet(wb.create_sheet(_("Instructions")[:31]), week_ending)
    meta = wb.create_sheet(META_SHEET)
    for row in (("template", TEMPLATE_MARK), ("layout", LAYOUT_VERSION), ("district", district.pk)):
        meta.append(row)
    meta.append(("week_ending", week_ending.isoformat()))
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    # Sheets cannot be moved, renamed or deleted: the report sheet stays the first one.
    wb.security = WorkbookProtection(lockStructure=True)
    return TemplateFile(workbook_bytes(wb), _filename(district, week_ending))


def _report_sheet(ws, district, week_ending, values, system, officer) -> None:
    ws["A1"] = _("WEEKLY REPORT ON THE ROLLOUT OF THE COVID-19 TECHNOLOGY PLATFORMS")
    ws["A1"].font = TITLE_FONT
    ws["A2"] = _("Directive 5279/UBND-VX of 02/11/2021, item 6.iv: sent to Sở TT&TT every Friday.")
    ws["A3"], ws[DISTRICT_CELL] = _("District code"), district.pk
    put(ws, 3, 3, district.name)
    ws["A4"], ws[WEEK_CELL] = _("Week ending (Friday)"), week_ending
    ws[WEEK_CELL].number_format = "dd/mm/yyyy"
    ws["C4"] = _("Week %(label)s, due %(due)s") % {
        "label": weeks.week_label(week_ending),
        "due": formats.date_format(weeks.due_at(week_ending), "d/m/Y H:i"),
    }
    for coordinate in ("A3", "A4"):
        ws[coordinate].font = BOLD
    headers = [_("Figure"), _("District's figure"), _("System figure"), _("Difference"), _("Notes")]
    for column, header in enumerate(headers, start=1):
        c = ws.cell(row=FIRST_NUMBER_ROW - 1, column=column, value=header)
        c.font, c.fill, c.alignment = HEADER_FONT, HEADER_FILL, WRAP

    numbers = DataValidation(type="whole", operator="between", formula1="0", formula2=str(fields.MAX_NUMBER))
    numbers.error = _("Enter a whole number from 0.")
    numbers.errorTitle = _("Not a whole number")
    ws.add_data_validation(numbers)
    prefilled = values is None
    values = values or {}
    for index, figure in enumerate(fields.NUMBERS):
        row = number_row(index)
        ws.cell(row=row, column=1, value=str(figure.label)).alignment = WRAP
        value = values.get(figure.key)
        system_value = getattr(system, figure.system) if figure.system else None
        if value is None and prefilled and figure.prefill:
            value = system_value
        _input(ws, f"B{row}", value)
        numbers.add(f"B{row}")
        ws.cell(row=row, column=3, value=system_value)
        if figure.system:
            formula(ws.cell(row=row, column=4), f'=IF(B{row}="","",B{row}-C{row})')
        ws.cell(row=row, column=5, value=str(figure.help)).alignment = WRAP
        ws[f"{KEY_COLUMN}{row}"] = figure.key

    texts = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(fields.MAX_TEXT))
    texts.error = _("At most %(n)s characters.") % {"n": fields.MAX_TEXT}
    ws.add_data_validation(texts)
    for key, row in TEXT_ROWS.items():
        figure = fields.by_key(key)
        put(ws, row, 1, str(figure.label), font=BOLD, alignment=WRAP)
        ws.merge_cells(f"B{row}:E{row}")
        _input(ws, f"B{row}", values.get(key) or "")
        ws[f"B{row}"].alignment = WRAP
        texts.add(f"B{row}")
        ws.row_dimensions[row].height = 75
        ws[f"{KEY_COLUMN}{row}"] = key

    ws.cell(row=OFFICER_ROW, column=1, value=_("Focal officer (directive 6.iv)")).font = BOLD
    ws.merge_cells(f"B{OFFICER_ROW}:E{OFFICER_ROW}")
    put(
        ws, OFFICER_ROW, 2,
        " — ".join(filter(None, [officer.full_name, officer.position, officer.phone, officer.email]))
        if officer
        else _("No focal officer registered: ask Sở TT&TT to register one."),
    )  # fmt: skip
    ws.cell(row=CONFIRM_ROW, column=1, value=_("The focal officer's details above are current")).font = BOLD
    _input(ws, f"B{CONFIRM_ROW}", YES if values.get(fields.CONFIRM_KEY) else NO)
    confirm = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=False)
    confirm.error = _("Choose Có or Không.")
    ws.add_data_validation(confirm)
    confirm.add(f"B{CONFIRM_ROW}")
    ws[f"C{CONFIRM_ROW}"] = _("Choose Có (yes) or Không (no).")
    ws[f"{KEY_COLUMN}{CONFIRM_ROW}"] = fields.CONFIRM_KEY

    for column, width in zip("ABCDE", (52, 18, 16, 14, 48), strict=True):
        ws.column_dimensions[column].width = width
    ws.column_dimensions[KEY_COLUMN].hidden = True
    ws.protection.sheet = True  # no password: it only stops rows being moved by accident
    ws.freeze_panes = f"A{FIRST_NUMBER_ROW}"
    # The district signs what it sends up; the place is written by hand, like the date.
    signer_block(ws, place="……")
    # One sheet, one page: it is signed at the foot.
    print_setup(
        ws,
        title=f"{ws.title} — {district.name}, {weeks.week_label(week_ending)}",
        header_rows=FIRST_NUMBER_ROW - 1,
        one_page=True,
    )


def _input(ws, coordinate: str, value: Any) -> None:
    c = ws[coordinate]
    put(ws, c.row, c.column, value, fill=INPUT_FILL, protection=Protection(locked=False))


def _instructions_sheet(ws, week_ending: date) -> None:
    lines = [
        _("How to fill in the weekly report"),
        _("1. Fill in the yellow cells of the first sheet only: the district's figures, the texts and the "
          "confirmation."),
        _("2. Column C shows what the system already knows; column D shows the difference from your figure."),
        _(
            "3. Figures marked “during the week” count from Saturday to Friday; “total” figures count everything "
            "up to the end of the week."
        ),
        _("4. Enter whole numbers only (0 if there is nothing to report). Do not move rows or rename the sheets."),
        _("5. Upload the file on the weekly report page. Every problem is listed with its cell; nothing is saved "
          "until the whole file is correct."),
        _("6. This file is for one district and one week: a file for another district or week is refused."),
        weeks.timeliness_rule_text(week_ending),
    ]  # fmt: skip
    ws.column_dimensions["A"].width = 120
    for row, line in enumerate(lines, start=1):
        ws.cell(row=row, column=1, value=line).alignment = WRAP
    ws["A1"].font = TITLE_FONT
    print_setup(ws, title=ws.title, header_rows=None)


# --- Reading ----------------------------------------------------------------------------------


class TemplateErrors(ApplicationError):
    """The file is the template but some cells are wrong; ``errors`` names each one."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(_("The workbook has problems; nothing was saved."), {"errors": errors})
        self.errors = errors


def _yes_no(value: Any) -> bool | None:
    if value is None or str(value).strip() == "":
        return None
    key = fold(str(value))
    if key in {"co", "yes", "x", "1", "true", "dung"}:
        return True
    if key in {"khong", "no", "0", "false"}:
        return False
    raise ValueError(_("Choose Có or Không."))


def template_read(upload: IO[bytes], *, district: District, week_ending: date) -> dict[str, Any]:
    """The report values in an uploaded template, or an ``ApplicationError`` saying what is wrong."""
    # Bounded like every import before anything reads it (sheets, rows, columns), though only the first
    # rows of the report sheet are read: the template has far fewer.
    check_upload(upload, rows=MAX_ROWS, csv_too=False)
    # Formulas as formulas: a value is expected in every input cell, and a formula there is refused by cell.
    wb = open_uploaded_workbook(upload, data_only=False)
    try:
        if META_SHEET not in wb.sheetnames or not wb.worksheets:
            raise ApplicationError(_("This is not the weekly report template. Download the template from the "
                                     "report page, fill it in and upload it."))  # fmt: skip
        meta = _cells(wb[META_SHEET], 4, 2)
        if meta.get("B1") != TEMPLATE_MARK:
            raise ApplicationError(_("This is not the weekly report template. Download the template from the "
                                     "report page, fill it in and upload it."))  # fmt: skip
        ws = wb.worksheets[0]
        cells = _cells(ws, LAST_ROW, 7)
    finally:
        wb.close()
    sheet = ws.title
    _check_layout(cells, sheet)
    _check_identity(cells, sheet, district, week_ending)
    return _parse_values(cells, sheet)


class NotAValue:
    """What a cell holds instead of a value: a formula, or an error such as #DIV/0!."""

    def __init__(self, kind: str, text: str) -> None:
        self.kind, self.text = kind, text

    def message(self) -> str:
        if self.kind == "f":
            return _("a formula is not accepted: type the value")
        return _("the cell shows an error (%(error)s), not a value: type the value") % {"error": self.text}


def _cells(ws, max_row: int, max_col: int) -> dict[str, Any]:
    """Values by coordinate; a formula or an error comes as ``NotAValue``. Cells are parsed lazily: a
    hostile or broken sheet fails here."""
    from openpyxl.utils import get_column_letter

    values: dict[str, Any] = {}
    try:
        for r, row in enumerate(ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col), 1):
            for c, cell in enumerate(row, 1):
                value = cell.value
                if value is None:
                    continue
                kind = getattr(cell, "data_type", "n")
                if kind in ("f", "e"):
                    value = NotAValue(kind, str(getattr(value, "text", value)))
                values[f"{get_column_letter(c)}{r}"] = value
    except Exception as exc:  # openpyxl/defusedxml raise many types for a broken or hostile file
        raise unreadable() from exc
    return values


def _where(sheet: str, coordinate: str) -> str:
    return _("Sheet “%(sheet)s”, cell %(cell)s") % {"sheet": sheet, "cell": coordinate}


def _check_identity(cells: dict[str, Any], sheet: str, district: District, week_ending: date) -> None:
    try:
        code = tabular.integer(1, 10**6)(cells.get(DISTRICT_CELL))
    except ValueError:
        code = None
    if code != district.pk:
        other = District.objects.filter(pk=code).first() if code else None
        raise ApplicationError(
            _("%(where)s: this workbook is for %(other)s, not for %(district)s. Download the template of your "
              "district from its report page.")
            % {
                "where": _where(sheet, DISTRICT_CELL),
                "other": f"{other.name} ({other.pk:03d})" if other else _("an unknown district"),
                "district": f"{district.name} ({district.pk:03d})",
            }
        )  # fmt: skip
    try:
        day = tabular.day(cells.get(WEEK_CELL))
    except ValueError:
        day = None
    if day != week_ending:
        raise ApplicationError(
            _("%(where)s: this workbook is for the week ending %(other)s, not the week ending %(week)s. Download "
              "the template of this week from its report page.")
            % {
                "where": _where(sheet, WEEK_CELL),
                "other": f"{day:%d/%m/%Y}" if day else _("an unknown date"),
                "week": f"{week_ending:%d/%m/%Y}",
            }
        )  # fmt: skip


def _label(key: str) -> str:
    return _("Focal officer confirmation") if key == fields.CONFIRM_KEY else str(fields.by_key(key).label)


def _rows() -> list[tuple[str, int]]:
    """(field key, row) of every input row of the report sheet."""
    rows = [(f.key, number_row(i)) for i, f in enumerate(fields.NUMBERS)]
    return [*rows, *TEXT_ROWS.items(), (fields.CONFIRM_KEY, CONFIRM_ROW)]


def _check_layout(cells: dict[str, Any], sheet: str) -> None:
    for key, row in _rows():
        if cells.get(f"{KEY_COLUMN}{row}") != key:
            raise ApplicationError(
                _("%(where)s: the rows of the template have been moved or changed. Download the template again.")
                % {"where": _where(sheet, f"A{row}")}
            )


def _parse_values(cells: dict[str, Any], sheet: str) -> dict[str, Any]:
    errors: list[str] = []
    failed: set[str] = set()
    coordinates: dict[str, str] = {}
    values: dict[str, Any] = {}
    expected = _rows()
    parse_number = tabular.integer(0, fields.MAX_NUMBER)
    parse_text = tabular.text(fields.MAX_TEXT)
    for key, row in expected:
        coordinate = f"B{row}"
        coordinates[key] = coordinate
        raw = cells.get(coordinate)
        if isinstance(raw, NotAValue):
            failed.add(key)
            errors.append(f"{_where(sheet, coordinate)} ({_label(key)}): {raw.message()}")
            continue
        try:
            if key in fields.NUMBER_KEYS:
                values[key] = parse_number(raw)
            elif key in fields.TEXT_KEYS:
                values[key] = parse_text(raw)
            else:
                values[key] = bool(_yes_no(raw))
        except ValueError as exc:
            failed.add(key)
            errors.append(f"{_where(sheet, coordinate)} ({_label(key)}): {exc}")
    for key, message in fields.check_values(values, complete=True).items():
        if key not in failed:
            errors.append(f"{_where(sheet, coordinates[key])} ({_label(key)}): {message}")
    if errors:
        raise TemplateErrors(errors)
    return values
