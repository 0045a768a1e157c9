"""The WSGI module the web server loads: the application, and the loaded heap set aside from the garbage
collector (its full collections then walk only what requests leave behind)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_wsgi_module_freezes_what_start_up_loaded():
    code = "import gc; n = gc.get_freeze_count(); import rollout.wsgi; print(n, gc.get_freeze_count())"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True, check=True
    ).stdout
    before, after = map(int, out.split())
    assert before == 0 and after > 50_000  # Django and the apps: well over a hundred thousand objects here
