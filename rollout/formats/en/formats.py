# English uses the same day-first dates as Vietnamese; only number separators differ.
from rollout.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
