from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("Rollout")

    def ready(self) -> None:
        from rollout import signals  # noqa: F401  (connects the receivers)
        from rollout.services.jobs import register_job

        register_job("purge_personal_data", _("Deleting personal data past the retention"), beat="purge-personal-data")
