from django.contrib import admin

from checkpoints.models import Checkpoint
from rollout.admin import ProvinceAdminOnly


@admin.register(Checkpoint)
class CheckpointAdmin(ProvinceAdminOnly):
    list_display = ["name", "kind", "location", "district", "is_active"]
    list_filter = ["kind", "district", "is_active"]
    search_fields = ["name", "name_search", "location"]
    autocomplete_fields = ["commune"]
