"""Staff pages of venue check-in: QR codes and posters, staff scanning, the visitor log, inspections."""

from django.urls import path

from venues.views import checkins, inspections, offline, qr

app_name = "venues"
urlpatterns = [
    path("venues/<int:pk>/qr.<str:fmt>", qr.venue_qr, name="venue-qr"),
    path("venues/<int:pk>/poster/", qr.venue_poster, name="venue-poster"),
    path("venues/<int:pk>/qr/rotate/", qr.venue_qr_rotate, name="venue-qr-rotate"),
    path("venues/<int:pk>/scan/", checkins.venue_scan, name="venue-scan"),
    path("venues/<int:pk>/scan/sync/", offline.venue_scan_sync, name="venue-scan-sync"),
    path("venues/<int:pk>/inspections/new/", inspections.inspection_create, name="inspection-create"),
    path("posters/", qr.poster_list, name="poster-list"),
    path("visitors/", checkins.visit_list, name="visit-list"),
    path("visitors/export/", checkins.visit_export, name="visit-export"),
    path("inspections/", inspections.inspection_list, name="inspection-list"),
    path("inspections/<int:pk>/edit/", inspections.inspection_edit, name="inspection-edit"),
]
