"""Office documents to PDF through LibreOffice headless (``settings.SOFFICE_BINARY``).

Each conversion gets a profile folder of its own (``-env:UserInstallation``): two conversions at once
sharing one profile make the second quit silently without a file. The PDF is written beside the target
under a temporary name and renamed, like every file the product stores.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

from rollout.workbooks import atomic_path


class ConversionError(RuntimeError):
    """LibreOffice is missing, timed out or wrote no PDF."""


def convert_to_pdf(source: Path, target: Path) -> None:
    """Convert ``source`` (DOCX, XLSX…) into the PDF ``target``."""
    binary = shutil.which(settings.SOFFICE_BINARY)
    if binary is None:
        raise ConversionError(f"{settings.SOFFICE_BINARY} not found")
    with tempfile.TemporaryDirectory(prefix="soffice-") as work:
        profile, out = Path(work) / "profile", Path(work) / "out"
        command = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(source),
        ]
        try:
            subprocess.run(  # noqa: S603 - the configured binary and our own paths, no shell
                command,
                check=True,
                capture_output=True,
                timeout=settings.SOFFICE_TIMEOUT_SECONDS,
                env={**os.environ, "HOME": work},
            )
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice did not finish in {settings.SOFFICE_TIMEOUT_SECONDS} s") from exc
        except subprocess.CalledProcessError as exc:
            raise ConversionError(f"LibreOffice failed: {exc.stderr.decode(errors='replace')[:300]}") from exc
        produced = out / f"{source.stem}.pdf"
        if not produced.is_file():
            raise ConversionError("LibreOffice wrote no PDF")
        with atomic_path(target) as tmp:
            shutil.copyfile(produced, tmp)
