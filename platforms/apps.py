from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = _("Platform rollout")

    def ready(self) -> None:
        from rollout.services.jobs import register_job

        register_job("vaccination_reminders", _("Vaccination-update reminders"), beat="vaccination-reminders")
