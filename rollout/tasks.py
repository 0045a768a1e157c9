"""Celery tasks of the core app. Thin: ids in, one service call.

Retries, claims and heartbeats are the task base class's (``rollout.background.Task``): no task here
retries through Celery, so no worker ever holds a countdown message.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(tracked=False)
def outbox_sweep_task() -> None:
    """Beat, every OUTBOX_SWEEP_SECONDS: send due follow-ups, re-queue the work of dead workers."""
    from rollout import background, outbox

    outbox.sweep()
    background.beat_once("beat")  # the sweep ran, so beat is alive


@shared_task
def invitation_send_task(*, user_id: int) -> None:
    from rollout.services.accounts import invitation_send

    invitation_send(user_id=user_id)


@shared_task
def personal_data_purge_task() -> None:
    """Nightly: delete check-ins, arrivals, declarations and daily lists older than the retention."""
    from rollout.services.retention import personal_data_purge

    personal_data_purge()


@shared_task
def partitions_ahead_task() -> None:
    """Nightly (PostgreSQL): the day partitions of check-ins and arrivals, created ahead."""
    from rollout.services.partitions import partitions_ahead

    partitions_ahead()


@shared_task
def import_job_task(*, job_id: int, step: str) -> None:
    """A large import: check the uploaded file ("check"), or store it once confirmed ("store")."""
    from rollout.services import imports

    if step == "check":
        imports.import_job_check(job_id)
    else:
        imports.import_job_store(job_id)


@shared_task
def backup_task() -> None:
    """Nightly: back up the database and the private files; delete backups past the retention."""
    from rollout.services.backups import backup_create

    backup_create()
