"""Public pages (no account): declarations, the personal pass with its QR, and unit look-ups."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from checkpoints.forms import DeclarationForm
from checkpoints.models import Declaration, DeclarationKind
from checkpoints.services.declarations import (
    declaration_from_token,
    declaration_qr_text,
    declaration_submit,
    declaration_token,
)
from checkpoints.units import unit_index
from rollout import qr
from rollout.downloads import download_response
from rollout.ratelimit import rate_limit
from rollout.text import vi_sort_key
from rollout.validators import mask_phone


def declaration_start(request: HttpRequest) -> HttpResponse:
    return render(request, "checkpoints/public/declare_start.html", {"kinds": DeclarationKind.choices})


@rate_limit("declaration-ip", "10/m")
@rate_limit("declaration-ip-hour", "60/h")
def declaration_create(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in DeclarationKind.values:
        raise Http404
    form = DeclarationForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = declaration_submit(data=form.to_input())
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("declarations:pass", token=declaration_token(declaration))
    return render(
        request,
        "checkpoints/public/declare_form.html",
        {"form": form, "kind": kind, "kind_label": DeclarationKind(kind).label},
    )


def _declaration_or_page(request: HttpRequest, token: str) -> Declaration | HttpResponse:
    declaration = declaration_from_token(token)
    if declaration is None:
        return render(request, "checkpoints/public/pass_invalid.html", status=404)
    return declaration


def _pass_context(declaration: Declaration, token: str) -> dict:
    id_number = declaration.id_number
    return {
        "declaration": declaration,
        "token": token,
        "qr_text": declaration_qr_text(declaration),
        "phone": mask_phone(declaration.phone) if declaration.phone else "",
        "id_number": f"*****{id_number[-3:]}" if id_number else "",
    }


@rate_limit("pass-ip", "120/m", methods=("GET",))
def declaration_pass(request: HttpRequest, token: str) -> HttpResponse:
    """The person's pass: their QR to show at checkpoints and venues."""
    found = _declaration_or_page(request, token)
    if isinstance(found, HttpResponse):
        return found
    response = render(request, "checkpoints/public/pass.html", _pass_context(found, token))
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@rate_limit("pass-ip", "120/m", methods=("GET",))
def declaration_pass_print(request: HttpRequest, token: str) -> HttpResponse:
    found = _declaration_or_page(request, token)
    if isinstance(found, HttpResponse):
        return found
    context = _pass_context(found, token) | {"qr_svg": qr.qr_svg(declaration_qr_text(found))}
    response = render(request, "checkpoints/public/pass_print.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@rate_limit("pass-ip", "120/m", methods=("GET",))
def declaration_pass_qr(request: HttpRequest, token: str) -> HttpResponse:
    found = _declaration_or_page(request, token)
    if isinstance(found, HttpResponse):
        return found
    response = download_response(
        qr.qr_png(declaration_qr_text(found)), filename=f"ma-qr-ca-nhan-{found.created_at:%Y%m%d}.png",
        content_type="image/png", inline=not request.GET.get("download"),
    )  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@rate_limit("units-ip", "240/m", methods=("GET",))
@cache_control(public=True, max_age=24 * 3600)
def units(request: HttpRequest) -> JsonResponse:
    """Districts of a province (?province=) or communes of a district (?district=), for the selects."""
    index = unit_index()
    province, district = request.GET.get("province", ""), request.GET.get("district", "")
    if province.isdigit():
        code = int(province)
        items = [(c, n) for c, n in index.district_name.items() if index.district_province[c] == code]
    elif district.isdigit():
        code = int(district)
        items = [(c, n) for c, n in index.commune_name.items() if index.commune_district[c] == code]
    else:
        return JsonResponse({"message": _("Give ?province= or ?district=."), "extra": {}}, status=400)
    items.sort(key=lambda item: vi_sort_key(item[1]))
    return JsonResponse({"units": [{"code": c, "name": n} for c, n in items]})
