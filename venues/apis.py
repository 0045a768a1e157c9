"""API of venue check-in: the venues with the URL their QR code carries, and the QR image."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.reverse import reverse

from rollout import scoping
from rollout.apis import DISTRICT, SEARCH, ScopedViewSet
from rollout.downloads import download_response
from rollout.models import Venue
from venues.services.checkins import venue_checkin_url, venue_qr_png


class VenueSerializer(serializers.ModelSerializer):
    checkin_url = serializers.SerializerMethodField(help_text="What the venue's QR code encodes (public check-in).")
    qr_png_url = serializers.SerializerMethodField(help_text="The QR code as a PNG image (same authentication).")

    class Meta:
        model = Venue
        fields = [
            "id",
            "name",
            "kind",
            "district",
            "commune",
            "agency",
            "address",
            "is_active",
            "checkin_url",
            "qr_png_url",
        ]

    def get_checkin_url(self, venue: Venue) -> str:
        return venue_checkin_url(venue)

    def get_qr_png_url(self, venue: Venue) -> str:
        return reverse("api:venue-qr-png", args=[venue.pk], request=self.context.get("request"))


@extend_schema_view(list=extend_schema(parameters=[SEARCH, DISTRICT]))
class VenueViewSet(ScopedViewSet):
    serializer_class = VenueSerializer
    scope = staticmethod(scoping.venues_for)
    filter_fields = {"district": "district_id"}

    @extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="qr.png", url_name="qr-png")
    def qr_png(self, request, pk=None):
        """The venue's QR code (PNG) carrying ``checkin_url``."""
        venue = self.get_object()
        return download_response(
            venue_qr_png(venue), filename=f"qr-venue-{venue.pk}.png", content_type="image/png", inline=True
        )
