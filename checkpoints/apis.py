"""REST API of checkpoints."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from checkpoints import selectors
from checkpoints.models import Arrival, DailyList
from checkpoints.scoping import checkpoints_for_arrivals
from checkpoints.services.arrivals import (
    ArrivalInput,
    DuplicateSuspected,
    OnDuplicate,
    arrival_clean,
    arrival_record,
    checkpoint_for,
)
from checkpoints.services.daily_lists import daily_list_filename
from checkpoints.services.declarations import declaration_from_qr_text
from checkpoints.services.travel import TravelInput
from rollout import scoping
from rollout.apis import DISTRICT, SEARCH, ScopedViewSet
from rollout.downloads import XLSX, private_file_response
from rollout.errors import ApplicationError
from rollout.models import Checkpoint
from rollout.services.audit import audit_personal_view


class CheckpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = Checkpoint
        fields = ["id", "name", "kind", "location", "district", "commune", "is_active"]


@extend_schema_view(list=extend_schema(parameters=[SEARCH, DISTRICT]))
class CheckpointViewSet(ScopedViewSet):
    serializer_class = CheckpointSerializer
    scope = staticmethod(scoping.checkpoints_for)
    filter_fields = {"district": "district_id"}


# --- arrivals and daily lists ---------------------------------------------------------

DATE = OpenApiParameter("date", str, description="Local day YYYY-MM-DD (Asia/Ho_Chi_Minh)")
CHECKPOINT = OpenApiParameter("checkpoint", int, description="Checkpoint id")
MAX_BATCH = 1000


def _date_param(request) -> date | None:
    raw = request.query_params.get("date", "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApplicationError(
            _("The date must look like 2021-11-02."), extra={"fields": {"date": [_("Enter a date as YYYY-MM-DD.")]}}
        ) from None


class ArrivalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Arrival
        fields = [
            "id", "checkpoint", "arrived_at", "full_name", "phone", "id_number", "birth_year",
            "origin_province", "origin_district", "origin_commune", "destination_district", "destination_commune",
            "destination_address", "vehicle", "plate", "purpose", "vaccine_doses", "last_dose_on", "latest_test",
            "latest_test_result", "latest_test_on", "symptoms", "temperature", "test_at_checkpoint",
            "test_at_checkpoint_result", "notes", "declaration", "possible_duplicate_of", "created_at",
        ]  # fmt: skip


class ArrivalWriteSerializer(serializers.Serializer):
    """Input types only; the rules (phone, ID, units, duplicates) are the service's, as for the form."""

    checkpoint = serializers.IntegerField(required=False, help_text="Defaults to the caller's only checkpoint.")
    arrived_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")
    full_name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    id_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    birth_year = serializers.IntegerField(required=False, allow_null=True, default=None)
    origin_province = serializers.IntegerField(required=False, allow_null=True, default=None)
    origin_district = serializers.IntegerField(required=False, allow_null=True, default=None)
    origin_commune = serializers.IntegerField(required=False, allow_null=True, default=None)
    destination_district = serializers.IntegerField()
    destination_commune = serializers.IntegerField(required=False, allow_null=True, default=None)
    destination_address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    vehicle = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    plate = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    purpose = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    vaccine_doses = serializers.IntegerField(required=False, default=0)
    last_dose_on = serializers.DateField(required=False, allow_null=True, default=None)
    latest_test = serializers.CharField(required=False, default="none")
    latest_test_result = serializers.CharField(required=False, allow_blank=True, default="")
    latest_test_on = serializers.DateField(required=False, allow_null=True, default=None)
    symptoms = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    temperature = serializers.DecimalField(max_digits=3, decimal_places=1, required=False, allow_null=True)
    test_at_checkpoint = serializers.CharField(required=False, default="none")
    test_at_checkpoint_result = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    declaration_qr = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="The personal QR's text, to link the declaration."
    )
    on_duplicate = serializers.ChoiceField(
        choices=OnDuplicate.ALL,
        default=OnDuplicate.ASK,
        help_text="ask: refuse a likely duplicate (400, extra.code=possible_duplicate); confirm: store it "
        "flagged; merge: complete the earlier record.",
    )
    external_id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="Your id: a retried POST stores once."
    )


def _to_input(user, data: dict) -> tuple[ArrivalInput, str, str | None]:
    checkpoint = checkpoint_for(user, data.get("checkpoint"))
    declaration = declaration_from_qr_text(data.get("declaration_qr") or "")
    values = {name: data.get(name) for name in TravelInput.field_names() if name in data}
    arrival = ArrivalInput(
        **values,
        checkpoint=checkpoint.pk,
        arrived_at=data.get("arrived_at") or timezone.now(),
        temperature=data.get("temperature"),
        test_at_checkpoint=data.get("test_at_checkpoint") or "none",
        test_at_checkpoint_result=data.get("test_at_checkpoint_result") or "",
        notes=data.get("notes") or "",
        declaration=declaration.pk if declaration else None,
    )
    external = data.get("external_id") or ""
    key = hashlib.sha256(f"api:{checkpoint.pk}:{external}".encode()).hexdigest() if external else None
    return arrival, data.get("on_duplicate") or OnDuplicate.ASK, key


