"""Home, health check and notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from rollout import dbrouter, outbox
from rollout.celery import app as celery_app
from rollout.selectors.background import background_status


@login_required
def root(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """503 only when the database is down: a load balancer must not drop the web servers because the
    broker or a worker is silent. The body says how the background service is, for people and probes."""
    database = _check_database()
    body = {"status": "ok" if database == "ok" else "error", "database": database, "broker": _check_broker()}
    if database == "ok":
        status = background_status()
        backlog = outbox.backlog()
        body |= {
            "worker": {"last_heartbeat": _iso(status.worker_seen_at), "alive": status.worker_alive},
            "beat": {"last_heartbeat": _iso(status.beat_seen_at), "alive": status.beat_alive},
            "followups": {"waiting": backlog["waiting"], "failed": backlog["failed"]},
        }
    if dbrouter.replica_configured():
        # Not a reason for 503: without the replica its reads go to the primary.
        usable = dbrouter.replica_usable()
        body["replica"] = {"usable": usable, "lag_seconds": dbrouter.replica_lag()}
    return JsonResponse(body, status=200 if database == "ok" else 503)


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception:
        return "error"


def _check_broker() -> str:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return "ok"
    except Exception:
        return "error"


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(request.user.notifications.all()[:100])
    return render(request, "rollout/notifications.html", {"items": items})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")
