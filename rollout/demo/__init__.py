"""The demo province: each app registers its steps (``register_step``) and ``manage.py seed_demo`` runs
them in order. A step must be idempotent: running seed_demo again leaves an already-seeded database as it
is, apart from resetting the demo passwords.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class DemoContext:
    out: TextIO
    rng: random.Random = field(default_factory=lambda: random.Random(2021))
    days: int = 30


# Steps by order: master data 10, users 20, activity 30-50, reports 80 (they read the figures of
# everything before), the dashboard's daily figures last (99: computed from whatever raw data exists).
_STEPS: list[tuple[int, Callable[[DemoContext], None]]] = []


def register_step(order: int, step: Callable[[DemoContext], None]) -> None:
    if all(s is not step for _o, s in _STEPS):
        _STEPS.append((order, step))


def steps() -> list[Callable[[DemoContext], None]]:
    return [step for _order, step in sorted(_STEPS, key=lambda item: item[0])]
