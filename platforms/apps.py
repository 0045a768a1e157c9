from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = _("Platform rollout")

    def ready(self) -> None:
        from platforms.demo import seed_platform_activity
        from rollout import demo

        demo.register_step(50, seed_platform_activity)  # adoption, testing platform, vaccination logs
        from rollout.services.jobs import register_job

        register_job("vaccination_reminders", _("Vaccination-update reminders"), beat="vaccination-reminders")
