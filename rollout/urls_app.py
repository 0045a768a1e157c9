"""Pages of the core app (agencies, venues, facilities, jobs, the audit log)."""

from django.urls import path

from rollout.views import audit, jobs, masterdata

app_name = "rollout"
urlpatterns = [
    path("agencies/", masterdata.agency_list, name="agency-list"),
    path("agencies/new/", masterdata.agency_edit, name="agency-create"),
    path("agencies/<int:pk>/", masterdata.agency_detail, name="agency-detail"),
    path("agencies/<int:pk>/edit/", masterdata.agency_edit, name="agency-edit"),
    path("venues/", masterdata.venue_list, name="venue-list"),
    path("venues/new/", masterdata.venue_edit, name="venue-create"),
    path("venues/<int:pk>/", masterdata.venue_detail, name="venue-detail"),
    path("venues/<int:pk>/edit/", masterdata.venue_edit, name="venue-edit"),
    path("facilities/", masterdata.facility_list, name="facility-list"),
    path("facilities/<int:pk>/", masterdata.facility_detail, name="facility-detail"),
    path("jobs/", jobs.job_list, name="job-list"),
    path("jobs/<str:job>/", jobs.job_detail, name="job-detail"),
    path("audit/", audit.audit_list, name="audit-list"),
    path("audit/export/", audit.audit_export, name="audit-export"),
    path("audit/mine/", audit.audit_mine, name="audit-mine"),
]
