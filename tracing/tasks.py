"""Celery tasks of contact tracing. Thin: ids in, one service call (claimed and retried through the outbox)."""

from __future__ import annotations

from celery import shared_task


@shared_task
def tracing_list_notify_task(*, tracing_list_id: int) -> None:
    from tracing.services.lists import tracing_list_notify

    tracing_list_notify(tracing_list_id=tracing_list_id)
