"""The nightly job creating the day partitions ahead (``rollout.partitions``), recorded for the jobs panel."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from rollout import partitions
from rollout.figures import num
from rollout.services.jobs import job_run


def partitions_ahead(*, today: date | None = None) -> partitions.AheadResult:
    with job_run(partitions.JOB) as run:
        result = partitions.ensure_ahead(today)
        run.result = _("Day partitions created: %(created)s; rows outside them: %(outside)s") % {
            "created": num(sum(result.created.values())),
            "outside": num(sum(result.in_default.values())),
        }
    return result
