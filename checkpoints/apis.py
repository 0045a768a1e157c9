"""REST API of checkpoints."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from checkpoints.models import Checkpoint
from rollout import scoping
from rollout.apis import DISTRICT, SEARCH, ScopedViewSet


class CheckpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = Checkpoint
        fields = ["id", "name", "kind", "location", "district", "commune", "is_active"]


@extend_schema_view(list=extend_schema(parameters=[SEARCH, DISTRICT]))
class CheckpointViewSet(ScopedViewSet):
    serializer_class = CheckpointSerializer
    scope = staticmethod(scoping.checkpoints_for)
    filter_fields = {"district": "district_id"}
