"""API of contact tracing (SPEC §8): run a search, read it back. Health officers and province admins only."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rollout.downloads import XLSX, download_response
from rollout.permissions import HasCapability
from tracing.models import Candidate, ReasonKind, TracingSearch
from tracing.selectors import tracing_search_list_for
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
            "first_contact_at", "exposure_minutes", "same_vehicle", "reasons", "status", "note",
        ]  # fmt: skip

    def get_district(self, candidate: Candidate) -> dict | None:
        d = candidate.district
        return {"id": d.pk, "name": d.name} if d is not None else None


class SearchSerializer(serializers.ModelSerializer):
    candidates = CandidateSerializer(many=True, read_only=True)

    class Meta:
        model = TracingSearch
        fields = [
            "id", "created_at", "reason_kind", "reason", "phone", "id_number", "full_name", "start", "end",
            "record_count", "candidate_count", "timeline", "candidates",
        ]  # fmt: skip


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
        search = self.get_queryset().get(pk=search.pk)
        return Response(SearchSerializer(search, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """The search's F1 candidates as XLSX (the same workbook as the page's export); audit-logged."""
        search = self.get_object()
        content = search_export(search, by=request.user, request=request)
        return download_response(content, filename=export_filename(search))
