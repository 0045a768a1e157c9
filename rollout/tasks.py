"""Celery tasks of the core app. Thin: ids in, one service call."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def invitation_send_task(*, user_id: int) -> None:
    from rollout.services.accounts import invitation_send

    invitation_send(user_id=user_id)
