from django.urls import path

from tracing.views import exports, lists

app_name = "tracing"
urlpatterns = [
    path("<int:pk>/export.xlsx", exports.export, name="export"),
    path("<int:pk>/send-lists/", lists.send_lists, name="send_lists"),
    path("lists/", lists.list_page, name="lists"),
    path("lists/<int:pk>/download/", lists.list_download, name="list_download"),
]
