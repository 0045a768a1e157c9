"""The installable staff app: its manifest, its service worker, and the session check before a sync."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rollout.offline import WORKBOX_STATIC, offline_pages, offline_urls_for, precached_static
from rollout.sync import sync_session_expired

THEME = "#1f5f8b"


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest, in the interface's language (Vietnamese by default)."""
    icon = staticfiles_storage.url
    body = {
        "name": _("COVID-19 technology rollout"),
        "short_name": _("COVID-19 rollout"),
        "description": _("Arrivals at checkpoints and venue entry, also without a network."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": "#ffffff",
        "icons": [
            {"src": icon("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": icon("img/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")


def _revision(name: str) -> str:
    found = finders.find(name)
    path = Path(found) if found else Path(staticfiles_storage.path(name))
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@lru_cache(maxsize=2)
def _worker_source(debug: bool) -> str:
    config = {
        # The revision makes a changed file fetched again even where its URL carries no hash (DEBUG).
        "precache": [{"url": staticfiles_storage.url(n), "revision": _revision(n)} for n in precached_static()],
        "pages": [page.path_pattern for page in offline_pages()],
        "units": reverse("declarations:units"),
        "session": reverse("offline-session"),
        "static": settings.STATIC_URL,
    }
    scripts = [staticfiles_storage.url(n) for n in (*WORKBOX_STATIC, "js/sw.js")]
    # The worker's logic is a static file; this answer only carries what changes with a deployment, so a
    # new deployment is a new worker (the browser compares this text).
    return (
        f"self.ROLLOUT_SW = {json.dumps(config, sort_keys=True)};\n"
        f"self.ROLLOUT_SW.version = {json.dumps(hashlib.sha256(json.dumps(config).encode()).hexdigest()[:16])};\n"
        f"importScripts({', '.join(json.dumps(s) for s in scripts)});\n"
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from the site's root: a worker under /static/ could not control /checkpoints/ pages."""
    response = HttpResponse(_worker_source(settings.DEBUG), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
@require_GET
def session(request: HttpRequest) -> JsonResponse:
    """Asked before each sync: who is signed in, and a fresh CSRF token (the page may be an old cached copy).

    401 rather than a redirect to the sign-in page, so the page can say so and keep its queue."""
    if not request.user.is_authenticated:
        return sync_session_expired()
    return JsonResponse({"user": request.user.pk, "csrf": get_token(request), "pages": offline_urls_for(request.user)})
