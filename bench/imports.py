"""Benchmark: what a 200,000-row import costs now that every import is bounded before it is read.

For each import (accounts, adoption figures, arrivals) a real 200,000-row XLSX with the import's headers
(``tests.bigsheet``) goes through ``rollout.uploads.check_upload``, the step the upload request runs before
anything else; it is refused at the first row over the limit. Printed per file: size, seconds, the peak
of Python allocations (tracemalloc) and the process's peak resident memory above its size after start-up
(VmHWM). Then, for comparison, the same arrivals file read whole as before (calamine, every row), and the
largest file a worker is given: 20,000 arrival rows, counted and read (``tabular.read_table``) as the
background job does. Each measure runs in a child process of its own, so one does not inherit another's
peak. No database is needed:

    DJANGO_DEBUG=1 .venv/bin/python bench/imports.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")


def _hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_hwm() -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux): the peak measured is this step's.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _child(step: str, kind: str, path: str) -> None:
    import django

    django.setup()
    from checkpoints.services.imports import import_columns
    from rollout import tabular, uploads
    from rollout.errors import ApplicationError
    from rollout.workbooks import read_sheet_rows

    _reset_hwm()
    base = _hwm_mb()
    tracemalloc.start()
    started = time.perf_counter()
    outcome = ""
    with open(path, "rb") as fh:
        try:
            if step == "check":
                outcome = f"{uploads.check_upload(fh, rows=uploads.max_rows(kind))} rows taken"
            elif step == "whole":  # what the arrivals import did before: every row read, then counted
                outcome = f"{sum(1 for _ in read_sheet_rows(fh))} rows read"
            else:  # the worker's read of the largest file allowed
                table = tabular.read_table(fh, import_columns(), max_rows=uploads.max_rows(kind), fast=True)
                outcome = f"{len(table.rows)} rows read"
        except ApplicationError as exc:
            outcome = f"refused: {exc.message}"
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    print(json.dumps({"seconds": seconds, "python_peak_mb": peak / 2**20, "rss_peak_mb": _hwm_mb() - base,
                      "outcome": outcome}))  # fmt: skip


def _measure(step: str, kind: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", step, kind, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _files(folder: Path, rows: int) -> dict[str, Path]:
    import django

    django.setup()
    from django.utils import translation

    from checkpoints.services.imports import import_columns as arrival_columns
    from platforms.services.adoption import import_columns as adoption_columns
    from rollout.services.accounts import import_columns as account_columns
    from tests.bigsheet import write_xlsx

    def headers(columns) -> list[str]:
        return [str(c.header) for c in columns]

    def arrival(i: int) -> list:
        minute = i % 1440
        return [f"02/11/2021 {minute // 60:02d}:{minute % 60:02d}", f"Nguyễn Văn {i}", 1985, None, f"09{i:08d}",
                "Hà Nội", "", "", "Bát Xát"]  # fmt: skip

    with translation.override("vi"):
        return {
            "accounts": write_xlsx(folder / "accounts.xlsx", headers(account_columns()),
                                   ([f"user{i}", f"Nguyễn Văn {i}", f"u{i}@laocai.gov.vn", "", "Cán bộ cấp huyện", 82]
                                    for i in range(rows))),
            "adoption": write_xlsx(folder / "adoption.xlsx", headers(adoption_columns()),
                                   ([i + 1, "", "02/11/2021", 40, 30, 10, 20] for i in range(rows))),
            "arrivals": write_xlsx(folder / "arrivals.xlsx", headers(arrival_columns()),
                                   (arrival(i) for i in range(rows))),
            "arrivals-20000": write_xlsx(folder / "arrivals-20000.xlsx", headers(arrival_columns()),
                                         (arrival(i) for i in range(20_000))),
        }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        files = _files(Path(folder), args.rows)
        print(f"files written in {time.perf_counter() - started:.1f} s")

        def line(label: str, path: Path, result: dict) -> None:
            print(f"{label:<34} {path.stat().st_size / 2**20:5.1f} MB  {result['seconds']:6.2f} s  "
                  f"python peak {result['python_peak_mb']:6.1f} MB  RSS peak +{result['rss_peak_mb']:6.1f} MB  "
                  f"{result['outcome']}")  # fmt: skip

        for kind in ("accounts", "adoption", "arrivals"):
            line(f"{kind}, {args.rows:,} rows: upload check", files[kind], _measure("check", kind, files[kind]))
        line(
            f"arrivals, {args.rows:,} rows: read whole",
            files["arrivals"],
            _measure("whole", "arrivals", files["arrivals"]),
        )
        big = files["arrivals-20000"]
        line("arrivals, 20,000 rows: upload check", big, _measure("check", "arrivals", big))
        line("arrivals, 20,000 rows: worker read", big, _measure("read", "arrivals", big))


if __name__ == "__main__":
    main()
