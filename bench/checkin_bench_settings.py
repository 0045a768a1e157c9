"""Bench-only settings: the real settings, with a URLconf that adds the ceiling view.

Used only by bench/checkin_load.py (DJANGO_SETTINGS_MODULE=checkin_bench_settings, bench/ on the path).
Production never loads this module, so the ceiling view is not reachable there.
"""

from rollout.settings import *  # noqa: F403 (the real settings, unchanged but for the URLconf)

ROOT_URLCONF = "checkin_bench_urls"