@extend_schema_view(list=extend_schema(parameters=[DATE, CHECKPOINT, DISTRICT]))
class ArrivalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Arrivals the caller may see. POST one arrival (an object) or several (a list, stored all or none)."""

    serializer_class = ArrivalSerializer

    def get_queryset(self):
        day = _date_param(self.request) if self.action == "list" else None
        params = self.request.query_params
        return selectors.arrival_list_for(
            self.request.user,
            day=day,
            checkpoint=int(params["checkpoint"]) if params.get("checkpoint", "").isdigit() else None,
            district=int(params["district"]) if params.get("district", "").isdigit() else None,
        )

    def list(self, request, *args, **kwargs):
        """One audit event per answer: the filters, the page and how many people it held."""
        response = super().list(request, *args, **kwargs)
        params = request.query_params
        page = getattr(self.paginator, "page", None)
        rows = response.data.get("results", []) if isinstance(response.data, dict) else response.data
        audit_personal_view(
            request,
            "arrivals_api",
            day=params.get("date") or None,
            checkpoint=int(params["checkpoint"]) if params.get("checkpoint", "").isdigit() else None,
            district=int(params["district"]) if params.get("district", "").isdigit() else None,
            page=page.number if page is not None else 1,
            rows=len(rows),
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        arrival = self.get_object()
        audit_personal_view(request, "arrivals_api", obj=arrival, rows=1)
        return Response(self.get_serializer(arrival).data)

    # One arrival (an object) answers one; a list answers a list, in the same order.
    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="ArrivalWriteOneOrMany",
            serializers=[ArrivalWriteSerializer(), ArrivalWriteSerializer(many=True)],
            many=False,
            resource_type_field_name=None,
        ),
        responses={
            (status_code, "application/json"): PolymorphicProxySerializer(
                component_name="ArrivalOneOrMany",
                serializers=[ArrivalSerializer(), ArrivalSerializer(many=True)],
                many=False,
                resource_type_field_name=None,
            )
            for status_code in (201, 200)
        },
    )
    def create(self, request):
        if not checkpoints_for_arrivals(request.user).exists():
            raise PermissionDenied
        many = isinstance(request.data, list)
        items = request.data if many else [request.data]
        if not items or len(items) > MAX_BATCH:
            raise ApplicationError(_("Send between 1 and %(n)s arrivals.") % {"n": MAX_BATCH})
        inputs, errors = [], {}
        for i, item in enumerate(items):
            serializer = ArrivalWriteSerializer(data=item)
            if not serializer.is_valid():
                errors.update(_prefixed(i, many, serializer.errors))
                continue
            try:
                inputs.append(_to_input(request.user, serializer.validated_data))
                arrival_clean(inputs[-1][0])
            except ApplicationError as exc:
                errors.update(_prefixed(i, many, exc.extra.get("fields", {"non_field_errors": [exc.message]})))
            except ValidationError as exc:
                errors.update(_prefixed(i, many, exc.message_dict))
        if errors:
            raise ApplicationError(_("The data is not valid."), extra={"fields": errors})
        outcomes = []
        with transaction.atomic():  # a list is stored whole or not at all
            for i, (data, on_duplicate, key) in enumerate(inputs):
                try:
                    outcomes.append(
                        arrival_record(by=request.user, data=data, on_duplicate=on_duplicate, import_key=key)
                    )
                except DuplicateSuspected as exc:
                    extra = dict(exc.extra) | ({"index": i} if many else {})
                    raise ApplicationError(exc.message, extra=extra) from exc
        body = [ArrivalSerializer(o.arrival).data for o in outcomes]
        created = any(o.created for o in outcomes)
        return Response(body if many else body[0], status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _prefixed(index: int, many: bool, errors: dict) -> dict:
    return {(f"{index}.{field}" if many else field): messages for field, messages in errors.items()}


class DailyListSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="day")
    district = serializers.IntegerField(source="district_id")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DailyList
        fields = ["id", "district", "date", "rows", "revision", "size", "checksum", "generated_at", "download_url"]

    def get_download_url(self, obj: DailyList) -> str:
        return reverse("api:daily-list-download", kwargs={"pk": obj.pk}, request=self.context.get("request"))


@extend_schema_view(list=extend_schema(parameters=[DATE, DISTRICT]))
class DailyListViewSet(viewsets.ReadOnlyModelViewSet):
    """Daily per-district arrival lists the caller may download (their district's, or all for province staff)."""

    serializer_class = DailyListSerializer

    def get_queryset(self):
        district = self.request.query_params.get("district", "")
        return selectors.daily_list_list_for(
            self.request.user,
            day=_date_param(self.request) if self.action == "list" else None,
            district=int(district) if district.isdigit() else None,
        )

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The workbook itself; audit-logged like a download from the page."""
        daily_list = self.get_object()
        return private_file_response(request, daily_list.file, filename=daily_list_filename(daily_list), obj=daily_list)
