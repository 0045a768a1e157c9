from django.urls import path

from checkpoints.views import arrivals, core, lists, offline

app_name = "checkpoints"
urlpatterns = [
    path("", core.checkpoint_list, name="checkpoint-list"),
    path("<int:pk>/", core.checkpoint_detail, name="checkpoint-detail"),
    path("<int:pk>/export/", lists.checkpoint_export, name="checkpoint-export"),
    path("arrivals/", arrivals.arrival_list, name="arrival-list"),
    path("arrivals/new/", arrivals.arrival_record, name="arrival-record"),
    path("arrivals/from-qr/", arrivals.arrival_prefill, name="arrival-prefill"),
    path("arrivals/sync/", offline.arrival_sync, name="arrival-sync"),
    path("arrivals/import/", arrivals.arrival_import, name="arrival-import"),
    path("arrivals/import/template.xlsx", arrivals.arrival_import_template, name="arrival-import-template"),
    path("daily-lists/", lists.daily_list_list, name="daily-list-list"),
    path("daily-lists/build/", lists.daily_list_build, name="daily-list-build"),
    path("daily-lists/<int:pk>/download/", lists.daily_list_download, name="daily-list-download"),
]
