from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from rollout.celery import app as celery_app
from rollout.models import FollowUp, Heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_200_and_says_how_the_background_service_is(client, units):
    now = timezone.now()
    Heartbeat.objects.create(name="worker:host:1", seen_at=now - timedelta(seconds=5))
    Heartbeat.objects.create(name="beat", seen_at=now - timedelta(minutes=30))
    FollowUp.objects.create(task="rollout.tasks.invitation_send_task", kwargs={"user_id": 1})
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert body["worker"] == {"last_heartbeat": (now - timedelta(seconds=5)).isoformat(), "alive": True}
    assert body["beat"]["alive"] is False  # silent for 30 minutes
    assert body["followups"] == {"waiting": 1, "failed": 0}


def test_healthz_without_any_heartbeat_says_never(client, units):
    body = client.get("/healthz").json()
    assert body["worker"] == {"last_heartbeat": None, "alive": False}
    assert body["beat"] == {"last_heartbeat": None, "alive": False}


def test_healthz_stays_200_when_the_broker_is_down(client, units, monkeypatch):
    """A load balancer must not drop the web servers because the broker or a worker is away."""
    # Nothing listens on port 1: the broker connection is refused.
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "error"
    assert response.json()["database"] == "ok"
