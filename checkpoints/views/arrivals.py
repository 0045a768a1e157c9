"""Checkpoint staff: record arrivals (keyboard or QR scan), import a spreadsheet, list arrivals."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from checkpoints import selectors
from checkpoints.forms import DATETIME_LOCAL, ArrivalForm, ImportForm
from checkpoints.models import Declaration
from checkpoints.scoping import checkpoint_lists_for, checkpoints_for_arrivals
from checkpoints.services import arrivals as arrival_services
from checkpoints.services import imports
from checkpoints.services.declarations import declaration_from_qr_text, declaration_token
from rollout import scoping
from rollout.downloads import download_response
from rollout.middleware import allow_features
from rollout.models import Checkpoint, District
from rollout.permissions import can
from rollout.services.audit import audit_personal_view
from rollout.timeutils import local_now, local_today
from rollout.validators import mask_phone
from rollout.views.sheet_import import import_upload
from rollout.workbooks import workbook_bytes

# Roles that see people's arrivals (the rows themselves come from arrivals_for).
KEEP_SESSION_KEY = "arrival_keep"
KEPT_FIELDS = ("origin_province", "origin_district", "origin_commune", "destination_district",
               "destination_commune", "destination_address", "vehicle", "plate", "purpose")  # fmt: skip


def _recording_checkpoints(request: HttpRequest):
    checkpoints = checkpoints_for_arrivals(request.user)
    if not checkpoints.exists():
        raise PermissionDenied
    return checkpoints


def _chosen_checkpoint(request: HttpRequest, checkpoints) -> Checkpoint:
    raw = request.POST.get("checkpoint") or request.GET.get("checkpoint") or ""
    if raw.isdigit():
        chosen = checkpoints.filter(pk=int(raw)).first()
        if chosen is not None:
            return chosen
    own = checkpoints.filter(pk__in=request.user.scoped_checkpoint_ids()).first()
    return own or checkpoints.first()


def _prefill(declaration: Declaration) -> dict:
    data = arrival_services.ArrivalInput.from_declaration(declaration)
    initial = {name: getattr(data, name) for name in arrival_services.TravelInput.field_names()}
    initial["declaration"] = declaration_token(declaration)
    return {k: v for k, v in initial.items() if v not in (None, "")}


@login_required
@allow_features("camera")
def arrival_record(request: HttpRequest) -> HttpResponse:
    """The keyboard-first form: ID first, Enter saves, defaults for checkpoint, time and destination."""
    checkpoints = _recording_checkpoints(request)
    checkpoint = _chosen_checkpoint(request, checkpoints)
    now_shown = local_now().strftime(DATETIME_LOCAL)
    initial = {
        "checkpoint": checkpoint,
        "arrived_at": now_shown,
        "arrived_at_shown": now_shown,
        "destination_district": selectors.destination_most_chosen_today(checkpoint) or checkpoint.district_id,
    }
    initial |= request.session.pop(KEEP_SESSION_KEY, {}) if request.method == "GET" else {}
    scanned = None
    if request.method == "GET" and request.GET.get("qr"):
        scanned = declaration_from_qr_text(request.GET["qr"])
        if scanned is None:
            messages.error(request, _("This QR code is not a personal declaration code of this system."))
        else:
            initial |= _prefill(scanned)
    form = ArrivalForm(request.POST or None, checkpoints=checkpoints, initial=initial)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        declaration = declaration_from_qr_text(form.cleaned_data.get("declaration") or "")
        data = form.to_input(declaration_id=declaration.pk if declaration else None)
        action = request.POST.get("on_duplicate", arrival_services.OnDuplicate.ASK)
        if action not in arrival_services.OnDuplicate.ALL:
            action = arrival_services.OnDuplicate.ASK
        try:
            outcome = arrival_services.arrival_record(by=request.user, data=data, on_duplicate=action)
        except arrival_services.DuplicateSuspected as exc:
            duplicate = exc.existing
            # The question gets the keyboard: Enter confirms, Tab reaches "merge".
            form.fields["id_number"].widget.attrs.pop("autofocus", None)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            arrival = outcome.arrival
            moment = timezone.localtime(arrival.arrived_at).strftime("%H:%M")
            if outcome.merged:
                messages.success(
                    request, _("Merged into the earlier record of %(name)s.") % {"name": arrival.full_name}
                )
            else:
                messages.success(
                    request, _("Saved: %(name)s at %(time)s.") % {"name": arrival.full_name, "time": moment}
                )
            if form.cleaned_data.get("keep_vehicle"):
                request.session[KEEP_SESSION_KEY] = {
                    k: form.cleaned_data.get(k) for k in KEPT_FIELDS if form.cleaned_data.get(k) not in (None, "")
                } | {"keep_vehicle": True}
            return redirect(reverse("checkpoints:arrival-record") + f"?checkpoint={data.checkpoint}")
    start = local_today()
    recent = list(selectors.arrival_list_for(request.user, day=start, checkpoint=checkpoint.pk)[:15])
    audit_personal_view(
        request,
        "arrival_record",
        obj=checkpoint,
        day=start.isoformat(),
        rows=len(recent),
        **({"duplicate_of": duplicate.pk} if duplicate else {}),
        **({"declaration": scanned.pk} if scanned else {}),
    )
    return render(
        request,
        "checkpoints/arrival_record.html",
        {
            "form": form,
            "checkpoint": checkpoint,
            "checkpoints": checkpoints,
            "duplicate": duplicate,
            "duplicate_phone": mask_phone(duplicate.phone) if duplicate and duplicate.phone else "",
            "scanned": scanned,
            "recent": [(a, mask_phone(a.phone) if a.phone else "") for a in recent],
            "today_count": selectors.arrival_list_for(request.user, day=start, checkpoint=checkpoint.pk).count(),
        },
    )


@login_required
def arrival_prefill(request: HttpRequest) -> JsonResponse:
    """A scanned personal QR -> the declaration's fields, for the form's one-tap confirmation."""
    _recording_checkpoints(request)
    declaration = declaration_from_qr_text(request.GET.get("qr", ""))
    if declaration is None:
        return JsonResponse(
            {"message": _("This QR code is not a personal declaration code of this system."), "extra": {}},
            status=404,
        )
    fields = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in _prefill(declaration).items()}
    audit_personal_view(request, "declaration", obj=declaration)
    summary = _("Declaration of %(name)s, %(day)s") % {
        "name": declaration.full_name,
        "day": timezone.localtime(declaration.created_at).strftime("%d/%m/%Y"),
    }
    return JsonResponse({"fields": fields, "summary": summary})


def _filtered_object(checkpoint: str, district: str) -> Checkpoint | District | None:
    """What an arrival list was narrowed to, for the audit log (the checkpoint before the district)."""
    if checkpoint.isdigit():
        return Checkpoint.objects.filter(pk=int(checkpoint)).first()
    if district.isdigit():
        return District.objects.filter(pk=int(district)).first()
    return None


@login_required
def arrival_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "arrivals.read"):
        raise PermissionDenied
    raw_day = request.GET.get("date", "")
    try:
        day = date.fromisoformat(raw_day) if raw_day else local_today()
    except ValueError:
        day = local_today()
    checkpoint = request.GET.get("checkpoint", "")
    district = request.GET.get("district", "")
    arrivals = selectors.arrival_list_for(
        request.user,
        day=day,
        checkpoint=int(checkpoint) if checkpoint.isdigit() else None,
        district=int(district) if district.isdigit() else None,
    )
    page = Paginator(arrivals, 50).get_page(request.GET.get("page"))
    audit_personal_view(
        request,
        "arrivals",
        obj=_filtered_object(checkpoint, district),
        day=day.isoformat(),
        checkpoint=int(checkpoint) if checkpoint.isdigit() else None,
        district=int(district) if district.isdigit() else None,
        page=page.number,
        rows=len(page.object_list),
    )
    params = request.GET.copy()
    params.pop("page", None)
    # One download button: the checkpoint filtered on, or the user's only checkpoint.
    exportable = checkpoint_lists_for(request.user)
    export = exportable.filter(pk=int(checkpoint)).first() if checkpoint.isdigit() else None
    if export is None and len(candidates := list(exportable[:2])) == 1:
        export = candidates[0]
    return render(
        request,
        "checkpoints/arrival_list.html",
        {
            "page": page,
            "rows": [(a, mask_phone(a.phone) if a.phone else "") for a in page],
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1) if day < local_today() else None,
            "checkpoints": scoping.checkpoints_for(request.user).filter(arrivals__isnull=False).distinct()
            if can(request.user, "reports.read_all")
            else scoping.checkpoints_for(request.user),
            "districts": scoping.districts_for(request.user),
            "filters": {"checkpoint": checkpoint, "district": district, "querystring": params.urlencode()},
            "export": export,
        },
    )


# --- Import -----------------------------------------------------------------------------------


@login_required
def arrival_import(request: HttpRequest) -> HttpResponse:
    """Upload a file; its page shows every row checked, then the confirmation: nothing is stored before."""
    checkpoints = _recording_checkpoints(request)
    posted = request.method == "POST"
    form = ImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        checkpoints=checkpoints,
        initial={"checkpoint": _chosen_checkpoint(request, checkpoints)},
    )
    if posted and form.is_valid():
        job = import_upload(request, form, kind="arrivals", params={"checkpoint": form.cleaned_data["checkpoint"].pk})
        if job is not None:
            return redirect("import-job", pk=job.pk)
    return render(request, "checkpoints/arrival_import.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def arrival_import_template(request: HttpRequest) -> HttpResponse:
    _recording_checkpoints(request)
    return download_response(workbook_bytes(imports.import_template()), filename="mau-nhap-nguoi-den.xlsx")
