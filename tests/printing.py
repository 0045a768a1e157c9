"""Printing documents as an official would: LibreOffice (headless, Debian's ``libreoffice-calc-nogui``)
converts them to PDF, poppler-utils count, read and render the pages.

``to_pdf`` converts several files in one LibreOffice run (its start-up is most of the time) with a profile
folder of its own, so two runs never share one; ``pages_text`` gives each page's text with runs of white
space made one space; ``render`` writes each page as a PNG.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "print"
CONVERT_TIMEOUT = 180  # seconds for one LibreOffice run (all the files it is given)
_runs = itertools.count(1)


def _require(*commands: str) -> None:
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: scripts/ensure-services.sh installs libreoffice-calc-nogui "
                    "and poppler-utils")  # fmt: skip


def to_pdf(files: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Each file converted to PDF into ``out_dir``: {file: pdf}."""
    _require("soffice")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir.parent / f"profile-{next(_runs)}"
    command = [
        "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
        "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, files),
    ]  # fmt: skip
    # Its own process group: on a time-out the whole of LibreOffice (soffice.bin under the launcher) is ended.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"LibreOffice did not convert {len(files)} file(s) within {CONVERT_TIMEOUT} s")
    pdfs = {f: out_dir / f"{f.stem}.pdf" for f in files}
    missing = [f.name for f, pdf in pdfs.items() if not pdf.exists()]
    assert not missing, (missing, process.returncode, stdout[-2000:], stderr[-2000:])
    return pdfs


@dataclass(frozen=True)
class PageSize:
    width: float  # points
    height: float

    @property
    def is_a4(self) -> bool:
        return sorted((round(self.width), round(self.height))) == [595, 842]

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def page_sizes(pdf: Path) -> list[PageSize]:
    _require("pdfinfo")
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", str(pdf)], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, flags=re.M)
    return [PageSize(float(w), float(h)) for w, h in sizes]


def pages_text(pdf: Path) -> list[str]:
    """Each page's text in drawing order (a wrapped cell's lines stay together), white space made single."""
    _require("pdftotext")
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [" ".join(page.split()) for page in pages]


def render(pdf: Path, prefix: str, *, dpi: int = 50) -> list[Path]:
    """The pages as PNG files ``ARTIFACTS/<prefix>-<n>.png`` (old ones of that prefix removed first), the
    PDF itself kept beside them as ``<prefix>.pdf``."""
    _require("pdftoppm")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{prefix}-*.png"):
        old.unlink()
    shutil.copyfile(pdf, ARTIFACTS / f"{prefix}.pdf")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(ARTIFACTS / prefix)], check=True)
    return sorted(ARTIFACTS.glob(f"{prefix}-*.png"))
