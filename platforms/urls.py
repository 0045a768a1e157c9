"""Platform rollout pages: app adoption by agencies, the testing platform, vaccination data updates."""

from django.urls import path

from platforms.views import adoption, health

app_name = "platforms"
urlpatterns = [
    path("adoption/", adoption.adoption_list, name="adoption-list"),
    path("adoption/import/", adoption.adoption_import, name="adoption-import"),
    path("adoption/import/template/", adoption.adoption_template, name="adoption-template"),
    path("adoption/<int:pk>/", adoption.adoption_agency, name="adoption-agency"),
    path("testing/", health.testing_list, name="testing-list"),
    path("testing/<int:pk>/", health.testing_edit, name="testing-edit"),
    path("vaccination/", health.vaccination_overview, name="vaccination-overview"),
    path("vaccination/<int:pk>/", health.vaccination_log, name="vaccination-log"),
]
