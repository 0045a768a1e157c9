"""Public check-in pages (no account). /c/<token>/ is fixed (SPEC §12): it is printed on posters."""

from django.urls import path

from venues.views import public as views

app_name = "checkin"
urlpatterns = [
    path("c/<str:token>/", views.checkin, name="checkin"),
    path("c/<str:token>/v/<str:visit>/", views.visit, name="visit"),
    path("c/<str:token>/v/<str:visit>/out/", views.checkout, name="checkout"),
    path("c/<str:token>/v/<str:visit>/pass.svg", views.pass_image, name="pass-image"),
    path("pass/<str:token>/", views.visitor_pass, name="pass"),
]
