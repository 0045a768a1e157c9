"""The overview's drill-down: a district, a commune."""

from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/district/<int:code>/", views.district_overview, name="district"),
    path("dashboard/district/<int:code>/commune/<int:commune>/", views.commune_overview, name="commune"),
]
