"""Queued work runs on a real Celery worker process (Redis broker, the test database)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rollout.models import Role, User
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_invitation_email_is_sent_by_the_worker_after_commit(celery_worker, client_for, province_admin, bat_xat):
    response = client_for(province_admin).post(
        reverse("accounts:user-create"),
        {
            "username": "bx.worker",
            "full_name": "Hà Thị Vân",
            "email": "van@laocai.gov.vn",
            "role": Role.DISTRICT_OFFICER,
            "district": bat_xat.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="bx.worker")
    body = wait_for(celery_worker.mail_text, message="the invitation e-mail")
    assert "To: van@laocai.gov.vn" in body
    assert "/accounts/invitation/" in body
    wait_for(lambda: celery_worker.succeeded("invitation_send_task"), message="the task's success in the log")
    assert user.pk
