"""The weekly report's contents (SPEC §6): one list used by the model, the form, the XLSX template,
the roll-up workbook and the API, so a new figure is added in one place.

Each figure may have a counterpart the system already knows (``reports.figures``). How they compare:
- ``SAME``: the same quantity; any difference is highlighted (a district may know venues the
  system does not, or the system may have missed an inspection, but the two should agree);
- ``AT_LEAST``: the system counts a part of what the district reports (installs among agency staff
  against installs in the whole district): highlighted only when the district reports fewer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

SAME = "same"
AT_LEAST = "at_least"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    help: str | Promise
    system: str = ""  # key in reports.figures.SystemFigures, or "" when the system has no counterpart
    compare: str = SAME
    prefill: bool = False  # start the district's value from the system figure


NUMBERS: list[Figure] = [
    Figure(
        "agencies_with_qr",
        _("Agencies and enterprises using QR entry control"),
        _("Total at the end of the week."),
        system="agencies_with_qr",
        prefill=True,
    ),
    Figure(
        "venues_with_qr",
        _("Venues with a QR code"),
        _("Total at the end of the week."),
        system="venues_with_qr",
        prefill=True,
    ),
    Figure(
        "venues_inspected",
        _("Venues inspected"),
        _("During the week."),
        system="venues_inspected",
        prefill=True,
    ),
    Figure(
        "violations_found",
        _("Venues found in violation"),
        _("Among the venues inspected during the week."),
        system="violations_found",
        prefill=True,
    ),
    Figure(
        "sanctions_imposed",
        _("Venues sanctioned"),
        _("Among the venues found in violation during the week."),
        system="sanctions_imposed",
        prefill=True,
    ),
    Figure("communication_sessions", _("Communication sessions held"), _("During the week.")),
    Figure("people_guided", _("People guided to install the apps"), _("During the week.")),
    Figure(
        "pc_covid_installs",
        _("PC-Covid installs in the district"),
        _("Total to date. The system figure counts agency staff only."),
        system="pc_covid",
        compare=AT_LEAST,
    ),
    Figure(
        "health_book_installs",
        _("Electronic Health Book installs in the district"),
        _("Total to date. The system figure counts agency staff only."),
        system="health_book",
        compare=AT_LEAST,
    ),
    Figure(
        "vneid_installs",
        _("VNEID installs in the district"),
        _("Total to date. The system figure counts agency staff only."),
        system="vneid",
        compare=AT_LEAST,
    ),
]

# The apps whose adoption the roll-up chart shows, by district.
INSTALLS = ["pc_covid_installs", "health_book_installs", "vneid_installs"]

TEXTS: list[Figure] = [
    Figure("difficulties", _("Difficulties"), _("What held the rollout back this week.")),
    Figure("proposals", _("Proposals"), _("What the district asks of the province.")),
]

NUMBER_KEYS = [f.key for f in NUMBERS]
TEXT_KEYS = [f.key for f in TEXTS]
CONFIRM_KEY = "focal_officer_confirmed"
ALL_KEYS = [*NUMBER_KEYS, *TEXT_KEYS, CONFIRM_KEY]
MAX_NUMBER = 10_000_000
MAX_TEXT = 4000


def by_key(key: str) -> Figure:
    for figure in (*NUMBERS, *TEXTS):
        if figure.key == key:
            return figure
    raise KeyError(key)


def difference(figure: Figure, reported: int | None, system: int | None) -> tuple[int | None, bool]:
    """(reported − system, whether to highlight it) for one figure."""
    if reported is None or system is None or not figure.system:
        return None, False
    diff = reported - system
    if figure.compare == AT_LEAST:
        return diff, diff < 0
    return diff, diff != 0


# A figure that cannot exceed another one (key, upper bound).
AT_MOST = [("violations_found", "venues_inspected"), ("sanctions_imposed", "violations_found")]


def check_values(values: dict, *, complete: bool) -> dict[str, str]:
    """Problems per field key; ``complete`` (a submission) needs every figure and the confirmation."""
    problems: dict[str, str] = {}
    for key in NUMBER_KEYS:
        value = values.get(key)
        if value is None:
            if complete:
                problems[key] = gettext("Enter a figure (0 if there is nothing to report).")
        elif not 0 <= value <= MAX_NUMBER:
            problems[key] = gettext("Must be between %(min)s and %(max)s.") % {"min": 0, "max": MAX_NUMBER}
    for key, bound in AT_MOST:
        value, limit = values.get(key), values.get(bound)
        if key not in problems and value is not None and limit is not None and value > limit:
            problems[key] = gettext("Cannot be more than “%(other)s” (%(limit)s).") % {
                "other": by_key(bound).label,
                "limit": limit,
            }
    for key in TEXT_KEYS:
        if len(values.get(key) or "") > MAX_TEXT:
            problems[key] = gettext("At most %(n)s characters.") % {"n": MAX_TEXT}
    if complete and not values.get(CONFIRM_KEY):
        problems[CONFIRM_KEY] = gettext("Confirm that the focal officer's name, phone and e-mail are current.")
    return problems
