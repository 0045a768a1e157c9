"""API of contact tracing (SPEC §8): run a search, read it back. Health officers and province admins only."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from rollout.downloads import XLSX, download_response
from rollout.models import District
from rollout.permissions import HasCapability
from tracing.models import Candidate, CandidateStatus, ReasonKind, TracingSearch
from tracing.selectors import tracing_search_for, tracing_search_list_for
from tracing.services.followup import NOTE_MAX_CHARS, mark_candidate
from tracing.services.ring2 import ring2_request
from tracing.services.search import tracing_search
from tracing.services.workbook import export_filename, search_export


class SearchInputSerializer(serializers.Serializer):
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    start = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="First local day.")
    end = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="Last local day.")
    reason = serializers.CharField(max_length=1000)
    reason_kind = serializers.ChoiceField(choices=ReasonKind.choices, required=False)


class CandidateSerializer(serializers.ModelSerializer):
    district = serializers.SerializerMethodField()

    class Meta:
        model = Candidate
        fields = [
            "rank", "full_name", "phone", "phones", "id_number", "district", "source", "place",
            "first_contact_at", "exposure_minutes", "same_vehicle", "reasons", "status", "note", "ring", "via_rank",
        ]  # fmt: skip

    via_rank = serializers.SerializerMethodField(help_text="Ring 2: the rank of the F1 met.")

    def get_via_rank(self, candidate: Candidate) -> int | None:
        return candidate.via.rank if candidate.via_id else None

    def get_district(self, candidate: Candidate) -> dict | None:
        d = candidate.district
        return {"id": d.pk, "name": d.name} if d is not None else None


class SearchHeadSerializer(serializers.ModelSerializer):
    """A search without its candidates."""

    class Meta:
        model = TracingSearch
        fields = [
            "id", "created_at", "reason_kind", "reason", "phone", "id_number", "full_name", "start", "end",
            "record_count", "candidate_count", "timeline",
        ]  # fmt: skip


class SearchSerializer(SearchHeadSerializer):
    candidates = CandidateSerializer(many=True, read_only=True)

    class Meta(SearchHeadSerializer.Meta):
        fields = [*SearchHeadSerializer.Meta.fields, "candidates"]


def new_candidates_data(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``CandidateSerializer`` data of a new search's candidates, from the rows the search kept in memory.

    A search at busy venues finds hundreds of people: reading them back as model instances and serializing
    them field by field cost more than the search itself. A new search's candidates are all in the first
    ring and not followed up yet. A test checks that this answers exactly what reading the search back does."""
    names = dict(District.objects.filter(pk__in={r["district_id"] for r in rows}).values_list("pk", "name"))
    tz = timezone.get_current_timezone()

    def moment(value):  # ``serializers.DateTimeField`` (ISO 8601, the current zone), without its per-call cost
        text = value.astimezone(tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return [
        {
            "rank": row["rank"],
            "full_name": row["full_name"],
            "phone": row["phone"],
            "phones": row["phones"],
            "id_number": row["id_number"],
            "district": {"id": row["district_id"], "name": names[row["district_id"]]}
            if row["district_id"] in names
            else None,
            "source": row["source"],
            "place": row["place"],
            "first_contact_at": moment(row["first_contact_at"]),
            "exposure_minutes": row["exposure_minutes"],
            "same_vehicle": row["same_vehicle"],
            "reasons": row["reasons"],
            "status": CandidateStatus.NEW.value,
            "note": "",
            "ring": 1,
            "via_rank": None,
        }
        for row in rows
    ]


class TracingSearchViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """POST a search (one of ``phone``, ``id_number``, ``full_name``; ``start``/``end`` local days;
    ``reason``); GET one back. A name alone, or a phone shared by several people, answers 400 with the
    people to choose from in ``extra.people``: search again by ID number, or by phone and full name."""

    serializer_class = SearchSerializer
    permission_classes = [HasCapability("tracing.search")]

    def get_queryset(self):
        return tracing_search_list_for(self.request.user)

    @extend_schema(request=SearchInputSerializer, responses={201: SearchSerializer})
    def create(self, request):
        data = SearchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        search = tracing_search(by=request.user, request=request, **data.validated_data)
        rows = search.__dict__.pop("candidate_rows")
        # A plain dict: a serializer's data points back at the serializer, a cycle only the garbage collector
        # frees, and a thousand candidates hung from it made each collection a pause of ~70 ms.
        body = dict(SearchHeadSerializer(search, context={"request": request}).data)
        body["candidates"] = new_candidates_data(rows)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The search's F1 candidates as XLSX (the same workbook as the page's export); audit-logged."""
        search = self.get_object()
        content = search_export(search, by=request.user, request=request)
        return download_response(content, filename=export_filename(search))


# --- Follow-up marking and the second ring -----------------------------------------------------------


class CandidateMarkSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CandidateStatus.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_CHARS)


class CandidateMarkView(APIView):
    """PATCH a candidate's follow-up (``status``, ``note``); the candidate is named by its rank in the search."""

    permission_classes = [HasCapability("tracing.search")]

    @extend_schema(request=CandidateMarkSerializer, responses={200: CandidateSerializer})
    def patch(self, request, pk: int, rank: int):
        search = tracing_search_for(request.user, pk)
        candidate = get_object_or_404(search.candidates.select_related("district", "via"), rank=rank)
        data = CandidateMarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mark_candidate(
            candidate,
            by=request.user,
            status=data.validated_data.get("status", candidate.status),
            note=data.validated_data.get("note", candidate.note),
            request=request,
        )
        return Response(CandidateSerializer(candidate).data)


class Ring2InputSerializer(serializers.Serializer):
    ranks = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=True, max_length=500)


class Ring2Response(serializers.Serializer):
    candidates = CandidateSerializer(many=True)


class Ring2View(APIView):
    """POST ``{"ranks": [...]}``: the second ring (F2) of those F1s, stored with the search; 201 with the new
    candidates (``ring`` 2, ``via_rank`` the F1 met). An F1 whose contacts were asked for before is skipped."""

    permission_classes = [HasCapability("tracing.search")]

    @extend_schema(request=Ring2InputSerializer, responses={201: Ring2Response})
    def post(self, request, pk: int):
        search = tracing_search_for(request.user, pk)
        data = Ring2InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = ring2_request(search, by=request.user, ranks=data.validated_data["ranks"], request=request)
        rows = created.select_related("district", "via")
        return Response({"candidates": CandidateSerializer(rows, many=True).data}, status=status.HTTP_201_CREATED)
