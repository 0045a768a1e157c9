"""The public check-in pages behind a venue's QR code (no account): /c/<token>/ and the visit page.

Every answer is a page a visitor can understand: a bad token is a friendly 404, a rotated one says the
code was replaced, too many requests a Vietnamese 429. Rate limits are counted before any database work.
"""

from __future__ import annotations

import contextlib
import functools
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rollout import qr
from rollout.errors import ApplicationError
from rollout.http import client_ip
from rollout.models import Venue
from rollout.ratelimit import hit, too_many
from rollout.validators import mask_phone
from venues.forms import CheckInForm
from venues.models import CheckIn
from venues.services import checkins as svc


def _over_limit(request: HttpRequest, token: str) -> bool:
    """True when this request is over a limit. Writes count per address and per venue token."""
    ip = client_ip(request)
    if request.method == "POST":
        return not svc.checkin_gate(ip=ip, token=token, phone="").allowed
    return not hit("checkin-page-ip", ip, settings.CHECKIN_PAGE_RATE_PER_IP)


def _venue_or_page(request: HttpRequest, token: str) -> tuple[Venue | None, HttpResponse | None]:
    # Only the form shows the venue's commune and district; a check-in POST needs the venue alone.
    found = svc.venue_from_token(token, with_place=request.method == "GET")
    if found.venue is not None and found.venue.is_active:
        return found.venue, None
    if found.replaced is not None:
        return None, render(request, "checkin/replaced.html", {"venue": found.replaced}, status=410)
    if found.venue is not None:
        return None, render(request, "checkin/not_in_use.html", {"venue": found.venue}, status=410)
    return None, render(request, "checkin/invalid.html", status=404)


def _short_code_page(request: HttpRequest, code: str) -> HttpResponse:
    """A code typed from the poster (/c/K7M2QX/) leads to the venue's check-in page, as its QR does."""
    if _over_limit(request, code):
        return too_many(request)
    found = svc.venue_from_short_code(code)
    if found.venue is not None and found.venue.is_active:
        return redirect("checkin:checkin", token=svc.venue_token(found.venue))
    if found.replaced is not None:
        return render(request, "checkin/replaced.html", {"venue": found.replaced}, status=410)
    if found.venue is not None:
        return render(request, "checkin/not_in_use.html", {"venue": found.venue}, status=410)
    return render(request, "checkin/invalid.html", status=404)


def _visit_or_page(request: HttpRequest, token: str, visit: str) -> tuple[CheckIn | None, HttpResponse | None]:
    """The visit a visit link points at (its venue already attached), or the page to answer instead
    (429, 404, 410)."""
    if _over_limit(request, token):
        return None, too_many(request)
    venue, page = _venue_or_page(request, token)
    if page is not None:
        return None, page
    checkin_row = svc.visit_from_token(venue, visit)
    if checkin_row is None:
        return None, render(request, "checkin/invalid.html", status=404)
    checkin_row.venue = venue
    return checkin_row, None


@functools.cache
def _assets() -> dict[str, str]:
    """Static URLs of the confirmation page, looked up once per process (the manifest does not change)."""
    return {
        name: static(path)
        for name, path in (("css", "css/app.css"), ("icon", "img/favicon.svg"), ("js", "js/checkin.js"))
    }


def _hm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _dmy(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")  # dd/mm/yyyy in both languages (SPEC §11)


def _visit_page(request: HttpRequest, venue: Venue, token: str, checkin: CheckIn, *, status: int = 200):
    """The confirmation. Times and links are prepared here rather than by template filters and tags:
    this page answers every check-in, and that halves its rendering time."""
    visit = svc.visit_token(checkin)
    base = f"/c/{token}/v/{visit}/"
    closes = checkin.closes_at
    left = checkin.effective_checkout
    out = checkin.checked_out_at
    return render(
        request,
        "checkin/visit.html",
        {
            "venue": venue,
            "checkin": checkin,
            "token": token,
            "visit_url": base,
            "checkout_url": base + "out/",
            "pass_url": base + "pass.svg",
            "masked_phone": mask_phone(checkin.phone),
            "in_hm": _hm(checkin.checked_in_at),
            "in_dmy": _dmy(checkin.checked_in_at),
            "in_iso": timezone.localtime(checkin.checked_in_at).isoformat(),
            "closes_iso": timezone.localtime(closes).isoformat(),
            "out_hm": _hm(out) if out else "",
            "out_dmy": _dmy(out) if out else "",
            "left_hm": _hm(left),
            "left_hm_dmy": f"{_hm(left)} {_dmy(left)}",
            "can_check_out": out is None and timezone.now() < closes,
            "assets": _assets(),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The form on GET; on POST, record the check-in and answer with the confirmation page itself
    (one round trip on a slow mobile connection; the page then swaps its address for the visit
    page, so a reload shows it rather than posting again)."""
    if request.method == "GET" and ":" not in token and qr.short_code_from_text(token):
        return _short_code_page(request, token)
    form = CheckInForm(request.POST if request.method == "POST" else None)
    valid = form.is_valid()  # parsing only: nothing is read or written before the limits are counted
    if request.method == "POST":
        gate = svc.checkin_gate(ip=client_ip(request), token=token, phone=form.cleaned_data["phone"] if valid else "")
        limited = not gate.allowed
    else:
        limited = _over_limit(request, token)
    if limited:
        return too_many(request)
    venue, page = _venue_or_page(request, token)
    if page is not None:
        return page
    if valid:
        checkin_row, _created = svc.checkin_create(venue=venue, data=form.as_input(), maybe_repeat=gate.maybe_repeat)
        return _visit_page(request, venue, token, checkin_row)
    return render(request, "checkin/form.html", {"venue": venue, "token": token, "form": form})


@never_cache
@require_GET
def visit(request: HttpRequest, token: str, visit: str) -> HttpResponse:
    checkin_row, page = _visit_or_page(request, token, visit)
    if page is not None:
        return page
    return _visit_page(request, checkin_row.venue, token, checkin_row)


@require_POST
def checkout(request: HttpRequest, token: str, visit: str) -> HttpResponse:
    checkin_row, page = _visit_or_page(request, token, visit)
    if page is not None:
        return page
    # A visit closed at midnight has nothing to check out; the visit page explains it.
    with contextlib.suppress(ApplicationError):
        svc.checkin_checkout(checkin=checkin_row)
    return redirect("checkin:visit", token=token, visit=visit)


@require_GET
def pass_image(request: HttpRequest, token: str, visit: str) -> HttpResponse:
    """The visitor pass QR (SVG) shown on the visit page."""
    checkin_row, page = _visit_or_page(request, token, visit)
    if page is not None:
        return page
    response = HttpResponse(qr.qr_svg(svc.visitor_pass_text(checkin_row)), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def visitor_pass(request: HttpRequest, token: str) -> HttpResponse:
    """Where a phone camera lands when someone scans a visitor pass: what it is, no personal data."""
    if _over_limit(request, token):
        return too_many(request)
    return render(request, "checkin/pass.html")
