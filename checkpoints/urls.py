from django.urls import path

from checkpoints import views

app_name = "checkpoints"
urlpatterns = [
    path("", views.checkpoint_list, name="checkpoint-list"),
    path("<int:pk>/", views.checkpoint_detail, name="checkpoint-detail"),
]
