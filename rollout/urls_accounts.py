"""Sign-in, invitations and account management."""

from django.contrib.auth import views as auth_views
from django.urls import path

from rollout.views import accounts

app_name = "accounts"
urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/<uidb64>/<token>/", accounts.InvitationView.as_view(), name="invitation"),
    path("invitation/done/", accounts.InvitationDoneView.as_view(), name="invitation-done"),
    path("users/", accounts.user_list, name="user-list"),
    path("users/new/", accounts.user_create, name="user-create"),
    path("users/import/", accounts.user_import, name="user-import"),
    path("users/import/template.xlsx", accounts.user_import_template, name="user-import-template"),
    path("users/<int:pk>/", accounts.user_detail, name="user-detail"),
    path("users/<int:pk>/<slug:action>/", accounts.user_action, name="user-action"),
]
