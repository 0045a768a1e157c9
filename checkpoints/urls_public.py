"""Public URLs (no sign-in): declarations and the personal pass. ``/p/<token>/`` is what the QR holds."""

from django.urls import path

from checkpoints.views import public

app_name = "declarations"
urlpatterns = [
    path("declare/", public.declaration_start, name="start"),
    path("declare/units/", public.units, name="units"),
    path("declare/<slug:kind>/", public.declaration_create, name="create"),
    path("p/<str:token>/", public.declaration_pass, name="pass"),
    path("p/<str:token>/qr.png", public.declaration_pass_qr, name="pass-qr"),
    path("p/<str:token>/print/", public.declaration_pass_print, name="pass-print"),
]
