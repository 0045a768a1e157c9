"""bench/tracing.py at a tiny scale, on the test database, so the benchmark cannot rot: it fills the data, finds
the same contacts in bare SQL as the service does, and times the search through the API."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tracing.models import TracingSearch
from venues.models import CheckIn

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[2] / "bench" / "tracing.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_tracing", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_tracing_bench_runs_at_a_tiny_scale(units, settings, capsys):
    settings.PERSONAL_DATA_RETENTION_DAYS = 21
    bench = _bench()
    args = bench.parse_args(["--scale", "0.002", "--days", "20", "--requests", "2"])
    figures = bench.run(args)
    out = capsys.readouterr().out
    # 20 days x 100 check-ins, the F0's 40 visits; 3 trips with 2 fellow passengers each (6 people by car).
    assert CheckIn.objects.count() == 20 * 100 + 40
    assert figures["same"] and "bare SQL finds the same: yes" in out
    assert figures["candidates"] >= 6 and figures["queries"] > 0
    assert TracingSearch.objects.count() == 3 + 2 + 1  # warm-up, timed, and the one whose queries are counted
    for line in ("API search  median", "bare SQL    median", "goals p95 <= 300 ms"):
        assert line in out, line
    # A second run finds its marker and reuses the data.
    bench.run(args)
    assert "reusing the data filled on" in capsys.readouterr().out
    assert CheckIn.objects.count() == 20 * 100 + 40
