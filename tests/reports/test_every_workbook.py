"""Every workbook the product writes keeps hostile text as text: no formula, no crash on control characters.

An agency, a venue, people and a district's comment are named ``=HYPERLINK("x","y")``, ``+1``, ``-1``,
``@A1`` and ``Nguyễn\\x01 Văn``; each workbook is built and its XML read back. The only formulas allowed are
the product's own (the weekly template's difference column).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests.reports.workbooks import every_workbook

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


def test_every_workbook_keeps_hostile_text_as_text(request, clock, tmp_path):
    workbooks = every_workbook(request, names=HOSTILE, root=tmp_path)

    for label, content in workbooks.items():
        if label in {"daily list", "checkpoint list", "visitor log", "roll-up", "report template", "adoption template",
                     "account template", "tracing candidates", "tracing list"}:  # fmt: skip
            _assert_safe(content, label)
        else:  # a template with no user text in it: still no formula
            assert not _formulas_and_text(content)[0], label
    assert len(workbooks) == 12
