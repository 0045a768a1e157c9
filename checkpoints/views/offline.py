"""Arrivals queued on the checkpoint's device while offline, sent one by one when the network returns."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from checkpoints.forms import ArrivalForm
from checkpoints.scoping import checkpoints_for_arrivals
from checkpoints.services import arrivals as arrival_services
from checkpoints.services.declarations import declaration_from_qr_text
from checkpoints.services.offline import arrival_sync as arrival_sync_service
from checkpoints.views.arrivals import prefill_from_declaration
from rollout.errors import ApplicationError
from rollout.services.audit import audit_personal_view
from rollout.sync import (
    client_id_clean,
    sync_body,
    sync_duplicate,
    sync_refused,
    sync_saved,
    sync_session_expired,
)
from rollout.validators import mask_phone

CHECK_FIELDS = _("Check the marked fields and send again.")


def _form_data(fields: dict) -> dict:
    """The queued form's values as the form reads them (text, or a list for a multiple choice)."""
    data = {}
    for name, value in fields.items():
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    return data


def _with_declaration(data: dict) -> dict:
    """A personal QR scanned offline was kept as it was read: its declaration fills what the officer left
    empty, as the online form does when the code is scanned."""
    declaration = declaration_from_qr_text(data.get("declaration", ""))
    if declaration is None:
        return data
    known = prefill_from_declaration(declaration)
    for name, value in known.items():
        if not data.get(name):
            data[name] = value.isoformat() if isinstance(value, date) else str(value)
    return data


@never_cache
@require_POST
def arrival_sync(request):
    """One queued arrival -> saved (again: already stored), a likely duplicate to decide, or refused."""
    if not request.user.is_authenticated:
        return sync_session_expired()
    checkpoints = checkpoints_for_arrivals(request.user)
    if not checkpoints.exists():
        return sync_refused(_("You do not record arrivals at any checkpoint."), status=403)
    try:
        body = sync_body(request)
        client_id = client_id_clean(body.get("client_id"))
    except ApplicationError as exc:
        return sync_refused(exc.message, exc.extra.get("fields"))
    fields = body.get("fields")
    data = _with_declaration(_form_data(fields if isinstance(fields, dict) else {}))
    if data.get("declaration") and declaration_from_qr_text(data["declaration"]) is None:
        message = _("This QR code is not a personal declaration code of this system.")
        return sync_refused(message, {"declaration": [message]}, {"declaration": _("Personal QR code")})
    form = ArrivalForm(data, checkpoints=checkpoints)
    if not form.is_valid():
        return sync_refused(CHECK_FIELDS, form.errors, {name: f.label for name, f in form.fields.items()})
    declaration = declaration_from_qr_text(form.cleaned_data.get("declaration") or "")
    action = body.get("on_duplicate")
    if action not in arrival_services.OnDuplicate.ALL:
        action = arrival_services.OnDuplicate.ASK
    try:
        outcome = arrival_sync_service(
            by=request.user,
            client_id=client_id,
            data=form.to_input(declaration_id=declaration.pk if declaration else None),
            on_duplicate=action,
        )
    except arrival_services.DuplicateSuspected as exc:
        existing = exc.existing
        audit_personal_view(request, "arrival_record", obj=existing, duplicate_of=existing.pk, rows=1)
        return sync_duplicate(
            exc.message,
            [
                (arrival_services.OnDuplicate.CONFIRM, _("Someone else or another crossing: save anyway (flagged)")),
                (arrival_services.OnDuplicate.MERGE, _("The same arrival: merge into the earlier record")),
            ],
            earlier={
                "name": existing.full_name,
                "time": timezone.localtime(existing.arrived_at).strftime("%H:%M %d/%m/%Y"),
                "id_number": existing.id_number,
                "phone": mask_phone(existing.phone) if existing.phone else "",
            },
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return sync_refused(CHECK_FIELDS, errors, {name: f.label for name, f in form.fields.items()})
    except ApplicationError as exc:
        return sync_refused(exc.message, exc.extra.get("fields"))
    except PermissionDenied:
        return sync_refused(_("You may not record arrivals at this checkpoint."), status=403)
    arrival = outcome.arrival
    if arrival is None:
        return sync_saved(_("Already saved."), object_id=None, again=True)
    moment = timezone.localtime(arrival.arrived_at).strftime("%H:%M")
    if outcome.merged:
        message = _("Merged into the earlier record of %(name)s.") % {"name": arrival.full_name}
    else:
        message = _("Saved: %(name)s at %(time)s.") % {"name": arrival.full_name, "time": moment}
    return sync_saved(message, object_id=arrival.pk, again=outcome.again, created=outcome.created)
