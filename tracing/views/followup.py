"""Follow-up forms of the result page: mark a candidate, ask for the second ring. POST, then back."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rollout.errors import ApplicationError
from rollout.permissions import capability_required
from tracing.forms import MarkForm
from tracing.selectors import tracing_search_for
from tracing.services.followup import mark_candidate
from tracing.services.ring2 import ring2_request


@require_POST
@capability_required("tracing.search")
def candidate_mark(request: HttpRequest, pk: int, rank: int) -> HttpResponse:
    search = tracing_search_for(request.user, pk)
    candidate = get_object_or_404(search.candidates, rank=rank)
    form = MarkForm(request.POST)
    back = reverse("tracing:search-detail", args=[search.pk]) + f"#candidate-{rank}"
    if not form.is_valid():
        errors = [f"{form.fields[name].label}: {' '.join(e)}" for name, e in form.errors.items()]
        messages.error(
            request, _("Number %(rank)s was not saved. %(errors)s") % {"rank": rank, "errors": " ".join(errors)}
        )
        return redirect(back)
    try:
        mark_candidate(candidate, by=request.user, request=request, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, _("Number %(rank)s was not saved. %(errors)s") % {"rank": rank, "errors": exc.message})
    else:
        messages.success(
            request,
            _("Number %(rank)s, %(name)s: %(status)s.")
            % {"rank": rank, "name": candidate.full_name, "status": candidate.get_status_display()},
        )
    return redirect(back)


@require_POST
@capability_required("tracing.search")
def ring2_ask(request: HttpRequest, pk: int) -> HttpResponse:
    search = tracing_search_for(request.user, pk)
    ranks = [int(r) for r in request.POST.getlist("ranks") if r.strip().isdigit()]
    try:
        found = ring2_request(search, by=request.user, ranks=ranks, request=request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("tracing:search-detail", args=[search.pk]) + "#ring1")
    messages.success(request, _("Second ring: %(count)s F2 candidates found.") % {"count": found.count()})
    return redirect(reverse("tracing:search-detail", args=[search.pk]) + "#ring2")
